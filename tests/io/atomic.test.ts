import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from '../../src/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'genzoo-atomic-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

test('writes new files and replaces old ones, leaving no temporary file', async () => {
  const path = join(dir, 'config.json');
  await io.writeFileAtomic(path, '{"a":1}');
  expect(await readFile(path, 'utf8')).toBe('{"a":1}');
  await io.writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  expect(Array.from(await readFile(path))).toEqual([1, 2, 3]);
  expect(await readdir(dir)).toEqual(['config.json']);
});

test('a failure before the rename keeps the old file and removes the temporary one', async () => {
  const path = join(dir, 'losses.csv');
  await writeFile(path, 'step,loss\n1,0.5\n');
  let temp = '';
  await expect(io.writeFileAtomic(path, 'garbage', { beforeRename: (t) => { temp = t; throw new Error('disk on fire'); } }))
    .rejects.toThrow(`cannot write ${path}: disk on fire (the previous file, if any, is unchanged)`);
  expect(temp).toMatch(/\.losses\.csv\.\d+\.\d+\.tmp$/);
  expect(await readFile(path, 'utf8')).toBe('step,loss\n1,0.5\n');
  expect((await readdir(dir)).filter((f) => f.includes('losses'))).toEqual(['losses.csv']);
});

test('errors name the path and the reason', async () => {
  await expect(io.writeFileAtomic(join(dir, 'missing-dir', 'x.bin'), 'x')).rejects.toThrow(`cannot write ${join(dir, 'missing-dir', 'x.bin')}: directory ${join(dir, 'missing-dir')} does not exist`);
  await mkdir(join(dir, 'sub'));
  await expect(io.writeFileAtomic(join(dir, 'sub'), 'x')).rejects.toThrow(/cannot write .*sub: /);
  await expect(io.writeFileAtomic('', 'x')).rejects.toThrow('path must be a non-empty string');
});
