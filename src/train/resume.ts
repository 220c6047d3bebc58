/**
 * Resuming a run: what may change, what may not, and what is said about it.
 *
 *   - The model and how it learns (kind, architecture, sizes, learning rate,
 *     options) and the data order (batch size, seed, dataset) must be the
 *     run's: anything else is refused, naming the setting ('config-mismatch').
 *   - `epochs` may grow (the run is extended, and config.json records it in
 *     its history) but not shrink ('fewer-epochs').
 *   - The backend may change (the numbers then differ from an uninterrupted
 *     run's in the last bits): it is stated in a note and recorded in history.
 *   - The loss log comes from the checkpoint, which stores it; a missing,
 *     damaged or disagreeing losses.csv is rebuilt from it, with a note.
 */
import type { DataLoader } from '../data/loader.js';
import { errorMessage, fsReason, nodeFs } from '../io/node.js';
import type { GenerativeModel, ModelConfig } from '../models/types.js';
import { VERSION } from '../version.js';
import { readCheckpoint, type TrainerState } from './checkpoint.js';
import { CheckpointError, RunError } from './errors.js';
import { FILES, runFile } from './files.js';
import { LossLog } from './losslog.js';
import { lastBackend, readRunConfig, type RunChange, type RunConfig, type TrainConfig } from './run-config.js';
import { GenzooError } from '../errors.js';

export interface ResumePlan {
  /** The run's configuration as it stands after this resume (history extended if something changed). */
  run: RunConfig;
  /** True when config.json must be rewritten (a change was added to its history). */
  configChanged: boolean;
  state: TrainerState;
  log: LossLog;
  /** What the user should be told. */
  notes: string[];
}

/** Stable JSON (sorted keys), so that option objects compare by content. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The first setting that differs between the saved run and the one asked for, or null. */
function firstDifference(saved: RunConfig, model: ModelConfig, cfg: TrainConfig): { setting: string; saved: unknown; given: unknown } | null {
  const modelKeys = ['kind', 'arch', 'latent', 'width', 'lr', 'beta1', 'beta2', 'options'] as const;
  for (const k of modelKeys) {
    if (canonical(saved.model[k]) !== canonical(model[k])) return { setting: k, saved: saved.model[k], given: model[k] };
  }
  for (const k of ['batch', 'seed', 'data'] as const) {
    if (saved.train[k] !== cfg[k]) return { setting: k, saved: saved.train[k], given: cfg[k] };
  }
  return null;
}

async function readConfigForResume(dir: string): Promise<RunConfig> {
  try {
    return await readRunConfig(dir);
  } catch (err) {
    if (err instanceof CheckpointError && err.missing) {
      throw new RunError('no-run', dir, `${err.message} (no checkpoint was ever saved in ${dir})`, {}, { cause: err });
    }
    throw err;
  }
}

/** Checks the requested settings against the saved run; returns the changes to record. */
function plannedChanges(dir: string, saved: RunConfig, model: ModelConfig, cfg: TrainConfig, atStep: number): { changes: RunChange[]; notes: string[] } {
  const diff = firstDifference(saved, model, cfg);
  if (diff?.setting === 'kind') throw new RunError('config-mismatch', dir, `${dir} holds a ${saved.model.kind} run, not ${model.kind}`, diff);
  if (diff) {
    throw new RunError('config-mismatch', dir,
      `cannot resume ${dir} with ${diff.setting} ${JSON.stringify(diff.given)}: the run was trained with ${JSON.stringify(diff.saved)}`, diff);
  }
  const changes: RunChange[] = [];
  const notes: string[] = [];
  if (cfg.epochs < saved.train.epochs) {
    throw new RunError('fewer-epochs', dir,
      `cannot resume ${dir} for ${cfg.epochs} epochs: the run is planned for ${saved.train.epochs} (a resume can extend a run, not shorten it)`,
      { saved: saved.train.epochs, given: cfg.epochs });
  }
  if (cfg.epochs > saved.train.epochs) {
    changes.push({ atStep, setting: 'epochs', from: saved.train.epochs, to: cfg.epochs, genzoo: VERSION });
    notes.push(`extending the run from ${saved.train.epochs} to ${cfg.epochs} epochs`);
  }
  const before = lastBackend(saved);
  if (cfg.backend !== before) {
    changes.push({ atStep, setting: 'backend', from: before, to: cfg.backend, genzoo: VERSION });
    notes.push(`the run trained on ${before} so far and continues on ${cfg.backend}: its numbers will differ (in the last bits) from an uninterrupted run on ${before}`);
  }
  return { changes, notes };
}

