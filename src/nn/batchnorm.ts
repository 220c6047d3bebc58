/**
 * Batch normalisation (Ioffe & Szegedy 2015), composed from autograd ops so its
 * gradient (through the batch mean and variance) comes from the graph.
 *
 * Per channel c (axis 1), over every other axis (n values):
 *   training:  μ = mean(x),  σ² = mean((x − μ)²)        (biased: what normalises)
 *              running_mean ← (1 − m)·running_mean + m·μ
 *              running_var  ← (1 − m)·running_var  + m·σ²·n/(n − 1)   (unbiased, as PyTorch)
 *   eval:      μ, σ² = running_mean, running_var
 *   y = (x − μ) / √(σ² + ε) · γ + β
 * With momentum null the running statistics are a cumulative average (m = 1/t at batch t).
 */
import { noGrad, mean, reshape, square, sqrt, sub, div, mul, add } from '../autograd/index.js';
import { ones, scalar, shapeStr, zeros, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { layerDType, positiveInt, type LayerOptions } from './options.js';
import { ShapeError, ValueError } from '../errors.js';

/** Options of the functional `batchNorm`. */
export interface BatchNormFunctionOptions {
  /** Use (and update) batch statistics; otherwise normalise with the running ones. */
  training: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/**
 * Functional batch norm (PyTorch's F.batch_norm) on x [N, C, ...]. Running
 * statistics (shape [C]) are updated in place when training; without them
 * batch statistics are always used.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight: Tensor | null, bias: Tensor | null, opts: BatchNormFunctionOptions,
): Tensor {
  const { training } = opts;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const c = x.shape[1];
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== c)) throw new ShapeError(`batchNorm: ${name} ${shapeStr(t.shape)} does not match the ${c} channels of input ${shapeStr(x.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new ValueError('batchNorm: give both runningMean and runningVar, or neither');
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const n = x.size / c;
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1)); // [1, C, 1, ...] broadcasts over x
  const useBatchStats = training || runningMean === null;

  let xhat: Tensor;
  if (useBatchStats) {
    if (n <= 1) throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input of shape ${shapeStr(x.shape)}`);
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const var_ = mean(square(centered), axes, true);
    xhat = div(centered, sqrt(add(var_, eps)));
    if (training && runningMean && runningVar) {
      // In place, on the backend that holds them: r ← (1 − momentum)·r + momentum·batch (variance unbiased).
      noGrad(() => {
        const unbias = n / (n - 1);
        runningMean.copy_(add(mul(runningMean, 1 - momentum), mul(reshape(mu, [c]), momentum)));
        runningVar.copy_(add(mul(runningVar, 1 - momentum), mul(reshape(var_, [c]), momentum * unbias)));
      });
    }
  } else {
    const rm = reshape(runningMean!, perChannel);
    const rv = reshape(runningVar!, perChannel);
    xhat = div(sub(x, rm), sqrt(add(rv, eps)));
  }
  let y = xhat;
  if (weight) y = mul(y, reshape(weight, perChannel));
  if (bias) y = add(y, reshape(bias, perChannel));
  return y;
}

/** Options of `BatchNorm1d` and `BatchNorm2d`. */
export interface BatchNormOptions extends LayerOptions {
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null = cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale γ (weight) and shift β (bias) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm1d and BatchNorm2d, which differ only in the input ranks they accept. */
export abstract class BatchNorm extends Module {
  /** Channels (features) normalised. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Weight of each new batch in the running statistics; null = cumulative average. */
  momentum: number | null;
  /** Whether γ (weight) and β (bias) are learned. */
  readonly affine: boolean;
  /** Whether running statistics are kept for eval mode. */
  readonly trackRunningStats: boolean;
  /** The input ranks the layer accepts (2 or 3 for BatchNorm1d, 4 for BatchNorm2d). */
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const name = new.target.name;
    this.numFeatures = positiveInt(name, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new ValueError(`${name}: eps must be positive, got ${this.eps}`);
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`${name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = layerDType(name, opts);
    this.registerParameter('weight', this.affine ? ones([numFeatures], { dtype }) : null);
    this.registerParameter('bias', this.affine ? zeros([numFeatures], { dtype }) : null);
    // PyTorch's buffer names, so checkpoints carry over (num_batches_tracked is an int64 there).
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? scalar(0, { dtype }) : null);
  }

  /** The per-channel scale γ, [C], or null without `affine`. */
  get weight(): Tensor | null {
    return this.param('weight');
  }

  /** The per-channel shift β, [C], or null without `affine`. */
  get bias(): Tensor | null {
    return this.param('bias');
  }

  /** Running mean, [C], or null without running statistics. */
  get runningMean(): Tensor | null {
    return this.buffer('running_mean');
  }

  /** Running unbiased variance, [C], or null without running statistics. */
  get runningVar(): Tensor | null {
    return this.buffer('running_var');
  }

  /** Training batches seen (a 0-d tensor), or null without running statistics. */
  get numBatchesTracked(): Tensor | null {
    return this.buffer('num_batches_tracked');
  }

  /** Resets the running mean to 0, the running variance to 1 and the batch count to 0. */
  resetRunningStats(): void {
    const fill = (t: Tensor | null, v: number): void => void t?.copy_(new Float64Array(t.size).fill(v));
    fill(this.runningMean, 0);
    fill(this.runningVar, 1);
    fill(this.numBatchesTracked, 0);
  }

  override forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!this.ranks.includes(x.ndim)) {
      throw new ShapeError(`${name}: expected a ${this.ranks.map((r) => `${r}-D`).join(' or ')} input [N, C${this.ranks[0] > 2 ? ', H, W' : ''}], got shape ${shapeStr(x.shape)}`);
    }
    if (x.shape[1] !== this.numFeatures) throw new ShapeError(`${name}: input ${shapeStr(x.shape)} has ${x.shape[1]} channels, expected ${this.numFeatures}`);
    const tracked = this.training ? this.numBatchesTracked : null;
    // The cumulative average (momentum null) needs the count on the host; a fixed momentum does not (no readback on a GPU).
    const momentum = this.momentum ?? (tracked ? 1 / (tracked.item() + 1) : 0);
    const y = batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum, eps: this.eps });
    if (tracked) noGrad(() => tracked.copy_(add(tracked, 1))); // counted only once the batch was accepted
    return y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over [N, C] or [N, C, L] (per feature C). */
export class BatchNorm1d extends BatchNorm {
  /** [N, C] or [N, C, L]. */
  protected readonly ranks = [2, 3];
}

/** Batch norm over [N, C, H, W] (per channel C). */
export class BatchNorm2d extends BatchNorm {
  /** [N, C, H, W]. */
  protected readonly ranks = [4];
}
