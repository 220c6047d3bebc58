/** Reference reduction of the middle axis of [outer, r, inner]. */
import type { FloatArray } from '../../dtype.js';
import type { ReduceOp } from '../../backend.js';

export function reduce(op: ReduceOp, x: FloatArray, out: FloatArray, outer: number, r: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    const ob = o * inner;
    if (op === 'sum') {
      for (let i = 0; i < inner; i++) out[ob + i] = 0;
      // Accumulate row by row so the inner loop is contiguous; float64 accumulator rows
      // would cost an allocation per call, and float32 rounding here matches other backends.
      for (let j = 0; j < r; j++) {
        const row = base + j * inner;
        for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
      }
    } else {
      const isMax = op === 'max';
      for (let i = 0; i < inner; i++) {
        let best = r > 0 ? x[base + i] : isMax ? -Infinity : Infinity;
        for (let j = 1; j < r; j++) {
          const v = x[base + j * inner + i];
          if (Number.isNaN(v)) { best = v; break; }
          if (isMax ? v > best : v < best) best = v;
        }
        out[ob + i] = best;
      }
    }
  }
}

/** Index (as a float) of the first maximum along the middle axis of [outer, r, inner]. */
export function argmax(x: FloatArray, out: FloatArray, outer: number, r: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let best = 0;
      let bv = x[base];
      for (let j = 1; j < r; j++) {
        const v = x[base + j * inner];
        if (v > bv) { bv = v; best = j; }
      }
      out[o * inner + i] = best;
    }
  }
}
