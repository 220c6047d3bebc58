/**
 * The core of training, with no files and no Node: batches in the run's
 * seeded order → `model.trainStep` (in a `tidy`, on the model's backend) →
 * the divergence rule → the loss log and the progress numbers. `train()`
 * (trainer.ts) wraps it with the run folder, checkpoints and signals; a
 * browser page (the playground) drives it directly, step by step. Both go
 * through `step()`, so the same model, data, settings and backend give the
 * same numbers in both, by construction.
 *
 * Where randomness comes from (the reproducibility contract, trainer.ts):
 *   - the data order: a DataLoader with seed `${seed}`, `dropLast` (every
 *     step sees a full batch), whose epoch e is a permutation of (seed, e);
 *   - the training generator, `new Generator(`${seed}/train`)`, passed to
 *     every `trainStep` (noise, prior draws, dropout);
 *   - the sample grid: `new Generator(`${seed}/samples`)`, fresh each time,
 *     so the grid after a given step is a function of the weights alone.
 */
import { Generator, tidy, type Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader, type Batch as LoaderBatch } from '../data/loader.js';
import type { GenerativeModel } from '../models/types.js';
import { moduleBackend } from '../nn/module.js';
import { checkLosses, type LossProblem } from './divergence.js';
import { LossLog } from './losslog.js';
import type { ProgressState } from './progress.js';
import type { TrainerState } from './checkpoint.js';
import { StateError, ValueError } from '../errors.js';

/** How a loop trains: the parts of a run's settings that change the numbers (and the length). */
export interface LoopSettings {
  /** Epochs over the data. */
  epochs: number;
  /** Images per step. */
  batch: number;
  /** The seed of the data order and of the training generator. */
  seed: number;
}

/** What one call of `step()` did. */
export type StepOutcome =
  | {
    /** The step ran and was counted. */
    status: 'ok';
    /** This step's losses, by the model's loss names. */
    losses: Record<string, number>;
    /** Steps done since the start (this one included). */
    globalStep: number;
    /** 1-based epoch of this step. */
    epoch: number;
    /** Steps done in that epoch (this one included). */
    stepInEpoch: number;
    /** True when this step was the epoch's last (call `endEpoch()` before the next step). */
    epochDone: boolean;
  }
  | {
    /** A loss broke the divergence rule: the step was not counted and training should stop. */
    status: 'diverged';
    /** The step whose loss broke the rule (it was not counted). */
    step: number;
    /** 1-based epoch of that step. */
    epoch: number;
    /** Which loss, its value, and why. */
    loss: LossProblem;
  };

/** Why these data and settings cannot be trained on, or null when they can. */
export function dataProblem(data: Dataset, settings: LoopSettings): string | null {
  if (data.height * data.width !== 784 || data.classes !== 10) {
    return `the models expect 28×28 digits in 10 classes; ${data.name} has ${data.height}×${data.width} images in ${data.classes} classes`;
  }
  if (!Number.isSafeInteger(settings.batch) || settings.batch < 1) return `batch size must be a positive integer, got ${settings.batch}`;
  if (settings.batch > data.n) return `batch size ${settings.batch} is larger than the ${data.n} training images of ${data.name}`;
  if (!Number.isSafeInteger(settings.epochs) || settings.epochs < 1) return `epochs must be a positive integer, got ${settings.epochs}`;
  if (!Number.isSafeInteger(settings.seed) || settings.seed < 0) return `seed must be a non-negative integer, got ${settings.seed}`;
  return null;
}

/**
 * The grid of samples a run shows (samples.png): 10 rows × 10 columns, row k
 * = class k (an unconditional model: 100 samples), drawn from
 * `Generator(`${seed}/samples`)` without recording a graph.
 */
export function sampleGrid(model: GenerativeModel, seed: number): Tensor {
  return noGrad(() => {
    const g = new Generator(`${seed}/samples`);
    if (!model.conditional) return model.sample(100, g);
    const labels = new Int32Array(100);
    for (let i = 0; i < 100; i++) labels[i] = Math.floor(i / 10);
    return model.sample(labels, g);
  });
}

/** Steps whose times the throughput is measured over (the first steps are slow: JIT, shader compilation). */
const WINDOW = 50;

