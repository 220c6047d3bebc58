/** Creating tensors: from nested arrays and typed arrays, constants, ranges, eye, one-hot, random draws. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  arange, eye, full, Generator, oneHot, ones, onesLike, rand, randint, randn, scalar, tensor, Tensor, zeros, zerosLike,
} from '../../src/index.js';

describe('tensor()', () => {
  test('from nested arrays: shape inferred, row-major data, float32 by default', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  test('a number gives a 0-d tensor; toArray gives the number back', () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.size).toBe(1);
    expect(t.toArray()).toBe(2.5);
    expect(t.item()).toBe(2.5);
    expect(scalar(3, { dtype: 'float64' }).toArray()).toBe(3);
  });

  test('empty arrays give zero-size dimensions', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
  });

  test('3-d nested round trip, any shape (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer(), (shape, seed) => {
        const g = new Generator(seed);
        const build = (d: number): unknown => (d === shape.length ? Math.round(g.random() * 100) : Array.from({ length: shape[d] }, () => build(d + 1)));
        const nested = build(0) as number[];
        const t = tensor(nested, { dtype: 'float64' });
        expect(t.shape).toEqual(shape);
        expect(t.toArray()).toEqual(nested);
      }),
      { numRuns: 50 },
    );
  });

  test('from typed arrays, copied, with an optional shape', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, { shape: [3, 2] });
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    src[0] = 99;
    expect(t.data[0]).toBe(1); // a copy, not a view
    expect(tensor(new Int32Array([7, 8])).toList()).toEqual([7, 8]);
    expect(tensor(new Uint8Array([1, 255]), { dtype: 'float64' }).toList()).toEqual([1, 255]);
    const d = tensor(new Float64Array([0.1, 0.2]), { dtype: 'float64' });
    expect(d.toList()).toEqual([0.1, 0.2]);
    expect(tensor(new Float64Array([0.1])).dtype).toBe('float64'); // a Float64Array keeps its precision
    expect(tensor(new Float64Array([0.1]), { dtype: 'float32' }).data[0]).toBe(Math.fround(0.1)); // float32 rounds
  });

  test('a nested array can be given a shape with the same size', () => {
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values cannot have shape \[2, 2\]/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(/5 values cannot have shape \[2, 2\]/);
  });

  test('ragged nested arrays are rejected, naming where', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged.*values\[0\] has shape \[2\] but values\[1\] has shape \[1\]/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor([[[1], [2]], [[3], [4, 5]]])).toThrow(/ragged.*values\[1\]\[1\]|ragged/);
  });

  test('non-numbers are rejected', () => {
    expect(() => tensor(['a'] as never)).toThrow(/expected a number or an array at values\[0\], got string/);
    expect(() => tensor([[1, null]] as never)).toThrow(/values\[0\]\[1\]/);
    expect(() => tensor([1], { dtype: 'int8' as never })).toThrow(/unknown dtype "int8"/);
  });

  test('requiresGrad and dtype options', () => {
    const t = tensor([1], { requiresGrad: true, dtype: 'float64' });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(t.data).toBeInstanceOf(Float64Array);
  });

  test('the Tensor constructor checks size against shape', () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow(/3 elements cannot have shape \[2, 2\]/);
  });

  test('item() needs exactly one element; toString is readable', () => {
    expect(() => zeros([2]).item()).toThrow(/item: tensor of shape \[2\] has 2 elements/);
    expect(zeros([1, 1, 1]).item()).toBe(0);
    expect(tensor([1, 2], { requiresGrad: true }).toString()).toBe('Tensor(shape=[2], dtype=float32, requiresGrad) [1,2]');
    expect(tensor([[NaN, -Infinity]], { dtype: 'float64' }).toString()).toBe('Tensor(shape=[1, 2], dtype=float64) [[NaN,-Infinity]]');
    expect(tensor(2).toString()).toBe('Tensor(shape=[], dtype=float32) 2');
  });
});

describe('constants and ranges', () => {
  test('zeros, ones, full, *Like', () => {
    expect(zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(ones([2]).toList()).toEqual([1, 1]);
    expect(full([2, 2], -1.5).toArray()).toEqual([[-1.5, -1.5], [-1.5, -1.5]]);
    expect(full([], 7).toArray()).toBe(7);
    expect(zeros([0, 4]).size).toBe(0);
    const d = ones([3], { dtype: 'float64' });
    expect(zerosLike(d).dtype).toBe('float64');
    expect(onesLike(d).toList()).toEqual([1, 1, 1]);
    expect(zerosLike(d, { dtype: 'float32' }).dtype).toBe('float32');
    expect(full([2], NaN).toList().every(Number.isNaN)).toBe(true);
    expect(() => full([2], '1' as never)).toThrow(/fill value must be a number/);
  });

  test('arange: end only, start/end, fractional and negative steps, NumPy lengths', () => {
    expect(arange(5).toList()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 5).toList()).toEqual([2, 3, 4]);
    expect(arange(0, 1, 0.25).toList()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(5, 0, -2).toList()).toEqual([5, 3, 1]);
    expect(arange(3, 3).size).toBe(0);
    expect(arange(3, 1).size).toBe(0);
    expect(arange(0, 1, 0.1, { dtype: 'float64' }).size).toBe(10); // ceil((1 − 0)/0.1)
    expect(arange(0, 1, 0.1, { dtype: 'float64' }).toList()[3]).toBeCloseTo(0.3, 15);
    expect(() => arange(0, 1, 0)).toThrow(/step must not be 0/);
    expect(() => arange(0, Infinity)).toThrow(/end must be finite/);
    expect(() => arange(NaN)).toThrow(/must be finite/);
  });

  test('eye: square and rectangular', () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(() => eye(-1)).toThrow(/eye: invalid dimension -1/);
    expect(() => eye(2.5)).toThrow(/eye: invalid dimension 2.5/);
  });

  test('oneHot from arrays and tensors; labels out of range rejected', () => {
    expect(oneHot([0, 2, 1], 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(oneHot(tensor([1, 0]), 2).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(oneHot(new Int32Array([3]), 4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(oneHot([], 5).shape).toEqual([0, 5]);
    // exact 0/1 (a peer returned denormals here: see PEERS.md)
    const h = oneHot([1], 3);
    expect(Array.from(h.data)).toEqual([0, 1, 0]);
    expect(() => oneHot([0, 3], 3)).toThrow(/oneHot: label 3 at index 1 is not an integer in \[0, 3\)/);
    expect(() => oneHot([-1], 3)).toThrow(/label -1/);
    expect(() => oneHot([0.5], 3)).toThrow(/label 0.5/);
    expect(() => oneHot([NaN], 3)).toThrow(/label NaN/);
    expect(() => oneHot([0], 0)).toThrow(/number of classes must be a positive integer, got 0/);
    expect(() => oneHot([0], 2.5)).toThrow(/positive integer, got 2.5/);
  });
});

describe('random creation', () => {
  test('rand: shape, dtype and range [0, 1)', () => {
    const t = rand([1000], { generator: new Generator(3) });
    expect(t.shape).toEqual([1000]);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...t.data)).toBeLessThan(1);
    const mean = t.toList().reduce((a, b) => a + b, 0) / 1000;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(rand([2], { dtype: 'float64' }).dtype).toBe('float64');
  });

  test('randn: mean ≈ 0, variance ≈ 1 over 20,000 draws', () => {
    const t = randn([20_000], { generator: new Generator(4), dtype: 'float64' });
    const n = t.size;
    const mean = t.toList().reduce((a, b) => a + b, 0) / n;
    const variance = t.toList().reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.03); // 4σ of the sample mean is 0.028
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(t.toList().every(Number.isFinite)).toBe(true);
  });

  test('randint: integers in [low, high), every value reached', () => {
    const t = randint(-2, 3, [2000], { generator: new Generator(5) });
    const seen = new Set(t.toList());
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    expect(() => randint(3, 3, [1])).toThrow(/need integers low < high, got 3, 3/);
    expect(() => randint(0, 2.5, [1])).toThrow(/need integers/);
  });

  test('random functions validate shapes and take requiresGrad', () => {
    expect(() => rand([-1])).toThrow(/rand: invalid dimension -1/);
    expect(() => randn([NaN])).toThrow(/randn: invalid dimension NaN/);
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});
