/**
 * When a run has gone wrong numerically, and what counts as "wrong".
 *
 * The rule (documented in README "What happens when…"), checked after every step:
 *   1. a loss that is NaN or ±Infinity, or
 *   2. a loss whose magnitude exceeds LOSS_LIMIT = 1e5
 * stops training at that step, before anything is written; and before every
 * checkpoint, every tensor to be saved (weights, buffers, optimizer state) must
 * be finite, so a NaN that appears in the last update of an epoch is caught too.
 * The last good checkpoint stays.
 *
 * Why 1e5: every genzoo loss is per sample. The largest is a reconstruction
 * term, a sum of 784 per-pixel binary cross-entropies that starts at
 * 784·ln 2 ≈ 543 and falls; GAN losses are BCEs of a single logit, and a BCE
 * of L needs a logit off by about L. So 1e5 means logits off by more than 100
 * on every pixel, or a discriminator logit of 1e5 — far past the ±17 at which
 * float32's sigmoid is already saturated: no gradient can bring such a run
 * back. The largest healthy value measured (a conv CVAE-GAN's class-feature
 * term early in training) is about 940, two orders of magnitude below. A GAN
 * at a learning rate of 10 reaches 1e6–1e9 within its first steps.
 */
import type { Tensor } from '../tensor/index.js';
import { ValueError } from '../errors.js';

/** A loss whose magnitude exceeds this stops training as diverged (why 1e5: the file comment). */
export const LOSS_LIMIT = 1e5;

/** A loss that breaks the divergence rule (see {@link checkLosses}). */
export interface LossProblem {
  /** The loss's name (one of the model's `lossNames`). */
  name: string;
  /** Its value at that step. */
  value: number;
  /** 'non-finite': NaN or ±Infinity; 'exploded': |value| > {@link LOSS_LIMIT}. */
  reason: 'non-finite' | 'exploded';
}

/** The first loss (in `names` order) that breaks the rule, or null. */
export function checkLosses(losses: Record<string, number>, names: readonly string[]): LossProblem | null {
  for (const name of names) {
    const value = losses[name];
    if (!Number.isFinite(value)) return { name, value, reason: 'non-finite' };
    if (Math.abs(value) > LOSS_LIMIT) return { name, value, reason: 'exploded' };
  }
  return null;
}

/** Where {@link firstNonFinite} found a NaN or ±Infinity. */
export interface NonFiniteValue {
  /** The tensor's name in the record. */
  tensor: string;
  /** Flat (row-major) index of the first bad element. */
  index: number;
  /** The element: NaN, Infinity or -Infinity. */
  value: number;
  /** The tensor's number of elements. */
  size: number;
}

/** The first NaN or ±Infinity in a record of tensors (in key order), or null. */
export function firstNonFinite(tensors: Record<string, Tensor>): NonFiniteValue | null {
  for (const [tensor, t] of Object.entries(tensors)) {
    const data = t.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) return { tensor, index: i, value: data[i], size: data.length };
    }
  }
  return null;
}

/** "tensor 'E.fc1.weight' holds NaN (element 12 of 12544)". */
export function describeNonFinite(v: NonFiniteValue): string {
  return `tensor '${v.tensor}' holds ${v.value} (element ${v.index} of ${v.size})`;
}

/** Thrown instead of writing a checkpoint or model file that holds a non-finite value. */
export class NonFiniteError extends ValueError {
  constructor(
    /** The file that was not written. */
    readonly path: string,
    /** The first non-finite element found. */
    readonly found: NonFiniteValue,
  ) {
    super(`refusing to write ${path}: ${describeNonFinite(found)}`);
    this.name = 'NonFiniteError';
  }
}
