/** Elementwise forward kernels against Math and hand-computed values. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as gz from '../../src/index.js';
import { tensor, type Tensor } from '../../src/index.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });

/** Each unary op with an independent scalar definition. */
const UNARY: Array<[string, (x: Tensor) => Tensor, (x: number) => number]> = [
  ['neg', gz.neg, (x) => -x],
  ['exp', gz.exp, Math.exp],
  ['log', gz.log, Math.log],
  ['sqrt', gz.sqrt, Math.sqrt],
  ['abs', gz.abs, Math.abs],
  ['square', gz.square, (x) => x * x],
  ['relu', gz.relu, (x) => Math.max(x, 0)],
  ['leakyRelu', (x) => gz.leakyRelu(x), (x) => (x > 0 ? x : 0.01 * x)],
  ['leakyRelu(0.2)', (x) => gz.leakyRelu(x, 0.2), (x) => (x > 0 ? x : 0.2 * x)],
  ['sigmoid', gz.sigmoid, (x) => 1 / (1 + Math.exp(-x))],
  ['tanh', gz.tanh, Math.tanh],
  // log(1 + eˣ), written with log1p so the reference itself is accurate for x ≪ 0
  ['softplus', gz.softplus, (x) => (x <= 0 ? Math.log1p(Math.exp(x)) : x + Math.log1p(Math.exp(-x)))],
  ['pow 3', (x) => gz.pow(x, 3), (x) => x ** 3],
  ['pow 0.5', (x) => gz.pow(x, 0.5), Math.sqrt],
  ['pow -2', (x) => gz.pow(x, -2), (x) => x ** -2],
  ['clamp(-1, 0.5)', (x) => gz.clamp(x, -1, 0.5), (x) => Math.min(Math.max(x, -1), 0.5)],
];

describe('unary ops', () => {
  test.each(UNARY)('%s matches its definition in float64', (_name, op, f) => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
        const out = op(f64(xs));
        expect(out.shape).toEqual([xs.length]);
        out.toList().forEach((v, i) => {
          const want = f(xs[i]);
          if (Number.isNaN(want)) expect(v).toBeNaN();
          else if (!Number.isFinite(want)) expect(v).toBe(want);
          else expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)));
        });
      }),
      { numRuns: 40 },
    );
  });

  test('hand-computed values', () => {
    expect(gz.relu(tensor([-1, 0, 2])).toList()).toEqual([0, 0, 2]);
    expect(gz.sigmoid(tensor([0])).item()).toBe(0.5);
    expect(gz.softplus(f64([0])).item()).toBeCloseTo(Math.LN2, 15);
    expect(gz.abs(tensor([-3, 3])).toList()).toEqual([3, 3]);
    expect(gz.clamp(tensor([-5, 0, 5]), -1, 1).toList()).toEqual([-1, 0, 1]);
    expect(gz.clamp(tensor([-5, 5]), undefined, 1).toList()).toEqual([-5, 1]);
    expect(gz.clamp(tensor([-5, 5]), 0).toList()).toEqual([0, 5]);
  });

  test('gelu = x·Φ(x) (exact erf) against 20-digit values, to a few ulps in float64 and rounded in float32', () => {
    // x·Φ(x) from mpmath at 40 digits (x * ncdf(x)); the tails are where an erf-based formula loses its digits.
    const EXACT: Array<[number, number]> = [
      [-40, -1.4623574163660118815e-348], [-10, -7.619853024160526066e-23], [-6, -5.9195258702261888442e-9],
      [-5, -1.4332578593959695584e-6], [-3.5, -0.00081420177662433762722], [-2, -0.045500263896358414401],
      [-1.25, -0.13206221708356907211], [-1, -0.15865525393145705141], [-0.5, -0.15426876936299344818],
      [-0.1, -0.046017216272297104188], [-1e-5, -4.9999601057719609306e-6], [0, 0], [1e-5, 5.0000398942280398874e-6],
      [0.1, 0.053982783727702901364], [0.5, 0.34573123063700655182], [1, 0.84134474606854294859],
      [1.25, 1.1179377829164309279], [2, 1.9544997361036415856], [3.5, 3.4991857982233756624],
      [5, 4.999998566742140604], [6, 5.9999999940804741298], [10, 10],
    ];
    const xs = EXACT.map(([x]) => x);
    gz.gelu(f64(xs)).toList().forEach((v, i) => expect(Math.abs(v - EXACT[i][1]), `gelu(${xs[i]})`).toBeLessThanOrEqual(4e-15 * Math.abs(EXACT[i][1])));
    // float32: the inputs float32 holds exactly; the result is the exact value rounded once.
    const exact32 = EXACT.filter(([x]) => Math.fround(x) === x);
    gz.gelu(tensor(exact32.map(([x]) => x))).toList().forEach((v, i) => expect(v, `float32 gelu(${exact32[i][0]})`).toBe(Math.fround(exact32[i][1])));
    expect(gz.gelu(f64([-Infinity, Infinity, NaN])).toList()).toEqual([-0, Infinity, NaN]);
  });

  test('gelu(x) − gelu(−x) = x, since Φ(x) + Φ(−x) = 1 (an identity the code does not use)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -12, max: 12, noNaN: true }), { minLength: 1, maxLength: 30 }), (xs) => {
      const pos = gz.gelu(f64(xs)).toList();
      const neg = gz.gelu(f64(xs.map((x) => -x))).toList();
      xs.forEach((x, i) => expect(Math.abs(pos[i] - neg[i] - x)).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(x))));
    }), { numRuns: 40 });
  });

  test('sigmoid and softplus stay finite and accurate at extreme inputs', () => {
    const x = f64([-1000, -40, 40, 1000]);
    const sg = gz.sigmoid(x).toList();
    expect(sg[0]).toBe(0);
    expect(sg[1] / (1 / (1 + Math.exp(40)))).toBeCloseTo(1, 14); // no cancellation in the left tail
    expect(sg.slice(2)).toEqual([1, 1]);
    const sp = gz.softplus(x).toList();
    expect(sp[0]).toBe(0);
    expect(sp[1]).toBeCloseTo(Math.exp(-40), 30);
    expect(sp[2]).toBe(40);
    expect(sp[3]).toBe(1000);
    const sp32 = gz.softplus(tensor([100, -100])).toList();
    expect(sp32[0]).toBe(100);
    expect(sp32[1]).toBeGreaterThanOrEqual(0);
  });

  test('log/sqrt follow IEEE outside their domain (no silent clamping)', () => {
    expect(gz.log(tensor([0])).item()).toBe(-Infinity);
    expect(gz.log(tensor([-1])).item()).toBeNaN();
    expect(gz.sqrt(tensor([-1])).item()).toBeNaN();
  });

  test('results are new tensors with the input shape', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const y = gz.neg(x);
    expect(y.shape).toEqual([2, 2]);
    expect(y.data).not.toBe(x.data);
    expect(x.toList()).toEqual([1, 2, 3, 4]);
  });

  test('pow and clamp validate their parameters', () => {
    expect(() => gz.pow(tensor([1]), NaN)).toThrow(/pow: exponent must be a finite number, got NaN/);
    expect(() => gz.pow(tensor([1]), '2' as never)).toThrow(/pow: exponent/);
    expect(() => gz.clamp(tensor([1]), 2, 1)).toThrow(/clamp: need min ≤ max, got 2, 1/);
    expect(() => gz.clamp(tensor([1]), NaN, 1)).toThrow(/clamp/);
  });
});

