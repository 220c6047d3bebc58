/**
 * Atomic file writes: a reader (or a crash) sees either the old file or the
 * complete new one, never a half-written file under the target name.
 *
 *   1. write the bytes to a temporary file in the SAME directory (a rename is
 *      only atomic within one file system), created exclusively ('wx');
 *   2. fsync it, so the data is on disk before the name points at it;
 *   3. rename it over the target (atomic on POSIX; replaces on Windows);
 *   4. fsync the directory, so the rename itself survives a power cut
 *      (skipped where the platform cannot open directories, e.g. Windows).
 *
 * If anything fails before the rename, the temporary file is removed and the
 * previous file under the target name is untouched. A process killed between
 * steps 1 and 3 leaves a stray `.NAME.PID.N.tmp` beside the target — never a
 * damaged target; `removeDeadTempFiles` clears those of writers that are gone
 * (the trainer calls it when a run starts in a folder).
 *
 * Node-only: node:fs is loaded on first use (see node.ts).
 */
import { errorMessage, fsReason, isProcessAlive, nodeFs, nodePath } from './node.js';
import { IOError, ValueError } from '../errors.js';

/** Options of every atomic file write (`writeFileAtomic`, `save`, `savePng`, `saveNpy`). */
export interface AtomicWriteOptions {
  /** File mode for a newly created file (default 0o644, less the umask). */
  mode?: number;
  /**
   * Called after the temporary file is written and fsynced, just before the
   * rename. Tests throw from it to simulate a crash between write and rename.
   */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

let counter = 0;

/** Writes `data` to `path` atomically (temp file + fsync + rename + directory fsync). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new ValueError('writeFileAtomic: path must be a non-empty string');
  const fs = await nodeFs('writeFileAtomic');
  const { dirname, basename, join, resolve } = await nodePath('writeFileAtomic');
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${++counter}.tmp`);

  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(temp, 'wx', opts.mode ?? 0o644);
  } catch (err) {
    const why = (err as { code?: string }).code === 'ENOENT' ? await whyNoEntry(fs, dir) : fsReason(err);
    throw new IOError(`cannot write ${path}: ${why}`, { cause: err });
  }
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await opts.beforeRename?.(temp);
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new IOError(`cannot write ${path}: ${fsReason(err)} (the previous file, if any, is unchanged)`, { cause: err });
  }
  await fsyncDirectory(fs, dir);
}

/** ENOENT creating a file: the folder is missing, or (like /proc) exists but takes no new files. */
async function whyNoEntry(fs: Awaited<ReturnType<typeof nodeFs>>, dir: string): Promise<string> {
  const isDir = await fs.stat(dir).then((st) => st.isDirectory(), () => false);
  return isDir ? `directory ${dir} does not accept new files` : `directory ${dir} does not exist`;
}

/** The temporary name `writeFileAtomic` uses: `.NAME.PID.N.tmp`. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;

/**
 * Removes the temporary files that writers which no longer run (killed
 * mid-write: `kill -9`, a power cut) left in `dir`; returns their names.
 * A temporary file whose writer process is alive on this machine is kept: it
 * may be about to be renamed. (Only this machine's processes can be checked:
 * a folder shared over the network with a writer elsewhere is not for this.)
 */
export async function removeDeadTempFiles(dir: string): Promise<string[]> {
  const fs = await nodeFs('removeDeadTempFiles');
  const { join } = await nodePath('removeDeadTempFiles');
  const removed: string[] = [];
  for (const name of await fs.readdir(dir)) {
    const m = TEMP_NAME.exec(name);
    if (!m || isProcessAlive(Number(m[2]))) continue;
    await fs.rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Makes a rename durable; a no-op where directories cannot be opened or synced. */
async function fsyncDirectory(fs: Awaited<ReturnType<typeof nodeFs>>, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Windows and some file systems refuse to open or sync a directory: the rename is done, only its durability is weaker.
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF', 'ENOTSUP'].includes(code ?? '')) {
      throw new IOError(`wrote the file but could not sync directory ${dir}: ${errorMessage(err)}`, { cause: err });
    }
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
