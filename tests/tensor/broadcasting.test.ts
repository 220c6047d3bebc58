/**
 * NumPy's broadcasting rules, written out: align shapes on the right; each
 * pair of dimensions must be equal or one of them 1; missing leading dimensions
 * count as 1. The same table drives broadcastShapes and the binary ops.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { add, maximum, mul, ones, sub, tensor, where } from '../../src/index.js';
import { broadcastShapes } from '../../src/tensor/index.js';
import { arrArb, expectClose, refBinary, size, toArr } from '../helpers/reference.js';

/** [a, b, result] — result null where NumPy raises "operands could not be broadcast together". */
const TABLE: Array<[number[], number[], number[] | null]> = [
  [[], [], []],
  [[], [3], [3]],
  [[3], [], [3]],
  [[1], [3], [3]],
  [[3], [3], [3]],
  [[2, 3], [3], [2, 3]],
  [[2, 3], [1, 3], [2, 3]],
  [[2, 3], [2, 1], [2, 3]],
  [[2, 1], [1, 3], [2, 3]],
  [[3, 1], [3], [3, 3]],
  [[8, 1, 6, 1], [7, 1, 5], [8, 7, 6, 5]], // NumPy docs' example
  [[5, 4], [1], [5, 4]],
  [[5, 4], [4], [5, 4]],
  [[15, 3, 5], [15, 1, 5], [15, 3, 5]],
  [[15, 3, 5], [3, 5], [15, 3, 5]],
  [[15, 3, 5], [3, 1], [15, 3, 5]],
  [[1, 1, 1], [], [1, 1, 1]],
  [[0], [1], [0]],
  [[2, 0], [2, 1], [2, 0]],
  [[0, 3], [3], [0, 3]],
  [[3], [4], null],
  [[2, 1], [8, 4, 3], null], // NumPy docs' mismatch example
  [[2, 3], [3, 2], null],
  [[0], [2], null],
  [[4, 3], [4], null],
  [[1, 2, 3], [2, 2, 3, 1], null],
];

describe('NumPy broadcasting table', () => {
  test.each(TABLE)('%j with %j → %j', (a, b, want) => {
    if (want === null) {
      expect(() => broadcastShapes('add', a, b)).toThrow(/add: shapes .* cannot be broadcast together/);
      expect(() => add(ones(a), ones(b))).toThrow(new RegExp(`add: shapes \\[${a.join(', ')}\\] and \\[${b.join(', ')}\\] cannot be broadcast`));
    } else {
      expect(broadcastShapes('add', a, b)).toEqual(want);
      expect(broadcastShapes('add', b, a)).toEqual(want); // symmetric
      expect(add(ones(a), ones(b)).shape).toEqual(want);
      expect(mul(ones(b), ones(a)).shape).toEqual(want);
    }
  });
});

describe('binary ops read broadcast operands correctly', () => {
  const pairArb = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
    .chain((out) => {
      const derive = fc
        .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
        .map(([drop, one]) => out.slice(drop).map((d, i) => (one[i + drop] ? 1 : d)));
      return fc.tuple(fc.constant(out), derive, derive);
    })
    .chain(([, sa, sb]) => fc.tuple(arrArb(sa), arrArb(sb)));

  const ops = [
    ['add', add, (x: number, y: number) => x + y],
    ['sub', sub, (x: number, y: number) => x - y],
    ['mul', mul, (x: number, y: number) => x * y],
    ['maximum', maximum, (x: number, y: number) => Math.max(x, y)],
  ] as const;

  test.each(ops)('%s against index arithmetic (float64, exact)', (_name, op, f) => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const ta = tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64' });
        const tb = tensor(Float64Array.from(b.data), { shape: b.shape, dtype: 'float64' });
        const out = op(ta, tb);
        expectClose(out, refBinary(f, a, b, out.shape), 0);
        expect(size(out.shape)).toBe(out.size);
      }),
      { numRuns: 60 },
    );
  });

  test('where broadcasts condition, a and b together', () => {
    const c = tensor([[1], [0]]); // [2, 1]
    const a = tensor([10, 20, 30]); // [3]
    const b = tensor(-1); // []
    expect(where(c, a, b).toArray()).toEqual([[10, 20, 30], [-1, -1, -1]]);
    expect(where(tensor([1, 0, 1]), 5, tensor([[0], [1]])).toArray()).toEqual([[5, 0, 5], [5, 1, 5]]);
    expectClose(toArr(where(tensor([0, 2]), tensor([1, 1]), tensor([7, 7]))), { shape: [2], data: [7, 1] }, 0);
  });
});
