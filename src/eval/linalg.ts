/**
 * Small dense linear algebra in float64 for the evaluation metrics: the
 * symmetric eigen-decomposition, the square root of a symmetric positive
 * semi-definite matrix, and the mean and covariance of a set of feature rows.
 *
 * Matrices are square, row-major `Float64Array`s of n·n elements
 * (element (i, j) at `a[i * n + j]`). Sizes here are feature dimensions
 * (tens to a few hundred), so plain loops are fast enough and exact enough;
 * the tensor backends, which compute in float32, are not used.
 */
import type { FloatArray } from '../tensor/index.js';
import type { Rows } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

/** What {@link symmetricEigen} returns: the eigen-decomposition A = V·diag(values)·Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n·n, row-major; column j (`vectors[i * n + j]` for i = 0..n-1) is the unit eigenvector of `values[j]`. Null when not requested. */
  vectors: Float64Array | null;
}

/** Options of {@link symmetricEigen}. */
export interface EigenOptions {
  /** Compute eigenvectors as well as eigenvalues (default true; eigenvalues alone are about 3× faster). */
  vectors?: boolean;
  /** Largest |A[i,j] − A[j,i]| accepted, relative to max |A| (default 1e-10); the mean of the two is used. */
  symmetryTolerance?: number;
}

function checkSquare(op: string, a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: matrix order must be a non-negative integer, got ${n}`);
  if (a.length !== n * n) throw new ShapeError(`${op}: expected ${n}×${n} = ${n * n} elements, got ${a.length}`);
}

/** max |a_i|, or NaN when any entry is NaN or infinite. */
function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (!Number.isFinite(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/**
 * Eigen-decomposition A = V·diag(λ)·Vᵀ of a real symmetric matrix.
 *
 * Two classical stages (EISPACK's tred2 and tql2, as in Golub & Van Loan §8.3
 * and the public-domain JAMA library):
 *
 * 1. Householder tridiagonalisation. For i = n−1 down to 1, a reflector
 *    H = I − u·uᵀ/h built from row i zeroes A[i, 0..i−2], and A ← H·A·H keeps
 *    the matrix symmetric and its eigenvalues unchanged. After n−2 steps A is
 *    tridiagonal T = Qᵀ·A·Q with diagonal d and off-diagonal e; the product
 *    Q of the reflectors is accumulated (only when eigenvectors are wanted).
 *
 * 2. Implicit QL iteration on T. For each l, while the off-diagonal e[l] is
 *    not negligible (|e[l]| ≤ ε·max(|d| + |e|) seen so far), take a Wilkinson-
 *    style shift from the leading 2×2 block and chase the bulge from the
 *    bottom of the unreduced block up with Givens rotations. Convergence is
 *    cubic for symmetric matrices; each rotation is also applied to Q's
 *    columns, so V = Q·(rotations).
 *
 * Cost ≈ 4/3·n³ (reduction) + ≈ 3·n³ (rotations on V): a 256×256 covariance
 * takes tens of milliseconds. Eigenvalues are accurate to about ε·‖A‖.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, opts: EigenOptions = {}): SymmetricEigen {
  const op = 'symmetricEigen';
  checkSquare(op, a, n);
  const wantVectors = opts.vectors ?? true;
  const tol = opts.symmetryTolerance ?? 1e-10;
  const scale = maxAbs(a);
  if (!Number.isFinite(scale)) throw new ValueError(`${op}: matrix has NaN or infinite entries`);
  // V starts as the symmetrised input; the reduction overwrites it with Q.
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const aij = a[i * n + j];
      const aji = a[j * n + i];
      if (Math.abs(aij - aji) > tol * scale) {
        throw new ValueError(`${op}: matrix is not symmetric: A[${i},${j}] = ${aij} but A[${j},${i}] = ${aji}`);
      }
      V[i * n + j] = V[j * n + i] = 0.5 * (aij + aji);
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: wantVectors ? V : null };
  // V comes back holding Qᵀ: the QL rotations combine pairs of Q's columns, contiguous rows of Qᵀ.
  tridiagonalize(V, d, e, n, wantVectors);
  tridiagonalQL(V, d, e, n, wantVectors);
  return sortAscending(d, wantVectors ? V : null, n);
}

/**
 * Householder reduction of the symmetric matrix in W to tridiagonal form:
 * on return d holds the diagonal, e[1..n−1] the sub-diagonal (e[0] = 0) and,
 * when `accumulate`, W holds Qᵀ, where A = Q·T·Qᵀ.
 *
 * Storage: W holds the working matrix transposed — logical entry (r, c) at
 * W[c·n + r]. The input is symmetric, so nothing changes on entry, but the
 * O(n³) loops below (which walk down columns of the logical matrix) then read
 * memory contiguously, and the accumulated Q comes out as Qᵀ, the layout the
 * QL rotations want.
 */
function tridiagonalize(W: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) reflectRow(W, d, e, n, i);
  if (!accumulate) {
    // The diagonal of T sits on the diagonal (the last entry was never touched).
    for (let i = 0; i < n; i++) d[i] = W[i * n + i];
    e[0] = 0;
    return;
  }
  accumulateReflections(W, d, e, n);
}

/**
 * One Householder step of `tridiagonalize`: on entry d[0..i−1] holds row i
 * left of the diagonal; reflects it onto e_{i−1} (e[i] = the sub-diagonal
 * entry), updates the leading i×i block, stores u in logical column i, and
 * leaves d[i] = h (uᵀu/2, the accumulation's divisor).
 */
function reflectRow(W: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number): void {
  // Scale row i's part to avoid under/overflow.
  let scale = 0;
  let h = 0;
  for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
  if (scale === 0) {
    // Row already reduced: nothing to reflect.
    e[i] = d[i - 1];
    for (let j = 0; j < i; j++) {
      d[j] = W[j * n + i - 1];
      W[j * n + i] = 0;
      W[i * n + j] = 0;
    }
    d[i] = h;
    return;
  }
  for (let k = 0; k < i; k++) {
    d[k] /= scale;
    h += d[k] * d[k];
  }
  // u = x − g·e_{i−1}, g = −sign(x_{i−1})·‖x‖ (the sign that avoids cancellation).
  let f = d[i - 1];
  let g = Math.sqrt(h);
  if (f > 0) g = -g;
  e[i] = scale * g;
  h -= f * g;
  d[i - 1] = f - g;
  for (let j = 0; j < i; j++) e[j] = 0;
  // p = A·u / h (into e), storing u in column i for the accumulation.
  for (let j = 0; j < i; j++) {
    f = d[j];
    W[i * n + j] = f;
    const cj = j * n;
    g = e[j] + W[cj + j] * f;
    for (let k = j + 1; k <= i - 1; k++) {
      const a = W[cj + k];
      g += a * d[k];
      e[k] += a * f;
    }
    e[j] = g;
  }
  f = 0;
  for (let j = 0; j < i; j++) {
    e[j] /= h;
    f += e[j] * d[j];
  }
  // q = p − (uᵀp / 2h)·u; A ← A − u·qᵀ − q·uᵀ (lower triangle only).
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] -= hh * d[j];
  for (let j = 0; j < i; j++) {
    f = d[j];
    g = e[j];
    const cj = j * n;
    for (let k = j; k <= i - 1; k++) W[cj + k] -= f * e[k] + g * d[k];
    d[j] = W[cj + i - 1];
    W[cj + i] = 0;
  }
  d[i] = h;
}

/** Q = H_{n−1}·…·H_1 into W (as Qᵀ), from the u vectors `reflectRow` stored in the logical columns; d gets T's diagonal. */
function accumulateReflections(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i];
    W[i * n + i] = 1;
    const h = d[i + 1];
    const u = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[u + k] / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[u + k] * W[cj + k];
        for (let k = 0; k <= i; k++) W[cj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[u + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1];
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL with shifts on the tridiagonal (d, e); when `rotate`, each rotation is applied to rows i, i+1 of Vt = Vᵀ. */
function tridiagonalQL(Vt: Float64Array, d: Float64Array, e: Float64Array, n: number, rotate: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // Find the first negligible sub-diagonal element at or below l.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new ValueError(`symmetricEigen: QL iteration did not converge for eigenvalue ${l} after 60 sweeps`);
        // Shift: the eigenvalue of the leading 2×2 block [d[l] e[l]; e[l] d[l+1]] nearer d[l].
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // One QL sweep from m up to l, chasing the bulge with Givens rotations (c, s).
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (rotate) {
            const ri = i * n;
            const ri1 = ri + n;
            for (let k = 0; k < n; k++) {
              const vk1 = Vt[ri1 + k];
              const vk = Vt[ri + k];
              Vt[ri1 + k] = s * vk + c * vk1;
              Vt[ri + k] = c * vk - s * vk1;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** Sorts eigenvalues ascending; `Vt` holds eigenvectors as rows, returned as columns. */
function sortAscending(d: Float64Array, Vt: Float64Array | null, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!Vt) return { values, vectors: null };
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j] * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = Vt[src + i];
  }
  return { values, vectors };
}

/** V·diag(w)·Vᵀ for V from `symmetricEigen` (columns are eigenvectors); exactly symmetric. */
export function fromEigen(vectors: Float64Array, w: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) row[k] = vectors[i * n + k] * w[k];
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += row[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Options of {@link sqrtmPsd}. */
export interface SqrtmOptions {
  /**
   * Eigenvalues below −tolerance·max(λ) mean the matrix is not positive
   * semi-definite and raise an error (default 1e-8). Negative eigenvalues
   * above that are round-off and are clamped to 0.
   */
  tolerance?: number;
}

/** What {@link sqrtmPsd} returns. */
export interface PsdSqrt {
  /** The symmetric PSD square root S with S·S = A. */
  sqrt: Float64Array;
  /** A's eigenvalues, ascending, before clamping. */
  eigenvalues: Float64Array;
  /** How many eigenvalues were negative round-off and clamped to 0. */
  clamped: number;
}

/**
 * Negative eigenvalues of a matrix that is PSD in exact arithmetic (a
 * covariance, or Σ1^½·Σ2·Σ1^½) appear from round-off, of size about ε·‖A‖·n.
 * Their square root would be imaginary; clamping them to 0 changes the result
 * by at most √|λ|, negligible next to the sum. Clearly negative ones are an
 * input error, reported rather than hidden.
 */
export function clampRoundOff(op: string, values: Float64Array, tolerance: number): number {
  const top = values.length ? Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1])) : 0;
  let clamped = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0) {
      if (values[i] < -tolerance * top) {
        throw new ValueError(`${op}: matrix is not positive semi-definite (eigenvalue ${values[i].toExponential(3)}, largest |λ| ${top.toExponential(3)})`);
      }
      clamped++;
    }
  }
  return clamped;
}

/**
 * Principal square root of a symmetric positive semi-definite matrix:
 * A = V·diag(λ)·Vᵀ  ⇒  A^½ = V·diag(√max(λ, 0))·Vᵀ, the unique symmetric PSD S
 * with S² = A. Round-off negatives are clamped (see `clampRoundOff`).
 */
export function sqrtmPsd(a: ArrayLike<number>, n: number, opts: SqrtmOptions = {}): PsdSqrt {
  const { values, vectors } = symmetricEigen(a, n);
  const clamped = clampRoundOff('sqrtmPsd', values, opts.tolerance ?? 1e-8);
  const roots = values.map((v) => Math.sqrt(Math.max(v, 0)));
  return { sqrt: fromEigen(vectors!, roots, n), eigenvalues: values, clamped };
}

/** C = A·B for n×n row-major float64 matrices (i-k-j order: rows of B are read contiguously). */
export function matmulSquare(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  checkSquare('matmulSquare', a, n);
  checkSquare('matmulSquare', b, n);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** Trace of an n×n matrix. */
export function trace(a: ArrayLike<number>, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i];
  return t;
}

/**
 * Column means of N rows of length d, accumulated in float64:
 *   μ_j = (1/N)·Σ_i x_ij
 */
export function columnMean(rows: Rows): Float64Array {
  const { data, count, dim } = rows;
  if (count === 0) throw new ValueError('columnMean: no rows');
  const mu = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const off = i * dim;
    for (let j = 0; j < dim; j++) mu[j] += data[off + j];
  }
  for (let j = 0; j < dim; j++) mu[j] /= count;
  return mu;
}

/**
 * Sample covariance of N rows, in float64, two-pass (centre first, then
 * accumulate, which avoids the cancellation of E[xxᵀ] − μμᵀ):
 *   Σ_jk = 1/(N − ddof) · Σ_i (x_ij − μ_j)(x_ik − μ_k)
 * ddof = 1 (the unbiased estimate, as numpy.cov and the FID reference use) by default.
 * Cost N·d²/2 multiply-adds; the result is exactly symmetric.
 */
export function covariance(rows: Rows, opts: { mean?: Float64Array; ddof?: number } = {}): Float64Array {
  const { data, count, dim } = rows;
  const ddof = opts.ddof ?? 1;
  if (count - ddof <= 0) throw new ValueError(`covariance: need more than ${ddof} row(s), got ${count}`);
  const mu = opts.mean ?? columnMean(rows);
  if (mu.length !== dim) throw new ShapeError(`covariance: mean has ${mu.length} entries for rows of ${dim}`);
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const off = i * dim;
    for (let j = 0; j < dim; j++) centred[j] = data[off + j] - mu[j];
    for (let j = 0; j < dim; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      const rowj = j * dim;
      for (let k = j; k < dim; k++) cov[rowj + k] += cj * centred[k];
    }
  }
  const scale = 1 / (count - ddof);
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      const v = cov[j * dim + k] * scale;
      cov[j * dim + k] = v;
      cov[k * dim + j] = v;
    }
  }
  return cov;
}

/** A float64 copy of any float array (for callers that hold float32 features). */
export function toFloat64(a: FloatArray | ArrayLike<number>): Float64Array {
  return Float64Array.from(a as ArrayLike<number>);
}
