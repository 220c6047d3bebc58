/**
 * The code examples of README.md and docs/*.md, as the consumer test
 * (tests/consumer.test.ts) compiles and runs them.
 *
 * The conventions (also in docs/contributing.md):
 * - A ```ts block is a complete program a user could paste into a file of their
 *   own project: it is type-checked with `tsc --strict` (module nodenext)
 *   against the installed package, then run. A ```js block is run as an ES module.
 * - `console.log(…); // → text` states what the line prints; the test checks
 *   it (`…` in the text matches anything). A console.log without `// →`
 *   prints unchecked; other comments are prose.
 * - `no-run` after the language (```ts no-run) compiles the block but does not
 *   run it, for what cannot run in Node (a browser's WebGPU) — the test lists
 *   every such block. Other languages (sh, html) are not code to check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocBlock {
  /** 'README.md' or 'docs/kl.md'. */
  doc: string;
  /** The 1-based line in the document of the block's first code line. */
  line: number;
  lang: 'ts' | 'js';
  run: boolean;
  code: string;
  /** A file name for it: README-L23, docs-kl-L87. */
  id: string;
}

/** The documents whose examples are checked: the README and every docs/*.md (not generated docs in subfolders). */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every ```ts and ```js block of one document. */
export function docBlocks(root: string, doc: string): DocBlock[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(?!`)([^\s`]*)([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: a code block that is never closed`);
    const lang = open[2];
    const flags = open[3].trim().split(/\s+/).filter(Boolean);
    if (lang === 'ts' || lang === 'js') {
      const unknown = flags.filter((f) => f !== 'no-run');
      if (unknown.length) throw new Error(`${doc}:${i + 1}: unknown flag ${unknown.join(' ')} on a code block (only no-run)`);
      const code = lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)![0].length))).join('\n');
      const id = `${doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${i + 2}`;
      blocks.push({ doc, line: i + 2, lang, run: !flags.includes('no-run'), code, id });
    }
    i = end;
  }
  return blocks;
}

export interface Expectation {
  /** The line in the document. */
  line: number;
  expected: string;
}

const CHECKED_LOG = /^(\s*)console\.log\((.*)\);\s*\/\/\s*→\s*(.*?)\s*$/;

/**
 * Rewrites every `console.log(args); // → text` into `__check(docLine, "text", args);`
 * (same line, so compiler messages keep their line numbers) and lists the expectations.
 */
export function instrument(block: DocBlock): { code: string; expectations: Expectation[] } {
  const expectations: Expectation[] = [];
  const code = block.code.split('\n').map((l, i) => {
    const m = CHECKED_LOG.exec(l);
    if (!m) {
      if (/\/\/\s*→/.test(l)) throw new Error(`${block.doc}:${block.line + i}: '// →' is only checked after a one-line console.log(…);`);
      return l;
    }
    const line = block.line + i;
    expectations.push({ line, expected: m[3] });
    return `${m[1]}__check(${line}, ${JSON.stringify(m[3])}, ${m[2]});`;
  }).join('\n');
  return { code, expectations };
}

/** Whether a printed line matches the documented text, where `…` stands for anything. */
export function matchesExpected(actual: string, expected: string): boolean {
  const pattern = expected.split('…').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(actual.trim());
}

/** The harness every run block is started with (`node --import`): defines __check, writes the results on exit. */
export const HARNESS = `import { format } from 'node:util';
import { writeFileSync } from 'node:fs';
const results = [];
globalThis.__check = (line, expected, ...args) => {
  const actual = format(...args);
  results.push({ line, expected, actual });
  process.stdout.write(actual + '\\n');
};
process.on('exit', () => writeFileSync(process.env.GENZOO_DOC_RESULTS, JSON.stringify(results)));
`;

/** The global declaration the instrumented TypeScript blocks compile against. */
export const HARNESS_TYPES = 'declare function __check(line: number, expected: string, ...args: unknown[]): void;\n';
