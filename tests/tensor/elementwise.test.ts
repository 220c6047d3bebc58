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
