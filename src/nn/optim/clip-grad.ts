/**
 * Gradient clipping by global norm (PyTorch's clip_grad_norm_): treats all
 * gradients as one vector; if its norm exceeds maxNorm, scales every gradient
 * by maxNorm / (norm + 1e-6), keeping the direction of the update.
 */
import { abs, concat, max, mul, noGrad, pow, reshape, sum } from '../../autograd/index.js';
import { Tensor } from '../../tensor/index.js';
import { ValueError } from '../../errors.js';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the largest absolute value). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

/** Clips gradients in place; returns the total norm before clipping. Parameters without a gradient are skipped. */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  const normType = opts.normType ?? 2;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new ValueError(`clipGradNorm: maxNorm must be a non-negative number, got ${String(maxNorm)}`);
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be positive, got ${String(normType)}`);
  const grads: Tensor[] = [];
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new ValueError('clipGradNorm: params must be Tensors');
    if (p.grad) grads.push(p.grad);
  }
  // One value per gradient, computed where the gradients live, then read back together (one transfer).
  const partials = noGrad(() => grads.map((g) => reshape(normType === Infinity ? max(abs(g)) : sum(pow(abs(g), normType)), [1])));
  const values = grads.length ? noGrad(() => concat(partials)).data : new Float32Array(0);
  let total = 0;
  if (normType === Infinity) for (const v of values) total = Math.max(total, v);
  else {
    for (const v of values) total += v;
    total = total ** (1 / normType);
  }
  if (!Number.isFinite(total)) {
    if (opts.errorIfNonfinite) throw new ValueError(`clipGradNorm: the total norm of the gradients is ${total}`);
    return total;
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => grads.forEach((g) => g.copy_(mul(g, coef))));
  return total;
}
