/**
 * The training loop shared by every model: batches → `model.trainStep` →
 * loss log and progress → a checkpoint at the end of every epoch.
 *
 * Reproducibility: every random draw of a run comes from two seeded sources,
 * both saved in each checkpoint —
 *   - the order of the data: the DataLoader (src/data) visits epoch e in a
 *     permutation that depends on (seed, e) only, so the position in the data
 *     is just (epoch, batch), saved with the loader's settings (seed, batch
 *     size, dataset: resuming on other data is refused);
 *   - the training generator, passed to every `trainStep` (noise, prior draws,
 *     dropout), whose state is saved.
 * With the weights, buffers and optimizer states, that is the whole state of a
 * run: resuming from any checkpoint (end of epoch, or where a stop request
 * stopped it) gives the same numbers as an uninterrupted run on the same backend.
 *
 * Safety (README "What happens when…"): the folder is checked, locked and
 * cleaned before any work (run-folder.ts); a loss that is not finite or runs
 * away (divergence.ts) stops training at once, before anything is written, and
 * a checkpoint holding a NaN is never written, so the last good one stays; a
 * stop request (Ctrl-C, SIGTERM… — the caller decides) is honoured between
 * steps by writing a checkpoint at the current step; a resume never changes
 * the recorded settings silently (resume.ts).
 */
