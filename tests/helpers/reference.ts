/**
 * Straightforward float64 references for forward kernels, written from the
 * definitions with index arithmetic (no shared code with src/): what genzoo's
 * kernels are checked against in tests/tensor.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';

/** A plain n-d array: row-major values and a shape. */
export interface Arr {
  shape: number[];
  data: number[];
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Multi-index of flat position `i`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
  return i;
}

export const get = (a: Arr, idx: readonly number[]): number => a.data[ravel(idx, a.shape)];

export function fromFn(shape: number[], f: (idx: number[]) => number): Arr {
  const data = new Array<number>(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(unravel(i, shape));
  return { shape, data };
}

/** Reads `a` at an index of a broadcast result (size-1 and missing leading dims broadcast). */
export function broadcastGet(a: Arr, outIdx: readonly number[]): number {
  const lead = outIdx.length - a.shape.length;
  return get(a, a.shape.map((d, i) => (d === 1 ? 0 : outIdx[i + lead])));
}

export function refBinary(f: (x: number, y: number) => number, a: Arr, b: Arr, outShape: number[]): Arr {
  return fromFn(outShape, (idx) => f(broadcastGet(a, idx), broadcastGet(b, idx)));
}

/** Batched matmul with NumPy semantics (batch dims broadcast), naive triple loop. */
export function refMatmul(a: Arr, b: Arr): Arr {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const nb = Math.max(ba.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < nb; i++) {
    const da = ba[i - (nb - ba.length)] ?? 1;
    const db = bb[i - (nb - bb.length)] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  return fromFn([...batch, m, n], (idx) => {
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    let s = 0;
    for (let q = 0; q < k; q++) {
      s += broadcastGet(a, [...bi, i, q]) * broadcastGet(b, [...bi, q, j]);
    }
    return s;
  });
}

export interface Conv2dRefOpts {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

/** Direct cross-correlation: y[n,o,i,j] = Σ_c,ki,kj x[n,c,i·s−p+ki·d, j·s−p+kj·d] · w[o,c,ki,kj]. */
export function refConv2d(x: Arr, w: Arr, o: Conv2dRefOpts): Arr {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const [sh, sw] = o.stride;
  const [ph, pw] = o.padding;
  const [dh, dw] = o.dilation;
  const HO = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const WO = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  return fromFn([N, O, HO, WO], ([n, oc, i, j]) => {
    let s = 0;
    for (let c = 0; c < C; c++) {
      for (let ki = 0; ki < KH; ki++) {
        for (let kj = 0; kj < KW; kj++) {
          const y = i * sh - ph + ki * dh;
          const xx = j * sw - pw + kj * dw;
          if (y >= 0 && y < H && xx >= 0 && xx < W) s += get(x, [n, c, y, xx]) * get(w, [oc, c, ki, kj]);
        }
      }
    }
    return s;
  });
}

/**
 * Transposed convolution as its scatter definition: every input pixel adds
 * x[n,ci,i,j]·w[ci,co,ki,kj] at output (i·s − p + ki·d, j·s − p + kj·d).
 */
export function refConvTranspose2d(x: Arr, w: Arr, o: Conv2dRefOpts & { outputPadding: [number, number] }): Arr {
  const [N, CI, H, W] = x.shape;
  const [, CO, KH, KW] = w.shape;
  const [sh, sw] = o.stride;
  const [ph, pw] = o.padding;
  const [dh, dw] = o.dilation;
  const HO = (H - 1) * sh - 2 * ph + dh * (KH - 1) + o.outputPadding[0] + 1;
  const WO = (W - 1) * sw - 2 * pw + dw * (KW - 1) + o.outputPadding[1] + 1;
  const out = { shape: [N, CO, HO, WO], data: new Array<number>(N * CO * HO * WO).fill(0) };
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < CI; ci++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          for (let co = 0; co < CO; co++) {
            for (let ki = 0; ki < KH; ki++) {
              for (let kj = 0; kj < KW; kj++) {
                const y = i * sh - ph + ki * dh;
                const xx = j * sw - pw + kj * dw;
                if (y >= 0 && y < HO && xx >= 0 && xx < WO) {
                  out.data[ravel([n, co, y, xx], out.shape)] += get(x, [n, ci, i, j]) * get(w, [ci, co, ki, kj]);
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export interface PoolRefOpts {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Max or average (padding counted as zeros in the divisor, PyTorch's default) over each window. */
export function refPool2d(kind: 'max' | 'avg', x: Arr, o: PoolRefOpts): Arr {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = o.kernel;
  const [sh, sw] = o.stride;
  const [ph, pw] = o.padding;
  const HO = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const WO = Math.floor((W + 2 * pw - kw) / sw) + 1;
  return fromFn([N, C, HO, WO], ([n, c, i, j]) => {
    let best = -Infinity;
    let sum = 0;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const y = i * sh - ph + ki;
        const xx = j * sw - pw + kj;
        if (y >= 0 && y < H && xx >= 0 && xx < W) {
          const v = get(x, [n, c, y, xx]);
          best = Math.max(best, v);
          sum += v;
        }
      }
    }
    return kind === 'max' ? best : sum / (kh * kw);
  });
}

/** Reduction over `axes` (all when undefined) by folding `f` from `init`. */
export function refReduce(x: Arr, axes: number[] | undefined, keepdim: boolean, init: number, f: (acc: number, v: number) => number): Arr {
  const nd = x.shape.length;
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + nd : a));
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const acc = new Array<number>(size(keptShape)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (ax.includes(d) ? 0 : v));
    const o = ravel(idx, keptShape);
    acc[o] = f(acc[o], x.data[i]);
  }
  return { shape: keepdim ? keptShape : x.shape.filter((_, i) => !ax.includes(i)), data: acc };
}

export function refPermute(x: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => x.shape[p]);
  return fromFn(shape, (idx) => {
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => (src[p] = idx[i]));
    return get(x, src);
  });
}

/** widths: [before, after] for the trailing dims. */
export function refPad(x: Arr, widths: Array<[number, number]>, value: number): Arr {
  const lead = x.shape.length - widths.length;
  const full = x.shape.map((_, i) => (i < lead ? [0, 0] : widths[i - lead]));
  const shape = x.shape.map((d, i) => d + full[i][0] + full[i][1]);
  return fromFn(shape, (idx) => {
    const src = idx.map((v, i) => v - full[i][0]);
    return src.every((v, i) => v >= 0 && v < x.shape[i]) ? get(x, src) : value;
  });
}

export function refConcat(xs: Arr[], axis: number): Arr {
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  return fromFn(shape, (idx) => {
    let k = idx[axis];
    for (const x of xs) {
      if (k < x.shape[axis]) {
        const src = idx.slice();
        src[axis] = k;
        return get(x, src);
      }
      k -= x.shape[axis];
    }
    throw new Error('unreachable');
  });
}

export const toArr = (t: Tensor): Arr => ({ shape: t.shape.slice(), data: Array.from(t.data) });

// ---------------------------------------------------------------- assertions and arbitraries

/** Same shape and values within `tol` relative to max(1, |expected|). */
export function expectClose(actual: Tensor | Arr, expected: Arr, tol = 1e-12): void {
  const a = 'size' in actual ? toArr(actual) : actual;
  expect(a.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const v = a.data[i];
    if (Number.isNaN(e) ? !Number.isNaN(v) : !(Math.abs(v - e) <= tol * Math.max(1, Math.abs(e)) || v === e)) {
      throw new Error(`element ${i} (index [${unravel(i, expected.shape).join(', ')}]): got ${v}, expected ${e}`);
    }
  }
}

export const arrArb = (shape: number[], min = -3, max = 3): fc.Arbitrary<Arr> =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: size(shape), maxLength: size(shape) }).map((data) => ({ shape, data }));
