/** Reductions over one or several axes, with and without keepdim, against a float64 fold. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as gz from '../../src/index.js';
import { tensor, type Tensor } from '../../src/index.js';
import { sumToShape } from '../../src/tensor/index.js';
import { arrArb, expectClose, refReduce, type Arr } from '../helpers/reference.js';

const t64 = (a: Arr): Tensor => tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64' });

/** A random array plus an axes argument: undefined, one axis, or a list (negative axes included). */
const caseArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => {
    const all = shape.map((_, i) => i);
    return fc.tuple(
      arrArb(shape),
      fc.oneof(
        fc.constant(undefined),
        fc.subarray(all, { minLength: 1 }).chain((ax) => fc.array(fc.boolean(), { minLength: ax.length, maxLength: ax.length }).map((neg) => ax.map((a, i) => (neg[i] ? a - shape.length : a)))),
      ),
      fc.boolean(),
    );
  });

const sumFold = (acc: number, v: number): number => acc + v;

describe('reductions against a float64 reference', () => {
  test('sum', () => {
    fc.assert(fc.property(caseArb, ([x, axes, keepdim]) => {
      expectClose(gz.sum(t64(x), axes, keepdim), refReduce(x, axes, keepdim, 0, sumFold), 1e-12);
    }), { numRuns: 80 });
  });

  test('mean', () => {
    fc.assert(fc.property(caseArb, ([x, axes, keepdim]) => {
      const s = refReduce(x, axes, keepdim, 0, sumFold);
      const count = x.data.length / s.data.length;
      expectClose(gz.mean(t64(x), axes, keepdim), { shape: s.shape, data: s.data.map((v) => v / count) }, 1e-12);
    }), { numRuns: 80 });
  });

  test('max and min', () => {
    fc.assert(fc.property(caseArb, ([x, axes, keepdim]) => {
      expectClose(gz.max(t64(x), axes, keepdim), refReduce(x, axes, keepdim, -Infinity, Math.max), 0);
      expectClose(gz.min(t64(x), axes, keepdim), refReduce(x, axes, keepdim, Infinity, Math.min), 0);
    }), { numRuns: 80 });
  });

  test('logsumexp', () => {
    fc.assert(fc.property(caseArb, ([x, axes, keepdim]) => {
      const s = refReduce(x, axes, keepdim, 0, (acc, v) => acc + Math.exp(v));
      expectClose(gz.logsumexp(t64(x), axes, keepdim), { shape: s.shape, data: s.data.map(Math.log) }, 1e-12);
    }), { numRuns: 80 });
  });

  test('var (population and unbiased)', () => {
    fc.assert(fc.property(caseArb, fc.boolean(), ([x, axes, keepdim], unbiased) => {
      const s = refReduce(x, axes, true, 0, sumFold);
      const n = x.data.length / s.data.length;
      if (unbiased && n < 2) return;
      const mean = { shape: s.shape, data: s.data.map((v) => v / n) };
      // Σ (x − mean)², the mean read at each element's reduced index
      const centered: Arr = { shape: x.shape, data: x.data.map((v, i) => {
        const idx = unravelKeep(i, x.shape, s.shape);
        return (v - mean.data[idx]) ** 2;
      }) };
      const ss = refReduce(centered, axes, keepdim, 0, sumFold);
      expectClose(gz.variance(t64(x), axes, keepdim, unbiased), { shape: ss.shape, data: ss.data.map((v) => v / (unbiased ? n - 1 : n)) }, 1e-11);
    }), { numRuns: 60 });
  });
});

/** Flat index in the kept-dims shape of element i of `shape`. */
function unravelKeep(i: number, shape: number[], kept: number[]): number {
  let o = 0;
  let rest = i;
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  for (let d = 0; d < shape.length; d++) o = o * kept[d] + (kept[d] === 1 ? 0 : idx[d]);
  return o;
}

