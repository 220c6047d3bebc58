/**
 * Output that a closed reader cannot crash: `genzoo train … | head -n 2`
 * closes the pipe after two lines, and a closed terminal (SIGHUP) makes
 * writes fail with EIO. Node reports either as an 'error' event on the
 * stream — fatal when nobody listens. The command's work matters more than
 * its progress lines, so such errors are ignored and the output goes silent;
 * training goes on and its files are written as usual.
 */
import type { ProgressStream } from '../train/progress.js';

/** The write errors that mean "the reader is gone". */
const READER_GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

const guarded = new WeakSet<NodeJS.WritableStream>();
const gone = new WeakSet<NodeJS.WritableStream>();

/**
 * Makes `stream` survive its reader going away: such errors mark it gone
 * (later writes are dropped); any other error is rethrown as before.
 */
export function guardStream(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (READER_GONE.has(err.code ?? '')) {
      gone.add(stream);
      return;
    }
    throw err;
  });
}

/** Guards process.stdout and process.stderr (the command line does this first). */
export function guardStandardStreams(): void {
  guardStream(process.stdout);
  guardStream(process.stderr);
}

/** A writer over `stream` that drops output once the reader is gone. */
export function quietWhenGone(stream: NodeJS.WriteStream): ProgressStream & { write(s: string): boolean } {
  guardStream(stream);
  return {
    write: (s: string): boolean => {
      if (gone.has(stream) || stream.destroyed) return false;
      try {
        return stream.write(s);
      } catch (err) {
        if (READER_GONE.has((err as NodeJS.ErrnoException).code ?? '')) {
          gone.add(stream);
          return false;
        }
        throw err;
      }
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}
