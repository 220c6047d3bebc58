/**
 * Fréchet distance between two sets of feature vectors, each summarised by a
 * Gaussian (its mean and covariance). Computed on a classifier's penultimate-
 * layer features of generated samples and of held-out real digits, it is the
 * FID of Heusel et al. (2017) with genzoo's digit classifier in place of
 * Inception: 0 when the two feature distributions have the same first two
 * moments, larger the further apart they are. Units: squared feature units.
 */
import { clampRoundOff, columnMean, covariance, matmulSquare, symmetricEigen, sqrtmPsd, trace } from './linalg.js';
import { asRows, requireNonEmpty, type RowSet } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

/** A Gaussian fitted to N feature rows of length `dim`. */
export interface GaussianStats {
  /** Mean of the rows, length `dim`. */
  mean: Float64Array;
  /** dim·dim, row-major, unbiased (divides by N − 1). */
  cov: Float64Array;
  /** Feature length. */
  dim: number;
  /** Number of rows it was fitted to. */
  count: number;
}

/** Mean and covariance (float64) of a feature set; `dim` is the row length of a plain array. */
export function gaussianStats(features: RowSet, dim?: number): GaussianStats {
  const rows = asRows('gaussianStats', 'features', features, dim);
  requireNonEmpty('gaussianStats', 'features', rows);
  if (rows.count < 2) throw new ValueError(`gaussianStats: a covariance needs at least 2 feature rows, got ${rows.count}`);
  const mean = columnMean(rows);
  return { mean, cov: covariance(rows, { mean }), dim: rows.dim, count: rows.count };
}

/** What {@link frechetDistance} returns: the distance and its two terms. */
export interface FrechetResult {
  /** d² = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2·(Σ1^½·Σ2·Σ1^½)^½). */
  distance: number;
  /** The mean term ‖μ1 − μ2‖². */
  meanTerm: number;
  /** The covariance term tr(Σ1 + Σ2 − 2·(Σ1^½·Σ2·Σ1^½)^½). */
  covarianceTerm: number;
  /** Eigenvalues clamped to 0 as round-off (in Σ1 and in Σ1^½·Σ2·Σ1^½). */
  clamped: number;
}

/**
 * Fréchet (2-Wasserstein) distance between N(μ1, Σ1) and N(μ2, Σ2):
 *
 *   d² = ‖μ1 − μ2‖² + tr(Σ1) + tr(Σ2) − 2·tr((Σ1^½ · Σ2 · Σ1^½)^½)
 *
 * The usual formula writes tr((Σ1·Σ2)^½), but Σ1·Σ2 is not symmetric, and
 * its square root needs a general (Schur) method. Σ1·Σ2 is similar to the
 * symmetric PSD M = Σ1^½·Σ2·Σ1^½ (Σ1·Σ2 = Σ1^½·M·Σ1^-½ when Σ1 is invertible,
 * and by continuity otherwise), so both have the same eigenvalues λ_i ≥ 0 and
 *
 *   tr((Σ1·Σ2)^½) = tr(M^½) = Σ_i √λ_i(M).
 *
 * Only symmetric eigen-decompositions are needed: one of Σ1 (for Σ1^½), one
 * of M (eigenvalues only). M is symmetrised, (M + Mᵀ)/2, before its
 * decomposition, since the two float64 products leave it asymmetric by
 * round-off. Eigenvalues of Σ1 and of M that come out slightly negative
 * (round-off; both matrices are PSD in exact arithmetic) are clamped to 0 —
 * contributing √0 instead of an imaginary √λ, an error of at most √|λ| — and
 * counted in `clamped`; clearly negative ones (below −1e-8·max λ) raise an
 * error because the input was not a covariance. The distance itself is
 * clamped at 0, which round-off can undershoot for identical inputs.
 */
export function frechetDistanceFromStats(a: GaussianStats, b: GaussianStats): FrechetResult {
  const op = 'frechetDistance';
  if (a.dim !== b.dim) throw new ShapeError(`${op}: feature dimensions differ (${a.dim} vs ${b.dim})`);
  const n = a.dim;
  for (const [name, s] of [['first', a], ['second', b]] as const) {
    if (s.mean.length !== n || s.cov.length !== n * n) {
      throw new ShapeError(`${op}: ${name} stats have mean ${s.mean.length} and covariance ${s.cov.length} entries for dimension ${n}`);
    }
  }
  let meanTerm = 0;
  for (let i = 0; i < n; i++) {
    const diff = a.mean[i] - b.mean[i];
    meanTerm += diff * diff;
  }
  const root1 = sqrtmPsd(a.cov, n);
  const m = matmulSquare(matmulSquare(root1.sqrt, b.cov, n), root1.sqrt, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  // The symmetrisation above is exact up to round-off, so a loose symmetry check suffices.
  const { values } = symmetricEigen(m, n, { vectors: false, symmetryTolerance: 1e-6 });
  const clampedM = clampRoundOff(op, values, 1e-8);
  let traceSqrt = 0;
  for (const v of values) traceSqrt += Math.sqrt(Math.max(v, 0));
  const covarianceTerm = trace(a.cov, n) + trace(b.cov, n) - 2 * traceSqrt;
  const distance = Math.max(0, meanTerm + covarianceTerm);
  return { distance, meanTerm, covarianceTerm, clamped: root1.clamped + clampedM };
}

/**
 * Fréchet distance between Gaussians fitted to two feature sets (rows are
 * samples; `dim` gives the row length of plain arrays). See
 * `frechetDistanceFromStats` for the formula. Fit the real set once with
 * `gaussianStats` and reuse it when scoring many sample sets.
 */
export function frechetDistance(featuresA: RowSet | GaussianStats, featuresB: RowSet | GaussianStats, dim?: number): FrechetResult {
  const sa = isStats(featuresA) ? featuresA : gaussianStats(featuresA, dim);
  const sb = isStats(featuresB) ? featuresB : gaussianStats(featuresB, dim);
  return frechetDistanceFromStats(sa, sb);
}

function isStats(x: unknown): x is GaussianStats {
  return typeof x === 'object' && x !== null && 'cov' in x && 'mean' in x && !ArrayBuffer.isView(x);
}
