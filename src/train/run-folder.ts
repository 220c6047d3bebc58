/**
 * Opening a run folder for training: the checks and housekeeping that come
 * before any work, in this order —
 *   1. the folder exists or can be created, and files can be written in it
 *      (a one-line reason otherwise: a file in the way, a read-only or pseudo
 *      file system such as /proc — where Node's recursive mkdir would loop);
 *   2. it is locked for this process (io/lock.ts): a second writer is refused,
 *      a lock left by a killed process is taken over;
 *   3. temporary files of writers that were killed mid-write are removed;
 *   4. a fresh run refuses a folder holding any of a run's files, unless told
 *      to start over, which removes exactly those files.
 */
import { ensureWritableDirectory } from '../io/directory.js';
import { FolderLockedError, lockFolder, type FolderLock } from '../io/lock.js';
import { removeDeadTempFiles } from '../io/atomic.js';
import { errorMessage, nodeFs } from '../io/node.js';
import { RunError } from './errors.js';
import { FILES, runFile } from './files.js';

export type OpenMode = 'fresh' | 'resume' | 'overwrite';

export interface OpenedRunFolder {
  lock: FolderLock;
  /** What the housekeeping did, for the user (a lock taken over, temporary files removed). */
  notes: string[];
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs('training');
  return fs.access(path).then(() => true, () => false);
}

/** The run files present in `dir`, in FILES order. */
export async function runFilesIn(dir: string): Promise<string[]> {
  const present: string[] = [];
  for (const f of Object.values(FILES)) if (await exists(runFile(dir, f))) present.push(f);
  return present;
}

async function prepareDirectory(dir: string, mode: OpenMode): Promise<void> {
  if (mode === 'resume') {
    const fs = await nodeFs('training');
    const st = await fs.stat(dir).catch(() => null);
    if (!st) throw new RunError('no-run', dir, `run configuration not found: ${dir} does not exist`);
    if (!st.isDirectory()) throw new RunError('no-run', dir, `run configuration not found: ${dir} is a file, not a run folder`);
  }
  try {
    await ensureWritableDirectory(dir);
  } catch (err) {
    throw new RunError('bad-folder', dir, errorMessage(err), {}, { cause: err });
  }
}

async function lock(dir: string, purpose: string): Promise<FolderLock> {
  try {
    return await lockFolder(dir, purpose);
  } catch (err) {
    if (err instanceof FolderLockedError) throw new RunError('locked', dir, err.message, { owner: err.owner }, { cause: err });
    throw err;
  }
}

async function housekeeping(dir: string, mode: OpenMode): Promise<string[]> {
  const notes: string[] = [];
  const removed = await removeDeadTempFiles(dir);
  if (removed.length > 0) notes.push(`removed ${removed.length} temporary file${removed.length > 1 ? 's' : ''} left by an interrupted write (${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''})`);
  if (mode === 'resume') return notes;
  const present = await runFilesIn(dir);
  if (present.length === 0) return notes;
  if (mode === 'fresh') {
    throw new RunError('holds-run', dir, `${dir} already holds a run's files (${present.join(', ')}); resume it (resume: true) or start over (overwrite: true)`, { files: present });
  }
  const fs = await nodeFs('training');
  for (const f of present) await fs.rm(runFile(dir, f), { force: true });
  notes.push(`started over: removed ${present.join(', ')}`);
  return notes;
}

/** Steps 1–4 of the file comment; the caller releases `lock` when the run ends. */
export async function openRunFolder(dir: string, mode: OpenMode, purpose: string): Promise<OpenedRunFolder> {
  await prepareDirectory(dir, mode);
  const folderLock = await lock(dir, purpose);
  try {
    const notes = await housekeeping(dir, mode);
    if (folderLock.tookOverFrom) {
      const o = folderLock.tookOverFrom;
      notes.unshift(`took over the lock of ${o.purpose} (pid ${o.pid}), which is no longer running`);
    }
    return { lock: folderLock, notes };
  } catch (err) {
    await folderLock.release();
    throw err;
  }
}
