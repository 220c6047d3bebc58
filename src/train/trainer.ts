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
 * run: resuming from any checkpoint (end of epoch, or where Ctrl-C stopped it)
 * gives the same numbers as an uninterrupted run on the same backend.
 *
 * Safety: a NaN/Inf loss stops training at once, before anything is written,
 * so the last good checkpoint stays; a stop request (Ctrl-C) is honoured between
 * steps by writing a checkpoint at the current step.
 */
import { Generator, type Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { savePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import { nodeFs } from '../io/node.js';
import type { GenerativeModel } from '../models/types.js';
import {
  FILES, loadCheckpoint, readRunConfig, writeCheckpoint, writeRunConfig, CheckpointError,
  type TrainConfig, type TrainerState,
} from './checkpoint.js';
import { LossLog, lossPlotSVG } from './losslog.js';
import { Progress, type ProgressState } from './progress.js';

export interface TrainOptions {
  model: GenerativeModel;
  data: Dataset;
  outDir: string;
  train: TrainConfig;
  /** Continue from DIR/checkpoint.safetensors instead of starting fresh. */
  resume?: boolean;
  progress?: Progress;
  /** Polled between steps: true stops training after writing a checkpoint (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called after every step (tests use it to stop at a chosen step). */
  onStep?: (state: { epoch: number; stepInEpoch: number; globalStep: number }) => void;
}

export type TrainStatus = 'completed' | 'interrupted' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  /** Global steps done (for 'diverged': the step whose loss was not finite). */
  globalStep: number;
  /** One line for the user. */
  message: string;
  /** Seconds of training in this call. */
  seconds: number;
}

/** The grid written as samples.png: 10 rows × 10 columns, row k = class k (unconditional: 100 samples). */
export function sampleGrid(model: GenerativeModel, seed: number): Tensor {
  const g = new Generator(`${seed}/samples`);
  if (!model.conditional) return model.sample(100, g);
  const labels = new Int32Array(100);
  for (let i = 0; i < 100; i++) labels[i] = Math.floor(i / 10);
  return model.sample(labels, g);
}

export async function writeSampleGrid(model: GenerativeModel, seed: number, path: string): Promise<void> {
  const images = noGrad(() => sampleGrid(model, seed));
  await savePng(path, images, { rows: 10, cols: 10 });
}

function path(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

async function fileExists(p: string): Promise<boolean> {
  const fs = await nodeFs('training');
  return fs.access(p).then(() => true, () => false);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Trains `model` per `opts`, writing the run folder; see the file comment. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { model, data, outDir, train: cfg } = opts;
  const fs = await nodeFs('training');
  if (data.height * data.width !== 784 || data.classes !== 10) {
    throw new Error(`the models expect 28×28 digits in 10 classes; ${data.name} has ${data.height}×${data.width} images in ${data.classes} classes`);
  }
  if (cfg.batch > data.n) throw new Error(`batch size ${cfg.batch} is larger than the ${data.n} training images`);
  // dropLast: every step sees a full batch (BatchNorm and the GAN losses behave the same at every step).
  const loader = new DataLoader(data, { batchSize: cfg.batch, seed: `${cfg.seed}`, dropLast: true });
  const stepsPerEpoch = loader.length;
  await fs.mkdir(outDir, { recursive: true });

  const lossLog = new LossLog(model.lossNames);
  let state: TrainerState;
  if (opts.resume) {
    const saved = await readRunConfig(outDir);
    if (saved.model.kind !== model.kind) throw new CheckpointError(`${outDir} holds a ${saved.model.kind} run, not ${model.kind}`);
    state = await loadCheckpoint(outDir, model);
    try {
      loader.seek(state.loader);
    } catch (err) {
      throw new CheckpointError(`cannot resume ${outDir}: ${(err as Error).message}`);
    }
    if (await fileExists(path(outDir, FILES.lossesCsv))) {
      const old = LossLog.parseCSV(await fs.readFile(path(outDir, FILES.lossesCsv), 'utf8'), path(outDir, FILES.lossesCsv));
      if (old.names.join() !== model.lossNames.join()) throw new CheckpointError(`${path(outDir, FILES.lossesCsv)} has columns ${old.names.join(', ')}, expected ${model.lossNames.join(', ')}`);
      old.truncate(state.globalStep);
      lossLog.rows.push(...old.rows);
    }
  } else {
    if (await fileExists(path(outDir, FILES.checkpoint))) {
      throw new CheckpointError(`${outDir} already holds a training run; pass --resume to continue it, or choose another --out`);
    }
    state = { epoch: 0, stepInEpoch: 0, globalStep: 0, generator: new Generator(`${cfg.seed}/train`).state(), loader: loader.state(), elapsedSec: 0 };
  }
  await writeRunConfig(outDir, model.config, cfg);

  const generator = Generator.fromState(state.generator);
  const totalSteps = cfg.epochs * stepsPerEpoch;
  const started = performance.now();
  const elapsedBefore = state.elapsedSec;
  // Throughput over a sliding window of recent steps (first steps are slow: JIT warm-up).
  const recent: number[] = [];
  const snapshot = (): TrainerState => ({
    ...state,
    generator: generator.state(),
    loader: { ...loader.state(), epoch: state.epoch, batch: state.stepInEpoch },
    elapsedSec: elapsedBefore + (performance.now() - started) / 1000,
  });
  const saveAll = async (): Promise<void> => {
    // Loss log first: it then always covers at least the checkpointed steps (see losslog.ts).
    await writeFileAtomic(path(outDir, FILES.lossesCsv), lossLog.toCSV());
    await writeFileAtomic(path(outDir, FILES.lossesSvg), lossPlotSVG(lossLog, `${model.kind} (${model.config.arch}) losses per step`));
    await writeCheckpoint(outDir, model, snapshot());
  };

  model.train();
  const progressState = (epoch: number, stepInEpoch: number): ProgressState => {
    const now = performance.now();
    const span = recent.length > 1 ? (now - recent[0]) / 1000 : NaN;
    const stepsPerSec = recent.length > 1 ? (recent.length - 1) / span : NaN;
    return {
      epoch: epoch + 1, epochs: cfg.epochs, step: stepInEpoch, stepsPerEpoch,
      globalStep: state.globalStep, totalSteps,
      losses: lossLog.epochMeans(epoch + 1),
      samplesPerSec: stepsPerSec * cfg.batch,
      etaSec: (totalSteps - state.globalStep) / stepsPerSec,
    };
  };

  if (state.epoch >= cfg.epochs) {
    await writeSampleGrid(model, cfg.seed, path(outDir, FILES.samples));
    return { status: 'completed', globalStep: state.globalStep, message: `already trained for ${cfg.epochs} epochs (pass a larger --epochs to train more)`, seconds: 0 };
  }

  while (state.epoch < cfg.epochs) {
    for (const batch of loader.epochBatches(state.epoch, state.stepInEpoch)) {
      const losses = model.trainStep(batch, generator);
      const step = state.globalStep + 1;
      for (const name of model.lossNames) {
        const v = losses[name];
        if (!Number.isFinite(v)) {
          opts.progress?.stop();
          // A fresh run refuses a folder holding a checkpoint, so one here is this run's (or the resumed one's).
          const kept = (await fileExists(path(outDir, FILES.checkpoint)))
            ? `the last good checkpoint in ${outDir} is kept`
            : 'no checkpoint had been written yet';
          return {
            status: 'diverged', globalStep: step, seconds: (performance.now() - started) / 1000,
            message: `loss '${name}' became ${v} at step ${step} (epoch ${state.epoch + 1}); training stopped, ${kept} (try a smaller --lr)`,
          };
        }
      }
      state.globalStep = step;
      state.stepInEpoch++;
      lossLog.add(step, state.epoch + 1, losses);
      recent.push(performance.now());
      if (recent.length > 50) recent.shift();
      opts.progress?.update(progressState(state.epoch, state.stepInEpoch));
      opts.onStep?.({ epoch: state.epoch, stepInEpoch: state.stepInEpoch, globalStep: state.globalStep });
      // Let signal handlers run (Ctrl-C) between steps.
      await yieldToEventLoop();
      if (opts.shouldStop?.() && state.stepInEpoch < stepsPerEpoch) {
        opts.progress?.stop();
        await saveAll();
        return {
          status: 'interrupted', globalStep: state.globalStep, seconds: (performance.now() - started) / 1000,
          message: `interrupted at step ${state.globalStep} (epoch ${state.epoch + 1}, step ${state.stepInEpoch}/${stepsPerEpoch}); checkpoint saved in ${outDir}`,
        };
      }
    }
    opts.progress?.endEpoch(progressState(state.epoch, state.stepInEpoch));
    state.epoch++;
    state.stepInEpoch = 0;
    await saveAll();
    await writeSampleGrid(model, cfg.seed, path(outDir, FILES.samples));
    model.train();
    if (opts.shouldStop?.() && state.epoch < cfg.epochs) {
      opts.progress?.stop();
      return {
        status: 'interrupted', globalStep: state.globalStep, seconds: (performance.now() - started) / 1000,
        message: `interrupted after epoch ${state.epoch}; checkpoint saved in ${outDir}`,
      };
    }
  }
  opts.progress?.stop();
  const seconds = (performance.now() - started) / 1000;
  const total = elapsedBefore + seconds;
  const message = opts.resume
    ? `trained to epoch ${cfg.epochs} (step ${state.globalStep}): ${seconds.toFixed(1)} s now, ${total.toFixed(1)} s in all`
    : `trained ${cfg.epochs} epochs (${state.globalStep} steps) in ${seconds.toFixed(1)} s`;
  return { status: 'completed', globalStep: state.globalStep, seconds, message };
}
