/**
 * The run folder and its checkpoints.
 *
 *   DIR/config.json             the model and training configuration (run-config.ts), written
 *                               with the first checkpoint
 *   DIR/model.safetensors       the weights (and buffers) alone: what `genzoo sample` and users load
 *   DIR/checkpoint.safetensors  everything a resume needs, in ONE file: weights, optimizer
 *                               state, the training generator's state, the position in the
 *                               data (epoch, step) and the per-step losses so far; the JSON
 *                               parts live in `__metadata__`
 *   DIR/losses.csv, losses.svg  the per-step losses and their plot
 *   DIR/samples.png             the 10×10 sample grid
 *
 * Every file is written atomically (temp file + fsync + rename, see io/atomic),
 * and the resume state is a single file, so a crash or Ctrl-C at any moment
 * leaves either the previous checkpoint or the new one — never a mixture.
 * Nothing non-finite is ever written (divergence.ts): a NaN weight is refused
 * before the write. Loading validates the safetensors structure
 * (io/safetensors), the format tag, the model kind, the trainer state, every
 * tensor name and shape, and that every value is finite, before anything is
 * changed; errors name the file (and the tensor).
 */
import { Tensor, type GeneratorState } from '../tensor/index.js';
import type { LoaderState } from '../data/loader.js';
import { deserialize, serialize, type DecodedSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { errorMessage, fsReason, nodeFs } from '../io/node.js';
import { VERSION } from '../version.js';
import type { GenerativeModel, ModelKind } from '../models/types.js';
import { describeNonFinite, firstNonFinite, NonFiniteError } from './divergence.js';
import { CheckpointError } from './errors.js';
import { FILES, runFile } from './files.js';
import { LossLog } from './losslog.js';

export { FILES } from './files.js';
export { CheckpointError } from './errors.js';
export {
  RUN_FORMAT, writeRunConfig, runConfigText, readRunConfig, parseRunConfig, validateTrainConfig,
  type TrainConfig, type RunConfig, type RunChange,
} from './run-config.js';

/** The `format` tag in checkpoint.safetensors' metadata (a file without it is refused). */
export const CHECKPOINT_FORMAT = 'genzoo-checkpoint/1';
/** The `format` tag in model.safetensors' metadata. */
export const MODEL_FORMAT = 'genzoo-model/1';
/** The checkpoint tensor holding the loss log: float64 [steps, 2 + losses] (step, epoch, losses…). */
const LOSS_LOG_TENSOR = 'log.losses';

/** Where training stands: enough to continue exactly where it stopped. */
export interface TrainerState {
  /** 0-based epoch in progress (equal to `epochs` when training is complete). */
  epoch: number;
  /** Steps already done in that epoch. */
  stepInEpoch: number;
  /** Steps done since the start of training. */
  globalStep: number;
  /** The generator every training step draws its noise from. */
  generator: GeneratorState;
  /** The data loader's position and settings (checked on resume). */
  loader: LoaderState;
  /** Wall-clock seconds spent training so far (across resumes). */
  elapsedSec: number;
}

// ---- JSON + tensors ---------------------------------------------------------

const TENSOR_TAG = '$tensor';

/**
 * Splits a JSON-like value holding tensors (an optimizer's state dict) into a
 * JSON skeleton and a flat record of tensors: each tensor (or Float32/64Array)
 * is replaced by `{ "$tensor": key }` and stored under `prefix + key`.
 */
export function splitTensors(value: unknown, prefix: string, out: Record<string, Tensor>): unknown {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) {
      const key = String(n++);
      out[prefix + key] = new Tensor(v.data, v.shape);
      return { [TENSOR_TAG]: key };
    }
    if (v instanceof Float32Array || v instanceof Float64Array) {
      const key = String(n++);
      out[prefix + key] = new Tensor(v, [v.length]);
      return { [TENSOR_TAG]: key, array: v instanceof Float64Array ? 'f64' : 'f32' };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
    return v;
  };
  return walk(value);
}

/** The inverse of `splitTensors`. */
export function joinTensors(skeleton: unknown, prefix: string, tensors: Record<string, Tensor>, where: string): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o[TENSOR_TAG] === 'string') {
        const t = tensors[prefix + (o[TENSOR_TAG] as string)];
        if (!t) throw new CheckpointError(`${where}: tensor '${prefix + String(o[TENSOR_TAG])}' is missing`);
        if (o.array === 'f32') return Float32Array.from(t.data);
        if (o.array === 'f64') return Float64Array.from(t.data);
        return t;
      }
      if (typeof o.$number === 'string' && Object.keys(o).length === 1) return Number(o.$number);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(skeleton);
}

