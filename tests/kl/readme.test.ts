/**
 * The README's "## Gaussian KL" property test runs as written: in-process
 * against src/ (always), and as a user runs it — node, `import … from 'genzoo'`
 * resolved through package.json exports to dist/ — when dist/ is up to date
 * (`npm test` builds first). A broken KL pasted into it must fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { kl } from '../../src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMPORTS = ["import * as fc from 'fast-check';", "import { kl } from 'genzoo';"];

/** The first ```js block under '## Gaussian KL'. */
function snippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.search(/^## Gaussian KL\s*$/m);
  expect(at, "README has a '## Gaussian KL' section").toBeGreaterThanOrEqual(0);
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m, "a ```js block under '## Gaussian KL'").not.toBeNull();
  return m![1];
}

/** Runs the snippet's body with `fc` and `kl` bound as its two import lines would bind them. */
function runInProcess(code: string): void {
  const lines = code.split('\n');
  expect(lines.slice(0, 2)).toEqual(IMPORTS);
  const body = lines.slice(2).join('\n');
  new Function('fc', 'kl', body)(fc, kl);
}

describe('README: Gaussian KL property test', () => {
  it('is a five-line property test (plus imports and the KL under test)', () => {
    const code = snippet();
    const assertAt = code.indexOf('fc.assert(');
    expect(assertAt).toBeGreaterThan(0);
    expect(code.slice(assertAt).trim().split('\n')).toHaveLength(4);
    expect(code).toMatch(/kl\.arbitraries\.gaussianPair\(\)/);
    expect(code).toMatch(/kl\.integrate\(p, q\)/);
  });

  it('passes as written (against src/)', () => {
    runInProcess(snippet());
  });

  it('fails when the pasted KL is wrong: a first moment for the second, or a lost −½', () => {
    const code = snippet();
    const body = '(s1 ** 2 + (m1 - m2) ** 2)';
    expect(code).toContain(body);
    expect(() => runInProcess(code.replace(body, '((m1 - m2) ** 2)'))).toThrow(/Property failed/);
    expect(code).toContain('- 0.5;');
    expect(() => runInProcess(code.replace('- 0.5;', ';'))).toThrow(/Property failed/);
  });

  describe('as a user runs it: node, with genzoo installed (dist/)', () => {
    const newest = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
        const p = join(dir, e.name);
        return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
      }, 0);
    const entry = join(ROOT, 'dist', 'kl', 'index.js');
    const fresh = existsSync(entry) && statSync(join(ROOT, 'dist', 'index.js')).mtimeMs >= newest(join(ROOT, 'src', 'kl'));
    if (!fresh) console.warn('tests/kl/readme.test.ts: dist/ is missing or older than src/kl — run `npm run build` (npm test does) to run the README snippet against it');
    let dir = '';
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const run = (name: string, code: string) => {
      if (!dir) {
        dir = mkdtempSync(join(tmpdir(), 'genzoo-kl-readme-'));
        mkdirSync(join(dir, 'node_modules'));
        symlinkSync(ROOT, join(dir, 'node_modules', 'genzoo'), 'dir');
        symlinkSync(join(ROOT, 'node_modules', 'fast-check'), join(dir, 'node_modules', 'fast-check'), 'dir');
      }
      writeFileSync(join(dir, name), code);
      return spawnSync(process.execPath, [name], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    };

    // One node process for both checks: each launch loads the whole library.
    it.runIf(fresh)("the snippet runs with `import { kl } from 'genzoo'`, and 'genzoo/kl' exports the same functions", () => {
      const subpath = [
        "const sub = await import('genzoo/kl');",
        "const { reparameterize: top } = await import('genzoo');",
        'console.log(sub.stdNormal === kl.stdNormal, sub.reparameterize === top, typeof sub.arbitraries.gaussianPair, sub.normal(0, 1, 1, 2));',
        'console.log(typeof sub.diagNormal, typeof sub.integrate, typeof sub.monteCarlo);',
      ].join('\n');
      const r = run('readme.mjs', `${snippet()}\n${subpath}\n`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([`true true function ${kl.normal(0, 1, 1, 2)}`, 'function function function']);
    });
  });
});
