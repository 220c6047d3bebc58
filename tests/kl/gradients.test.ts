/**
 * Gradients of the closed forms: autograd vs float64 central differences
 * (gradcheck) vs the analytic derivative, over random shapes and values,
 * across the branches of ½ψ, with broadcasting, and at extreme inputs.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { gradcheck, kl, noGrad, type Tensor } from '../../src/index.js';
import { expectClose, f32, f64 } from './helpers.js';

// The arbitraries are their own entry point ('genzoo/kl/arbitraries'), so fast-check loads only with them.
import * as arb from '../../src/kl/arbitraries.js';
/** Batches small enough that a float64 gradcheck (two evaluations per element) stays fast. */
const small = arb.latentBatch({ batch: { min: 1, max: 4 }, dim: { min: 1, max: 5 } });
/**
 * gradcheck with its absolute tolerance scaled to the size of the output: central
 * differences of f carry round-off ≈ ulp(f)/ε, so KLs in the thousands (log σ² up to 10)
 * need more than the default 1e-7 that suits O(1) outputs.
 */
const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void => {
  const out = noGrad(() => fn(...inputs.map((t) => f64(Array.from(t.data)).reshape(t.shape))));
  let size = 0;
  for (const v of out.data) size += Math.abs(v);
  const r = gradcheck(fn, inputs, { atol: Math.max(1e-7, 1e-9 * size) });
  if (!r.ok) throw new Error(r.message);
};

describe('autograd = central differences (gradcheck, float64)', () => {
  it('stdNormal, every reduction, random [batch, latent] shapes', () => {
    fc.assert(
      fc.property(small, fc.constantFrom('none', 'sum', 'mean'), fc.constantFrom(-1, null), (b, reduction, axis) => {
        check((m, l) => kl.stdNormal(m, l, { reduction, axis }), [f64(b.mu, true), f64(b.logvar, true)]);
      }),
      { numRuns: 15 },
    );
  });

  it('diagNormal, all four inputs, with broadcasting (a shared prior row)', () => {
    fc.assert(
      fc.property(small, arb.diagGaussian({ dim: { min: 5, max: 5 } }), (b, prior) => {
        const d = b.mu[0].length;
        check((m1, l1, m2, l2) => kl.diagNormal(m1, l1, m2, l2, { reduction: 'mean' }), [
          f64(b.mu, true), f64(b.logvar, true), f64(prior.mu.slice(0, d), true), f64(prior.logvar.slice(0, d), true),
        ]);
      }),
      { numRuns: 25 },
    );
  });

  it('normal (σ parameterization), broadcasting [3,1] × [1,4] × [] × [4]', () => {
    fc.assert(
      fc.property(fc.array(arb.gaussian({ sigma: { min: 0.05, max: 20 }, mu: { min: -5, max: 5 } }), { minLength: 12, maxLength: 12 }), (g) => {
        check((m1, s1, m2, s2) => kl.normal(m1, s1, m2, s2), [
          f64([[g[0].mu], [g[1].mu], [g[2].mu]], true),
          f64([[g[3].sigma, g[4].sigma, g[5].sigma, g[6].sigma]], true),
          f64(g[7].mu, true),
          f64([g[8].sigma, g[9].sigma, g[10].sigma, g[11].sigma], true),
        ]);
      }),
      { numRuns: 25 },
    );
  });

  it('is smooth across the branches of ½ψ (series |v| < ½, direct, and the top of the range)', () => {
    // One check per value: a projection summing e^709 with e^-40 would hide the small one's gradient.
    for (const lv of [-40, -0.5, -0.4999999, -1e-9, 0, 1e-9, 0.4999999, 0.5, 0.5000001, 3, 30, 87.9, 88.2, 89, 700, 709.5]) {
      check((m, l) => kl.stdNormal(m, l), [f64([0.3], true), f64([lv], true)]);
      check((m1, l1, l2) => kl.diagNormal(m1, l1, 0.1, l2), [f64([0.3], true), f64([lv - 0.25], true), f64([-0.25], true)]);
    }
  });
});