// ---- writing ------------------------------------------------------------------

/** The bytes of model.safetensors: the weights and buffers, tagged with the model's kind and config. */
function encodeModelFile(model: GenerativeModel, weights: Record<string, Tensor>): Uint8Array {
  return serialize(weights, { format: MODEL_FORMAT, kind: model.kind, arch: model.config.arch, config: JSON.stringify(model.config) });
}

/**
 * The bytes of a model.safetensors for `model` (weights and buffers, tagged
 * with its kind and config): what a run folder holds and `genzoo sample`
 * loads, for callers without a file system (a browser offers them as a
 * download). A non-finite value is refused (NonFiniteError).
 */
export function modelFileBytes(model: GenerativeModel): Uint8Array {
  const weights = model.stateDict();
  refuseNonFinite(FILES.model, weights);
  return encodeModelFile(model, weights);
}

/**
 * {@link modelFileBytes} for a model on any backend, WebGPU included: every
 * weight and buffer is read back with `await t.read()` first (WebGPU has no
 * synchronous read, so the synchronous form throws there), and the host
 * copies are checked and encoded. The bytes are the same as modelFileBytes'
 * wherever both work.
 */
export async function modelFileBytesAsync(model: GenerativeModel): Promise<Uint8Array> {
  const host: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) host[k] = new Tensor((await t.read()).slice(), t.shape);
  refuseNonFinite(FILES.model, host);
  return encodeModelFile(model, host);
}

/** Writes DIR/model.safetensors alone: the weights and buffers, tagged with the model's kind and config. */
export async function writeWeights(dir: string, model: GenerativeModel): Promise<void> {
  await writeFileAtomic(`${dir.replace(/\/$/, '')}/${FILES.model}`, encodeModelFile(model, model.stateDict()));
}

/** The tensors and metadata of checkpoint.safetensors: weights, optimizer states, trainer state, loss log. */
function checkpointContents(model: GenerativeModel, weights: Record<string, Tensor>, state: TrainerState, log?: LossLog): { tensors: Record<string, Tensor>; meta: Record<string, string> } {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(weights)) tensors[`model.${k}`] = t;
  const optim: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(model.optimizers)) optim[name] = splitTensors(opt.stateDict(), `optim.${name}.`, tensors);
  if (log) tensors[LOSS_LOG_TENSOR] = new Tensor(log.toMatrix(), [log.rows.length, 2 + log.names.length]);
  const meta = {
    format: CHECKPOINT_FORMAT,
    genzoo: VERSION,
    kind: model.kind,
    config: JSON.stringify(model.config),
    state: JSON.stringify(state),
    optimizers: JSON.stringify(optim),
  };
  return { tensors, meta };
}

/** Throws NonFiniteError (naming `path` and the tensor) if any value is NaN or ±Infinity. */
function refuseNonFinite(path: string, tensors: Record<string, Tensor>): void {
  const bad = firstNonFinite(tensors);
  if (bad) throw new NonFiniteError(path, bad);
}

/** A checkpoint checked and encoded, ready to be written. */
export interface PreparedCheckpoint {
  /** Writes model.safetensors, then checkpoint.safetensors (each atomically). */
  write(): Promise<void>;
}

/**
 * Snapshots and checks a checkpoint without writing anything: a NaN or
 * ±Infinity in the weights, buffers, optimizer states or loss log throws a
 * NonFiniteError naming the file and the tensor. With `log`, the per-step
 * losses are stored too, so a lost or damaged losses.csv can be rebuilt.
 */
export function prepareCheckpoint(dir: string, model: GenerativeModel, state: TrainerState, log?: LossLog): PreparedCheckpoint {
  const weights = model.stateDict();
  const modelPath = runFile(dir, FILES.model);
  const checkpointPath = runFile(dir, FILES.checkpoint);
  refuseNonFinite(modelPath, weights);
  const { tensors, meta } = checkpointContents(model, weights, state, log);
  refuseNonFinite(checkpointPath, tensors);
  const modelBytes = encodeModelFile(model, weights);
  const checkpointBytes = serialize(tensors, meta);
  return {
    async write(): Promise<void> {
      await writeFileAtomic(modelPath, modelBytes);
      await writeFileAtomic(checkpointPath, checkpointBytes);
    },
  };
}

