/** Shared helpers for the KL tests. */
import { tensor, type Tensor } from '../../src/index.js';

export const f64 = (x: Parameters<typeof tensor>[0], requiresGrad = false): Tensor =>
  tensor(x, { dtype: 'float64', requiresGrad });
export const f32 = (x: Parameters<typeof tensor>[0], requiresGrad = false): Tensor =>
  tensor(x, { dtype: 'float32', requiresGrad });

/** |a − b| ≤ rtol·|b| + atol, with a message that says by how much it failed. */
export function expectClose(a: number, b: number, rtol: number, atol = 0, what = ''): void {
  if (a === b) return; // covers equal infinities
  const err = Math.abs(a - b);
  if (!(err <= rtol * Math.abs(b) + atol)) {
    throw new Error(`${what ? what + ': ' : ''}${a} vs ${b}: |diff| = ${err.toExponential(3)}, relative ${(err / Math.abs(b)).toExponential(3)} (rtol ${rtol}, atol ${atol})`);
  }
}

/** The textbook formula, for moderate inputs where it is accurate enough. */
export const textbookKL = (m1: number, s1: number, m2: number, s2: number): number =>
  Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