describe('autograd = the analytic derivative', () => {
  it('stdNormal: ∂/∂μ = μ, ∂/∂log σ² = ½(σ² − 1)', () => {
    fc.assert(
      fc.property(arb.latentBatch({ logvar: { min: -30, max: 30 } }), (b) => {
        const mu = f64(b.mu, true);
        const lv = f64(b.logvar, true);
        kl.stdNormal(mu, lv, { reduction: 'sum' }).backward();
        b.mu.flat().forEach((m, i) => expectClose(mu.grad!.data[i], m, 1e-15, 1e-300));
        b.logvar.flat().forEach((l, i) => expectClose(lv.grad!.data[i], 0.5 * Math.expm1(l), 1e-13, 1e-300));
      }),
      { numRuns: 50 },
    );
  });

  it('diagNormal: ∂/∂μ1 = (μ1−μ2)/σ2², ∂/∂lv1 = ½(σ1²/σ2² − 1), ∂/∂lv2 = ½(1 − σ1²/σ2² − (μ1−μ2)²/σ2²)', () => {
    fc.assert(
      fc.property(arb.diagGaussianPair(), ([a, b]) => {
        const [m1, l1, m2, l2] = [f64(a.mu, true), f64(a.logvar, true), f64(b.mu, true), f64(b.logvar, true)];
        kl.diagNormal(m1, l1, m2, l2).backward();
        for (let i = 0; i < a.mu.length; i++) {
          const dm = a.mu[i] - b.mu[i];
          const ratio = Math.exp(a.logvar[i] - b.logvar[i]);
          const gap2 = dm * dm * Math.exp(-b.logvar[i]);
          expectClose(m1.grad!.data[i], dm * Math.exp(-b.logvar[i]), 1e-13, 1e-300);
          expectClose(m2.grad!.data[i], -dm * Math.exp(-b.logvar[i]), 1e-13, 1e-300);
          expectClose(l1.grad!.data[i], 0.5 * Math.expm1(a.logvar[i] - b.logvar[i]), 1e-13, 1e-300);
          expectClose(l2.grad!.data[i], 0.5 * (1 - ratio - gap2), 1e-12, 1e-14 * (1 + ratio + gap2));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('normal: ∂/∂μ1 = (μ1−μ2)/σ2², ∂/∂σ1 = σ1/σ2² − 1/σ1, ∂/∂σ2 = 1/σ2 − (σ1² + (μ1−μ2)²)/σ2³', () => {
    fc.assert(
      fc.property(arb.gaussianPair({ sigma: { min: 0.01, max: 100 }, mu: { min: -10, max: 10 } }), ([p, q]) => {
        const [m1, s1, m2, s2] = [f64(p.mu, true), f64(p.sigma, true), f64(q.mu, true), f64(q.sigma, true)];
        kl.normal(m1, s1, m2, s2).backward();
        const dm = p.mu - q.mu;
        const scale = 1 / p.sigma + p.sigma / q.sigma ** 2 + 1 / q.sigma + (p.sigma ** 2 + dm * dm) / q.sigma ** 3;
        expectClose(m1.grad!.item(), dm / q.sigma ** 2, 1e-12, 1e-300);
        expectClose(m2.grad!.item(), -dm / q.sigma ** 2, 1e-12, 1e-300);
        expectClose(s1.grad!.item(), p.sigma / q.sigma ** 2 - 1 / p.sigma, 1e-12, 1e-14 * scale);
        expectClose(s2.grad!.item(), 1 / q.sigma - (p.sigma ** 2 + dm * dm) / q.sigma ** 3, 1e-12, 1e-14 * scale);
      }),
      { numRuns: 50 },
    );
  });
});

describe('gradients at extreme inputs stay finite where the true gradient is', () => {
  it('float32 stdNormal over the whole log-variance range, and a gap scaled by a tiny σ2', () => {
    const lv = [-1e30, -1e6, -200, -0.3, 0, 0.3, 50, 88.5, 89.3];
    const mu = f32(lv.map(() => 2), true);
    const l = f32(lv, true);
    kl.stdNormal(mu, l, { reduction: 'sum' }).backward();
    lv.forEach((v, i) => {
      expect(Number.isFinite(l.grad!.data[i])).toBe(true);
      expectClose(l.grad!.data[i], 0.5 * Math.expm1(Math.fround(v)), 2e-6, 1e-40);
    });
    // Equal means under σ2² = e^-300 (far below float32's range): the gap term is 0·e^75·e^75 = 0, never 0·Inf.
    const [m1, l1, m2, l2] = [f32([1.5], true), f32([-300], true), f32([1.5], true), f32([-300], true)];
    const k = kl.diagNormal(m1, l1, m2, l2);
    expect(k.item()).toBe(0);
    k.backward();
    for (const t of [m1, l1, m2, l2]) expect(t.grad!.item() === 0).toBe(true);
  });
});
