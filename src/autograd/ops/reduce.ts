/** Reductions, each forward beside its backward; logsumexp/softmax are composed from primitives. */
import { argmaxRaw, binaryRaw, expandRaw, normalizeAxes, reduceRaw, reducedShape, reshapeRaw, whereRaw, Tensor } from '../../tensor/index.js';
import { noGrad, record } from '../engine.js';
import { add, div, exp, log, square, sub } from './elementwise.js';
import { reshape } from './movement.js';
import { isFiniteMask } from './util.js';

/** The axes a reduction runs over: one axis, a list of them (negative ones count from the end), or undefined for all. */
export type Axes = number | readonly number[] | undefined;

/** The gradient of a reduction, reshaped with kept dims and broadcast back over x. */
function spread(g: Tensor, x: Tensor, axes: number[]): Tensor {
  return expandRaw(reshapeRaw(g, reducedShape(x.shape, axes, true)), x.shape);
}

/** The sum over `axes` (all when omitted), dimensions dropped unless `keepdim` ({@link Tensor.sum}). */
export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normalizeAxes('sum', axes, x.ndim);
  const out = reduceRaw('sum', x, ax, keepdim, 'sum');
  return record(out, 'sum', [x], (g) => [spread(g, x, ax)]);
}

/** The mean over `axes` (all when omitted; {@link Tensor.mean}). */
export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normalizeAxes('mean', axes, x.ndim);
  let count = 1;
  for (const a of ax) count *= x.shape[a];
  const out = binaryRaw('div', reduceRaw('sum', x, ax, keepdim, 'mean'), count);
  return record(out, 'mean', [x], (g) => [binaryRaw('div', spread(g, x, ax), count)]);
}

/** max/min over axes (values only, like torch.amax); tied maxima share the gradient equally. */
function extreme(op: 'max' | 'min', x: Tensor, axes: Axes, keepdim: boolean): Tensor {
  const ax = normalizeAxes(op, axes, x.ndim);
  const out = reduceRaw(op, x, ax, keepdim, op);
  return record(out, op, [x], (g) => {
    const mask = binaryRaw('eq', x, spread(out, x, ax));
    const count = spread(reduceRaw('sum', mask, ax, true), x, ax);
    return [binaryRaw('div', binaryRaw('mul', spread(g, x, ax), mask), count)];
  });
}
/** The largest value over `axes` (all when omitted; values only, like `torch.amax`; {@link Tensor.max}). */
export const max = (x: Tensor, axes?: Axes, keepdim = false): Tensor => extreme('max', x, axes, keepdim);
/** The smallest value over `axes` (all when omitted; values only, like `torch.amin`; {@link Tensor.min}). */
export const min = (x: Tensor, axes?: Axes, keepdim = false): Tensor => extreme('min', x, axes, keepdim);

/** Index of the largest value along `axis` (all elements when omitted); not differentiable. */
export const argmax = (x: Tensor, axis?: number, keepdim = false): Tensor => argmaxRaw(x, axis, keepdim);

/**
 * log Σ exp(x), stably: m + log Σ exp(x − m) with m = max(x) held constant
 * (its gradient contributions cancel exactly, so treating it as a constant is exact).
 */
export function logsumexp(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normalizeAxes('logsumexp', axes, x.ndim);
  const m = maxShift(x, ax, 'logsumexp');
  const lse = add(log(sum(exp(sub(x, m)), ax, true)), m);
  return keepdim ? lse : reshape(lse, reducedShape(x.shape, ax, false));
}

/** The max over `ax` (kept dims), as a constant; 0 where it is not finite so x − m stays defined. */
function maxShift(x: Tensor, ax: number[], op: string): Tensor {
  return noGrad(() => {
    const raw = reduceRaw('max', x, ax, true, op);
    return whereRaw(isFiniteMask(raw), raw, 0);
  });
}

/**
 * log softmax along one axis: (x − m) − log Σ exp(x − m). Subtracting m first
 * keeps the result accurate for large logits (x − (m + log Σ) would lose |x|·ε).
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const ax = normalizeAxes('logSoftmax', axis, x.ndim);
  const shifted = sub(x, maxShift(x, ax, 'logSoftmax'));
  return sub(shifted, log(sum(exp(shifted), ax, true)));
}

/** Softmax along `axis` (default: the last), computed as `exp(logSoftmax(x))` ({@link Tensor.softmax}). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/** Variance over axes (population by default, `unbiased` divides by n − 1). */
export function variance(x: Tensor, axes?: Axes, keepdim = false, unbiased = false): Tensor {
  const ax = normalizeAxes('var', axes, x.ndim);
  let count = 1;
  for (const a of ax) count *= x.shape[a];
  const centered = sub(x, mean(x, ax, true));
  const sq = sum(square(centered), ax, keepdim);
  return div(sq, unbiased ? count - 1 : count);
}

