/**
 * The errors genzoo throws: one class per kind of problem, each with a
 * `code`, so callers can react to the kind without parsing messages.
 *
 *   GenzooError                 the base: every deliberate genzoo error is one
 *   ├─ ShapeError   ERR_SHAPE   shapes, sizes, dimensions or axes that do not fit
 *   ├─ DTypeError   ERR_DTYPE   an unknown dtype, or one a backend or file cannot hold
 *   ├─ ValueError   ERR_VALUE   any other invalid argument or option (a value out of range, a wrong type)
 *   │   (NonFiniteError, the CLI's UsageError)
 *   ├─ IOError      ERR_IO      a file or folder that cannot be read or written, or whose content is wrong
 *   │   (CheckpointError, ClassifierFileError, RunFolderError, DirectoryError, FolderLockedError)
 *   ├─ BackendError ERR_BACKEND a backend that is unknown or cannot run, or tensors on different devices
 *   └─ StateError   ERR_STATE   an operation the current state does not allow: a disposed
 *       tensor, a freed graph, a run folder that is not ready for what was asked (RunError)
 *
 * Messages are one line naming the op and the values; `cause` keeps the
 * underlying error (a file system error, GPU.js's message) where there is one.
 * An error that is not a GenzooError is a bug in genzoo.
 *
 * Layering: this file imports nothing, so every layer can throw these.
 */

/** The kind of problem a {@link GenzooError} reports (its `code`). */
export type ErrorCode = 'ERR_SHAPE' | 'ERR_DTYPE' | 'ERR_VALUE' | 'ERR_IO' | 'ERR_BACKEND' | 'ERR_STATE';

/**
 * The base class of every error genzoo throws on purpose. Catch it to tell
 * genzoo's errors from others, and switch on `code` (or `instanceof` a
 * subclass) for the kind:
 *
 * ```ts
 * try {
 *   tensor([1, 2, 3]).reshape(2, 2);
 * } catch (err) {
 *   if (err instanceof GenzooError && err.code === 'ERR_SHAPE') console.log(err.message);
 *   // → reshape: cannot reshape tensor of shape [3] (3 elements) into [2, 2] (4 elements)
 * }
 * ```
 */
export abstract class GenzooError extends Error {
  /** The kind of problem; the same for a class and all its subclasses. */
  abstract readonly code: ErrorCode;

  /** `message`: one line naming the op and the values; `cause`: the underlying error, if any. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Shapes, sizes, dimensions or axes that do not fit: a reshape to another element count, operands that do not broadcast, an axis out of range, a wrong number of labels. */
export class ShapeError extends GenzooError {
  override readonly code = 'ERR_SHAPE';
}

/** An unknown dtype, or one the backend or file at hand cannot hold (float64 on a GPU, an integer dtype for a weight). */
export class DTypeError extends GenzooError {
  override readonly code = 'ERR_DTYPE';
}

/** An invalid argument or option not covered by a more specific class: a value out of range, NaN where a number is needed, an argument of the wrong type, an unknown option. */
export class ValueError extends GenzooError {
  override readonly code = 'ERR_VALUE';
}

/** A file or folder that cannot be read or written, or whose content is not what it should be (a corrupt checkpoint, a truncated data file, a file for another model). */
export class IOError extends GenzooError {
  override readonly code = 'ERR_IO';
}

/** A backend that is unknown or cannot run here, a backend failure, or tensors on different devices meeting in one op. */
export class BackendError extends GenzooError {
  override readonly code = 'ERR_BACKEND';
}

/** An operation the current state does not allow: using a disposed tensor, running backward through a freed graph, resuming a run folder that holds no run. */
export class StateError extends GenzooError {
  override readonly code = 'ERR_STATE';
}
