/**
 * The numeric references: the Gauss–Kronrod rule itself, kl.integrate against
 * the closed forms (and against known KLs of non-Gaussian densities), and
 * kl.monteCarlo within its standard error.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { Generator, kl } from '../../src/index.js';
import { gk21, integrateRealLine } from '../../src/kl/gaussKronrod.js';
import { expectClose, f64 } from './helpers.js';

// The arbitraries are their own entry point ('genzoo/kl/arbitraries'), so fast-check loads only with them.
import * as arb from '../../src/kl/arbitraries.js';

describe('the 21-point Gauss–Kronrod rule', () => {
  const run = (f: (x: number) => number, a: number, b: number) => gk21((x, out) => { out[0] = f(x); }, 1, a, b);

  it('is exact for polynomials up to degree 31; its Gauss half only up to 19, which is what the error estimate sees', () => {
    const [a, b] = [-1, 2];
    for (let k = 0; k <= 31; k++) {
      const exact = (b ** (k + 1) - a ** (k + 1)) / (k + 1);
      const r = run((x) => x ** k, a, b);
      expectClose(r.value[0], exact, 1e-14, 0, `x^${k}`);
      const floor = 50 * Number.EPSILON * 3 * Math.max(Math.abs(a), b) ** k; // QUADPACK's round-off floor, 50 ulps of ∫|f|
      if (k <= 19) expect(r.error[0]).toBeLessThanOrEqual(floor);
      else expect(r.error[0]).toBeGreaterThan(Math.abs(r.value[0] - exact)); // conservative once the Gauss rule is inexact
    }
    const r32 = run((x) => x ** 32, a, b);
    expect(Math.abs(r32.value[0] - (2 ** 33 + 1) / 33)).toBeGreaterThan(1e-12);
  });

  it('adaptively integrates over the whole real line, heavy tails included', () => {
    const opts = { epsAbs: 0, epsRel: 1e-12, maxSegments: 2000, tailScale: 1 };
    const gauss = integrateRealLine((x, out) => { out[0] = Math.exp(-x * x); }, 1, [-1, 0, 1], opts);
    expectClose(gauss.value[0], Math.sqrt(Math.PI), 1e-13);
    const cauchy = integrateRealLine((x, out) => { out[0] = 1 / (1 + x * x); }, 1, [0], opts);
    expect(cauchy.converged).toBe(true);
    expectClose(cauchy.value[0], Math.PI, 1e-11);
  });
});

describe('kl.integrate', () => {
  it('matches the float64 closed form to 1e-8 relative on its whole stated domain (σ ratio ≤ 100, gaps ≤ 20σ)', () => {
    fc.assert(
      fc.property(arb.gaussianPair(), ([p, q]) => {
        const closed = kl.normal(p.mu, p.sigma, q.mu, q.sigma);
        const ref = kl.integrate(p, q);
        expect(ref.converged).toBe(true);
        // (KLs below ~1e-290 are subnormal-adjacent: there float64 itself has no relative accuracy left.)
        expectClose(ref.value, closed, 1e-8, 1e-290);
        // The error estimate is honest: the true error is below it (plus float64 round-off).
        expect(Math.abs(ref.value - closed)).toBeLessThanOrEqual(ref.error + 1e-14 * closed + 1e-290);
        expectClose(ref.massP, 1, 1e-10);
        expectClose(ref.massQ, 1, 1e-10);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the float64 tensor path to 1e-6 relative (the issue’s property)', () => {
    fc.assert(
      fc.property(arb.gaussianPair(), ([p, q]) => {
        const tensorKL = kl.normal(f64([p.mu]), f64([p.sigma]), f64([q.mu]), f64([q.sigma])).item();
        expectClose(tensorKL, kl.integrate(p, q).value, 1e-6, 1e-14);
        const lv = (s: number) => 2 * Math.log(s);
        const diag = kl.diagNormal(f64([p.mu]), f64([lv(p.sigma)]), f64([q.mu]), f64([lv(q.sigma)])).item();
        expectClose(diag, kl.integrate(p, q).value, 1e-6, 1e-14);
      }),
      { numRuns: 60 },
    );
  });

  it('gives exactly 0 for identical Gaussians, and keeps relative accuracy for nearly identical ones', () => {
    const r = kl.integrate({ mu: 3, sigma: 0.2 }, { mu: 3, sigma: 0.2 });
    expect(r.value).toBe(0);
    expect(r.error).toBe(0);
    const p = { mu: 0, sigma: 1 };
    const q = { mu: 1e-9, sigma: 1 + 1e-12 };
    expectClose(kl.integrate(p, q).value, kl.normal(p.mu, p.sigma, q.mu, q.sigma), 1e-8); // KL ≈ 5e-19
  });

  const laplace = (m: number, b: number) => ({
    logPdf: (x: number) => -Math.abs(x - m) / b - Math.log(2 * b),
    location: m,
    scale: b,
    sample: (rng: Generator) => {
      const u = rng.random() - 0.5;
      return m - b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    },
  });
  const normalLogPdf = (m: number, s: number) => (x: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

  it('integrates user-supplied log-densities (Laplace ↔ Gaussian, known in closed form)', () => {
    // KL(Laplace(m, b) ‖ N(m2, σ²)) = −1 − log 2b + ½ log 2πσ² + (2b² + (m − m2)²)/(2σ²)
    const [m, b, m2, s] = [0.7, 1.3, -0.4, 2.1];
    const want1 = -1 - Math.log(2 * b) + 0.5 * Math.log(2 * Math.PI * s * s) + (2 * b * b + (m - m2) ** 2) / (2 * s * s);
    const r1 = kl.integrate(laplace(m, b), { mu: m2, sigma: s });
    expect(r1.converged).toBe(true);
    expectClose(r1.value, want1, 1e-8);
    // KL(N(m, σ²) ‖ Laplace(m, b)) = −½ log(2πeσ²) + log 2b + σ√(2/π)/b; q given as a bare function at its location.
    const want2 = -0.5 * Math.log(2 * Math.PI * Math.E * s * s) + Math.log(2 * b) + (s * Math.sqrt(2 / Math.PI)) / b;
    const lap = laplace(m, b);
    expectClose(kl.integrate({ mu: m, sigma: s }, { logPdf: lap.logPdf, location: m, scale: b }).value, want2, 1e-8);
    expectClose(kl.integrate({ logPdf: normalLogPdf(0, 1) }, { mu: 1, sigma: 2 }).value, kl.normal(0, 1, 1, 2), 1e-10);
    expectClose(kl.integrate(normalLogPdf(0, 1), normalLogPdf(0.5, 1.5)).value, kl.normal(0, 1, 0.5, 1.5), 1e-10);
  });

  it('handles finite supports: breakpoints at jumps, and Infinity when q misses mass of p', () => {
    const uniform = { logPdf: (x: number) => (Math.abs(x) <= 1 ? -Math.log(2) : -Infinity), location: 0, scale: 1 };
    // KL(U(−1, 1) ‖ N(0, 1)) = −log 2 + ½ log 2π + E[x²]/2, E[x²] = 1/3.
    const r = kl.integrate(uniform, { mu: 0, sigma: 1 }, { breakpoints: [-1, 1] });
    expectClose(r.value, -Math.log(2) + 0.5 * Math.log(2 * Math.PI) + 1 / 6, 1e-10);
    expect(kl.integrate({ mu: 0, sigma: 1 }, uniform).value).toBe(Infinity);
    expect(kl.monteCarlo({ mu: 0, sigma: 1 }, uniform, 100, new Generator(1)).value).toBe(Infinity);
  });

  it('reports non-convergence instead of hiding it', () => {
    // QUADPACK's error floor is 50 ulps per piece, so 1e-15 relative can never be certified.
    const r = kl.integrate({ mu: 0, sigma: 1 }, { mu: 1, sigma: 2 }, { epsRel: 1e-15, maxIntervals: 200 });
    expect(r.converged).toBe(false);
    expect(r.intervals).toBe(200);
    expectClose(r.value, kl.normal(0, 1, 1, 2), 1e-12); // still the best estimate
  });

  it('refuses densities that do not integrate to 1, or whose mass it was not told where to find', () => {
    expect(() => kl.integrate((x) => -0.5 * x * x, { mu: 0, sigma: 1 })).toThrow(/kl\.integrate: p integrates to 2\.50\d*, not 1.*normalized/);
    const far = { logPdf: normalLogPdf(1e3, 0.05) };
    expect(() => kl.integrate(far, { mu: 0, sigma: 1 })).toThrow(/p integrates to 0, not 1.*location\/scale/);
    const found = kl.integrate({ ...far, location: 1e3, scale: 0.05 }, { mu: 1e3 + 0.3, sigma: 1 });
    expect(found.converged).toBe(true);
    expectClose(found.value, kl.normal(1e3, 0.05, 1e3 + 0.3, 1), 1e-8);
  });
});

describe('kl.monteCarlo', () => {
  it('is within 4 standard errors of the closed form (fixed seeds)', () => {
    fc.assert(
      fc.property(arb.gaussianPair(), fc.integer({ min: 0, max: 2 ** 31 }), ([p, q], seed) => {
        const mc = kl.monteCarlo(p, q, 20_000, new Generator(seed));
        const closed = kl.normal(p.mu, p.sigma, q.mu, q.sigma);
        expect(mc.n).toBe(20_000);
        expect(Math.abs(mc.value - closed)).toBeLessThanOrEqual(4 * mc.standardError + 1e-12 * closed + 1e-290);
      }),
      { numRuns: 30, seed: 20261127 },
    );
  });

  it('its standard error shrinks like 1/√n and matches the spread of repeated estimates', () => {
    const p = { mu: 0, sigma: 1 };
    const q = { mu: 1, sigma: 2 };
    const g = new Generator(5);
    const runs = Array.from({ length: 200 }, () => kl.monteCarlo(p, q, 400, g));
    const mean = runs.reduce((s, r) => s + r.value, 0) / runs.length;
    const sd = Math.sqrt(runs.reduce((s, r) => s + (r.value - mean) ** 2, 0) / (runs.length - 1));
    const se = runs.reduce((s, r) => s + r.standardError, 0) / runs.length;
    expectClose(sd, se, 0.15); // the SE predicts the scatter of the estimates
    const big = kl.monteCarlo(p, q, 40_000, new Generator(6));
    expectClose(big.standardError, se / 10, 0.1);
  });

  it('is seeded: same generator seed, same estimate; default generator follows manualSeed', async () => {
    const { manualSeed } = await import('../../src/index.js');
    const p = { mu: 0, sigma: 1 };
    const q = { mu: 0.5, sigma: 0.7 };
    expect(kl.monteCarlo(p, q, 1000, new Generator(9))).toEqual(kl.monteCarlo(p, q, 1000, new Generator(9)));
    manualSeed(11);
    const a = kl.monteCarlo(p, q, 1000);
    manualSeed(11);
    expect(kl.monteCarlo(p, q, 1000)).toEqual(a);
  });

  it('samples user densities through their sample(rng)', () => {
    const p = laplaceFor(0.7, 1.3);
    const want = -1 - Math.log(2 * 1.3) + 0.5 * Math.log(2 * Math.PI * 2.1 ** 2) + (2 * 1.3 ** 2 + 1.1 ** 2) / (2 * 2.1 ** 2);
    const mc = kl.monteCarlo(p, { mu: -0.4, sigma: 2.1 }, 50_000, new Generator(3));
    expect(Math.abs(mc.value - want)).toBeLessThanOrEqual(4 * mc.standardError);
  });
});

function laplaceFor(m: number, b: number) {
  return {
    logPdf: (x: number) => -Math.abs(x - m) / b - Math.log(2 * b),
    location: m,
    scale: b,
    sample: (rng: Generator) => {
      const u = rng.random() - 0.5;
      return m - b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    },
  };
}