describe('reductions by hand', () => {
  const x = tensor([[1, 5, 3], [4, 2, 6]]);

  test('sum, mean, max, min over each axis and all', () => {
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).toList()).toEqual([5, 7, 9]);
    expect(x.sum(1).toList()).toEqual([9, 12]);
    expect(x.sum(-1, true).toArray()).toEqual([[9], [12]]);
    expect(x.sum([0, 1], true).shape).toEqual([1, 1]);
    expect(x.mean(1).toList()).toEqual([3, 4]);
    expect(x.max(0).toList()).toEqual([4, 5, 6]);
    expect(x.min(1).toList()).toEqual([1, 2]);
    expect(x.max().item()).toBe(6);
    expect(x.var().item()).toBeCloseTo(17.5 / 6, 6);
    expect(x.var(1, false, true).toList()).toEqual([4, 4]);
  });

  test('argmax along an axis and over all, first index on ties', () => {
    expect(x.argmax(1).toList()).toEqual([1, 2]);
    expect(x.argmax(0).toList()).toEqual([1, 0, 1]);
    expect(x.argmax().item()).toBe(5);
    expect(x.argmax(-1, true).shape).toEqual([2, 1]);
    expect(tensor([3, 7, 7, 1]).argmax().item()).toBe(1);
    expect(tensor([[2, 2], [0, 0]]).argmax(1).toList()).toEqual([0, 0]);
    expect(() => tensor([]).argmax()).toThrow(/argmax: empty tensor/);
  });

  test('softmax and logSoftmax sum to 1 and are shift invariant, even for large logits', () => {
    const logits = tensor([[1, 2, 3], [1000, 1001, 1002]], { dtype: 'float64' });
    const p = logits.softmax(-1);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0] + e[1] + e[2];
    for (const row of p.toArray() as number[][]) {
      row.forEach((v, i) => expect(v).toBeCloseTo(e[i] / z, 12));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
    expectClose(logits.logSoftmax(1), { shape: [2, 3], data: [...e, ...e].map((v) => Math.log(v / z)) }, 1e-13);
    expectClose(logits.softmax(0), { shape: [2, 3], data: [0, 0, 0, 1, 1, 1] }, 1e-300);
  });

  test('logsumexp handles -Infinity rows and +Infinity', () => {
    expect(tensor([[-Infinity, -Infinity], [0, -Infinity]]).logsumexp(1).toList()).toEqual([-Infinity, 0]);
    expect(tensor([Infinity, 1]).logsumexp().item()).toBe(Infinity);
    expect(tensor([1000, 1000], { dtype: 'float64' }).logsumexp().item()).toBeCloseTo(1000 + Math.LN2, 12);
  });

  test('NaN propagates through max and min', () => {
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(tensor([NaN, 1, 3]).min().item()).toBeNaN();
  });

  test('empty axes: sum gives 0, mean gives NaN, max throws', () => {
    const e = gz.zeros([2, 0]);
    expect(e.sum(1).toList()).toEqual([0, 0]);
    expect(e.mean(1).toList().every(Number.isNaN)).toBe(true);
    expect(() => e.max(1)).toThrow(/max: cannot reduce over axis 1 of size 0 \(shape \[2, 0\]\)/);
  });

  test('reducing a 0-d tensor over all axes returns its value; duplicate axes are refused', () => {
    expect(tensor(5).sum().item()).toBe(5);
    expect(tensor(5).max().item()).toBe(5);
    expect(() => x.sum([1, -1])).toThrow(/sum: axis -1 appears more than once/);
  });

  test('float32 sums of many values stay close to the float64 sum', () => {
    const n = 100_000;
    const v = gz.rand([n], { generator: new gz.Generator(2) });
    const exact = v.toList().reduce((a, b) => a + b, 0);
    expect(Math.abs(v.sum().item() - exact) / exact).toBeLessThan(1e-4);
  });
});

describe('sumToShape (the gradient of broadcasting)', () => {
  test('sums every broadcast copy back to the input shape (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 })
        .chain((out) => fc.tuple(fc.constant(out), fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })))
        .chain(([out, drop, ones]) => fc.tuple(arrArb(out), fc.constant(out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))))),
      ([g, shape]) => {
        // reference: each element of g adds into the input element it was broadcast from
        const lead = g.shape.length - shape.length;
        const want = { shape, data: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0) };
        g.data.forEach((v, i) => {
          let rest = i;
          const idx = new Array<number>(g.shape.length);
          for (let d = g.shape.length - 1; d >= 0; d--) { idx[d] = rest % g.shape[d]; rest = Math.floor(rest / g.shape[d]); }
          let o = 0;
          shape.forEach((s, d) => (o = o * s + (s === 1 ? 0 : idx[d + lead])));
          want.data[o] += v;
        });
        expectClose(sumToShape(t64(g), shape), want, 1e-12);
      },
    ), { numRuns: 100 });
  });

  test('refuses shapes that are not a broadcast source', () => {
    expect(() => sumToShape(gz.zeros([2, 3]), [3, 2])).toThrow(/sumToShape: cannot reduce gradient of shape \[2, 3\] to \[3, 2\]/);
    expect(() => sumToShape(gz.zeros([3]), [2, 3])).toThrow(/has fewer dimensions/);
    expect(() => sumToShape(gz.zeros([2, 3]), [2])).toThrow(/cannot reduce/);
  });
});
