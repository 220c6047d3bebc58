/**
 * The run folder and its checkpoints.
 *
 *   DIR/config.json             the model and training configuration (written at the start)
 *   DIR/model.safetensors       the weights (and buffers) alone: what `genzoo sample` and users load
 *   DIR/checkpoint.safetensors  everything `--resume` needs, in ONE file: weights, optimizer
 *                               state, the training generator's state and the position in the
 *                               data (epoch, step); the JSON parts live in `__metadata__`
 *   DIR/losses.csv, losses.svg  the per-step losses and their plot
 *   DIR/samples.png             the 10×10 sample grid
 *
 * Every file is written atomically (temp file + fsync + rename, see io/atomic),
 * and the resume state is a single file, so a crash or Ctrl-C at any moment
 * leaves either the previous checkpoint or the new one — never a mixture.
 * Loading validates the safetensors structure (io/safetensors), the format tag,
 * the model kind, and every tensor name and shape before anything is changed.
 */
import { Tensor, type GeneratorState } from '../tensor/index.js';
import type { LoaderState } from '../data/loader.js';
import { deserialize, serialize } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { nodeFs } from '../io/node.js';
import { VERSION } from '../version.js';
import type { GenerativeModel, ModelConfig, ModelKind } from '../models/types.js';

export const CHECKPOINT_FORMAT = 'genzoo-checkpoint/1';
export const MODEL_FORMAT = 'genzoo-model/1';
export const RUN_FORMAT = 'genzoo-run/1';

export const FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  checkpoint: 'checkpoint.safetensors',
  lossesCsv: 'losses.csv',
  lossesSvg: 'losses.svg',
  samples: 'samples.png',
} as const;

/** How a run trains (not part of the model): saved in config.json. */
export interface TrainConfig {
  epochs: number;
  batch: number;
  seed: number;
  /** 'mnist' (the embedded digits) or 'idx:DIR'. */
  data: string;
  /** The backend the run was started with (e.g. 'wasm', 'gpu:cpu'). */
  backend: string;
}

export interface RunConfig {
  format: typeof RUN_FORMAT;
  genzoo: string;
  model: ModelConfig;
  train: TrainConfig;
}

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

export class CheckpointError extends Error {}

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

function join(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

export async function writeRunConfig(dir: string, model: ModelConfig, train: TrainConfig): Promise<void> {
  const cfg: RunConfig = { format: RUN_FORMAT, genzoo: VERSION, model, train };
  await writeFileAtomic(join(dir, FILES.config), JSON.stringify(cfg, null, 2) + '\n');
}

/** Writes DIR/model.safetensors: the weights and buffers, tagged with the model kind and config. */
export async function writeWeights(dir: string, model: GenerativeModel): Promise<void> {
  const kindMeta = { format: MODEL_FORMAT, kind: model.kind, arch: model.config.arch, config: JSON.stringify(model.config) };
  await writeFileAtomic(join(dir, FILES.model), serialize(model.stateDict(), kindMeta));
}

/** Writes model.safetensors (weights) and then checkpoint.safetensors (everything for --resume). */
export async function writeCheckpoint(dir: string, model: GenerativeModel, state: TrainerState): Promise<void> {
  await writeWeights(dir, model);
  const weights = model.stateDict();

  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(weights)) tensors[`model.${k}`] = t;
  const optim: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(model.optimizers)) optim[name] = splitTensors(opt.stateDict(), `optim.${name}.`, tensors);
  const meta = {
    format: CHECKPOINT_FORMAT,
    genzoo: VERSION,
    kind: model.kind,
    config: JSON.stringify(model.config),
    state: JSON.stringify(state),
    optimizers: JSON.stringify(optim),
  };
  await writeFileAtomic(join(dir, FILES.checkpoint), serialize(tensors, meta));
}

// ---- reading ------------------------------------------------------------------

