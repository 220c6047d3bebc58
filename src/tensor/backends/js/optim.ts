/**
 * Reference optimizer updates, in place on flat arrays. The formulas (and why
 * they are written this way) are in src/nn/optim/adam.ts and sgd.ts, which
 * call these through the backend so parameters are updated where they live.
 */
import type { FloatArray } from '../../dtype.js';
import type { AdamHyper, SgdHyper } from '../../backend.js';

export function adam(p: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, h: AdamHyper): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay, decoupled, step } = h;
  const stepSize = lr / (1 - b1 ** step);
  const bc2Sqrt = Math.sqrt(1 - b2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  for (let i = 0; i < p.length; i++) {
    let gi = grad[i];
    if (l2 !== 0) gi += l2 * p[i];
    if (decay !== 1) p[i] *= decay;
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    let vhat = v[i];
    if (vmax) vhat = vmax[i] = Math.max(vmax[i], vhat);
    p[i] -= (stepSize * m[i]) / (Math.sqrt(vhat) / bc2Sqrt + eps);
  }
}

export function sgd(p: FloatArray, grad: FloatArray, buf: FloatArray | null, h: SgdHyper): void {
  const { lr, momentum, dampening, weightDecay, nesterov, first } = h;
  for (let i = 0; i < p.length; i++) {
    let d = grad[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    if (buf) {
      buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
      d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}
