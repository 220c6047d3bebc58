/**
 * Reference data-movement kernels on flat arrays: the strided gather behind
 * permute/slice/expand/pad, concatenation, and indexed row gathers/scatters.
 */
import type { FloatArray } from '../../dtype.js';
import type { GatherParams } from '../../backend.js';

/**
 * Advances a row-major odometer over dimensions `nd − 2 … 0` (the last one is
 * walked by the caller's inner loop), moving each operand's position by its
 * strides; returns the positions. One helper for every strided loop in the
 * reference kernels (gather, where), so the carry logic lives in one place.
 */
export function advance(idx: number[], shape: readonly number[], strides: ReadonlyArray<readonly number[]>, pos: number[]): void {
  for (let d = shape.length - 2; d >= 0; d--) {
    idx[d]++;
    for (let k = 0; k < pos.length; k++) pos[k] += strides[k][d];
    if (idx[d] < shape[d]) return;
    for (let k = 0; k < pos.length; k++) pos[k] -= strides[k][d] * shape[d];
    idx[d] = 0;
  }
}

/** See GatherParams: out (contiguous, shape g.shape) from a strided, optionally padded read of x. */
export function gather(x: FloatArray, out: FloatArray, g: GatherParams): void {
  const { shape, strides, offset, pad } = g;
  const n = out.length;
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) {
    out[0] = x[offset];
    return;
  }
  const last = shape[nd - 1];
  const ls = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  if (!pad) {
    const pos = [offset];
    for (let o = 0; o < n; o += last) {
      const src = pos[0];
      if (ls === 1) out.set(x.subarray(src, src + last), o);
      else for (let j = 0; j < last; j++) out[o + j] = x[src + j * ls];
      advance(idx, shape, [strides], pos);
    }
    return;
  }
  // Padded: the row's source start may point outside x (negative coordinates); it is read only where valid.
  const { before, extent, value } = pad;
  let start = offset;
  for (let d = 0; d < nd; d++) start -= before[d] * strides[d];
  const pos = [start];
  const lo = Math.min(last, Math.max(0, before[nd - 1]));
  const hi = Math.min(last, Math.max(lo, before[nd - 1] + extent[nd - 1]));
  for (let o = 0; o < n; o += last) {
    let rowValid = true;
    for (let d = 0; d < nd - 1; d++) {
      const c = idx[d] - before[d];
      if (c < 0 || c >= extent[d]) { rowValid = false; break; }
    }
    if (!rowValid || hi === lo) {
      out.fill(value, o, o + last);
    } else {
      if (lo > 0) out.fill(value, o, o + lo);
      const src = pos[0];
      for (let j = lo; j < hi; j++) out[o + j] = x[src + j * ls];
      if (hi < last) out.fill(value, o + hi, o + last);
    }
    advance(idx, shape, [strides], pos);
  }
}

/** Each xs[i] viewed [outer, widths[i]] joined along the second axis into out [outer, Σ widths]. */
export function concat(xs: readonly FloatArray[], out: FloatArray, outer: number, widths: readonly number[]): void {
  let total = 0;
  for (const w of widths) total += w;
  let offset = 0;
  xs.forEach((x, i) => {
    const w = widths[i];
    if (w <= 64) {
      // Narrow pieces (a one-hot label beside each row of activations): a plain loop, not a subarray view per row.
      for (let o = 0; o < outer; o++) {
        const src = o * w;
        const dst = o * total + offset;
        for (let j = 0; j < w; j++) out[dst + j] = x[src + j];
      }
    } else {
      for (let o = 0; o < outer; o++) out.set(x.subarray(o * w, (o + 1) * w), o * total + offset);
    }
    offset += w;
  });
}

/** out [outer, m, inner] = rows idx[j] of x [outer, n, inner] (PyTorch's index_select). */
export function indexSelect(x: FloatArray, out: FloatArray, idx: Int32Array, outer: number, n: number, inner: number): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + idx[j]) * inner;
      out.set(x.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
}

/** out [outer, n, inner] = zeros with row j of g [outer, m, inner] added at idx[j] (repeats accumulate). */
export function indexAdd(g: FloatArray, out: FloatArray, idx: Int32Array, outer: number, n: number, inner: number): void {
  const m = idx.length;
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * m + j) * inner;
      const dst = (o * n + idx[j]) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += g[src + i];
    }
  }
}