/** Checks and writes model.safetensors and checkpoint.safetensors (see `prepareCheckpoint`). */
export async function writeCheckpoint(dir: string, model: GenerativeModel, state: TrainerState, log?: LossLog): Promise<void> {
  await prepareCheckpoint(dir, model, state, log).write();
}

// ---- reading ------------------------------------------------------------------

async function readFileOr(path: string, what: string): Promise<Uint8Array> {
  const fs = await nodeFs('training');
  try {
    return await fs.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new CheckpointError(`${what} not found: ${path}`, { cause: err, missing: true });
    throw new CheckpointError(`cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${where} is corrupt (not valid JSON: ${errorMessage(err)})`);
  }
}

/** Parses safetensors bytes; structural problems become a CheckpointError naming the file. */
function decode(bytes: Uint8Array, path: string): DecodedSafetensors {
  try {
    return deserialize(bytes, path);
  } catch (err) {
    throw new CheckpointError(`corrupt checkpoint: ${errorMessage(err)}`, { cause: err });
  }
}

/** A file holding NaN or ±Infinity is refused: it cannot come from a healthy run, and would only fail later, far from here. */
function checkFinite(path: string, tensors: Record<string, Tensor>): void {
  const bad = firstNonFinite(tensors);
  if (bad) throw new CheckpointError(`${path}: ${describeNonFinite(bad)}; it was saved from a diverged run or is damaged`);
}

function checkKind(path: string, found: string | undefined, expected: ModelKind): void {
  if (found !== expected) {
    throw new CheckpointError(`${path} holds a ${found ?? 'unknown'} model, not ${expected}`);
  }
}

/**
 * Loads the bytes of a model.safetensors into `model`, validated first (the
 * genzoo tag, the kind, every tensor name and shape, finite values); `path`
 * names the file in errors, `configPath` the configuration the model was
 * built from. Needs no file system (a browser passes a dropped file's bytes).
 */
