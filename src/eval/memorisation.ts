/**
 * Memorisation: are samples new digits, or copies of training digits?
 * Each sample's distance to its nearest training digit is compared with the
 * same distance for real digits the model never saw (held-out digits). A
 * model that reproduces its training set scores near 0; one whose samples are
 * as far from the training set as fresh handwriting scores about 1. (Blurry
 * samples can score below 1 without copying: an average digit is close to
 * many training digits. Read it beside sharpness.)
 */
import { fromArray, matmulRaw, Tensor } from '../tensor/index.js';
import { asRows, requireNonEmpty, type RowSet, type Rows } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

/** Options of {@link nearestNeighbours} and {@link memorisation}. */
export interface NearestNeighbourOptions {
  /** Row length of plain arrays (default 784). */
  dim?: number;
  /** Queries per matrix product (default 256): bounds memory to batch × reference-count floats. */
  batchSize?: number;
}

/** What {@link nearestNeighbours} returns: each query's nearest reference row and its distance. */
export interface NearestNeighbours {
  /** Index into the reference set of each query's nearest row. */
  index: Int32Array;
  /** Exact (float64) L2 distance to it. */
  distance: Float64Array;
}

function squaredNorms(rows: Rows): Float64Array {
  const out = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i++) {
    let s = 0;
    const off = i * rows.dim;
    for (let k = 0; k < rows.dim; k++) s += rows.data[off + k] * rows.data[off + k];
    out[i] = s;
  }
  return out;
}

function squaredDistance64(a: Rows, i: number, b: Rows, j: number): number {
  let s = 0;
  const oa = i * a.dim;
  const ob = j * b.dim;
  for (let k = 0; k < a.dim; k++) {
    const d = a.data[oa + k] - b.data[ob + k];
    s += d * d;
  }
  return s;
}

function asFloat32Tensor(rows: Rows, start: number, end: number): Tensor {
  const slice = rows.data.subarray(start * rows.dim, end * rows.dim);
  const data = slice instanceof Float32Array ? slice : Float32Array.from(slice);
  return fromArray(data, [end - start, rows.dim]);
}

/**
 * Exact nearest neighbour (L2) of every query row among the reference rows.
 *
 * All distances at once from one matrix product on genzoo's current backend
 * (float32, the fast path):
 *
 *   ‖q − r‖² = ‖q‖² + ‖r‖² − 2·q·r,   q·r for all pairs = Q·Rᵀ
 *
 * The float32 dot product is off by at most γ·‖q‖‖r‖ with γ = D·2⁻²⁴
 * (D terms, unit round-off 2⁻²⁴), so the approximate squared distances are
 * within γ·(‖q‖² + ‖r‖²) of the truth. Every reference whose approximate
 * distance is within twice that bound of the smallest is re-measured exactly
 * in float64, and the exact minimum is returned: the index is the true
 * nearest neighbour (ties to the lowest index) and the distance is exact —
 * 0 for a query that is in the reference set.
 */
export function nearestNeighbours(queries: RowSet, reference: RowSet, opts: NearestNeighbourOptions = {}): NearestNeighbours {
  const op = 'nearestNeighbours';
  const dimFor = (x: RowSet): number | undefined => (x instanceof Tensor ? undefined : opts.dim);
  const q = asRows(op, 'queries', queries, dimFor(queries));
  const r = asRows(op, 'reference', reference, dimFor(reference));
  requireNonEmpty(op, 'reference', r);
  if (q.dim !== r.dim) throw new ShapeError(`${op}: queries have rows of ${q.dim} but reference rows of ${r.dim}`);
  const batch = opts.batchSize ?? 256;
  if (!Number.isInteger(batch) || batch < 1) throw new ValueError(`${op}: batchSize must be a positive integer, got ${batch}`);
  const qNorm = squaredNorms(q);
  const rNorm = squaredNorms(r);
  let rMax = 0;
  for (const v of rNorm) rMax = Math.max(rMax, v);
  const gamma = q.dim * 2 ** -24;
  const refT = asFloat32Tensor(r, 0, r.count);
  const index = new Int32Array(q.count);
  const distance = new Float64Array(q.count);
  const m = r.count;
  for (let start = 0; start < q.count; start += batch) {
    const end = Math.min(q.count, start + batch);
    const dots = matmulRaw(asFloat32Tensor(q, start, end), refT, false, true).data; // [end − start, m]
    for (let i = start; i < end; i++) {
      const row = (i - start) * m;
      const qn = qNorm[i];
      let best = Infinity;
      for (let j = 0; j < m; j++) {
        const d2 = qn + rNorm[j] - 2 * dots[row + j];
        if (d2 < best) best = d2;
      }
      const margin = 2 * gamma * (qn + rMax);
      let bestJ = -1;
      let bestExact = Infinity;
      for (let j = 0; j < m; j++) {
        if (qn + rNorm[j] - 2 * dots[row + j] <= best + margin) {
          const exact = squaredDistance64(q, i, r, j);
          if (exact < bestExact) {
            bestExact = exact;
            bestJ = j;
          }
        }
      }
      index[i] = bestJ;
      distance[i] = Math.sqrt(bestExact);
    }
  }
  return { index, distance };
}

