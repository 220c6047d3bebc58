import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluation, Generator, tensor } from '../../src/index.js';

const { symmetricEigen, sqrtmPsd, matmulSquare, columnMean, covariance, asRows, fromEigen } = evaluation;

function randomSymmetric(n: number, gen: Generator): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = gen.normal();
  return a;
}

/** B·Bᵀ (+ jitter·I): a random symmetric PSD matrix of rank ≤ r. */
function randomPsd(n: number, r: number, gen: Generator): Float64Array {
  const b = new Float64Array(n * r);
  for (let i = 0; i < b.length; i++) b[i] = gen.normal();
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < r; k++) s += b[i * r + k] * b[j * r + k];
    a[i * n + j] = s;
  }
  return a;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

describe('symmetricEigen', () => {
  it('reconstructs random symmetric matrices with orthonormal eigenvectors (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const a = randomSymmetric(n, new Generator(seed));
        const { values, vectors } = symmetricEigen(a, n);
        const V = vectors!;
        expect(maxAbsDiff(fromEigen(V, values, n), a)).toBeLessThan(1e-10 * n);
        const vtv = matmulSquare(transpose(V, n), V, n);
        const eye = new Float64Array(n * n);
        for (let i = 0; i < n; i++) eye[i * n + i] = 1;
        expect(maxAbsDiff(vtv, eye)).toBeLessThan(1e-12 * n);
        for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
        // Eigenvalues alone agree with the full decomposition.
        expect(maxAbsDiff(symmetricEigen(a, n, { vectors: false }).values, values)).toBeLessThan(1e-11 * n);
      }),
      { numRuns: 60 },
    );
  });

  it('finds the known eigenvalues of a hand-made matrix, including repeated ones and a diagonal', () => {
    // [[2,1],[1,2]] has eigenvalues 1 and 3 with vectors (1,−1)/√2 and (1,1)/√2.
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(vectors![0 * 2 + 1])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(Array.from(symmetricEigen([5, 0, 0, 0, 5, 0, 0, 0, -1], 3).values)).toEqual([-1, 5, 5]);
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
  });

  it('is fast enough for 256×256 covariance matrices', () => {
    const n = 256;
    const a = randomPsd(n, 64, new Generator(3));
    const t0 = performance.now();
    const { values, vectors } = symmetricEigen(a, n);
    const ms = performance.now() - t0;
    expect(maxAbsDiff(fromEigen(vectors!, values, n), a)).toBeLessThan(1e-9);
    // Far below a second even on a loaded 2-core machine (typically tens of ms).
    expect(ms).toBeLessThan(2000);
  });

  it('rejects non-symmetric, non-square and non-finite input with a clear error', () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric: A\[0,1\] = 2 but A\[1,0\] = 3/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected 2×2 = 4 elements, got 3/);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/NaN or infinite/);
  });
});

describe('sqrtmPsd', () => {
  it('squares back to A for random PSD matrices, full rank and rank-deficient', () => {
    const gen = new Generator(11);
    for (const [n, r] of [[5, 5], [30, 30], [40, 7], [64, 1]]) {
      const a = randomPsd(n, r, gen);
      const { sqrt, clamped } = sqrtmPsd(a, n);
      const scale = Math.max(...Array.from(a, Math.abs));
      expect(maxAbsDiff(matmulSquare(sqrt, sqrt, n), a)).toBeLessThan(1e-10 * scale);
      expect(maxAbsDiff(sqrt, transpose(sqrt, n))).toBe(0);
      // The root is PSD itself.
      expect(symmetricEigen(sqrt, n).values[0]).toBeGreaterThan(-1e-6 * Math.sqrt(scale));
      // Rank-deficient matrices have round-off eigenvalues around zero; some come out negative and are clamped.
      if (r === n) expect(clamped).toBe(0);
    }
  });

  it('matches the closed form of a 2×2 root: (A + √det·I)/√(tr + 2√det)', () => {
    const a = [4, 1, 1, 3];
    const det = 11;
    const t = Math.sqrt(7 + 2 * Math.sqrt(det));
    const want = [(4 + Math.sqrt(det)) / t, 1 / t, 1 / t, (3 + Math.sqrt(det)) / t];
    expect(maxAbsDiff(sqrtmPsd(a, 2).sqrt, want)).toBeLessThan(1e-14);
  });

  it('refuses a matrix that is clearly not PSD', () => {
    expect(() => sqrtmPsd([1, 0, 0, -1], 2)).toThrow(/not positive semi-definite/);
  });
});

describe('columnMean and covariance', () => {
  it('agree with a direct float64 computation and numpy.cov conventions', () => {
    const x = tensor([[1, 2], [3, 5], [5, 11]]);
    const rows = asRows('test', 'x', x);
    expect(Array.from(columnMean(rows))).toEqual([3, 6]);
    // cov = [[4, 9], [9, 21]] (ddof = 1)
    expect(Array.from(covariance(rows))).toEqual([4, 9, 9, 21]);
    expect(Array.from(covariance(rows, { ddof: 0 })).map((v) => v * 3)).toEqual([8, 18, 18, 42]);
  });

  it('is accurate for data with a large offset (two-pass, float64 accumulation)', () => {
    const gen = new Generator(5);
    const n = 2000;
    const d = 3;
    const data = new Float64Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = 1e6 + gen.normal();
    const cov = covariance({ data, count: n, dim: d });
    for (let j = 0; j < d; j++) expect(cov[j * d + j]).toBeGreaterThan(0.9);
    for (let j = 0; j < d; j++) expect(cov[j * d + j]).toBeLessThan(1.1);
  });

  it('needs at least two rows', () => {
    expect(() => covariance({ data: new Float64Array(3), count: 1, dim: 3 })).toThrow(/more than 1 row/);
  });
});
