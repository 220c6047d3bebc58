/**
 * The property test of docs/kl.md ("Property-test your own KL in five lines")
 * has teeth: it passes as written, and fails when the pasted KL is wrong. Runs
 * in-process against src/ (the consumer test, tests/consumer.test.ts, also
 * compiles and runs it against the installed package).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { kl } from '../../src/index.js';
import { gaussianPair } from '../../src/kl/arbitraries.js';
import { docBlocks } from '../helpers/doc-examples.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMPORTS = [
  "import * as fc from 'fast-check';",
  "import { kl } from 'genzoo';",
  "import type { Gaussian1D } from 'genzoo/kl';",
  "import { gaussianPair } from 'genzoo/kl/arbitraries';   // needs fast-check, an optional peer dependency",
];

/** The first TypeScript block under '## Using it' in docs/kl.md. */
function snippet(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'kl.md'), 'utf8');
  const at = doc.slice(0, doc.search(/^## Using it\s*$/m)).split('\n').length;
  expect(at, "docs/kl.md has a '## Using it' section").toBeGreaterThan(1);
  const block = docBlocks(ROOT, 'docs/kl.md').find((b) => b.line > at && b.lang === 'ts');
  expect(block, "a ```ts block under '## Using it'").toBeDefined();
  return block!.code;
}

/** Runs the snippet's body (types stripped) with fc, kl and gaussianPair bound as its imports bind them. */
function runInProcess(code: string): void {
  const lines = code.split('\n');
  expect(lines.slice(0, IMPORTS.length)).toEqual(IMPORTS);
  const body = transformSync(lines.slice(IMPORTS.length).join('\n'), { loader: 'ts' }).code;
  new Function('fc', 'kl', 'gaussianPair', body)(fc, kl, gaussianPair);
}

describe('docs/kl.md: the KL property test', () => {
  it('is a five-line property test (plus imports and the KL under test)', () => {
    const code = snippet();
    const assertAt = code.indexOf('fc.assert(');
    expect(assertAt).toBeGreaterThan(0);
    expect(code.slice(assertAt).trim().split('\n')).toHaveLength(4);
    expect(code).toMatch(/fc\.property\(gaussianPair\(\)/);
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
});
