import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryError, ensureWritableDirectory } from '../../src/io/directory.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'genzoo-dir-'));
  dirs.push(d);
  return d;
}

describe('ensureWritableDirectory', () => {
  it('creates every missing folder, accepts an existing one, and leaves no probe file behind', async () => {
    const root = await tempDir();
    const deep = join(root, 'a', 'b', 'c');
    await ensureWritableDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await ensureWritableDirectory(deep);
    expect(await readdir(deep)).toEqual([]);
  });

  it('names a file in the way, as the path itself or as a parent', async () => {
    const root = await tempDir();
    const file = join(root, 'f');
    await writeFile(file, 'x');
    await expect(ensureWritableDirectory(file)).rejects.toThrow(`${file} is not a directory`);
    await expect(ensureWritableDirectory(join(file, 'sub', 'dir'))).rejects.toThrow(`cannot create directory ${join(file, 'sub', 'dir')}: ${file} is a file, not a directory`);
    await expect(ensureWritableDirectory(join(file, 'sub'))).rejects.toBeInstanceOf(DirectoryError);
  });

  it('refuses /proc paths with one line instead of looping (Node 20\'s recursive mkdir never returns there)', async () => {
    await expect(ensureWritableDirectory('/proc/genzoo/cache')).rejects.toThrow('cannot create directory /proc/genzoo/cache: /proc does not accept new folders');
    await expect(ensureWritableDirectory('/proc')).rejects.toThrow('cannot write in directory /proc: it does not accept new files');
  }, 10_000);
});
