/**
 * DIR/config.json: what a run trains (the model's configuration) and how (the
 * training settings), plus the history of changes a resume made to it.
 *
 * The file is written once, with the run's first checkpoint, and afterwards
 * only when a resume changes something — which is then recorded in `history`
 * (more epochs, another backend), never silently overwritten.
 * Reading validates every field, so a damaged file is an error naming the
 * file and the field, not a crash later on.
 */
import { completeConfig } from '../models/registry.js';
import type { ModelConfig } from '../models/types.js';
import { writeFileAtomic } from '../io/atomic.js';
import { errorMessage, fsReason, nodeFs } from '../io/node.js';
import { VERSION } from '../version.js';
import { CheckpointError } from './errors.js';
import { FILES, runFile } from './files.js';

/** The `format` field of a run's config.json. */
export const RUN_FORMAT = 'genzoo-run/1';

/** How a run trains (not part of the model): saved in config.json. */
export interface TrainConfig {
  /** Epochs planned (a positive integer). */
  epochs: number;
  /** Batch size (a positive integer, at most the number of training images). */
  batch: number;
  /** Seed of the data order and of every random draw of the training steps (a non-negative integer). */
  seed: number;
  /** 'mnist' (the embedded digits) or 'idx:DIR'. */
  data: string;
  /**
   * The backend the run trains on (e.g. 'wasm', 'gpu:cpu'): `train()` switches
   * to it for the run (and back afterwards). Empty: the current backend, recorded.
   */
  backend: string;
}

/** A change a resume made to the recorded settings. */
export interface RunChange {
  /** Steps done when the change took effect. */
  atStep: number;
  /** Which setting changed. */
  setting: 'epochs' | 'backend';
  /** Its value before… */
  from: number | string;
  /** …and after the resume. */
  to: number | string;
  /** The genzoo version that resumed. */
  genzoo: string;
}

/** The content of a run's config.json. */
export interface RunConfig {
  /** Always {@link RUN_FORMAT}. */
  format: typeof RUN_FORMAT;
  /** The genzoo version that started the run. */
  genzoo: string;
  /** What the run trains: the model's kind, architecture and hyperparameters. */
  model: ModelConfig;
  /** The settings the run was started with, except `epochs`: the current plan (see history). */
  train: TrainConfig;
  /** Changes made by resumes, oldest first (absent when there were none). */
  history?: RunChange[];
}

/** The backend the run last trained on: the latest backend change in its history, else the one it started with. */
export function lastBackend(run: RunConfig): string {
  const change = [...(run.history ?? [])].reverse().find((c) => c.setting === 'backend');
  return change ? String(change.to) : run.train.backend;
}

/** The text of a config.json (what `writeRunConfig` writes; `parseRunConfig` reads it back). */
export function runConfigText(model: ModelConfig, train: TrainConfig, history: RunChange[] = []): string {
  const cfg: RunConfig = { format: RUN_FORMAT, genzoo: VERSION, model, train };
  if (history.length > 0) cfg.history = history;
  return JSON.stringify(cfg, null, 2) + '\n';
}

/** Writes DIR/config.json atomically (`history` recorded only when not empty). */
export async function writeRunConfig(dir: string, model: ModelConfig, train: TrainConfig, history: RunChange[] = []): Promise<void> {
  await writeFileAtomic(runFile(dir, FILES.config), runConfigText(model, train, history));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${where} is corrupt (not valid JSON: ${errorMessage(err)})`);
  }
}

const isInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/** Checks the training settings of a config.json; `where` names the file in errors. */
export function validateTrainConfig(t: unknown, where: string): TrainConfig {
  const bad = (msg: string): never => {
    throw new CheckpointError(`${where}: "train" ${msg}`);
  };
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return bad('must be an object');
  const c = t as Record<string, unknown>;
  if (!isInt(c.epochs, 1)) bad(`epochs must be a positive integer, got ${JSON.stringify(c.epochs)}`);
  if (!isInt(c.batch, 1)) bad(`batch must be a positive integer, got ${JSON.stringify(c.batch)}`);
  if (!isInt(c.seed, 0)) bad(`seed must be a non-negative integer, got ${JSON.stringify(c.seed)}`);
  if (typeof c.data !== 'string' || c.data === '') bad(`data must be a dataset name, got ${JSON.stringify(c.data)}`);
  if (typeof c.backend !== 'string') bad(`backend must be a string, got ${JSON.stringify(c.backend)}`);
  return { epochs: c.epochs as number, batch: c.batch as number, seed: c.seed as number, data: c.data as string, backend: c.backend as string };
}

function validateHistory(h: unknown, where: string): RunChange[] | undefined {
  if (h === undefined) return undefined;
  const ok = Array.isArray(h) && h.every((e) => e !== null && typeof e === 'object' && isInt((e as RunChange).atStep, 0) &&
    ((e as RunChange).setting === 'epochs' || (e as RunChange).setting === 'backend'));
  if (!ok) throw new CheckpointError(`${where}: "history" must be a list of changes ({ atStep, setting, from, to })`);
  return h as RunChange[];
}

/** Parses and validates the text of a config.json; `path` names it in errors. */
export function parseRunConfig(text: string, path: string): RunConfig {
  const cfg = parseJson(text, path) as Partial<RunConfig> | null;
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg) || cfg.format !== RUN_FORMAT || !cfg.model || !cfg.train) {
    throw new CheckpointError(`${path} is not a genzoo run configuration (expected "format": "${RUN_FORMAT}")`);
  }
  let model: ModelConfig;
  try {
    // Options the run's genzoo did not know yet get the values it trained with.
    model = completeConfig(cfg.model, { where: `${path}: "model"`, saved: true });
  } catch (err) {
    throw new CheckpointError(errorMessage(err), { cause: err });
  }
  const run: RunConfig = { format: RUN_FORMAT, genzoo: String(cfg.genzoo ?? '?'), model, train: validateTrainConfig(cfg.train, path) };
  const history = validateHistory(cfg.history, path);
  if (history) run.history = history;
  return run;
}

/** Reads DIR/config.json; a missing file is a CheckpointError whose `missing` is true. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  const path = runFile(dir, FILES.config);
  const fs = await nodeFs('readRunConfig');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new CheckpointError(`run configuration not found: ${path}`, { cause: err, missing: true });
    throw new CheckpointError(`cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
  return parseRunConfig(text, path);
}