/** The loss log to continue: the checkpoint's record (or, for older checkpoints, losses.csv), with a note when losses.csv is not usable. */
async function reconcileLossLog(dir: string, names: readonly string[], steps: number, stored: LossLog | null): Promise<{ log: LossLog; note?: string }> {
  const path = runFile(dir, FILES.lossesCsv);
  const fs = await nodeFs('training');
  let csv: LossLog | null = null;
  let problem: string | null = null;
  try {
    csv = LossLog.parseCSV(await fs.readFile(path, 'utf8'), path);
    if (csv.names.join() !== names.join()) problem = `${path} has columns ${csv.names.join(', ')}, not ${names.join(', ')}`;
    else csv.truncate(steps);
  } catch (err) {
    // A file-system error has a code (ENOENT…); genzoo's own errors (a malformed file) carry theirs too, and say what is wrong themselves.
    const code = err instanceof GenzooError ? undefined : (err as { code?: string }).code;
    problem = code === 'ENOENT' ? `${path} is missing` : code ? `cannot read ${path}: ${fsReason(err)}` : errorMessage(err);
  }
  if (stored) {
    if (!problem && csv!.equals(stored)) return { log: stored };
    return { log: stored, note: `${problem ?? `${path} does not match the checkpoint's record of the losses`}; rebuilt from the checkpoint` };
  }
  const last = csv?.rows[csv.rows.length - 1]?.step ?? 0;
  if (!problem && last === steps) return { log: csv! };
  problem ??= `${path} ends at step ${last}, the checkpoint is at step ${steps}`;
  return {
    log: new LossLog(names),
    note: `${problem}, and this checkpoint (from an older genzoo) does not store the losses: the log continues from step ${steps + 1} without the earlier steps`,
  };
}

/**
 * Reads and checks everything a resume of the run in `dir` needs, restoring
 * the model (weights, optimizer states) and positioning `loader`.
 */
export async function resumeRun(dir: string, model: GenerativeModel, cfg: TrainConfig, loader: DataLoader): Promise<ResumePlan> {
  const saved = await readConfigForResume(dir);
  let restored;
  try {
    // Compare the settings before touching the model: a mismatch leaves it as it was.
    plannedChanges(dir, saved, model.config, cfg, 0);
    restored = await readCheckpoint(dir, model);
  } catch (err) {
    if (err instanceof CheckpointError && err.missing) {
      throw new RunError('no-checkpoint', dir, `${dir} holds no checkpoint: the run stopped before its first one was saved; start it over (overwrite: true)`, {}, { cause: err });
    }
    throw err;
  }
  const { state } = restored;
  const { changes, notes } = plannedChanges(dir, saved, model.config, cfg, state.globalStep);
  try {
    loader.seek(state.loader);
  } catch (err) {
    throw new CheckpointError(`cannot resume ${dir}: ${errorMessage(err)}`, { cause: err });
  }
  const { log, note } = await reconcileLossLog(dir, model.lossNames, state.globalStep, restored.losses);
  if (note) notes.push(note);
  const run: RunConfig = {
    ...saved,
    train: { ...saved.train, epochs: cfg.epochs },
    ...(changes.length || saved.history ? { history: [...(saved.history ?? []), ...changes] } : {}),
  };
  return { run, configChanged: changes.length > 0, state, log, notes };
}
