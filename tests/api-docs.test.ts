/**
 * The API reference (docs/api/, `npm run docs:api`) is what the TSDoc comments
 * give today, and every export outside the folders still being documented has
 * TSDoc: TypeDoc runs into a temporary folder and is compared file by file with
 * the committed docs/api/ (scripts/docs-api.mjs --check).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

test('docs/api is up to date and every export is documented (run `npm run docs:api` after changing TSDoc)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'docs-api.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toContain('docs/api/ is up to date');
}, 320_000);
