/**
 * Seeded data and the layout conversions the benchmarks share (`npm run bench`
 * in Node, `npm run bench:browser` on both sides of the page). Plain ES module
 * without Node imports: the browser benchmark's page loads this same file.
 */

/** Seeded values in [-1, 1) (xorshift32): the same arrays feed every engine. */
export function randomArray(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** NCHW → NHWC (tfjs's layout). */
export function nchwToNhwc(a, [n, c, h, w]) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((i * h + y) * w + x) * c + ch] = a[((i * c + ch) * h + y) * w + x];
  return out;
}

/** Conv weights OIHW (genzoo, PyTorch) → HWIO (tfjs). */
export function oihwToHwio(a, [o, i, kh, kw]) {
  const out = new Float32Array(a.length);
  for (let oo = 0; oo < o; oo++) for (let ii = 0; ii < i; ii++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * i + ii) * o + oo] = a[((oo * i + ii) * kh + y) * kw + x];
  return out;
}

/** A row-major [rows, cols] matrix transposed: genzoo's Linear weight [out, in] → tfjs's x·W operand [in, out]. */
export function transpose(a, rows, cols) {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
