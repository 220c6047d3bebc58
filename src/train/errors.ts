/**
 * The errors a training run throws, typed so that callers can react to the
 * kind of problem (`err.problem`) rather than parse messages. Messages speak
 * the library's terms (`resume: true`, `overwrite: true`); the `genzoo`
 * command translates them to its flags.
 */
import { IOError, StateError } from '../errors.js';

/** A run file (config.json, a checkpoint, the weights) that is missing, corrupt or does not fit the model. */
export class CheckpointError extends IOError {
  /** True when the file does not exist (as opposed to being unreadable or damaged). */
  readonly missing: boolean;
  constructor(message: string, opts: { cause?: unknown; missing?: boolean } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'CheckpointError';
    this.missing = opts.missing ?? false;
  }
}

/** What is wrong with starting or resuming a run in a folder. */
export type RunProblem =
  /** A fresh run in a folder that holds a run's files (`details.files`). */
  | 'holds-run'
  /** A resume where there is no run (no config.json). */
  | 'no-run'
  /** A resume of a run that stopped before its first checkpoint. */
  | 'no-checkpoint'
  /** A resume with other settings than the run's (`details.setting`, `details.saved`, `details.given`). */
  | 'config-mismatch'
  /** A resume asking for fewer epochs than the run plans (`details.saved`, `details.given`, `details.done`). */
  | 'fewer-epochs'
  /** The folder cannot be created or written. */
  | 'bad-folder'
  /** Another live process is writing in the folder (`details.owner`). */
  | 'locked'
  /** The data does not suit the models, or the batch is larger than the data. */
  | 'bad-data';

/**
 * Training cannot start or resume in a folder: `problem` says why (see
 * {@link RunProblem}), `details` gives the values the message names.
 */
export class RunError extends StateError {
  constructor(
    /** The kind of problem, for callers that react to it. */
    readonly problem: RunProblem,
    /** The run folder. */
    readonly dir: string,
    message: string,
    /** The values behind the message (which keys: see {@link RunProblem}). */
    readonly details: Record<string, unknown> = {},
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
    this.name = 'RunError';
  }
}
