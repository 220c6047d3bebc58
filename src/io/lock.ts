/**
 * A folder lock: one writer at a time in a run folder (training, resuming,
 * evaluating), so two processes never interleave their files.
 *
 * The lock is the file DIR/.genzoo.lock, holding JSON
 *   { "pid": 1234, "host": "box", "purpose": "training cvae", "since": "2025-…", "token": "…" }
 * It is created complete or not at all: the JSON is written to a private
 * temporary file which is then hard-linked to the lock name — `link` fails if
 * the name exists, atomically, so of two processes exactly one wins, and no
 * reader ever sees a half-written lock.
 *
 * A lock whose owner is gone (killed with `kill -9`, a crash, a power cut) is
 * stale: its host is this machine and no process with its pid runs. A stale
 * lock is taken over: it is first renamed to a private name (of two processes
 * taking over the same stale lock, only one rename succeeds), checked to still
 * be the stale one, removed, and the lock is then acquired as usual. A lock
 * held on another host cannot be checked and is never taken over: the error
 * says which file to delete if that process is known to be gone. (A pid reused
 * by an unrelated process makes a stale lock look alive: the error names the
 * pid, so a user can tell.)
 *
 * Node-only: node:fs, node:os and node:path are loaded on first use (node.ts).
 */
import { errorMessage, fsReason, isProcessAlive, nodeFs, nodeModule, nodePath } from './node.js';
import { IOError } from '../errors.js';

export const LOCK_FILE = '.genzoo.lock';

export interface LockOwner {
  pid: number;
  host: string;
  /** What the owner is doing, for the message a second writer gets ("training cvae"). */
  purpose: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Unique per acquisition: release removes the lock only if it is still this one. */
  token: string;
}

/** Another live process holds the folder (or the lock file cannot be read or made). */
export class FolderLockedError extends IOError {
  constructor(readonly dir: string, readonly owner: LockOwner | null, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  readonly dir: string;
  readonly path: string;
  readonly owner: LockOwner;
  /** The owner of a stale lock this one replaced, if any (for a note to the user). */
  readonly tookOverFrom: LockOwner | null;
  /** Removes the lock (if it is still ours); safe to call twice. */
  release(): Promise<void>;
}

/** Locks held by this process (path → token): removed synchronously if the process exits without releasing them. */
const held = new Map<string, string>();
/** Tokens of this process's locks, held or being acquired: a lock with our pid but another token is a leftover. */
const ownTokens = new Set<string>();
let exitHookInstalled = false;
let counter = 0;

function describeOwner(o: LockOwner): string {
  return `${o.purpose} (pid ${o.pid} on ${o.host}, since ${o.since})`;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') {
      return { pid: o.pid, host: o.host, purpose: String(o.purpose ?? 'a genzoo command'), since: String(o.since ?? '?'), token: o.token };
    }
  } catch {
    // not JSON: handled as unreadable below
  }
  return null;
}

async function installExitHook(): Promise<void> {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const fsSync = await nodeModule<typeof import('node:fs')>('node:fs', 'lockFolder');
  // process.exit() (e.g. a second Ctrl-C) skips `finally` blocks: drop our locks on the way out.
  process.on('exit', () => {
    for (const [path, token] of held) {
      try {
        if (parseOwner(fsSync.readFileSync(path, 'utf8'))?.token === token) fsSync.rmSync(path, { force: true });
      } catch {
        // already gone, or unreadable: nothing of ours to remove
      }
    }
  });
}

/**
 * Takes the lock of folder `dir` (which must exist) for `purpose`, or throws a
 * FolderLockedError naming the live owner. A stale lock is taken over.
 */
export async function lockFolder(dir: string, purpose: string): Promise<FolderLock> {
  const fs = await nodeFs('lockFolder');
  const { join, resolve } = await nodePath('lockFolder');
  const os = await nodeModule<typeof import('node:os')>('node:os', 'lockFolder');
  await installExitHook();
  const path = join(resolve(dir), LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid, host: os.hostname(), purpose, since: new Date().toISOString(),
    // pid + per-process counter + clock: unique among live processes, no randomness needed.
    token: `${process.pid}-${++counter}-${process.hrtime.bigint()}`,
  };
  // Named like writeFileAtomic's temporary files, so removeDeadTempFiles clears one left by a killed process.
  const temp = `${path}.${process.pid}.${counter}.tmp`;
  try {
    await fs.writeFile(temp, JSON.stringify(owner) + '\n', { flag: 'wx' });
  } catch (err) {
    throw new FolderLockedError(dir, null, `cannot lock ${dir}: cannot write ${temp}: ${fsReason(err)}`, { cause: err });
  }
  let tookOverFrom: LockOwner | null = null;
  ownTokens.add(owner.token);
  try {
    // Two rounds: the second follows the take-over of a stale lock.
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(temp, path);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') {
          throw new FolderLockedError(dir, null, `cannot lock ${dir}: cannot create ${path}: ${fsReason(err)}`, { cause: err });
        }
      }
      const current = await fs.readFile(path, 'utf8').then(parseOwner, () => undefined);
      if (current === undefined) continue; // removed meanwhile: try again
      if (current === null) {
        throw new FolderLockedError(dir, null, `${path} exists but is not a genzoo lock; if no genzoo command is using ${dir}, delete it`);
      }
      const stale = current.host === owner.host && (current.pid === process.pid ? !ownTokens.has(current.token) : !isProcessAlive(current.pid));
      if (!stale || attempt >= 2) {
        throw new FolderLockedError(dir, current, `${dir} is in use by ${describeOwner(current)}` +
          (current.host === owner.host ? '' : `; if that process is gone, delete ${path}`));
      }
      if (await removeIfStill(fs, path, current, `${path}.stale.${process.pid}.${counter}.tmp`)) tookOverFrom = current;
    }
  } catch (err) {
    ownTokens.delete(owner.token);
    throw err;
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
  held.set(path, owner.token);
  let released = false;
  return {
    dir, path, owner, tookOverFrom,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      held.delete(path);
      const now = await fs.readFile(path, 'utf8').then(parseOwner, () => null);
      if (now?.token === owner.token) await fs.rm(path, { force: true });
      ownTokens.delete(owner.token);
    },
  };
}

/**
 * Removes the stale lock `seen` from `path` — and nothing else: the file is
 * renamed to a private name first (only one of several processes can), and
 * put back if it turns out to be a newer, live lock.
 */
async function removeIfStill(fs: Awaited<ReturnType<typeof nodeFs>>, path: string, seen: LockOwner, privateName: string): Promise<boolean> {
  try {
    await fs.rename(path, privateName);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return false; // another process took it over first
    throw new FolderLockedError(path, seen, `cannot take over the stale lock ${path}: ${fsReason(err)}`, { cause: err });
  }
  try {
    const moved = parseOwner(await fs.readFile(privateName, 'utf8'));
    if (moved?.token === seen.token) return true;
    // A live lock taken meanwhile: put it back (link fails if yet another one appeared; then that one stands).
    await fs.link(privateName, path).catch(() => undefined);
    return false;
  } catch (err) {
    throw new FolderLockedError(path, seen, `cannot take over the stale lock ${path}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await fs.rm(privateName, { force: true }).catch(() => undefined);
  }
}

/** Runs `fn` holding the lock of `dir`; releases it however `fn` ends. */
export async function withFolderLock<T>(dir: string, purpose: string, fn: (lock: FolderLock) => Promise<T>): Promise<T> {
  const lock = await lockFolder(dir, purpose);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
