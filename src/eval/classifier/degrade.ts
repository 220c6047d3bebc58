/**
 * Degraded digits: the ways a generated digit stops being readable, applied to
 * real ones. The evaluation classifier is trained on them (so it learns to
 * hesitate where a reader would), and its known-answer tests measure it on them.
 *
 *   gaussianBlur(x, σ)       a smudge: separable Gaussian of standard deviation σ pixels
 *   addGaussianNoise(x, s)   grain: x + s·ε, ε ~ N(0, 1) per pixel, clipped to [0, 1]
 *   blendImages(a, b, λ)     two digits in one: (1 − λ)·a + λ·b, pixel by pixel
 *
 * All take N rows of height·width pixels (28×28 unless told) and return a new
 * Float32Array; the input is never changed.
 */
import type { Generator } from '../../tensor/index.js';
import { asRows, imageGeometry, type ImageGeometry, type RowSet } from '../rows.js';
import { ShapeError, ValueError } from '../../errors.js';

function rowsOf(op: string, images: RowSet, opts: ImageGeometry): { data: ArrayLike<number>; count: number; h: number; w: number } {
  const fallback = (opts.height ?? 28) * (opts.width ?? 28);
  const rows = asRows(op, 'images', images, images instanceof Float32Array || images instanceof Float64Array ? fallback : undefined);
  const [h, w] = imageGeometry(op, rows.dim, opts);
  return { data: rows.data, count: rows.count, h, w };
}

/**
 * The normalised 1-D Gaussian kernel of standard deviation σ, radius ⌈3σ⌉:
 * k[j] ∝ exp(−j²/(2σ²)) for j = −r…r, Σ k = 1. σ = 0 gives [1] (no blur).
 */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new ValueError(`gaussianKernel: sigma must be a finite number ≥ 0, got ${sigma}`);
  if (sigma === 0) return Float64Array.of(1);
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let j = -r; j <= r; j++) s += k[j + r] = Math.exp(-(j * j) / (2 * sigma * sigma));
  for (let j = 0; j < k.length; j++) k[j] /= s;
  return k;
}

/**
 * Blurs each image with a Gaussian of standard deviation `sigma` pixels
 * (rows, then columns, with the kernel of `gaussianKernel`). Pixels outside
 * the image read as 0 (black, as MNIST's borders are), so ink that spreads
 * past the frame is lost, as it would be in a photograph of the page.
 */
export function gaussianBlur(images: RowSet, sigma: number, opts: ImageGeometry = {}): Float32Array {
  const op = 'gaussianBlur';
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new ValueError(`${op}: sigma must be a finite number ≥ 0, got ${sigma}`);
  const { data, count, h, w } = rowsOf(op, images, opts);
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const out = new Float32Array(count * h * w);
  const tmp = new Float64Array(h * w);
  for (let n = 0; n < count; n++) {
    const base = n * h * w;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let t = Math.max(-r, -j); t <= Math.min(r, w - 1 - j); t++) s += k[t + r] * data[base + i * w + j + t];
        tmp[i * w + j] = s;
      }
    }
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let t = Math.max(-r, -i); t <= Math.min(r, h - 1 - i); t++) s += k[t + r] * tmp[(i + t) * w + j];
        out[base + i * w + j] = s;
      }
    }
  }
  return out;
}

/** x + std·ε per pixel, ε ~ N(0, 1) drawn from `generator`, clipped to [0, 1] (the range of an image). */
export function addGaussianNoise(images: RowSet, std: number, generator: Generator, opts: ImageGeometry = {}): Float32Array {
  const op = 'addGaussianNoise';
  if (!(std >= 0) || !Number.isFinite(std)) throw new ValueError(`${op}: std must be a finite number ≥ 0, got ${std}`);
  const { data, count, h, w } = rowsOf(op, images, opts);
  const out = new Float32Array(count * h * w);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, data[i] + std * generator.normal()));
  return out;
}

/**
 * (1 − λ)·a + λ·b, image by image: λ = 0.5 overlays two digits at equal
 * strength (a 3/8 blend is neither a 3 nor an 8). `lambda` is one number for
 * every pair or one per pair.
 */
export function blendImages(a: RowSet, b: RowSet, lambda: number | ArrayLike<number>, opts: ImageGeometry = {}): Float32Array {
  const op = 'blendImages';
  const A = rowsOf(op, a, opts);
  const B = rowsOf(op, b, opts);
  if (A.count !== B.count || A.h !== B.h || A.w !== B.w) throw new ShapeError(`${op}: a holds ${A.count} images of ${A.h}×${A.w} but b holds ${B.count} of ${B.h}×${B.w}`);
  if (typeof lambda !== 'number' && lambda.length !== A.count) throw new ShapeError(`${op}: ${lambda.length} weights for ${A.count} image pairs`);
  const dim = A.h * A.w;
  const out = new Float32Array(A.count * dim);
  for (let n = 0; n < A.count; n++) {
    const l = typeof lambda === 'number' ? lambda : lambda[n];
    if (!(l >= 0 && l <= 1)) throw new ValueError(`${op}: weight ${l} of pair ${n} is not in [0, 1]`);
    for (let d = n * dim; d < (n + 1) * dim; d++) out[d] = (1 - l) * A.data[d] + l * B.data[d];
  }
  return out;
}
