/**
 * Reading back a run folder that training wrote (checkpoint.ts): the
 * configuration, the weights, and how far training got and how
 * long it took (from the trainer state in checkpoint.safetensors, read from
 * the file's JSON header alone, without loading the optimizer tensors).
 *
 * Every problem is reported as a `RunFolderError` naming the folder and the
 * first thing that is missing or wrong, so evaluation (and the command line's
 * eval and compare) can say exactly why a folder is not usable.
 */
import { createModel, validateConfig } from '../models/registry.js';
import type { GenerativeModel, ModelConfig } from '../models/types.js';
import { readSafetensorsMetadata } from '../io/safetensors.js';
import { errorMessage, nodeFs, nodePath } from '../io/node.js';
import { IOError } from '../errors.js';
import { FILES, loadWeights, readRunConfig, CHECKPOINT_FORMAT, type RunConfig, type TrainerState } from './checkpoint.js';

/** A run folder that is missing, incomplete or not a genzoo run: the message says which and why. */
export class RunFolderError extends IOError {
  constructor(
    message: string,
    /** Set when the folder holds a run that stopped before its last epoch (so it can be resumed), else undefined. */
    readonly incomplete?: {
      /** The run's model kind ('vae', 'cvae', …). */
      kind: string;
      /** How far its training got. */
      progress: RunProgress;
    },
  ) {
    super(message);
    this.name = 'RunFolderError';
  }
}

/** How far a run's training got, read from its checkpoint. */
export interface RunProgress {
  /** Epochs completed (from the checkpoint), of `epochs` planned. */
  epochsDone: number;
  /** Epochs the run was configured for. */
  epochs: number;
  /** Optimisation steps done. */
  steps: number;
  /** True when training ran all its epochs. */
  complete: boolean;
  /** Wall-clock seconds of training, summed over resumes. */
  trainSeconds: number;
}

/** A run folder loaded by {@link loadRun}: its settings, its model with weights, and its progress. */
export interface LoadedRun {
  /** The run folder. */
  dir: string;
  /** The run's settings (config.json). */
  run: RunConfig;
  /** The model's configuration. */
  config: ModelConfig;
  /** The model with the run's weights, in eval mode. */
  model: GenerativeModel;
  /** How far training got. */
  progress: RunProgress;
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs('loadRun');
  return fs.access(path).then(() => true, () => false);
}

/** Training progress from DIR/checkpoint.safetensors (validated: format tag, kind, state fields). */
export async function readRunProgress(dir: string, run: RunConfig): Promise<RunProgress> {
  const { join } = await nodePath('readRunProgress');
  const file = join(dir, FILES.checkpoint);
  if (!(await exists(file))) throw new RunFolderError(`${dir} is not a complete run: ${FILES.checkpoint} is missing (training never finished an epoch?)`);
  let meta: Record<string, string> | null;
  try {
    meta = await readSafetensorsMetadata(file);
  } catch (err) {
    throw new RunFolderError(`${file} is corrupt: ${errorMessage(err)}`);
  }
  if (meta?.format !== CHECKPOINT_FORMAT) throw new RunFolderError(`${file} is not a genzoo checkpoint (no "${CHECKPOINT_FORMAT}" tag)`);
  if (meta.kind !== run.model.kind) throw new RunFolderError(`${file} holds a ${meta.kind ?? 'unknown'} model but ${join(dir, FILES.config)} says ${run.model.kind}`);
  let state: TrainerState;
  try {
    state = JSON.parse(meta.state ?? '') as TrainerState;
  } catch {
    throw new RunFolderError(`${file}: the trainer state is not valid JSON`);
  }
  if (!state || typeof state.epoch !== 'number' || typeof state.globalStep !== 'number') throw new RunFolderError(`${file}: the trainer state is incomplete`);
  const epochs = run.train.epochs;
  return {
    epochsDone: state.epoch,
    epochs,
    steps: state.globalStep,
    complete: state.epoch >= epochs,
    trainSeconds: typeof state.elapsedSec === 'number' ? state.elapsedSec : NaN,
  };
}

/**
 * Loads and checks a run folder: it exists, holds a genzoo config.json for a
 * known model, model.safetensors fitting that model, and checkpoint.safetensors
 * with the trainer state. `requireComplete` (for `compare --reuse`) also
 * refuses a run that stopped before its last epoch.
 */
export async function loadRun(dir: string, opts: {
  /** Refuse a run whose training has not finished (default false). */
  requireComplete?: boolean;
} = {}): Promise<LoadedRun> {
  const fs = await nodeFs('loadRun');
  const { join } = await nodePath('loadRun');
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    throw new RunFolderError(`${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new RunFolderError(`${dir} is not a folder (expected a run folder written by training)`);
  if (!(await exists(join(dir, FILES.config)))) throw new RunFolderError(`${dir} is not a genzoo run: ${FILES.config} is missing`);
  let run: RunConfig;
  let config: ModelConfig;
  try {
    run = await readRunConfig(dir);
    config = validateConfig(run.model, join(dir, FILES.config));
  } catch (err) {
    throw new RunFolderError(errorMessage(err));
  }
  if (!(await exists(join(dir, FILES.model)))) throw new RunFolderError(`${dir} is not a complete run: ${FILES.model} is missing`);
  const progress = await readRunProgress(dir, run);
  if (opts.requireComplete && !progress.complete) {
    throw new RunFolderError(`${dir} is not a complete run: it stopped after epoch ${progress.epochsDone} of ${progress.epochs} (resume its training to finish it)`, { kind: config.kind, progress });
  }
  const model = createModel(config, 0);
  try {
    await loadWeights(dir, model);
  } catch (err) {
    throw new RunFolderError(errorMessage(err));
  }
  model.eval();
  return { dir, run, config, model, progress };
}