export function restoreWeights(bytes: Uint8Array, path: string, model: GenerativeModel, configPath = 'its configuration'): void {
  const file = decode(bytes, path);
  if (file.metadata?.format !== MODEL_FORMAT) throw new CheckpointError(`${path} is not a genzoo model file (no "${MODEL_FORMAT}" tag)`);
  checkKind(path, file.metadata.kind, model.kind);
  checkFinite(path, file.tensors);
  try {
    model.loadStateDict(file.tensors);
  } catch (err) {
    throw new CheckpointError(`${path} does not fit the ${model.kind} model in ${configPath}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Loads DIR/model.safetensors into `model` (validated: kind, names, shapes, finite values). */
export async function loadWeights(dir: string, model: GenerativeModel): Promise<void> {
  const path = runFile(dir, FILES.model);
  restoreWeights(await readFileOr(path, 'weights'), path, model, runFile(dir, FILES.config));
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks the trainer state read from a checkpoint's metadata field by field. */
function validateTrainerState(s: unknown, path: string): TrainerState {
  const bad = (what: string): never => {
    throw new CheckpointError(`${path}: the trainer state is incomplete or damaged (${what})`);
  };
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return bad('not an object');
  const state = s as TrainerState;
  for (const k of ['epoch', 'stepInEpoch', 'globalStep'] as const) if (!isCount(state[k])) bad(`${k} ${JSON.stringify(state[k])}`);
  const g = state.generator as Partial<GeneratorState> | undefined;
  const prng = g?.prng as Record<string, unknown> | undefined;
  if (!g || typeof g !== 'object' || typeof g.seed !== 'string' || !prng || typeof prng !== 'object' ||
    !['c', 's0', 's1', 's2'].every((k) => typeof prng[k] === 'number' && Number.isFinite(prng[k])) ||
    !(g.spareNormal === null || (typeof g.spareNormal === 'number' && Number.isFinite(g.spareNormal)))) {
    bad('generator');
  }
  const l = state.loader as Partial<LoaderState> | undefined;
  if (!l || typeof l !== 'object' || !isCount(l.epoch) || !isCount(l.batch) || typeof l.seed !== 'string' || !isCount(l.batchSize) ||
    typeof l.shuffle !== 'boolean' || typeof l.dropLast !== 'boolean' || !isCount(l.n) || typeof l.dataset !== 'string') {
    bad('data loader position');
  }
  if (typeof state.elapsedSec !== 'number' || !(state.elapsedSec >= 0)) bad(`elapsedSec ${JSON.stringify(state.elapsedSec)}`);
  return state;
}

/** The loss log stored in a checkpoint (null in checkpoints written before it was stored). */
function lossLogOf(file: DecodedSafetensors, path: string, names: readonly string[], steps: number): LossLog | null {
  const t = file.tensors[LOSS_LOG_TENSOR];
  if (!t) return null;
  const cols = 2 + names.length;
  if (t.shape.length !== 2 || t.shape[1] !== cols || t.shape[0] > steps) {
    throw new CheckpointError(`${path}: tensor '${LOSS_LOG_TENSOR}' has shape [${t.shape.join(', ')}], expected at most ${steps} rows of ${cols} (step, epoch, ${names.join(', ')})`);
  }
  let log: LossLog;
  try {
    log = LossLog.fromMatrix(names, t.data, path);
  } catch (err) {
    throw new CheckpointError(errorMessage(err), { cause: err });
  }
  const last = log.rows[log.rows.length - 1];
  if (last && last.step !== steps) throw new CheckpointError(`${path}: the loss log ends at step ${last.step}, the checkpoint is at step ${steps}`);
  return log;
}

/** What {@link restoreCheckpoint} read besides the weights and optimizer states it restored. */
export interface RestoredCheckpoint {
  /** Where training stands. */
  state: TrainerState;
  /** The per-step losses up to the checkpoint (null for checkpoints that do not store them). */
  losses: LossLog | null;
}

/**
 * Restores weights, optimizer states and the trainer state from the bytes of
 * a checkpoint file (`path` names it in errors). Everything is parsed and
 * validated first; the model is modified only when the whole checkpoint is
 * consistent.
 */
export function restoreCheckpoint(bytes: Uint8Array, path: string, model: GenerativeModel): RestoredCheckpoint {
  try {
    return restoreValidated(bytes, path, model);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    // A shape of damage no check foresaw: still an error naming the file, never a bare TypeError.
    throw new CheckpointError(`${path} is damaged: ${errorMessage(err)}`, { cause: err });
  }
}

function restoreValidated(bytes: Uint8Array, path: string, model: GenerativeModel): RestoredCheckpoint {
  const file = decode(bytes, path);
  const meta = file.metadata;
  if (meta?.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${path} is not a genzoo checkpoint (no "${CHECKPOINT_FORMAT}" tag)`);
  checkKind(path, meta.kind, model.kind);
  const state = validateTrainerState(parseJson(meta.state ?? '', `${path} (trainer state)`), path);
  const optim = parseJson(meta.optimizers ?? '', `${path} (optimizer state)`) as Record<string, unknown> | null;
  if (optim === null || typeof optim !== 'object' || Array.isArray(optim)) throw new CheckpointError(`${path}: the optimizer state is not an object`);
  checkFinite(path, file.tensors);
  const losses = lossLogOf(file, path, model.lossNames, state.globalStep);
  const weights: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(file.tensors)) if (k.startsWith('model.')) weights[k.slice(6)] = t;
  const names = Object.keys(model.optimizers);
  for (const n of names) if (!Object.hasOwn(optim, n)) throw new CheckpointError(`${path}: no state for optimizer '${n}'`);
  const optStates = names.map((n) => joinTensors(optim[n], `optim.${n}.`, file.tensors, path));
  // Validate against snapshots first, so a bad file leaves the model and its optimizers untouched.
  const snapshot = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
  const optSnapshots = names.map((n) => model.optimizers[n].stateDict());
  try {
    model.loadStateDict(weights);
    names.forEach((n, i) => model.optimizers[n].loadStateDict(optStates[i] as never));
  } catch (err) {
    model.loadStateDict(snapshot);
    names.forEach((n, i) => model.optimizers[n].loadStateDict(optSnapshots[i] as never));
    throw new CheckpointError(`${path} does not fit this ${model.kind} model: ${errorMessage(err)}`, { cause: err });
  }
  return { state, losses };
}

/** Restores a model from DIR/checkpoint.safetensors; see `restoreCheckpoint`. */
export async function readCheckpoint(dir: string, model: GenerativeModel): Promise<RestoredCheckpoint> {
  const path = runFile(dir, FILES.checkpoint);
  return restoreCheckpoint(await readFileOr(path, 'checkpoint'), path, model);
}

/** Restores weights, optimizer states and the trainer state from DIR/checkpoint.safetensors. */
export async function loadCheckpoint(dir: string, model: GenerativeModel): Promise<TrainerState> {
  return (await readCheckpoint(dir, model)).state;
}
