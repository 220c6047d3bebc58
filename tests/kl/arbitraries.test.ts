/** The exported fast-check arbitraries generate what they promise, and catch a wrong KL. */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { kl } from '../../src/index.js';

// The arbitraries are their own entry point ('genzoo/kl/arbitraries'), so fast-check loads only with them.
import * as arb from '../../src/kl/arbitraries.js';

describe('kl.arbitraries', () => {
  it('gaussian() stays in its ranges: μ uniform, σ log-uniform over orders of magnitude', () => {
    const gs = fc.sample(arb.gaussian(), { numRuns: 1000, seed: 1 });
    for (const g of gs) {
      expect(Math.abs(g.mu)).toBeLessThanOrEqual(100);
      expect(g.sigma).toBeGreaterThanOrEqual(1e-3);
      expect(g.sigma).toBeLessThanOrEqual(1e3);
    }
    const below1 = gs.filter((g) => g.sigma < 1).length / gs.length;
    expect(below1).toBeGreaterThan(0.3); // log-uniform: about half below 1, not 0.1%
    expect(below1).toBeLessThan(0.7);
    const custom = fc.sample(arb.gaussian({ mu: { min: 5, max: 6 }, sigma: { min: 2, max: 3 } }), { numRuns: 200, seed: 2 });
    for (const g of custom) expect(g.mu >= 5 && g.mu <= 6 && g.sigma >= 2 && g.sigma <= 3).toBe(true);
  });

  it('gaussianPair() keeps σ ratios within [1/100, 100] and gaps within 20·max(σ) — and reaches both ends', () => {
    const pairs = fc.sample(arb.gaussianPair(), { numRuns: 1000, seed: 3 });
    let wide = 0;
    let far = 0;
    for (const [p, q] of pairs) {
      const ratio = q.sigma / p.sigma;
      expect(ratio).toBeGreaterThanOrEqual(0.01 * (1 - 1e-12));
      expect(ratio).toBeLessThanOrEqual(100 * (1 + 1e-12));
      const gap = Math.abs(p.mu - q.mu) / Math.max(p.sigma, q.sigma);
      expect(gap).toBeLessThanOrEqual(20 * (1 + 1e-12));
      if (ratio > 30 || ratio < 1 / 30) wide++;
      if (gap > 10) far++;
    }
    expect(wide).toBeGreaterThan(50);
    expect(far).toBeGreaterThan(50);
    for (const [p, q] of fc.sample(arb.gaussianPair({ maxSigmaRatio: 2, maxGap: 1 }), { numRuns: 300, seed: 4 })) {
      expect(q.sigma / p.sigma).toBeLessThanOrEqual(2 * (1 + 1e-12));
      expect(Math.abs(p.mu - q.mu)).toBeLessThanOrEqual(Math.max(p.sigma, q.sigma) * (1 + 1e-12));
    }
  });

  it('diagGaussian(), diagGaussianPair() and latentBatch() give rectangular, same-dimension data', () => {
    for (const g of fc.sample(arb.diagGaussian({ dim: { min: 3, max: 5 } }), { numRuns: 200, seed: 5 })) {
      expect(g.mu.length).toBe(g.logvar.length);
      expect(g.mu.length >= 3 && g.mu.length <= 5).toBe(true);
    }
    for (const [a, b] of fc.sample(arb.diagGaussianPair(), { numRuns: 200, seed: 6 })) {
      expect(a.mu.length).toBe(b.mu.length);
      expect(b.logvar.length).toBe(a.logvar.length);
    }
    for (const b of fc.sample(arb.latentBatch({ batch: { min: 2, max: 4 }, logvar: { min: -1, max: 1 } }), { numRuns: 200, seed: 7 })) {
      expect(b.mu.length >= 2 && b.mu.length <= 4).toBe(true);
      expect(new Set([...b.mu, ...b.logvar].map((r) => r.length)).size).toBe(1);
      expect(b.logvar.flat().every((v) => v >= -1 && v <= 1)).toBe(true);
    }
    for (const v of fc.sample(arb.logvar(), { numRuns: 200, seed: 8 })) expect(Math.abs(v)).toBeLessThanOrEqual(10);
  });

  it('catch the classic mistakes: a wrong second moment, a missing −½, σ for σ²', () => {
    const wrong = {
      // Second-moment step done as ∫(x − μ1) p1 = 0 instead of ∫(x − μ1)² p1 = σ1²:
      firstMoment: (m1: number, s1: number, m2: number, s2: number) => Math.log(s2 / s1) + (m1 - m2) ** 2 / (2 * s2 * s2) - 0.5,
      noHalf: (m1: number, s1: number, m2: number, s2: number) => Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2),
      sigmaNotVar: (m1: number, s1: number, m2: number, s2: number) => Math.log(s2 / s1) + (s1 + (m1 - m2) ** 2) / (2 * s2) - 0.5,
    };
    for (const [name, f] of Object.entries(wrong)) {
      const prop = fc.property(arb.gaussianPair(), ([p, q]) => {
        const ref = kl.integrate(p, q);
        return Math.abs(f(p.mu, p.sigma, q.mu, q.sigma) - ref.value) <= 1e-6 * ref.value + 1e-12;
      });
      expect(() => fc.assert(prop, { numRuns: 100, seed: 9 }), name).toThrow(/Property failed/);
    }
  });
});
