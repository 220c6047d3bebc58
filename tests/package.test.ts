/**
 * The package's manifest and command: package.json fields, the version, and
 * the `genzoo` command's --help / --version / unknown-command behaviour. (The
 * packed package, installed as a user installs it, with every documentation
 * example run against it: tests/consumer.test.ts.)
 *
 * `npm test` builds first; run alone, this file rebuilds dist/ when it is
 * missing or older than src/.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { VERSION } from '../src/version.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    throw new Error(`package.test: \`npm run build\` failed, so dist/ cannot be tested:\n${out.slice(0, 4000)}`);
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd = ROOT): Run {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runNodeAsync(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

beforeAll(() => ensureBuilt(), 120_000);

describe('package.json', () => {
  test('name, module type, engines', () => {
    expect(pkg.name).toBe('genzoo');
    expect(pkg.type).toBe('module');
    expect(pkg.engines?.node).toMatch(/>=\s*20/);
  });

  test("exports '.' has types first, then import, pointing into dist/", () => {
    const root = pkg.exports['.'];
    expect(Object.keys(root)[0]).toBe('types'); // TypeScript reads conditions in order
    expect(root.types).toBe('./dist/index.d.ts');
    expect(root.import).toBe('./dist/index.js');
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.files).toContain('dist');
  });

  test('every exports target exists after the build', () => {
    const missing: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        if (!existsSync(join(ROOT, v))) missing.push(v);
      } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    expect(missing).toEqual([]);
  });

  test('bin genzoo is an executable node script', () => {
    expect(pkg.bin).toEqual({ genzoo: 'bin/genzoo.js' }); // npm publish rewrites './bin/…' and warns
    const bin = readFileSync(join(ROOT, 'bin', 'genzoo.js'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node')).toBe(true);
    expect(pkg.files).toContain('bin');
  });

  test('VERSION in src/version.ts equals package.json version', () => {
    expect(VERSION).toBe(pkg.version);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('dependencies: vitest 4.x (5.x needs Node 22), seedrandom and gpu.js at runtime', () => {
    expect(pkg.devDependencies.vitest).toMatch(/^\^?~?4\./);
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['seedrandom', 'gpu.js']));
  });

  test("what a consumer's compiler needs is a dependency; fast-check an optional peer; the digits ship as a file", () => {
    // dist/tensor/random.d.ts names seedrandom's types: without them every strict consumer fails to compile.
    expect(pkg.dependencies['@types/seedrandom']).toBeDefined();
    expect(pkg.peerDependencies).toEqual({ 'fast-check': '^4' });
    expect(pkg.peerDependenciesMeta).toEqual({ 'fast-check': { optional: true } });
    expect(pkg.dependencies['fast-check']).toBeUndefined();
    expect(pkg.dependencies.mnist).toBeUndefined(); // the digits are data/mnist-digits.gz
    expect(pkg.files).toContain('data/mnist-digits.gz');
    expect(existsSync(join(ROOT, 'data', 'mnist-digits.gz'))).toBe(true);
  });

  test('licence, repository, homepage and bugs', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\//);
  });
});

describe('the genzoo command', () => {
  const bin = join(ROOT, 'bin', 'genzoo.js');
  const ARGS = { help: ['--help'], version: ['--version'], v: ['-v'], unknown: ['no-such-command'], none: [] as string[] };
  let runs: Record<keyof typeof ARGS, Run>;
  // Started together: each launch loads the whole library, so running them in parallel saves seconds.
  beforeAll(async () => {
    const keys = Object.keys(ARGS) as Array<keyof typeof ARGS>;
    const results = await Promise.all(keys.map((k) => runNodeAsync([bin, ...ARGS[k]])));
    runs = Object.fromEntries(keys.map((k, i) => [k, results[i]])) as typeof runs;
  }, 120_000);

  test('--help exits 0 with usage', () => {
    expect(runs.help.code).toBe(0);
    expect(runs.help.stdout).toMatch(/Usage: genzoo <command>/);
    expect(runs.help.stdout).toContain(VERSION);
  });

  test('--version and -v print the version', () => {
    for (const r of [runs.version, runs.v]) {
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(VERSION);
    }
  });

  test('an unknown command exits 2 and says which', () => {
    expect(runs.unknown.code).toBe(2);
    expect(runs.unknown.stderr).toMatch(/unknown command 'no-such-command'/);
    expect(runs.unknown.stderr).toMatch(/Usage: genzoo/);
  });

  test('no command prints the usage and exits 2', () => {
    expect(runs.none.code).toBe(2);
    expect(runs.none.stdout + runs.none.stderr).toMatch(/Usage: genzoo/);
  });
});
