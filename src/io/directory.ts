/**
 * Making sure a directory exists and can be written, one path component at a
 * time, with a one-line reason when it cannot.
 *
 * Why not `fs.mkdir(path, { recursive: true })`? Node 20's recursive mkdir
 * loops forever where a parent exists but refuses new entries with ENOENT
 * (as /proc does: `mkdir /proc/genzoo` → ENOENT, so Node "creates the parent"
 * /proc, which exists, and tries again). Creating each missing component with
 * a plain mkdir fails once, with the component named.
 *
 * Node-only: node:fs is loaded on first use (see node.ts).
 */
import { fsReason, nodeFs, nodePath } from './node.js';
import { IOError } from '../errors.js';

/** A directory that cannot be created or written; the message is one line naming the path and why. */
export class DirectoryError extends IOError {
  constructor(readonly path: string, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'DirectoryError';
  }
}

let probeCounter = 0;

/**
 * Creates `dir` and any missing parents (one plain mkdir each), then checks
 * that a file can be created in it (a probe file, removed at once: the only
 * test that holds for root, read-only mounts and pseudo file systems alike).
 * Throws a DirectoryError whose message names the path and the reason.
 */
export async function ensureWritableDirectory(dir: string): Promise<void> {
  const fs = await nodeFs('ensureWritableDirectory');
  const { dirname, join, resolve } = await nodePath('ensureWritableDirectory');
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const st = await fs.stat(existing);
      if (!st.isDirectory()) {
        throw new DirectoryError(dir, existing === target ? `${dir} is not a directory` : `cannot create directory ${dir}: ${existing} is a file, not a directory`);
      }
      break;
    } catch (err) {
      if (err instanceof DirectoryError) throw err;
      const code = (err as { code?: string }).code;
      // ENOTDIR: a parent is a file; walking up finds it and says so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new DirectoryError(dir, `cannot use directory ${dir}: ${fsReason(err)}`, { cause: err });
      const parent = dirname(existing);
      if (parent === existing) throw new DirectoryError(dir, `cannot create directory ${dir}: its root ${existing} does not exist`);
      missing.unshift(existing);
      existing = parent;
    }
  }
  for (const path of missing) {
    try {
      await fs.mkdir(path);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') continue; // made meanwhile by another process
      const why = code === 'ENOENT' ? `${dirname(path)} does not accept new folders` : fsReason(err);
      throw new DirectoryError(dir, `cannot create directory ${dir}: ${why}`, { cause: err });
    }
  }
  const probe = join(target, `.genzoo-write-probe.${process.pid}.${++probeCounter}`);
  try {
    const handle = await fs.open(probe, 'wx');
    await handle.close();
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'it does not accept new files' : fsReason(err);
    throw new DirectoryError(dir, `cannot write in directory ${dir}: ${why}`, { cause: err });
  }
  await fs.rm(probe, { force: true });
}
