/**
 * Numerical care, checked against exact arithmetic: ½ψ(v) = ½(eᵛ − 1 − v)
 * against a 400-bit BigInt series, and the float32/float64 ranges that
 * docs/kl.md states: accurate up to the top of each dtype's range, +Inf only
 * where the true value overflows, never NaN for finite input.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { kl } from '../../src/index.js';
import { halfPsi as halfPsiTensor } from '../../src/kl/closedForms.js';
import { halfPsi } from '../../src/kl/scalar.js';
import { expectClose, f32, f64 } from './helpers.js';

/** ½(eᵛ − 1 − v) = Σₖ₌₂ vᵏ/(2·k!) in 400-bit fixed point, correctly rounded to a double. */
function halfPsiExact(v: number): number {
  const BITS = 400n;
  const ONE = 1n << BITS;
  // v is a dyadic rational: scale it exactly. With |v| ≥ 1e-30, v² keeps ≥ 200 of the 400 bits.
  const [mant, exp] = (() => {
    let m = v;
    let e = 0;
    while (!Number.isInteger(m)) { m *= 2; e++; }
    return [BigInt(m), BigInt(e)];
  })();
  const V = (mant << BITS) >> exp;
  let term = (V * V) / ONE / 2n; // v²/2!
  let sum = 0n;
  for (let k = 3n; term !== 0n; k++) {
    sum += term;
    term = (term * V) / ONE / k;
  }
  return Number(sum) / 2 ** 400 / 2; // Number(bigint) rounds to nearest; the power-of-two division is exact
}

describe('½ψ(v) = ½(eᵛ − 1 − v), the core of every closed form', () => {
  const grid = [-8, -3, -1, -0.5000001, -0.5, -0.4999999, -0.1, -1e-3, -1e-8, -1e-30, 1e-30, 1e-8, 1e-3, 0.1, 0.25, 0.4999999, 0.5, 0.5000001, 1, 2.5, 8];

  it('number path: within 4 ulps of a 400-bit reference, both sides of the series cut-off', () => {
    for (const v of grid) expectClose(halfPsi(v), halfPsiExact(v), 4 * Number.EPSILON, 0, `v = ${v}`);
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }).filter((v) => v === 0 || Math.abs(v) > 1e-30), (v) => {
      expectClose(halfPsi(v), halfPsiExact(v), 4 * Number.EPSILON, 0, `v = ${v}`);
    }), { numRuns: 300 });
    // Below 1e-30, ½ψ(v) = v²/4·(1 + v/3 + …) is v²/4 to the last bit.
    for (const v of [1e-80, -1e-80, 1e-150]) expectClose(halfPsi(v), (v * v) / 4, Number.EPSILON);
  });

  it('float64 tensor path: within 16 ulps (½eᵛ − ½(1 + v) cancels a little just above |v| = ½)', () => {
    const got = halfPsiTensor(f64(grid)).data;
    grid.forEach((v, i) => expectClose(got[i], halfPsiExact(v), 16 * Number.EPSILON, 0, `v = ${v}`));
  });

  it('float32 tensor path: within 8 float32 ulps of the exact value of its float32 input', () => {
    const xs = grid.map(Math.fround);
    const got = halfPsiTensor(f32(xs)).data;
    // (±1e-30 → ½ψ ≈ 2.5e-61 is below float32's range: 0 is the right float32 answer.)
    xs.forEach((v, i) => expectClose(got[i], halfPsiExact(v), 8 * 2 ** -23, 1e-44, `v = ${v}`));
  });
});

