/**
 * The folder lock (io/lock.ts): one holder at a time, a lock of a dead process
 * taken over, a lock of another host or a stranger's file never taken over,
 * release removes only our own lock; and removeDeadTempFiles (io/atomic.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLockedError, LOCK_FILE, lockFolder, withFolderLock } from '../../src/io/lock.js';
import { removeDeadTempFiles } from '../../src/io/atomic.js';
import { deadPid, liveProcess } from '../helpers/processes.js';

let root: string;
beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'genzoo-lock-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const lockJson = (o: Record<string, unknown>): string => JSON.stringify({ purpose: 'training cvae', since: '2025-01-01T00:00:00.000Z', token: 't', ...o });

describe('lockFolder', () => {
  test('one holder at a time; the second is told who holds it; release frees it', async () => {
    const dir = folder('one');
    const a = await lockFolder(dir, 'training cvae');
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'training cvae' });
    const err = await lockFolder(dir, 'evaluating').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FolderLockedError);
    expect((err as Error).message).toMatch(new RegExp(`^${dir} is in use by training cvae \\(pid ${process.pid} on ${hostname()}, since .*\\)$`));
    await a.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const b = await lockFolder(dir, 'evaluating');
    await b.release();
    await b.release(); // twice is harmless
  });

  test('of many simultaneous attempts exactly one wins', async () => {
    const dir = folder('race');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => lockFolder(dir, `attempt ${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockFolder>>>).value.release();
    expect(readdirSync(dir)).toEqual([]); // no private temporary files left
  });

  test('a lock left by a dead process is taken over, and says whose it was', async () => {
    const dir = folder('stale');
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), lockJson({ pid, host: hostname() }));
    const lock = await lockFolder(dir, 'training vae');
    expect(lock.tookOverFrom).toMatchObject({ pid, purpose: 'training cvae' });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  test('a lock of a live process, of another host, or a stranger\'s file is never taken over', async () => {
    const dir = folder('live');
    const child = liveProcess();
    try {
      writeFileSync(join(dir, LOCK_FILE), lockJson({ pid: child.pid, host: hostname() }));
      await expect(lockFolder(dir, 'x')).rejects.toThrow(`is in use by training cvae (pid ${child.pid} on ${hostname()}`);
    } finally {
      child.kill();
    }
    writeFileSync(join(dir, LOCK_FILE), lockJson({ pid: deadPid(), host: 'elsewhere' }));
    await expect(lockFolder(dir, 'x')).rejects.toThrow(new RegExp(`on elsewhere, .*\\); if that process is gone, delete ${join(dir, LOCK_FILE)}$`));
    writeFileSync(join(dir, LOCK_FILE), 'my notes');
    await expect(lockFolder(dir, 'x')).rejects.toThrow(`${join(dir, LOCK_FILE)} exists but is not a genzoo lock; if no genzoo command is using ${dir}, delete it`);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('my notes');
  });

  test('release leaves a lock that is no longer ours', async () => {
    const dir = folder('stolen');
    const lock = await lockFolder(dir, 'a');
    writeFileSync(join(dir, LOCK_FILE), lockJson({ pid: 1, host: 'elsewhere' }));
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  test('withFolderLock releases when the work throws', async () => {
    const dir = folder('throws');
    await expect(withFolderLock(dir, 'x', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test('an exit without release (process.exit) removes the lock', () => {
    const dir = folder('exit');
    const script = `import('${join(__dirname, '../../dist/io/lock.js')}').then(async (m) => { await m.lockFolder(${JSON.stringify(dir)}, 'x'); process.exit(3); });`;
    const r = spawnSync(process.execPath, ['-e', script]);
    expect(r.status).toBe(3);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('removeDeadTempFiles', () => {
  test('removes the temporary files of dead writers only', async () => {
    const dir = folder('temps');
    const dead = deadPid();
    const files = [`.model.safetensors.${dead}.3.tmp`, `.losses.csv.${dead}.1.tmp`, `.checkpoint.safetensors.${process.pid}.9.tmp`, 'model.safetensors', '.hidden', `x.${dead}.1.tmp`];
    for (const f of files) writeFileSync(join(dir, f), 'x');
    const removed = await removeDeadTempFiles(dir);
    expect(removed.sort()).toEqual([`.losses.csv.${dead}.1.tmp`, `.model.safetensors.${dead}.3.tmp`]);
    expect(readdirSync(dir).sort()).toEqual([`.checkpoint.safetensors.${process.pid}.9.tmp`, '.hidden', 'model.safetensors', `x.${dead}.1.tmp`].sort());
  });
});