/**
 * A model training on a dataset, one `step()` at a time.
 *
 * ```ts
 * const loop = new training.TrainingLoop(model, await data.mnist(), { epochs: 1, batch: 64, seed: 0 });
 * while (!loop.done) {
 *   const out = loop.step();
 *   if (out.status === 'diverged') break;
 *   if (out.epochDone) loop.endEpoch();
 * }
 * ```
 */
export class TrainingLoop {
  /** The model trained (its parameters' backend is where steps run). */
  readonly model: GenerativeModel;
  /** Epochs, batch size and seed. */
  readonly settings: Readonly<LoopSettings>;
  /** The data in the run's order. */
  readonly loader: DataLoader;
  /** Steps in one epoch (full batches only). */
  readonly stepsPerEpoch: number;
  /** The training generator (its state is part of a checkpoint). */
  generator: Generator;
  /** Every step's losses so far. */
  log: LossLog;
  #epoch = 0;
  #stepInEpoch = 0;
  #globalStep = 0;
  #batches: Iterator<LoaderBatch> | null = null;
  #recent: number[] = [];
  #epochSums: number[];
  #epochCount = 0;
  readonly #now: () => number;

  constructor(model: GenerativeModel, data: Dataset, settings: LoopSettings, options: { now?: () => number } = {}) {
    const problem = dataProblem(data, settings);
    if (problem) throw new ValueError(`training: ${problem}`);
    this.model = model;
    this.settings = Object.freeze({ epochs: settings.epochs, batch: settings.batch, seed: settings.seed });
    this.loader = new DataLoader(data, { batchSize: settings.batch, seed: `${settings.seed}`, dropLast: true });
    this.stepsPerEpoch = this.loader.length;
    this.generator = new Generator(`${settings.seed}/train`);
    this.log = new LossLog(model.lossNames);
    this.#epochSums = model.lossNames.map(() => 0);
    this.#now = options.now ?? (() => performance.now());
  }

  /** 0-based epoch in progress (equal to `settings.epochs` when done). */
  get epoch(): number {
    return this.#epoch;
  }

  /** Steps done in the current epoch. */
  get stepInEpoch(): number {
    return this.#stepInEpoch;
  }

  /** Steps done since the start. */
  get globalStep(): number {
    return this.#globalStep;
  }

  /** Steps of the whole run. */
  get totalSteps(): number {
    return this.settings.epochs * this.stepsPerEpoch;
  }

  /** True when every epoch has been trained. */
  get done(): boolean {
    return this.#epoch >= this.settings.epochs;
  }

  /**
   * Continues from a saved state (a checkpoint's): position, generator and
   * the losses so far. The loader's settings are checked against the saved
   * ones (another seed, batch size or dataset would change the batches).
   */
  restore(state: TrainerState, log: LossLog): void {
    this.loader.seek(state.loader);
    this.#epoch = state.epoch;
    this.#stepInEpoch = state.stepInEpoch;
    this.#globalStep = state.globalStep;
    this.generator = Generator.fromState(state.generator);
    this.log = log;
    this.#batches = null;
    // The progress display's running means of this epoch continue where the run stopped.
    const thisEpoch = log.rows.filter((r) => r.epoch === state.epoch + 1);
    this.#epochSums = this.model.lossNames.map((_, i) => thisEpoch.reduce((sum, r) => sum + r.values[i], 0));
    this.#epochCount = thisEpoch.length;
  }

