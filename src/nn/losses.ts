/**
 * Loss functions, numerically stable at any logit. Each takes `reduction`:
 * 'mean' (default) averages over elements (over samples for crossEntropy),
 * 'sum' adds them, 'none' returns the per-element (per-sample) losses.
 */
import {
  add, binaryCrossEntropy, logSoftmax, mean, mul, neg, softplus, square, sub, sum,
} from '../autograd/index.js';
import { checkIndices, full, oneHot, shapeStr, Tensor, type TensorLike } from '../tensor/index.js';
import { Module } from './module.js';
import { ShapeError, ValueError } from '../errors.js';

/** How a loss reduces its per-element values: their mean (default), their sum, or none (the elementwise losses). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean': return mean(loss);
    case 'sum': return sum(loss);
    case 'none': return loss;
    default: throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
}

/** The target as a tensor of the input's shape: a number fills one (e.g. 1 for "real" in a GAN). */
function targetLike(op: string, input: Tensor, target: TensorLike): Tensor {
  if (!(input instanceof Tensor)) throw new ValueError(`${op}: input must be a Tensor`);
  if (typeof target === 'number') return full(input.shape, target, { dtype: input.dtype, backend: input.storage.backend });
  if (!(target instanceof Tensor)) throw new ValueError(`${op}: target must be a Tensor or a number`);
  if (target.ndim !== input.ndim || target.shape.some((d, i) => d !== input.shape[i])) {
    throw new ShapeError(`${op}: input ${shapeStr(input.shape)} and target ${shapeStr(target.shape)} must have the same shape`);
  }
  return target;
}

/** Options of `bce` and `BCELoss`. */
export interface BCEOptions extends LossOptions {
  /** Per-element rescaling, broadcast against the loss (PyTorch's `weight`). */
  weight?: Tensor;
}

/** Options of `bceWithLogits` and `BCEWithLogitsLoss`. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive term (PyTorch's `pos_weight`), broadcast over the last axis. */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy on logits x with targets y in [0, 1]:
 *   ℓ = −y·log σ(x) − (1 − y)·log(1 − σ(x)) = softplus(x) − x·y
 * and softplus is computed as max(x, 0) + log1p(e^−|x|): no overflow at any x,
 * and its derivative σ(x) gives ∂ℓ/∂x = σ(x) − y exactly (also at x = 0).
 * With posWeight w: ℓ = w·y·softplus(−x) + (1 − y)·softplus(x).
 */
export function bceWithLogits(logits: Tensor, target: TensorLike, opts: BCEWithLogitsOptions = {}): Tensor {
  const y = targetLike('bceWithLogits', logits, target);
  let loss: Tensor;
  if (opts.posWeight) {
    const pos = mul(mul(opts.posWeight, y), softplus(neg(logits)));
    loss = add(pos, mul(sub(1, y), softplus(logits)));
  } else {
    loss = sub(softplus(logits), mul(logits, y));
  }
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce('bceWithLogits', loss, opts.reduction);
}

/**
 * Binary cross-entropy on probabilities p in [0, 1]. Logs are clamped at −100
 * as in PyTorch, so p = 0 or 1 gives a finite loss and gradient; prefer
 * bceWithLogits when the logits are at hand (it is exact in the tails).
 */
export function bce(probs: Tensor, target: TensorLike, opts: BCEOptions = {}): Tensor {
  const y = targetLike('bce', probs, target);
  let loss = binaryCrossEntropy(probs, y);
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce('bce', loss, opts.reduction);
}

/** Mean squared error: (x − y)². */
export function mse(input: Tensor, target: TensorLike, opts: LossOptions = {}): Tensor {
  const y = targetLike('mse', input, target);
  return reduce('mse', square(sub(input, y)), opts.reduction);
}

