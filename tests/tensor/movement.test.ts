/** Movement ops: reshape/view, permute/transpose, slice/narrow/split/chunk, concat/stack, expand, pad, squeeze. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as gz from '../../src/index.js';
import { arange, tensor, type Tensor } from '../../src/index.js';
import { arrArb, expectClose, fromFn, get, refConcat, refPad, refPermute, type Arr } from '../helpers/reference.js';

const t64 = (a: Arr): Tensor => tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64' });
const shapeArb = (min: number, max: number, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: min, maxLength: max });

describe('reshape and friends', () => {
  test('reshape is a view: same data, new shape; -1 is inferred', () => {
    const x = arange(6);
    const y = x.reshape([2, -1]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toBe(x.data);
    expect(y.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.view([3, 2]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(x.reshape([1, 6, 1]).shape).toEqual([1, 6, 1]);
    expect(tensor(7).reshape([1, 1]).shape).toEqual([1, 1]);
    expect(gz.zeros([0, 3]).reshape([3, 0]).shape).toEqual([3, 0]);
  });

  test('flatten, squeeze, unsqueeze', () => {
    const x = gz.zeros([2, 1, 3, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.flatten(1).shape).toEqual([2, 3]);
    expect(x.flatten(1, 2).shape).toEqual([2, 3, 1]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 1, 3]);
    expect(tensor(3).flatten().shape).toEqual([1]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(-1).shape).toEqual([2, 1, 3]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]); // not size 1: unchanged, as in PyTorch
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3, 1]);
    expect(x.unsqueeze(4).shape).toEqual([2, 1, 3, 1, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(tensor(1).unsqueeze(0).shape).toEqual([1]);
    expect(() => x.flatten(2, 1)).toThrow(/flatten: startDim 2 comes after endDim 1/);
  });
});

describe('permute and transpose', () => {
  test('permute equals index arithmetic (property)', () => {
    fc.assert(fc.property(
      shapeArb(1, 5, 3).chain((s) => fc.tuple(arrArb(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }))),
      ([x, perm]) => expectClose(gz.permute(t64(x), perm), refPermute(x, perm), 0),
    ), { numRuns: 80 });
  });

  test('transpose swaps two axes; T transposes a matrix', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(x.transpose(0, 1).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    const y = arange(24).reshape([2, 3, 4]);
    expect(y.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(y.transpose(0, 2).toArray()).toEqual((y.permute([2, 1, 0]).toArray()));
    expect(y.transpose().shape).toEqual([2, 4, 3]);
    expect(y.permute([0, 1, 2]).data).not.toBe(y.data); // a copy even when the order is unchanged
  });
});

describe('slice, narrow, split, chunk', () => {
  const x = arange(12).reshape([3, 4]);

  test('slice with Python-style negative and clamped indices', () => {
    expect(x.slice(0, 1).toArray()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(x.slice(1, 1, 3).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.slice(-1, -2).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(x.slice(0, -100, 100).shape).toEqual([3, 4]);
    expect(x.slice(1, 3, 1).shape).toEqual([3, 0]); // empty, as in Python
  });

  test('slice equals index arithmetic (property)', () => {
    fc.assert(fc.property(
      shapeArb(1, 4).chain((s) => fc.tuple(arrArb(s), fc.integer({ min: 0, max: s.length - 1 })).chain(([a, d]) =>
        fc.tuple(fc.constant(a), fc.constant(d), fc.integer({ min: 0, max: s[d] }), fc.integer({ min: 0, max: s[d] })))),
      ([a, dim, i, j]) => {
        const [start, end] = [Math.min(i, j), Math.max(i, j)];
        const shape = a.shape.slice();
        shape[dim] = end - start;
        const want = fromFn(shape, (idx) => get(a, idx.map((v, k) => (k === dim ? v + start : v))));
        expectClose(gz.slice(t64(a), dim, start, end), want, 0);
        expectClose(gz.narrow(t64(a), dim, start, end - start), want, 0);
      },
    ), { numRuns: 80 });
  });

  test('split and chunk', () => {
    expect(x.split(2, 1).map((t) => t.toArray())).toEqual([[[0, 1], [4, 5], [8, 9]], [[2, 3], [6, 7], [10, 11]]]);
    expect(x.split(2).map((t) => t.shape)).toEqual([[2, 4], [1, 4]]);
    expect(x.chunk(3).map((t) => t.toList())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(x.chunk(2, -1).map((t) => t.shape)).toEqual([[3, 2], [3, 2]]);
    expect(() => x.chunk(5)).toThrow(/chunk: axis 0 of shape \[3, 4\] cannot be split into 5 equal chunks/);
    expect(() => x.split(0)).toThrow(/split: size must be a positive integer, got 0/);
  });
});

describe('concat and stack', () => {
  test('concat equals index arithmetic (property)', () => {
    fc.assert(fc.property(
      shapeArb(1, 4, 3).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }))
        .chain(([axis, lens]) => fc.tuple(fc.constant(axis), fc.tuple(...lens.map((n) => { const sh = s.slice(); sh[axis] = n; return arrArb(sh); }))))),
      ([axis, xs]) => expectClose(gz.concat(xs.map(t64), axis), refConcat(xs, axis), 0),
    ), { numRuns: 80 });
  });

  test('concat by hand, negative axis, cat alias', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(gz.concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(gz.cat([b, b], -1).toArray()).toEqual([[3, 4, 3, 4], [5, 6, 5, 6]]);
  });

  test('stack adds a new axis at any position', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(gz.stack([a, b]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(gz.stack([a, b], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(gz.stack([a, b], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(gz.stack([tensor(1), tensor(2)]).toList()).toEqual([1, 2]);
  });
});

describe('expand and pad', () => {
  test('expand equals broadcasting by index arithmetic (property)', () => {
    fc.assert(fc.property(
      shapeArb(0, 4, 3).chain((out) => fc.tuple(fc.constant(out), fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })))
        .chain(([out, drop, ones]) => {
          const s = out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
          return fc.tuple(fc.constant(out), arrArb(s));
        }),
      ([out, x]) => {
        const lead = out.length - x.shape.length;
        const want = fromFn(out, (idx) => get(x, x.shape.map((d, i) => (d === 1 ? 0 : idx[i + lead]))));
        expectClose(gz.expand(t64(x), out), want, 0);
      },
    ), { numRuns: 80 });
  });

  test('expand by hand, -1 keeps a dimension', () => {
    const x = tensor([[1], [2]]);
    expect(x.expand([2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.expand([2, -1, 2]).toArray()).toEqual([[[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
    expect(tensor(5).expand([2]).toList()).toEqual([5, 5]);
  });

  test('pad equals index arithmetic (property)', () => {
    fc.assert(fc.property(
      shapeArb(1, 4, 3).chain((s) => fc.integer({ min: 0, max: s.length }).chain((k) =>
        fc.tuple(arrArb(s), fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: k, maxLength: k }), fc.constantFrom(0, -1, 2.5)))),
      ([x, widths, value]) => expectClose(gz.pad(t64(x), widths, value), refPad(x, widths, value), 0),
    ), { numRuns: 80 });
  });

  test('pad by hand: trailing dims, NumPy order', () => {
    expect(tensor([[1, 2]]).pad([[1, 0], [0, 2]]).toArray()).toEqual([[0, 0, 0, 0], [1, 2, 0, 0]]);
    expect(tensor([[1, 2]]).pad([[1, 1]], 9).toArray()).toEqual([[9, 1, 2, 9]]);
    expect(gz.zeros([0, 2]).pad([[1, 0], [0, 0]], 3).toArray()).toEqual([[3, 3]]);
  });

  test('clone copies the data', () => {
    const x = tensor([1, 2]);
    const y = x.clone();
    y.data[0] = 5;
    expect(x.toList()).toEqual([1, 2]);
  });
});