async function readFileOr(path: string, what: string): Promise<Uint8Array> {
  const fs = await nodeFs('training');
  try {
    return await fs.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CheckpointError(code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${path}: ${(err as Error).message}`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${where} is corrupt (not valid JSON: ${(err as Error).message})`);
  }
}

export async function readRunConfig(dir: string): Promise<RunConfig> {
  const path = join(dir, FILES.config);
  const text = new TextDecoder().decode(await readFileOr(path, 'run configuration'));
  const cfg = parseJson(text, path) as Partial<RunConfig> | null;
  if (!cfg || typeof cfg !== 'object' || cfg.format !== RUN_FORMAT || !cfg.model || !cfg.train) {
    throw new CheckpointError(`${path} is not a genzoo run configuration (expected "format": "${RUN_FORMAT}")`);
  }
  return cfg as RunConfig;
}

function decode(bytes: Uint8Array, path: string): ReturnType<typeof deserialize> {
  try {
    return deserialize(bytes, path);
  } catch (err) {
    throw new CheckpointError(`corrupt checkpoint: ${(err as Error).message}`);
  }
}

function checkKind(path: string, found: string | undefined, expected: ModelKind): void {
  if (found !== expected) {
    throw new CheckpointError(`${path} holds a ${found ?? 'unknown'} model, not ${expected}`);
  }
}

/** Loads DIR/model.safetensors into `model` (validated: kind, names, shapes). */
export async function loadWeights(dir: string, model: GenerativeModel): Promise<void> {
  const path = join(dir, FILES.model);
  const file = decode(await readFileOr(path, 'weights'), path);
  if (file.metadata?.format !== MODEL_FORMAT) throw new CheckpointError(`${path} is not a genzoo model file (no "${MODEL_FORMAT}" tag)`);
  checkKind(path, file.metadata.kind, model.kind);
  try {
    model.loadStateDict(file.tensors);
  } catch (err) {
    throw new CheckpointError(`${path} does not fit the ${model.kind} model in ${join(dir, FILES.config)}: ${(err as Error).message}`);
  }
}

/**
 * Restores weights, optimizer states and the trainer state from
 * DIR/checkpoint.safetensors. Everything is parsed and validated first; the
 * model is modified only when the whole checkpoint is consistent.
 */
export async function loadCheckpoint(dir: string, model: GenerativeModel): Promise<TrainerState> {
  const path = join(dir, FILES.checkpoint);
  const file = decode(await readFileOr(path, 'checkpoint'), path);
  const meta = file.metadata;
  if (meta?.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${path} is not a genzoo checkpoint (no "${CHECKPOINT_FORMAT}" tag)`);
  checkKind(path, meta.kind, model.kind);
  const state = parseJson(meta.state ?? '', `${path} (trainer state)`) as TrainerState;
  const optim = parseJson(meta.optimizers ?? '', `${path} (optimizer state)`) as Record<string, unknown>;
  if (!state || typeof state.epoch !== 'number' || typeof state.stepInEpoch !== 'number' || typeof state.globalStep !== 'number' || !state.generator || !state.loader) {
    throw new CheckpointError(`${path}: the trainer state is incomplete`);
  }
  const weights: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(file.tensors)) if (k.startsWith('model.')) weights[k.slice(6)] = t;
  const names = Object.keys(model.optimizers);
  for (const n of names) if (!(n in optim)) throw new CheckpointError(`${path}: no state for optimizer '${n}'`);
  const optStates = names.map((n) => joinTensors(optim[n], `optim.${n}.`, file.tensors, path));
  // Validate the weights against a snapshot first, so a bad file leaves the model untouched.
  const snapshot = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
  try {
    model.loadStateDict(weights);
    names.forEach((n, i) => model.optimizers[n].loadStateDict(optStates[i] as never));
  } catch (err) {
    model.loadStateDict(snapshot);
    throw new CheckpointError(`${path} does not fit this ${model.kind} model: ${(err as Error).message}`);
  }
  return state;
}