  /** Where training stands, for a checkpoint (`elapsedSec`: wall-clock seconds of training so far). */
  state(elapsedSec: number): TrainerState {
    return {
      epoch: this.#epoch,
      stepInEpoch: this.#stepInEpoch,
      globalStep: this.#globalStep,
      generator: this.generator.state(),
      loader: { ...this.loader.state(), epoch: this.#epoch, batch: this.#stepInEpoch },
      elapsedSec,
    };
  }

  /**
   * One training step on the next batch: `model.trainStep` inside a `tidy`
   * (every tensor the step makes is freed, the batch included; the model's
   * weights, buffers and optimizer states are kept), with the batch on the
   * model's backend. A loss that breaks the divergence rule (divergence.ts)
   * is returned as 'diverged' and the step is not counted.
   */
  step(): StepOutcome {
    const { model } = this;
    const losses = tidy(() => {
      const batch = this.#nextBatch();
      const where = moduleBackend(model);
      return model.trainStep({ x: where ? batch.x.to(where) : batch.x, y: batch.y }, this.generator);
    });
    return this.#record(losses);
  }

  /**
   * `step()` with the losses read back asynchronously (`model.trainStepAsync`):
   * the one that works on every backend, WebGPU included (it cannot read back
   * synchronously). The same numbers as `step()` on the same backend.
   */
  async stepAsync(): Promise<StepOutcome> {
    const { model } = this;
    const batch = this.#nextBatch();
    const where = moduleBackend(model);
    const x = where ? batch.x.to(where) : batch.x;
    let losses: Record<string, number>;
    try {
      losses = await model.trainStepAsync({ x, y: batch.y }, this.generator);
    } finally {
      if (x !== batch.x) x.dispose();
      batch.x.dispose();
    }
    return this.#record(losses);
  }

  /** The next batch of the epoch, after checking that there is one to take. */
  #nextBatch(): { x: Tensor; y: Int32Array } {
    if (this.done) throw new StateError(`training: all ${this.settings.epochs} epochs are done; there is no next step`);
    if (this.#stepInEpoch >= this.stepsPerEpoch) throw new StateError('training: the epoch is complete; call endEpoch() before the next step');
    this.#batches ??= this.loader.epochBatches(this.#epoch, this.#stepInEpoch);
    const next = this.#batches.next();
    if (next.done) throw new StateError(`training: the data loader ran out of batches at step ${this.#stepInEpoch} of epoch ${this.#epoch + 1}`);
    return next.value;
  }

  /** Counts a step's losses (or reports the divergence they show: then the step is not counted). */
  #record(losses: Record<string, number>): StepOutcome {
    const { model } = this;
    const problem = checkLosses(losses, model.lossNames);
    if (problem) return { status: 'diverged', step: this.#globalStep + 1, epoch: this.#epoch + 1, loss: problem };
    this.#globalStep++;
    this.#stepInEpoch++;
    this.log.add(this.#globalStep, this.#epoch + 1, losses);
    model.lossNames.forEach((n, i) => (this.#epochSums[i] += losses[n]));
    this.#epochCount++;
    this.#recent.push(this.#now());
    if (this.#recent.length > WINDOW) this.#recent.shift();
    return {
      status: 'ok', losses, globalStep: this.#globalStep, epoch: this.#epoch + 1, stepInEpoch: this.#stepInEpoch,
      epochDone: this.#stepInEpoch === this.stepsPerEpoch,
    };
  }

  /** Moves on to the next epoch once the current one is complete. */
  endEpoch(): void {
    if (this.#stepInEpoch < this.stepsPerEpoch) {
      throw new StateError(`training: epoch ${this.#epoch + 1} is not complete (${this.#stepInEpoch} of ${this.stepsPerEpoch} steps)`);
    }
    this.#epoch++;
    this.#stepInEpoch = 0;
    this.#batches = null;
    this.#epochSums.fill(0);
    this.#epochCount = 0;
  }

  /** Forgets the step times (after a pause, so the throughput and ETA do not count the pause). */
  resetClock(): void {
    this.#recent = [];
  }

  /** Position, this epoch's running mean losses, samples/s over the last steps, and the time left. */
  progress(): ProgressState {
    const recent = this.#recent;
    const span = recent.length > 1 ? (recent[recent.length - 1] - recent[0]) / 1000 : NaN;
    const stepsPerSec = recent.length > 1 ? (recent.length - 1) / span : NaN;
    const losses = Object.fromEntries(this.model.lossNames.map((n, i) => [n, this.#epochCount ? this.#epochSums[i] / this.#epochCount : NaN]));
    return {
      epoch: Math.min(this.#epoch + 1, this.settings.epochs), epochs: this.settings.epochs,
      step: this.#stepInEpoch, stepsPerEpoch: this.stepsPerEpoch,
      globalStep: this.#globalStep, totalSteps: this.totalSteps,
      losses, samplesPerSec: stepsPerSec * this.settings.batch,
      etaSec: (this.totalSteps - this.#globalStep) / stepsPerSec,
    };
  }

  /** The run's sample grid from the current weights (see `sampleGrid`). */
  sampleGrid(): Tensor {
    return sampleGrid(this.model, this.settings.seed);
  }
}

