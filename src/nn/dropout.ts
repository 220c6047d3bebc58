/**
 * Dropout (Srivastava et al. 2014): in training, each element is zeroed with
 * probability p and the survivors are scaled by 1/(1 − p), so the expected
 * output equals the input and eval mode can be the identity. The mask is drawn
 * from a seeded Generator: same seed, same mask.
 */
import { mul } from '../autograd/index.js';
import { allocate, defaultGenerator, fromArray, Tensor, zerosLike, type Generator } from '../tensor/index.js';
import { Module } from './module.js';
import { ValueError } from '../errors.js';

function checkP(op: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: probability p must be in [0, 1], got ${String(p)}`);
}

/** Functional dropout (PyTorch's F.dropout): identity unless `training`. */
export function dropout(x: Tensor, p = 0.5, training = true, opts: { generator?: Generator } = {}): Tensor {
  checkP('dropout', p);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, zerosLike(x));
  const g = opts.generator ?? defaultGenerator();
  const keep = 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = g.random() >= p ? keep : 0;
  return mul(x, fromArray(mask, x.shape, { backend: x.storage.backend }));
}

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Draws the masks (default: the global generator). */
  generator?: Generator;
}

/** Zeroes each element with probability p in training and scales the rest by 1/(1 − p); the identity in eval mode. Masks are seeded. */
export class Dropout extends Module {
  /** Probability of zeroing an element. */
  readonly p: number;
  /** Draws the masks (undefined: the global generator). */
  generator: Generator | undefined;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkP('Dropout', p);
    this.p = p;
    this.generator = opts.generator;
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, { generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