/** Labels for crossEntropy/nllLoss: integers in [0, C), one per row of [N, C]. */
function classLabels(op: string, input: Tensor, labels: Tensor | ArrayLike<number>): Int32Array {
  if (!(input instanceof Tensor) || input.ndim !== 2) {
    throw new ShapeError(`${op}: input must be 2-D [N, C], got ${input instanceof Tensor ? shapeStr(input.shape) : typeof input}`);
  }
  const n = labels instanceof Tensor ? labels.size : labels?.length;
  if (labels instanceof Tensor && labels.ndim !== 1) throw new ShapeError(`${op}: labels must be 1-D [N], got shape ${shapeStr(labels.shape)}`);
  if (n !== input.shape[0]) throw new ShapeError(`${op}: input ${shapeStr(input.shape)} has ${input.shape[0]} rows but there are ${String(n)} labels`);
  return checkIndices(op, labels, input.shape[1]);
}

/** A [N, C] 0/1 mask with a 1 at each row's label. */
function labelMask(labels: Int32Array, c: number, like: Tensor): Tensor {
  return oneHot(labels, c, { dtype: like.dtype, backend: like.storage.backend });
}

/** Negative log-likelihood of log-probabilities [N, C] at integer labels [N]: −logp[i, yᵢ]. */
export function nllLoss(logProbs: Tensor, labels: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  const idx = classLabels('nllLoss', logProbs, labels);
  const picked = neg(sum(mul(logProbs, labelMask(idx, logProbs.shape[1], logProbs)), 1));
  return reduce('nllLoss', picked, opts.reduction);
}

/**
 * Cross-entropy of logits [N, C]: −log softmax(x)[yᵢ] = logsumexp(xᵢ) − xᵢ[yᵢ]
 * (stable: logSoftmax subtracts each row's max). Targets are integer labels [N],
 * or class probabilities [N, C] (soft targets): −Σ_c p_c·log softmax(x)_c.
 * ∂ℓ/∂x = softmax(x) − onehot(y).
 */
export function crossEntropy(logits: Tensor, target: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (target instanceof Tensor && target.ndim === 2) {
    const p = targetLike('crossEntropy', logits, target);
    return reduce('crossEntropy', neg(sum(mul(logSoftmax(logits, 1), p), 1)), opts.reduction);
  }
  const idx = classLabels('crossEntropy', logits, target);
  const picked = neg(sum(mul(logSoftmax(logits, 1), labelMask(idx, logits.shape[1], logits)), 1));
  return reduce('crossEntropy', picked, opts.reduction);
}

// ---- the same losses as modules (PyTorch's nn.BCEWithLogitsLoss, ...) ----

/** `bceWithLogits` as a module: the loss of logits against targets in [0, 1]. */
export class BCEWithLogitsLoss extends Module<[Tensor, TensorLike], Tensor> {
  /** @param options Reduction and weights, as the function takes them. */
  constructor(readonly options: BCEWithLogitsOptions = {}) {
    super();
  }

  override forward(logits: Tensor, target: TensorLike): Tensor {
    return bceWithLogits(logits, target, this.options);
  }
}

/** `bce` as a module: the loss of probabilities against targets in [0, 1]. */
export class BCELoss extends Module<[Tensor, TensorLike], Tensor> {
  /** @param options Reduction and weights, as the function takes them. */
  constructor(readonly options: BCEOptions = {}) {
    super();
  }

  override forward(probs: Tensor, target: TensorLike): Tensor {
    return bce(probs, target, this.options);
  }
}

/** `mse` as a module. */
export class MSELoss extends Module<[Tensor, TensorLike], Tensor> {
  /** @param options Reduction and weights, as the function takes them. */
  constructor(readonly options: LossOptions = {}) {
    super();
  }

  override forward(input: Tensor, target: TensorLike): Tensor {
    return mse(input, target, this.options);
  }
}

/** `crossEntropy` as a module: logits [N, C] against integer labels or class probabilities. */
export class CrossEntropyLoss extends Module<[Tensor, Tensor | ArrayLike<number>], Tensor> {
  /** @param options Reduction and weights, as the function takes them. */
  constructor(readonly options: LossOptions = {}) {
    super();
  }

  override forward(logits: Tensor, target: Tensor | ArrayLike<number>): Tensor {
    return crossEntropy(logits, target, this.options);
  }
}
