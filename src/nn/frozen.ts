/**
 * Freezing parameters for part of a computation: a GAN's generator step runs
 * the discriminator without computing the discriminator's weight-gradients
 * (it is not being updated then), which saves their backward matmuls.
 */
import type { Tensor } from '../tensor/index.js';

/**
 * Runs `fn` with `params` excluded from gradient accumulation (their
 * weight-gradients are not even computed), then restores each parameter's
 * previous `requiresGrad` — also when `fn` throws.
 */
export function withFrozen<T>(params: readonly Tensor[], fn: () => T): T {
  const before = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return fn();
  } finally {
    params.forEach((p, i) => (p.requiresGrad = before[i]));
  }
}
