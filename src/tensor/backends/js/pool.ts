/** Reference 2-D pooling over NCHW. */
import type { FloatArray } from '../../dtype.js';
import type { Pool2dParams } from '../../backend.js';

/** Max pooling; `argmax` receives the flat input index of each output's winner (−1 for an all-padding window). */
export function maxPool2d(x: FloatArray, out: FloatArray, argmax: FloatArray, p: Pool2dParams): void {
  const { n, c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW } = p;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++, o++) {
        let best = -Infinity;
        let bestIdx = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * strideH - padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * strideW - padW + kj;
            if (ix < 0 || ix >= w) continue;
            const idx = base + iy * w + ix;
            const v = x[idx];
            // NaN propagates, as in PyTorch: a NaN in the window wins.
            if (v > best || bestIdx < 0 || Number.isNaN(v)) {
              best = v;
              bestIdx = idx;
              if (Number.isNaN(v)) break;
            }
          }
        }
        out[o] = best;
        argmax[o] = bestIdx;
      }
    }
  }
}

export function avgPool2d(x: FloatArray, out: FloatArray, p: Pool2dParams): void {
  const { n, c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW } = p;
  const inv = 1 / (kh * kw);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++, o++) {
        let s = 0;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * strideH - padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * strideW - padW + kj;
            if (ix >= 0 && ix < w) s += x[base + iy * w + ix];
          }
        }
        out[o] = s * inv;
      }
    }
  }
}

export function avgPool2dGrad(dy: FloatArray, out: FloatArray, p: Pool2dParams): void {
  const { n, c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW } = p;
  const inv = 1 / (kh * kw);
  out.fill(0);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++, o++) {
        const g = dy[o] * inv;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * strideH - padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * strideW - padW + kj;
            if (ix >= 0 && ix < w) out[base + iy * w + ix] += g;
          }
        }
      }
    }
  }
}

/** Scatters pooled gradients back to the input positions that won each window (the adjoint of maxPool2d). */
export function maxPool2dGrad(dy: FloatArray, argmax: FloatArray, out: FloatArray): void {
  out.fill(0);
  for (let i = 0; i < argmax.length; i++) if (argmax[i] >= 0) out[argmax[i]] += dy[i];
}