import { Generator, type Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { savePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { GenerativeModel } from '../models/types.js';
import { onBackend } from './backend.js';
import type { Module } from '../nn/module.js';
import { prepareCheckpoint, writeRunConfig, type TrainConfig, type TrainerState } from './checkpoint.js';
import { checkLosses, describeNonFinite, NonFiniteError, type LossProblem, type NonFiniteValue } from './divergence.js';
import { RunError } from './errors.js';
import { FILES, runFile } from './files.js';
import { LossLog, lossPlotSVG } from './losslog.js';
import type { ProgressState } from './progress.js';
import { resumeRun, type ResumePlan } from './resume.js';
import { openRunFolder } from './run-folder.js';
import { ValueError } from '../errors.js';

/** What the trainer reports progress to (train/progress.ts's Progress, or anything alike). */
export interface ProgressSink {
  /** Called after every step. */
  update(p: ProgressState): void;
  /** Called at the end of every epoch, before its checkpoint is written. */
  endEpoch(p: ProgressState): void;
  /** Called once when training ends (completed, interrupted or diverged). */
  stop(): void;
}

/** What {@link train} trains, where, and how. */
export interface TrainOptions {
  /** The model (`models.createModel(config, seed)`); it is trained in place. */
  model: GenerativeModel;
  /** The training digits: 28×28 images in 10 classes. */
  data: Dataset;
  /** The run folder: created if missing; it receives config.json, the checkpoints, losses and samples. */
  outDir: string;
  /** The run's settings; `backend` names the backend to train on (empty: the current one). */
  train: TrainConfig;
  /** Continue the run in `outDir` from its checkpoint instead of starting fresh. */
  resume?: boolean;
  /** Start over in a folder that holds a run: its run files are removed (after the folder is locked). */
  overwrite?: boolean;
  /** Receives the progress of every step (e.g. `new training.Progress(process.stderr)`). */
  progress?: ProgressSink;
  /** Polled between steps: true stops training after writing a checkpoint at the current step. */
  shouldStop?: () => boolean;
  /** Called after every step (tests use it to stop at a chosen step). */
  onStep?: (state: { epoch: number; stepInEpoch: number; globalStep: number }) => void;
  /** Called once every check has passed and the folder is locked, just before training begins. */
  onStart?: (start: TrainStart) => void;
}

export interface TrainStart {
  /** Where a resumed run continues from (null for a fresh run). */
  resumedFrom: TrainerState | null;
  /** The backend the run trains on ('wasm', 'gpu:cpu'…). */
  backend: string;
  /** Things the user should know: a stale lock taken over, leftovers removed, a changed setting, a rebuilt log. */
  notes: string[];
}

/** How a {@link train} call ended: all epochs trained, stopped on request (`shouldStop`), or stopped by a loss that diverged. */
export type TrainStatus = 'completed' | 'interrupted' | 'diverged';

/** Why a run was stopped as diverged: a loss that broke the rule, or a non-finite value about to be saved. */
export interface Divergence {
  /** The step whose loss broke the rule, or after which a weight was not finite. */
  step: number;
  /** 1-based epoch of that step. */
  epoch: number;
  /** The loss that broke the rule (absent when a weight went non-finite instead). */
  loss?: LossProblem;
  /** The non-finite value found in a tensor about to be saved (absent when a loss broke the rule). */
  nonFinite?: NonFiniteValue;
  /** Steps done in the checkpoint left in the folder (null: none was ever written). */
  checkpointStep: number | null;
}

/** What {@link train} resolves to. Problems with the folder or the options reject instead (RunError, CheckpointError). */
export interface TrainResult {
  /** How the call ended. */
  status: TrainStatus;
  /** Global steps done (for 'diverged': the step that diverged). */
  globalStep: number;
  /** One line for the user, in the library's terms. */
  message: string;
  /** Seconds of training in this call. */
  seconds: number;
  /** Steps done in the checkpoint now in the folder (null: there is none). */
  checkpointStep: number | null;
  /** For 'diverged': what happened. */
  divergence?: Divergence;
  /** For 'completed': true when the run had already trained all its epochs (nothing was done). */
  alreadyComplete?: boolean;
}

/** The grid written as samples.png: 10 rows × 10 columns, row k = class k (unconditional: 100 samples). */
export function sampleGrid(model: GenerativeModel, seed: number): Tensor {
  const g = new Generator(`${seed}/samples`);
  if (!model.conditional) return model.sample(100, g);
  const labels = new Int32Array(100);
  for (let i = 0; i < 100; i++) labels[i] = Math.floor(i / 10);
  return model.sample(labels, g);
}

/** Writes {@link sampleGrid} as a 10×10 PNG to `path` (atomically). */
export async function writeSampleGrid(model: GenerativeModel, seed: number, path: string): Promise<void> {
  const images = noGrad(() => sampleGrid(model, seed));
  await savePng(path, images, { rows: 10, cols: 10 });
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Everything one training call works with. */
interface Session {
  opts: TrainOptions;
  cfg: TrainConfig;
  dir: string;
  model: GenerativeModel;
  loader: DataLoader;
  stepsPerEpoch: number;
  state: TrainerState;
  generator: Generator;
  log: LossLog;
  /** config.json still to be written (a fresh run writes it with its first checkpoint). */
  configPending: boolean;
  /** Steps done in the newest checkpoint on disk (null: none). */
  checkpointStep: number | null;
  started: number;
  elapsedBefore: number;
  /** Times of recent steps (throughput over a sliding window: the first steps are slow, JIT warm-up). */
  recent: number[];
  /** This epoch's loss sums, for the progress display. */
  epochSums: number[];
  epochCount: number;
}

function checkData(data: Dataset, cfg: TrainConfig, dir: string): void {
  if (data.height * data.width !== 784 || data.classes !== 10) {
    throw new RunError('bad-data', dir, `the models expect 28×28 digits in 10 classes; ${data.name} has ${data.height}×${data.width} images in ${data.classes} classes`);
  }
  if (cfg.batch > data.n) throw new RunError('bad-data', dir, `batch size ${cfg.batch} is larger than the ${data.n} training images of ${data.name}`);
  if (!Number.isSafeInteger(cfg.epochs) || cfg.epochs < 1) throw new RunError('bad-data', dir, `epochs must be a positive integer, got ${cfg.epochs}`);
}

/** Trains `opts.model` per `opts`, writing the run folder; see the file comment. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { model, data, outDir } = opts;
  checkData(data, opts.train, outDir);
  if (opts.resume && opts.overwrite) throw new ValueError('train: resume and overwrite contradict each other (continue the run, or start over)');
  return onBackend(opts.train.backend, model as unknown as Module<never, unknown>, async (backend) => {
    const cfg: TrainConfig = { ...opts.train, backend };
    const folder = await openRunFolder(outDir, opts.resume ? 'resume' : opts.overwrite ? 'overwrite' : 'fresh', `training ${model.kind}`);
    try {
      const session = await openSession(opts, cfg, folder.notes);
      opts.onStart?.({ resumedFrom: opts.resume ? { ...session.state } : null, backend, notes: folder.notes });
      return await runSession(session);
    } finally {
      await folder.lock.release();
    }
  });
}

async function openSession(opts: TrainOptions, cfg: TrainConfig, notes: string[]): Promise<Session> {
  const { model, data, outDir: dir } = opts;
  // dropLast: every step sees a full batch (BatchNorm and the GAN losses behave the same at every step).
  const loader = new DataLoader(data, { batchSize: cfg.batch, seed: `${cfg.seed}`, dropLast: true });
  let state: TrainerState;
  let log = new LossLog(model.lossNames);
  let plan: ResumePlan | null = null;
  if (opts.resume) {
    plan = await resumeRun(dir, model, cfg, loader);
    ({ state, log } = plan);
    notes.push(...plan.notes);
    if (plan.configChanged) await writeRunConfig(dir, plan.run.model, plan.run.train, plan.run.history);
  } else {
    state = { epoch: 0, stepInEpoch: 0, globalStep: 0, generator: new Generator(`${cfg.seed}/train`).state(), loader: loader.state(), elapsedSec: 0 };
  }
  // The progress display's running means of this epoch continue where a resumed run stopped.
  const thisEpoch = log.rows.filter((r) => r.epoch === state.epoch + 1);
  return {
    opts, cfg: plan ? plan.run.train : cfg, dir, model, loader, stepsPerEpoch: loader.length, state,
    generator: Generator.fromState(state.generator), log, configPending: !opts.resume,
    checkpointStep: opts.resume ? state.globalStep : null,
    started: performance.now(), elapsedBefore: state.elapsedSec, recent: [],
    epochSums: model.lossNames.map((_, i) => thisEpoch.reduce((sum, r) => sum + r.values[i], 0)), epochCount: thisEpoch.length,
  };
}

const elapsed = (s: Session): number => (performance.now() - s.started) / 1000;

function snapshot(s: Session): TrainerState {
  return {
    ...s.state,
    generator: s.generator.state(),
    loader: { ...s.loader.state(), epoch: s.state.epoch, batch: s.state.stepInEpoch },
    elapsedSec: s.elapsedBefore + elapsed(s),
  };
}

/**
 * Writes a checkpoint at the current step (config.json first for a fresh run,
 * then the loss log and plot, the weights, the checkpoint). Returns the
 * non-finite value that made it refuse, having written nothing, or null.
 */
async function saveCheckpoint(s: Session): Promise<NonFiniteValue | null> {
  let prepared;
  try {
    prepared = prepareCheckpoint(s.dir, s.model, snapshot(s), s.log);
  } catch (err) {
    if (err instanceof NonFiniteError) return err.found;
    throw err;
  }
  if (s.configPending) {
    await writeRunConfig(s.dir, s.model.config, s.cfg);
    s.configPending = false;
  }
  await writeFileAtomic(runFile(s.dir, FILES.lossesCsv), s.log.toCSV());
  await writeFileAtomic(runFile(s.dir, FILES.lossesSvg), lossPlotSVG(s.log, `${s.model.kind} (${s.model.config.arch}) losses per step`));
  await prepared.write();
  s.checkpointStep = s.state.globalStep;
  return null;
}

function progressState(s: Session): ProgressState {
  const { recent, state, cfg } = s;
  const span = recent.length > 1 ? (recent[recent.length - 1] - recent[0]) / 1000 : NaN;
  const stepsPerSec = recent.length > 1 ? (recent.length - 1) / span : NaN;
  const losses = Object.fromEntries(s.model.lossNames.map((n, i) => [n, s.epochCount ? s.epochSums[i] / s.epochCount : NaN]));
  return {
    epoch: state.epoch + 1, epochs: cfg.epochs, step: state.stepInEpoch, stepsPerEpoch: s.stepsPerEpoch,
    globalStep: state.globalStep, totalSteps: cfg.epochs * s.stepsPerEpoch,
    losses, samplesPerSec: stepsPerSec * cfg.batch,
    etaSec: (cfg.epochs * s.stepsPerEpoch - state.globalStep) / stepsPerSec,
  };
}

function kept(s: Session): string {
  return s.checkpointStep === null ? 'no checkpoint had been written yet' : `the last good checkpoint in ${s.dir} (step ${s.checkpointStep}) is kept`;
}

function diverged(s: Session, d: Omit<Divergence, 'checkpointStep'>): TrainResult {
  s.opts.progress?.stop();
  const divergence: Divergence = { ...d, checkpointStep: s.checkpointStep };
  const what = d.loss
    ? d.loss.reason === 'non-finite'
      ? `loss '${d.loss.name}' became ${d.loss.value} at step ${d.step} (epoch ${divergence.epoch})`
      : `loss '${d.loss.name}' reached ${d.loss.value.toExponential(2)} at step ${d.step} (epoch ${divergence.epoch}), past the divergence limit of 1e5`
    : `after step ${d.step} (epoch ${divergence.epoch}) the ${describeNonFinite(d.nonFinite!)}`;
  return { status: 'diverged', globalStep: d.step, seconds: elapsed(s), checkpointStep: s.checkpointStep, divergence, message: `${what}; training stopped, ${kept(s)}` };
}

function interrupted(s: Session, message: string): TrainResult {
  s.opts.progress?.stop();
  return { status: 'interrupted', globalStep: s.state.globalStep, seconds: elapsed(s), checkpointStep: s.checkpointStep, message };
}

/** One step; returns a result when training must end here (divergence, stop request), else null. */
async function step(s: Session, batch: Parameters<GenerativeModel['trainStep']>[0]): Promise<TrainResult | null> {
  const { model, state, opts } = s;
  const losses = model.trainStep(batch, s.generator);
  const problem = checkLosses(losses, model.lossNames);
  if (problem) return diverged(s, { step: state.globalStep + 1, epoch: state.epoch + 1, loss: problem });
  state.globalStep++;
  state.stepInEpoch++;
  s.log.add(state.globalStep, state.epoch + 1, losses);
  model.lossNames.forEach((n, i) => (s.epochSums[i] += losses[n]));
  s.epochCount++;
  s.recent.push(performance.now());
  if (s.recent.length > 50) s.recent.shift();
  opts.progress?.update(progressState(s));
  opts.onStep?.({ epoch: state.epoch, stepInEpoch: state.stepInEpoch, globalStep: state.globalStep });
  // Let signal handlers run (Ctrl-C, SIGTERM) between steps.
  await yieldToEventLoop();
  if (opts.shouldStop?.() && state.stepInEpoch < s.stepsPerEpoch) {
    const bad = await saveCheckpoint(s);
    if (bad) return diverged(s, { step: state.globalStep, epoch: state.epoch + 1, nonFinite: bad });
    return interrupted(s, `interrupted at step ${state.globalStep} (epoch ${state.epoch + 1}, step ${state.stepInEpoch}/${s.stepsPerEpoch}); checkpoint saved in ${s.dir}`);
  }
  return null;
}

/** The end of an epoch: checkpoint and sample grid. Returns a result when training must end here. */
async function endEpoch(s: Session): Promise<TrainResult | null> {
  const { state, opts } = s;
  opts.progress?.endEpoch(progressState(s));
  state.epoch++;
  state.stepInEpoch = 0;
  s.epochSums.fill(0);
  s.epochCount = 0;
  const bad = await saveCheckpoint(s);
  if (bad) return diverged(s, { step: state.globalStep, epoch: state.epoch, nonFinite: bad });
  await writeSampleGrid(s.model, s.cfg.seed, runFile(s.dir, FILES.samples));
  s.model.train();
  if (opts.shouldStop?.() && state.epoch < s.cfg.epochs) return interrupted(s, `interrupted after epoch ${state.epoch}; checkpoint saved in ${s.dir}`);
  return null;
}

async function runSession(s: Session): Promise<TrainResult> {
  const { state, cfg, opts } = s;
  if (state.epoch >= cfg.epochs) {
    await writeSampleGrid(s.model, cfg.seed, runFile(s.dir, FILES.samples));
    return { status: 'completed', globalStep: state.globalStep, seconds: 0, checkpointStep: s.checkpointStep, alreadyComplete: true, message: `already trained for ${cfg.epochs} epochs; nothing to do` };
  }
  if (opts.shouldStop?.()) {
    const where = s.checkpointStep === null ? 'nothing was written' : `the checkpoint at step ${s.checkpointStep} is unchanged`;
    return interrupted(s, `stopped before the first step; ${where}`);
  }
  s.model.train();
  while (state.epoch < cfg.epochs) {
    for (const batch of s.loader.epochBatches(state.epoch, state.stepInEpoch)) {
      const end = await step(s, batch);
      if (end) return end;
    }
    const end = await endEpoch(s);
    if (end) return end;
  }
  opts.progress?.stop();
  const seconds = elapsed(s);
  const total = s.elapsedBefore + seconds;
  const message = opts.resume
    ? `trained to epoch ${cfg.epochs} (step ${state.globalStep}): ${seconds.toFixed(1)} s now, ${total.toFixed(1)} s in all`
    : `trained ${cfg.epochs} epochs (${state.globalStep} steps) in ${seconds.toFixed(1)} s`;
  return { status: 'completed', globalStep: state.globalStep, seconds, checkpointStep: s.checkpointStep, message };
}
