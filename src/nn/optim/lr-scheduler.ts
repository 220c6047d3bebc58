/**
 * Learning-rate schedulers (PyTorch's torch.optim.lr_scheduler): each sets
 * every parameter group's `lr` from its initial lr and the epoch count. Call
 * `scheduler.step()` once per epoch, after `optimizer.step()`.
 */
import type { GroupBase, Optimizer } from './optimizer.js';
import { ValueError } from '../../errors.js';

/** A learning-rate scheduler's state, for resuming. */
export interface SchedulerStateDict {
  /** Epochs stepped. */
  lastEpoch: number;
  /** The initial lr of each group. */
  baseLrs: number[];
}

/** The base of the learning-rate schedulers: sets each group's lr from its initial lr and the epoch; call `step()` once per epoch. */
export abstract class LRScheduler {
  /** Epochs stepped so far (0 right after construction). */
  lastEpoch = 0;
  /** The initial lr of each group. */
  readonly baseLrs: number[];
  private lastLr: number[] = [];

  /** @param optimizer The optimizer whose groups' lr it sets. */
  constructor(readonly optimizer: Optimizer<GroupBase>) {
    this.baseLrs = optimizer.paramGroups.map((g) => {
      g.initialLr ??= g.lr;
      return g.initialLr;
    });
  }

  /** The lr of group i at epoch `lastEpoch`, from its initial lr. */
  protected abstract lrAt(baseLr: number, epoch: number): number;

  /** Sets the groups' lr for the current epoch (subclass constructors call it). */
  protected apply(): void {
    this.lastLr = this.optimizer.paramGroups.map((g, i) => (g.lr = this.lrAt(this.baseLrs[i], this.lastEpoch)));
  }

  /** Advances one epoch and sets the groups' lr for it. */
  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  /** The learning rates the last step set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The epoch and the initial lrs, for a checkpoint. */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice() };
  }

  /** Restores a state from `stateDict()` and sets the groups' lr accordingly. */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!sd || !Number.isInteger(sd.lastEpoch) || sd.lastEpoch < 0) throw new ValueError(`${name}: lastEpoch must be a non-negative integer`);
    if (!Array.isArray(sd.baseLrs) || sd.baseLrs.length !== this.baseLrs.length) {
      throw new ValueError(`${name}: ${Array.isArray(sd.baseLrs) ? sd.baseLrs.length : 'no'} base learning rates saved, the optimizer has ${this.baseLrs.length} groups`);
    }
    this.lastEpoch = sd.lastEpoch;
    sd.baseLrs.forEach((v, i) => (this.baseLrs[i] = v));
    this.apply();
  }
}

/** lr = initialLr · γ^⌊epoch / stepSize⌋: decays by γ every stepSize epochs. */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Multiplier applied at each decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<GroupBase>, opts: {
    /** Epochs between decays. */
    stepSize: number;
    /** Multiplier applied at each decay (default 0.1). */
    gamma?: number;
  }) {
    super(optimizer);
    if (!Number.isInteger(opts?.stepSize) || opts.stepSize <= 0) throw new ValueError(`StepLR: stepSize must be a positive integer, got ${String(opts?.stepSize)}`);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    if (!(this.gamma > 0) || !Number.isFinite(this.gamma)) throw new ValueError(`StepLR: gamma must be a positive number, got ${this.gamma}`);
    this.apply();
  }

  protected lrAt(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter 2017) without restarts:
 *   lr = ηmin + (initialLr − ηmin)·(1 + cos(π·epoch / tMax)) / 2
 * from initialLr at epoch 0 to ηmin at epoch tMax (the closed form, which
 * PyTorch's recursive update follows; beyond tMax the cosine continues).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of the half cosine. */
  readonly tMax: number;
  /** The lr reached at tMax. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer<GroupBase>, opts: {
    /** Epochs of the half cosine. */
    tMax: number;
    /** The lr reached at tMax (default 0). */
    etaMin?: number;
  }) {
    super(optimizer);
    if (!Number.isInteger(opts?.tMax) || opts.tMax <= 0) throw new ValueError(`CosineAnnealingLR: tMax must be a positive integer, got ${String(opts?.tMax)}`);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    if (!(this.etaMin >= 0)) throw new ValueError(`CosineAnnealingLR: etaMin must be ≥ 0, got ${this.etaMin}`);
    this.apply();
  }

  protected lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
