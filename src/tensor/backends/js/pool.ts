/** Reference 2-D pooling over NCHW. */
import type { FloatArray } from '../../dtype.js';
import type { Pool2dParams } from '../../backend.js';

/** Max pooling; `argmax` receives the flat input index of each output's winner (−1 for an all-padding window). */
export function maxPool2d(x: FloatArray, out: FloatArray, argmax: FloatArray, p: Pool2dParams): void {
  const { n, c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW } = p;
  if (kh === 2 && kw === 2 && padH === 0 && padW === 0) return maxPool2x2(x, out, argmax, p);
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

/**
 * The common 2×2 window without padding (every window inside the image), with
 * the general loop's rule unrolled: the first of equal maxima wins, a NaN wins
 * and ends the window. The general loop's bounds checks per tap made pooling a
 * conv classifier's largest JS cost.
 */
function maxPool2x2(x: FloatArray, out: FloatArray, argmax: FloatArray, p: Pool2dParams): void {
  const { n, c, h, w, ho, wo, strideH, strideW } = p;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < ho; oy++) {
      const r0 = base + oy * strideH * w;
      for (let ox = 0; ox < wo; ox++, o++) {
        const i0 = r0 + ox * strideW;
        let bi = i0;
        let b = x[i0];
        if (b === b) {
          // Taps in the general loop's order: (0, 1), (1, 0), (1, 1).
          let v = x[i0 + 1];
          if (v > b || v !== v) { b = v; bi = i0 + 1; }
          if (b === b) {
            v = x[i0 + w];
            if (v > b || v !== v) { b = v; bi = i0 + w; }
            if (b === b) {
              v = x[i0 + w + 1];
              if (v > b || v !== v) { b = v; bi = i0 + w + 1; }
            }
          }
        }
        out[o] = b;
        argmax[o] = bi;
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
