/**
 * Reference convolution by im2col + matmul, per image:
 *   forward      Y[n]  = W · col(X[n])            W: [o, c·kh·kw], col: [c·kh·kw, ho·wo]
 *   grad input   dX[n] = col2im(Wᵀ · dY[n])
 *   grad weight  dW   += dY[n] · col(X[n])ᵀ
 * The transposes are matmul flags, never copies.
 */
import { allocate, dtypeOf, type FloatArray } from '../../dtype.js';
import type { Conv2dParams } from '../../backend.js';
import { matmul } from './matmul.js';

/** Unfolds one image [c, h, w] into columns [c·kh·kw, ho·wo]; out-of-image taps are 0. */
export function im2col(x: FloatArray, xOffset: number, col: FloatArray, p: Conv2dParams): void {
  const { c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW, dilationH, dilationW } = p;
  const hw = ho * wo;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const rowBase = ((ci * kh + ki) * kw + kj) * hw;
        for (let oy = 0; oy < ho; oy++) {
          const iy = oy * strideH - padH + ki * dilationH;
          const dst = rowBase + oy * wo;
          if (iy < 0 || iy >= h) {
            col.fill(0, dst, dst + wo);
            continue;
          }
          const src = xOffset + (ci * h + iy) * w;
          for (let ox = 0; ox < wo; ox++) {
            const ix = ox * strideW - padW + kj * dilationW;
            col[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0;
          }
        }
      }
    }
  }
}

/** Folds columns back into one image, adding overlapping taps (the adjoint of im2col). */
export function col2im(col: FloatArray, x: FloatArray, xOffset: number, p: Conv2dParams): void {
  const { c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW, dilationH, dilationW } = p;
  const hw = ho * wo;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const rowBase = ((ci * kh + ki) * kw + kj) * hw;
        for (let oy = 0; oy < ho; oy++) {
          const iy = oy * strideH - padH + ki * dilationH;
          if (iy < 0 || iy >= h) continue;
          const dst = xOffset + (ci * h + iy) * w;
          const src = rowBase + oy * wo;
          for (let ox = 0; ox < wo; ox++) {
            const ix = ox * strideW - padW + kj * dilationW;
            if (ix >= 0 && ix < w) x[dst + ix] += col[src + ox];
          }
        }
      }
    }
  }
}

function colFor(x: FloatArray, p: Conv2dParams): FloatArray {
  return allocate(dtypeOf(x), p.c * p.kh * p.kw * p.ho * p.wo);
}

export function conv2d(x: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void {
  const ckk = p.c * p.kh * p.kw;
  const hw = p.ho * p.wo;
  const col = colFor(x, p);
  const yImg = allocate(dtypeOf(out), p.o * hw);
  for (let ni = 0; ni < p.n; ni++) {
    im2col(x, ni * p.c * p.h * p.w, col, p);
    matmul(w, col, yImg, { batch: 1, m: p.o, n: hw, k: ckk, transA: false, transB: false, strideA: 0, strideB: 0 });
    out.set(yImg, ni * p.o * hw);
  }
}

export function conv2dGradInput(dy: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void {
  const ckk = p.c * p.kh * p.kw;
  const hw = p.ho * p.wo;
  const col = colFor(dy, p);
  out.fill(0);
  for (let ni = 0; ni < p.n; ni++) {
    // col = Wᵀ · dY[n]: W stored [o, ckk] read as [ckk, o]
    matmul(w, dy.subarray(ni * p.o * hw, (ni + 1) * p.o * hw), col, { batch: 1, m: ckk, n: hw, k: p.o, transA: true, transB: false, strideA: 0, strideB: 0 });
    col2im(col, out, ni * p.c * p.h * p.w, p);
  }
}

export function conv2dGradWeight(x: FloatArray, dy: FloatArray, out: FloatArray, p: Conv2dParams): void {
  const ckk = p.c * p.kh * p.kw;
  const hw = p.ho * p.wo;
  const col = colFor(x, p);
  const part = allocate(dtypeOf(out), p.o * ckk);
  out.fill(0);
  for (let ni = 0; ni < p.n; ni++) {
    im2col(x, ni * p.c * p.h * p.w, col, p);
    // dW += dY[n] · colᵀ: col stored [ckk, hw] read as [hw, ckk]
    matmul(dy.subarray(ni * p.o * hw, (ni + 1) * p.o * hw), col, part, { batch: 1, m: p.o, n: ckk, k: hw, transA: false, transB: true, strideA: 0, strideB: 0 });
    for (let i = 0; i < part.length; i++) out[i] += part[i];
  }
}
