/**
 * Sharpness: how much fine detail (edges, stroke boundaries) images carry,
 * measured by their discrete Laplacian, relative to real digits.
 * A blurry decoder (the CVAE's pixel-loss average of plausible digits) scores
 * well below 1; speckle noise (a GAN's high-frequency artefacts) can score
 * above 1, so the number is read as "closer to 1 is better".
 */
import { asRows, imageGeometry, requireNonEmpty, type ImageGeometry, type RowSet } from './rows.js';
import { ValueError } from '../errors.js';

/** How the Laplacian treats pixels outside the image: repeat the edge pixel, or read 0. */
export type LaplacianBorder = 'replicate' | 'zero';

/** Options of {@link sharpness} and {@link meanSquaredLaplacian}. */
export interface SharpnessOptions extends ImageGeometry {
  /**
   * How neighbours outside the image are read (default 'replicate'):
   * 'replicate' repeats the edge pixel, so a flat background of any grey
   * level has Laplacian 0 at the frame; 'zero' reads 0 (black), which adds a
   * spurious edge around any image whose border is not black. On MNIST-like
   * digits (black borders) both give the same value.
   */
  border?: LaplacianBorder;
}

/**
 * Mean squared 4-neighbour Laplacian over all pixels of all images:
 *
 *   L(x)[i,j] = x[i−1,j] + x[i+1,j] + x[i,j−1] + x[i,j+1] − 4·x[i,j]
 *   MSL = 1/(N·H·W) · Σ_n Σ_i,j L(x_n)[i,j]²
 *
 * with out-of-image neighbours read per `border`. Accumulated in float64.
 * Pixel values are used as given (genzoo's images are in [0, 1]).
 */
export function meanSquaredLaplacian(images: RowSet, opts: SharpnessOptions = {}): number {
  const op = 'meanSquaredLaplacian';
  const rows = asRows(op, 'images', images, images instanceof Float32Array || images instanceof Float64Array ? (opts.height ?? 28) * (opts.width ?? 28) : undefined);
  requireNonEmpty(op, 'images', rows);
  const [h, w] = imageGeometry(op, rows.dim, opts);
  const border = opts.border ?? 'replicate';
  if (border !== 'replicate' && border !== 'zero') throw new ValueError(`${op}: border must be 'replicate' or 'zero', got ${JSON.stringify(border)}`);
  const zero = border === 'zero';
  const { data, count, dim } = rows;
  let total = 0;
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    for (let i = 0; i < h; i++) {
      const row = base + i * w;
      // Row offsets of the neighbours; at the frame either the edge row itself (replicate) or none (zero).
      const up = i > 0 ? row - w : zero ? -1 : row;
      const down = i < h - 1 ? row + w : zero ? -1 : row;
      for (let j = 0; j < w; j++) {
        const c = data[row + j];
        const north = up < 0 ? 0 : data[up + j];
        const south = down < 0 ? 0 : data[down + j];
        const west = j > 0 ? data[row + j - 1] : zero ? 0 : c;
        const east = j < w - 1 ? data[row + j + 1] : zero ? 0 : c;
        const lap = north + south + west + east - 4 * c;
        total += lap * lap;
      }
    }
  }
  return total / (count * dim);
}

/** What {@link sharpness} returns. */
export interface SharpnessResult {
  /** MSL(samples) / MSL(real): 1.0 = as sharp as real digits, < 1 blurrier, > 1 noisier. */
  ratio: number;
  /** Mean squared Laplacian of the samples. */
  samples: number;
  /** Mean squared Laplacian of the real digits. */
  real: number;
}

/**
 * Sharpness of generated images relative to real ones:
 *
 *   sharpness = MSL(samples) / MSL(real)
 *
 * (MSL = `meanSquaredLaplacian`). Pass a real set of the same kind (held-out
 * digits, same height/width and border rule); or its MSL as a number.
 */
export function sharpness(samples: RowSet, real: RowSet | number, opts: SharpnessOptions = {}): SharpnessResult {
  const s = meanSquaredLaplacian(samples, opts);
  const r = typeof real === 'number' ? real : meanSquaredLaplacian(real, opts);
  if (!(r > 0)) throw new ValueError(`sharpness: the real images have no detail at all (mean squared Laplacian ${r}); cannot normalise`);
  return { ratio: s / r, samples: s, real: r };
}
