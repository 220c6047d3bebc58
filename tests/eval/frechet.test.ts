import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluation, Generator, tensor } from '../../src/index.js';

const { frechetDistance, frechetDistanceFromStats, gaussianStats } = evaluation;

function gaussianRows(n: number, d: number, gen: Generator, mix?: number[][], shift?: number[]): Float64Array {
  const out = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = gen.normal();
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += (mix ? mix[j][k] : j === k ? 1 : 0) * z[k];
      out[i * d + j] = v + (shift ? shift[j] : 0);
    }
  }
  return out;
}

const stats = (mean: number[], cov: number[]): evaluation.GaussianStats => ({
  mean: Float64Array.from(mean), cov: Float64Array.from(cov), dim: mean.length, count: 100,
});

describe('frechetDistance', () => {
  it('is 0 for identical feature sets, including rank-deficient ones', () => {
    const gen = new Generator(1);
    const x = gaussianRows(500, 16, gen);
    expect(frechetDistance(x, x, 16).distance).toBeLessThan(1e-9);
    // 8 samples in 16 dimensions: the covariance has rank 7, many eigenvalues are round-off zeros.
    const few = gaussianRows(8, 16, gen);
    const r = frechetDistance(few, few, 16);
    expect(r.distance).toBeLessThan(1e-6);
    // Tensors and typed arrays of the same rows give the same answer.
    const t = tensor(x, { shape: [500, 16] });
    expect(frechetDistance(t, x, 16).distance).toBeLessThan(1e-9);
  });

  it('matches a hand-computed 2-D case with non-commuting covariances', () => {
    // μ1 = (0, 0), Σ1 = [[2, 1], [1, 2]];  μ2 = (1, 2), Σ2 = [[1, 0], [0, 3]].
    // ‖μ1 − μ2‖² = 5; tr Σ1 + tr Σ2 = 8.
    // For 2×2 PSD matrices, tr((Σ1Σ2)^½) = √(tr(Σ1Σ2) + 2·√(det Σ1 · det Σ2)):
    //   Σ1Σ2 = [[2, 3], [1, 6]], trace 8; det Σ1 = 3, det Σ2 = 3 → √(8 + 2·3) = √14.
    // d² = 5 + 8 − 2√14 = 13 − 2√14 ≈ 5.516685.
    const r = frechetDistanceFromStats(stats([0, 0], [2, 1, 1, 2]), stats([1, 2], [1, 0, 0, 3]));
    expect(r.meanTerm).toBeCloseTo(5, 14);
    expect(r.distance).toBeCloseTo(13 - 2 * Math.sqrt(14), 12);
    // Diagonal case: Σ1 = diag(1, 4), Σ2 = diag(4, 9), μ shift (1, 1): 2 + (1 − 2)² + (2 − 3)² = 4.
    expect(frechetDistanceFromStats(stats([0, 0], [1, 0, 0, 4]), stats([1, 1], [4, 0, 0, 9])).distance).toBeCloseTo(4, 12);
  });

  it('is symmetric, non-negative, and the squared mean shift when only the mean moves (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), fc.double({ min: -3, max: 3, noNaN: true }), (d, seed, shift) => {
        const gen = new Generator(seed);
        const mix = Array.from({ length: d }, () => Array.from({ length: d }, () => gen.normal()));
        const a = gaussianStats(gaussianRows(60, d, gen, mix), d);
        const b = gaussianStats(gaussianRows(60, d, gen), d);
        const ab = frechetDistance(a, b).distance;
        const ba = frechetDistance(b, a).distance;
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(Math.abs(ab - ba)).toBeLessThan(1e-8 * Math.max(1, ab));
        const moved = { ...a, mean: a.mean.map((v) => v + shift) };
        expect(frechetDistance(a, moved).distance).toBeCloseTo(d * shift * shift, 6);
      }),
      { numRuns: 40 },
    );
  });

  it('estimates the distance between two known Gaussians from samples', () => {
    // N(0, I) vs N((2, 0, 0), diag(4, 1, 1)): d² = 4 + (1 + 4 − 2·2) = 5.
    const gen = new Generator(7);
    const x = gaussianRows(20000, 3, gen);
    const y = gaussianRows(20000, 3, gen, [[2, 0, 0], [0, 1, 0], [0, 0, 1]], [2, 0, 0]);
    // Sampling noise at N = 20,000 is about ±0.1 (the variance 4 alone is estimated to ±0.04).
    expect(Math.abs(frechetDistance(x, y, 3).distance - 5)).toBeLessThan(0.3);
  });

  it('explains bad input', () => {
    expect(() => frechetDistance(new Float64Array(6), new Float64Array(8), 2)).not.toThrow();
    expect(() => frechetDistance(new Float64Array(6), new Float64Array(9), 3)).not.toThrow();
    expect(() => frechetDistance(tensor([[1, 2], [3, 4]]), tensor([[1, 2, 3], [3, 4, 5]]))).toThrow(/dimensions differ \(2 vs 3\)/);
    expect(() => gaussianStats(tensor([[1, 2]]))).toThrow(/at least 2 feature rows/);
    expect(() => frechetDistance(new Float64Array(7), new Float64Array(8), 2)).toThrow(/not a whole number of rows of 2/);
  });
});