describe('binary ops', () => {
  test('hand-computed values with numbers on either side', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(gz.add(a, 1).toArray()).toEqual([[2, 3], [4, 5]]);
    expect(gz.sub(10, a).toArray()).toEqual([[9, 8], [7, 6]]);
    expect(gz.mul(a, tensor([10, 100])).toArray()).toEqual([[10, 200], [30, 400]]);
    expect(gz.div(a, tensor([[1], [2]])).toArray()).toEqual([[1, 2], [1.5, 2]]);
    expect(gz.div(1, tensor([0, -0])).toList()).toEqual([Infinity, -Infinity]);
    expect(gz.maximum(a, 2.5).toList()).toEqual([2.5, 2.5, 3, 4]);
    expect(gz.minimum(a, 2.5).toList()).toEqual([1, 2, 2.5, 2.5]);
    expect(a.add(a).mul(0.5).toList()).toEqual([1, 2, 3, 4]);
  });

  test('maximum/minimum propagate NaN from either side', () => {
    expect(gz.maximum(tensor([NaN, 1]), tensor([1, NaN])).toList().every(Number.isNaN)).toBe(true);
    expect(gz.minimum(tensor([NaN, 1]), tensor([1, NaN])).toList().every(Number.isNaN)).toBe(true);
  });

  test('comparisons give exact 0/1', () => {
    const a = tensor([1, 2, 3]);
    expect(gz.gt(a, 2).toList()).toEqual([0, 0, 1]);
    expect(gz.ge(a, 2).toList()).toEqual([0, 1, 1]);
    expect(gz.lt(a, 2).toList()).toEqual([1, 0, 0]);
    expect(gz.le(a, 2).toList()).toEqual([1, 1, 0]);
    expect(gz.eq(a, tensor([[2], [3]])).toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(gz.gt(tensor([1], { requiresGrad: true }), 0).requiresGrad).toBe(false);
  });

  test('where picks by a nonzero condition', () => {
    expect(gz.where(tensor([1, 0, -2, NaN]), tensor([1, 2, 3, 4]), tensor([9, 9, 9, 9])).toList()).toEqual([1, 9, 3, 4]);
    expect(gz.where(tensor([0, 1]), 7, 8).toList()).toEqual([8, 7]);
  });

  test('binary ops reject non-tensors with a clear message', () => {
    expect(() => gz.add(tensor([1]), 'x' as never)).toThrow(/add: expected a Tensor or a number, got string/);
    expect(() => gz.mul(tensor([1]), null as never)).toThrow(/mul: expected a Tensor or a number, got null/);
  });
});
