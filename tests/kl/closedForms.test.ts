/**
 * Properties of the closed forms: KL ≥ 0, = 0 exactly for identical
 * distributions, asymmetry, the diagonal form is a sum of 1-D forms, stdNormal
 * is diagNormal against (0, 0); tensor paths agree with the float64 number path;
 * shapes, broadcasting, reductions and dtypes.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { kl, tensor, Tensor, zeros } from '../../src/index.js';
import { expectClose, f32, f64, textbookKL } from './helpers.js';

// The arbitraries are their own entry point ('genzoo/kl/arbitraries'), so fast-check loads only with them.
import * as arb from '../../src/kl/arbitraries.js';
const sigmaOf = (logvar: number): number => Math.exp(0.5 * logvar);

describe('KL ≥ 0, and = 0 exactly for identical distributions', () => {
  it('holds for random 1-D pairs (numbers and float32/float64 tensors)', () => {
    fc.assert(
      fc.property(arb.gaussianPair(), ([p, q]) => {
        expect(kl.normal(p.mu, p.sigma, q.mu, q.sigma)).toBeGreaterThanOrEqual(0);
        for (const t of [f32, f64]) {
          const v = kl.normal(t([p.mu]), t([p.sigma]), t([q.mu]), t([q.sigma])).data[0];
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('holds for random diagonal pairs, row by row', () => {
    fc.assert(
      fc.property(arb.latentBatch(), arb.latentBatch(), (a, b) => {
        const rows = Math.min(a.mu.length, b.mu.length);
        const d = Math.min(a.mu[0].length, b.mu[0].length);
        const cut = (m: number[][]) => m.slice(0, rows).map((r) => r.slice(0, d));
        for (const t of [f32, f64]) {
          const k = kl.diagNormal(t(cut(a.mu)), t(cut(a.logvar)), t(cut(b.mu)), t(cut(b.logvar)));
          expect(k.shape).toEqual([rows]);
          for (const v of k.data) expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is exactly 0 for identical distributions, in every dtype and path', () => {
    fc.assert(
      fc.property(arb.gaussian(), arb.latentBatch(), (p, b) => {
        expect(kl.normal(p.mu, p.sigma, p.mu, p.sigma)).toBe(0);
        for (const t of [f32, f64]) {
          expect(kl.normal(t([p.mu]), t([p.sigma]), t([p.mu]), t([p.sigma])).data[0]).toBe(0);
          const k = kl.diagNormal(t(b.mu), t(b.logvar), t(b.mu), t(b.logvar), { axis: null });
          expect(Array.from(k.data).every((v) => v === 0)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
    expect(kl.stdNormal(0, 0)).toBe(0);
    expect(Array.from(kl.stdNormal(zeros([3, 4]), zeros([3, 4])).data)).toEqual([0, 0, 0]);
  });
});

describe('asymmetry', () => {
  it('KL(p‖q) ≠ KL(q‖p) in general: a worked example', () => {
    // KL(N(0,1) ‖ N(1,4)) = log 2 + (1 + 1)/8 − ½;  KL(N(1,4) ‖ N(0,1)) = −log 2 + (4 + 1)/2 − ½.
    expectClose(kl.normal(0, 1, 1, 2), Math.log(2) + 2 / 8 - 0.5, 1e-15);
    expectClose(kl.normal(1, 2, 0, 1), -Math.log(2) + 5 / 2 - 0.5, 1e-15);
    expect(kl.normal(0, 1, 1, 2)).not.toBeCloseTo(kl.normal(1, 2, 0, 1), 3);
  });

  it('the wider distribution first always gives the larger KL; equal widths are symmetric', () => {
    // KL(p‖q) − KL(q‖p) = ½Δ²(1/σq² − 1/σp²) + (sinh v − v), v = log σp²/σq²: both terms have the sign of σp − σq.
    fc.assert(
      fc.property(arb.gaussianPair(), ([p, q]) => {
        const pq = kl.normal(p.mu, p.sigma, q.mu, q.sigma);
        const qp = kl.normal(q.mu, q.sigma, p.mu, p.sigma);
        if (Math.abs(Math.log(p.sigma / q.sigma)) > 1e-3) {
          expect(Math.sign(pq - qp)).toBe(Math.sign(p.sigma - q.sigma));
        }
        const same = kl.normal(p.mu, p.sigma, q.mu, p.sigma);
        expectClose(kl.normal(q.mu, p.sigma, p.mu, p.sigma), same, 1e-15, 0, 'equal widths');
      }),
      { numRuns: 200 },
    );
  });
});

describe('relations between the forms', () => {
  it('the diagonal form equals the sum of the 1-D forms', () => {
    fc.assert(
      fc.property(arb.diagGaussianPair(), ([a, b]) => {
        const diag = kl.diagNormal(f64(a.mu), f64(a.logvar), f64(b.mu), f64(b.logvar)).item();
        let sum = 0;
        for (let i = 0; i < a.mu.length; i++) sum += kl.normal(a.mu[i], sigmaOf(a.logvar[i]), b.mu[i], sigmaOf(b.logvar[i]));
        // σ = e^(lv/2) rounds, so log σ1/σ2 differs from (lv1 − lv2)/2 by an ulp or so.
        expectClose(diag, sum, 1e-12, 1e-14 * a.mu.length);
        expectClose(kl.diagNormal(a.mu[0], a.logvar[0], b.mu[0], b.logvar[0]), kl.diagNormal(f64(a.mu.slice(0, 1)), f64(a.logvar.slice(0, 1)), f64(b.mu.slice(0, 1)), f64(b.logvar.slice(0, 1))).item(), 1e-14, 1e-300);
      }),
      { numRuns: 150 },
    );
  });

  it('stdNormal equals diagNormal against (0, 0), bit for bit', () => {
    fc.assert(
      fc.property(arb.latentBatch({ logvar: { min: -30, max: 30 } }), (b) => {
        for (const t of [f32, f64]) {
          const mu = t(b.mu);
          const lv = t(b.logvar);
          expect(Array.from(kl.stdNormal(mu, lv).data)).toEqual(Array.from(kl.diagNormal(mu, lv, 0, 0).data));
          const z = zeros(mu.shape, { dtype: mu.dtype });
          expect(Array.from(kl.stdNormal(mu, lv, { axis: null }).data)).toEqual(Array.from(kl.diagNormal(mu, lv, z, z, { axis: null }).data));
        }
        expect(kl.stdNormal(b.mu[0][0], b.logvar[0][0])).toBe(kl.diagNormal(b.mu[0][0], b.logvar[0][0], 0, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('stdNormal is ½Σ(μ² + σ² − log σ² − 1), the VAE formula', () => {
    const mu = [[0.5, -1, 2], [0, 0.1, -0.3]];
    const lv = [[0.2, -3, 1], [0, 2, -0.7]];
    const want = mu.map((r, i) => r.reduce((s, m, j) => s + 0.5 * (m * m + Math.exp(lv[i][j]) - lv[i][j] - 1), 0));
    const got = kl.stdNormal(f64(mu), f64(lv));
    expect(got.shape).toEqual([2]);
    got.data.forEach((v, i) => expectClose(v, want[i], 1e-14));
  });

  it('matches the textbook formula where that formula is accurate', () => {
    fc.assert(
      fc.property(arb.gaussianPair({ sigma: { min: 0.1, max: 10 }, mu: { min: -5, max: 5 } }), ([p, q]) => {
        const want = textbookKL(p.mu, p.sigma, q.mu, q.sigma);
        fc.pre(want > 1e-3); // below that the textbook form cancels
        expectClose(kl.normal(p.mu, p.sigma, q.mu, q.sigma), want, 1e-11);
      }),
    );
  });
});

describe('tensor paths agree with the float64 number path', () => {
  it('float64 tensors: stdNormal and diagNormal to ~1e-14, normal to ~1e-10 (log σ differences round)', () => {
    fc.assert(
      fc.property(arb.diagGaussianPair({ logvar: { min: -40, max: 40 } }), ([a, b]) => {
        const diag = kl.diagNormal(f64(a.mu), f64(a.logvar), f64(b.mu), f64(b.logvar), { axis: null });
        const std = kl.stdNormal(f64(a.mu), f64(a.logvar), { axis: null });
        const nrm = kl.normal(f64(a.mu), f64(a.logvar.map(sigmaOf)), f64(b.mu), f64(b.logvar.map(sigmaOf)));
        for (let i = 0; i < a.mu.length; i++) {
          expectClose(diag.data[i], kl.diagNormal(a.mu[i], a.logvar[i], b.mu[i], b.logvar[i]), 1e-14, 1e-300, 'diagNormal');
          expectClose(std.data[i], kl.stdNormal(a.mu[i], a.logvar[i]), 1e-14, 1e-300, 'stdNormal');
          const s1 = sigmaOf(a.logvar[i]);
          const s2 = sigmaOf(b.logvar[i]);
          expectClose(nrm.data[i], kl.normal(a.mu[i], s1, b.mu[i], s2), 1e-10, 1e-15 * (1 + Math.abs(Math.log(s1)) + Math.abs(Math.log(s2))), 'normal');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('float32 tensors: within 2e-6 (+1.2e-7 per unit of |lv1 − lv2|) relative of float64 on the same inputs', () => {
    fc.assert(
      fc.property(arb.diagGaussianPair({ logvar: { min: -40, max: 40 }, mu: { min: -100, max: 100 } }), ([a, b]) => {
        const r = (xs: number[]) => xs.map(Math.fround);
        const [m1, l1, m2, l2] = [r(a.mu), r(a.logvar), r(b.mu), r(b.logvar)];
        const diag = kl.diagNormal(f32(m1), f32(l1), f32(m2), f32(l2), { axis: null });
        const std = kl.stdNormal(f32(m1), f32(l1), { axis: null });
        for (let i = 0; i < m1.length; i++) {
          // lv1 − lv2 is rounded to float32 before the exp: an error of |v|·2⁻²⁴ in the exponent.
          expectClose(diag.data[i], kl.diagNormal(m1[i], l1[i], m2[i], l2[i]), 2e-6 + 1.2e-7 * Math.abs(l1[i] - l2[i]), 1e-40, 'diagNormal');
          expectClose(std.data[i], kl.stdNormal(m1[i], l1[i]), 2e-6, 1e-40, 'stdNormal');
        }
        // normal: log σ1 and log σ2 each round to float32 (half an ulp, ≤ 2⁻²⁴|log σ|) before they are
        // subtracted into v = 2 log(σ1/σ2); that moves the KL by ½|eᵛ − 1|·δv (docs/kl.md, exact ranges).
        const [s1, s2] = [l1.map((l) => Math.fround(Math.exp(l / 2))), l2.map((l) => Math.fround(Math.exp(l / 2)))];
        const nrm = kl.normal(f32(m1), f32(s1), f32(m2), f32(s2));
        for (let i = 0; i < m1.length; i++) {
          const [a, b] = [Math.log(s1[i]), Math.log(s2[i])];
          const want = kl.normal(m1[i], s1[i], m2[i], s2[i]);
          const vErr = 2 * 2 ** -24 * (Math.abs(a) + Math.abs(b) + 1);
          const atol = 0.5 * Math.abs(Math.expm1(2 * (a - b))) * vErr * 1.5;
          expectClose(nrm.data[i], want, 2e-6 + 1.2e-7 * Math.abs(2 * (a - b)), atol + 1e-40, 'normal');
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('shapes, broadcasting, reductions, dtypes', () => {
  const mu = f64([[0.5, -1, 2], [0, 0.1, -0.3]]);
  const lv = f64([[0.2, -3, 1], [0, 2, -0.7]]);
  const rows = Array.from(kl.stdNormal(mu, lv).data);

  it("sums the latent (last) axis by default; 'mean' averages the rows (a VAE's batch mean), 'sum' totals them", () => {
    expect(kl.stdNormal(mu, lv, { reduction: 'mean' }).shape).toEqual([]);
    expectClose(kl.stdNormal(mu, lv, { reduction: 'mean' }).item(), (rows[0] + rows[1]) / 2, 1e-15);
    expectClose(kl.stdNormal(mu, lv, { reduction: 'sum' }).item(), rows[0] + rows[1], 1e-15);
    const elems = kl.stdNormal(mu, lv, { axis: null });
    expect(elems.shape).toEqual([2, 3]);
    expectClose(kl.stdNormal(mu, lv, { axis: null, reduction: 'mean' }).item(), (rows[0] + rows[1]) / 6, 1e-15);
    expect(kl.stdNormal(mu, lv, { axis: 0 }).shape).toEqual([3]);
  });

  it('treats leading axes as batch axes, and axes can be listed', () => {
    const m3 = f64([[[1, 2], [3, 4]], [[0, 1], [1, 0]]]);
    expect(kl.stdNormal(m3, 0).shape).toEqual([2, 2]);
    expect(kl.stdNormal(m3, 0, { axis: [1, 2] }).shape).toEqual([2]);
    expectClose(kl.stdNormal(m3, 0, { axis: [1, 2] }).data[0], 0.5 * (1 + 4 + 9 + 16), 1e-15);
  });

  it('broadcasts: a shared logvar row, a scalar prior, numbers mixed with tensors', () => {
    const shared = f64([0.2, -3, 1]);
    const k = kl.stdNormal(mu, shared);
    expect(k.shape).toEqual([2]);
    expectClose(k.data[0], rows[0], 1e-15);
    const prior = kl.diagNormal(mu, lv, 0.5, f64(0.3));
    expect(prior.shape).toEqual([2]);
    const n = kl.normal(f64([[0], [1]]), f64([1, 2, 3]), 0, 1);
    expect(n.shape).toEqual([2, 3]);
    expectClose(n.data[5], kl.normal(1, 3, 0, 1), 1e-15);
  });

  it('numbers in, a number out (float64); tensors keep their dtype; float32 with float64 promotes', () => {
    expect(typeof kl.normal(0, 1, 1, 2)).toBe('number');
    expect(typeof kl.stdNormal(0.3, -1)).toBe('number');
    expect(typeof kl.diagNormal(0.3, -1, 0, 0.5)).toBe('number');
    expect(kl.stdNormal(f32([[1, 2]]), f32([[0, 0]])).dtype).toBe('float32');
    expect(kl.stdNormal(f32([[1, 2]]), 0).dtype).toBe('float32');
    expect(kl.diagNormal(f32([[1, 2]]), f64([[0, 0]]), 0, 0).dtype).toBe('float64');
    expect(kl.normal(tensor(0), 1, 0, 1)).toBeInstanceOf(Tensor);
  });

  it('a 0-d tensor is one 1-D Gaussian (no axis to sum)', () => {
    const k = kl.stdNormal(f64(0.5), f64(0.2));
    expect(k.shape).toEqual([]);
    expectClose(k.item(), kl.stdNormal(0.5, 0.2), 1e-15);
  });
});