describe('the stated exact ranges (docs/kl.md)', () => {
  const FLT_MAX = 3.4028234663852886e38;

  it('float32 stdNormal: accurate for every log σ² up to 89.41 and |μ| up to 2.6e19; +Inf only beyond, where the true value overflows', () => {
    const lvs = [-1e30, -1e6, -1e3, -88, -20, -1, -1e-3, -1e-8, 0, 1e-8, 1e-3, 0.5, 1, 20, 80, 88, 88.5, 89, 89.41];
    const mus = [0, 1e-20, 1, 1e3, 1e19, 2.6e19];
    for (const lv of lvs) {
      for (const mu of mus) {
        const [m, l] = [Math.fround(mu), Math.fround(lv)];
        const want = kl.stdNormal(m, l);
        const got = kl.stdNormal(f32([m]), f32([l])).item();
        // e.g. ½μ² + ½e^89.41 with μ = 2.6e19: each term fits, the sum does not.
        if (want > FLT_MAX) expect(got).toBe(Infinity);
        // (atol: values below float32's normal range, 1.2e-38, are subnormal and lose digits.)
        else expectClose(got, want, 2e-6, 1e-44, `μ = ${mu}, log σ² = ${lv}`);
      }
    }
    expect(kl.stdNormal(f32([0]), f32([89.42])).item()).toBe(Infinity); // ½e^89.42 > FLT_MAX: the true value overflows
    expect(kl.stdNormal(f32([2.7e19]), f32([0])).item()).toBe(Infinity); // ½μ² > FLT_MAX
  });

  it('float64 stdNormal: accurate up to log σ² = 710.47 and |μ| up to 1.8e154; +Inf only beyond', () => {
    for (const lv of [-1e300, -1e6, -700, 0.5, 100, 700, 709, 709.9, 710.47]) {
      for (const mu of [0, 1, 1e150, 1.8e154]) {
        expectClose(kl.stdNormal(f64([mu]), f64([lv])).item(), kl.stdNormal(mu, lv), 1e-14, 0, `μ = ${mu}, log σ² = ${lv}`);
      }
      expect(Number.isFinite(kl.stdNormal(f64([1]), f64([lv])).item())).toBe(true);
    }
    expect(Number.isFinite(kl.stdNormal(f64([1.8e154]), f64([0])).item())).toBe(true);
    expectClose(kl.stdNormal(0, 710.47), 0.5 * Math.exp(355) * Math.exp(355.47) - 0.5 * (1 + 710.47), 1e-13); // ½e^710.47 ≈ 1.79e308
    expect(kl.stdNormal(f64([0]), f64([710.48])).item()).toBe(Infinity);
    expect(kl.stdNormal(0, 710.48)).toBe(Infinity);
  });

  it('float32 diagNormal and normal: σ ratios far outside float32 (σ² itself underflows or overflows) stay exact', () => {
    // log σ² = ±150 is out of float32's exponent range for σ², but not for the KL.
    const cases: Array<[number, number, number, number]> = [
      [0, -150, 0, 150], [1, 150, -1, -150], [0.5, -300, 0.5, -300], [2, -300, 1, -299], [0, 80, 3, 80], [0, 60, 1e10, 100],
    ];
    for (const [m1, l1, m2, l2] of cases) {
      const want = kl.diagNormal(m1, l1, m2, l2);
      const got = kl.diagNormal(f32([m1]), f32([l1]), f32([m2]), f32([l2])).item();
      if (want > FLT_MAX) expect(got).toBe(Infinity);
      else expectClose(got, want, 2e-6, 0, `diagNormal(${m1}, ${l1}, ${m2}, ${l2})`);
    }
    // σ1 = 1e-30, σ2 = 1e30: σ1² = 1e-60 is 0 in float32, the KL is log 1e60 − ½ ≈ 137.66.
    expectClose(kl.normal(f32([0]), f32([1e-30]), f32([0]), f32([1e30])).item(), kl.normal(0, Math.fround(1e-30), 0, Math.fround(1e30)), 2e-6);
    expectClose(kl.normal(0, 1e-30, 0, 1e30), 60 * Math.LN10 - 0.5, 1e-15);
  });

  it('never NaN for finite float32 inputs: the float64 value to float32 accuracy, or +Inf exactly where that exceeds float32', () => {
    const mean = fc.oneof(
      fc.double({ min: -3.4e38, max: 3.4e38, noNaN: true }),
      fc.double({ min: -400, max: 400, noNaN: true }),
      fc.constantFrom(0, 1, -1, 3.4e38, -3.4e38),
    );
    const logvar = fc.oneof(fc.double({ min: -3.4e38, max: 3.4e38, noNaN: true }), fc.double({ min: -400, max: 400, noNaN: true }), fc.constantFrom(0, 3.4e38, -3.4e38));
    fc.assert(
      fc.property(mean, logvar, mean, logvar, (m1, l1, m2, l2) => {
        const [a, b, c, d] = [m1, l1, m2, l2].map(Math.fround);
        const want = kl.diagNormal(a, b, c, d);
        const got = kl.diagNormal(f32([a]), f32([b]), f32([c]), f32([d])).item();
        const std = kl.stdNormal(f32([a]), f32([b])).item();
        const nrm = kl.normal(f32([a]), f32([Math.min(Math.max(Math.exp(b / 2), 1.5e-45), 3e38)]), f32([c]), f32([1])).item();
        for (const v of [got, std, nrm]) expect(Number.isNaN(v)).toBe(false);
        // Accuracy needs lv1 − lv2 to be a float32 itself (|lv| ≤ 1.7e38, docs/kl.md); beyond, still no NaN.
        if (!Number.isFinite(Math.fround(b - d))) expect(got).toBeGreaterThan(1e38);
        else if (want > FLT_MAX) expect(got).toBe(Infinity);
        else expectClose(got, want, 2e-6 + 1.2e-7 * Math.abs(b - d), 1e-44);
      }),
      { numRuns: 300 },
    );
  });
});