/** What {@link memorisation} returns: how close samples sit to training digits, relative to unseen real digits. */
export interface MemorisationResult {
  /** mean NN distance of samples / mean NN distance of held-out digits (both to the training set). */
  ratio: number;
  /** Mean distance from a sample to its nearest training digit. */
  samples: number;
  /** Mean distance from a held-out real digit to its nearest training digit. */
  heldOut: number;
  /** Per-sample distances and nearest training indices (to show the nearest copies). */
  nearest: NearestNeighbours;
}

function meanOf(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

/**
 * Memorisation score:
 *
 *   NN(x, T)     = min over training digits t of ‖x − t‖₂
 *   memorisation = mean_s NN(s, T) / mean_h NN(h, T)
 *
 * for samples s and held-out real digits h. 0 = every sample is a training
 * digit; ≈ 1 = samples are as novel as unseen real digits. The held-out
 * term is a number when already computed (it depends only on the data).
 */
export function memorisation(samples: RowSet, training: RowSet, heldOut: RowSet | number, opts: NearestNeighbourOptions = {}): MemorisationResult {
  const nearest = nearestNeighbours(samples, training, opts);
  if (nearest.distance.length === 0) throw new ValueError('memorisation: no samples');
  const s = meanOf(nearest.distance);
  const h = typeof heldOut === 'number' ? heldOut : meanOf(nearestNeighbours(heldOut, training, opts).distance);
  if (!(h > 0)) throw new ValueError('memorisation: the held-out digits are all in the training set (mean nearest distance 0); cannot normalise');
  return { ratio: s / h, samples: s, heldOut: h, nearest };
}

/** What {@link nearestTrainingDigits} returns: each sample's nearest training digit, to show beside it. */
export interface NearestTrainingDigits extends NearestNeighbours {
  /** Each distance divided by the held-out digits' mean nearest distance: 0 = a copy, ≈ 1 = as new as unseen handwriting. */
  relative: Float64Array;
  /** The nearest training digits themselves, row after row (as many rows as samples). */
  images: Float32Array;
}

/**
 * Each sample's nearest training digit (L2 in pixels, {@link nearestNeighbours}),
 * its distance, and the distance relative to `heldOutNearest`, the mean nearest
 * distance of held-out real digits to the same training set (the novelty
 * reference of {@link memorisation}): the per-sample picture behind the
 * novelty number, so a copied digit can be seen, not only counted.
 */
export function nearestTrainingDigits(samples: RowSet, training: RowSet, heldOutNearest: number, opts: NearestNeighbourOptions = {}): NearestTrainingDigits {
  if (!(heldOutNearest > 0) || !Number.isFinite(heldOutNearest)) throw new ValueError(`nearestTrainingDigits: heldOutNearest must be a positive distance, got ${heldOutNearest}`);
  const nearest = nearestNeighbours(samples, training, opts);
  const t = asRows('nearestTrainingDigits', 'training', training, training instanceof Tensor ? undefined : opts.dim);
  const images = new Float32Array(nearest.index.length * t.dim);
  nearest.index.forEach((j, i) => images.set(t.data.subarray(j * t.dim, (j + 1) * t.dim), i * t.dim));
  const relative = Float64Array.from(nearest.distance, (d) => d / heldOutNearest);
  return { ...nearest, relative, images };
}
