import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { embedding, Generator, gradcheck, indexSelect, randn, tensor } from '../../src/index.js';

describe('indexSelect and embedding', () => {
  it('gradcheck over random shapes, axes and (repeated) indices', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1e6 }),
      (shape, seed) => {
        const g = new Generator(seed);
        const dim = g.int(shape.length);
        const idx = Array.from({ length: 1 + g.int(5) }, () => g.int(shape[dim]));
        const x = randn(shape, { generator: g, dtype: 'float64', requiresGrad: true });
        const r = gradcheck((a) => indexSelect(a, dim, idx), [x]);
        expect(r.ok, r.message).toBe(true);
      }), { numRuns: 30 });
  });

  it('selects slices and scatters gradients back, adding repeats', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const y = indexSelect(x, 0, [2, 0, 2]);
    expect(y.toArray()).toEqual([[5, 6], [1, 2], [5, 6]]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 1], [0, 0], [2, 2]]);
    expect(indexSelect(x, 1, tensor([1])).toArray()).toEqual([[2], [4], [6]]);
    const w = tensor([[0, 0], [1, 1], [2, 2]]);
    expect(embedding(tensor([[1, 2]]), w).shape).toEqual([1, 2, 2]);
  });

  it('rejects indices out of range or not integers', () => {
    const x = randn([3, 2]);
    expect(() => indexSelect(x, 0, [0, 3])).toThrow(/indexSelect: index 3 at position 1 is not an integer in \[0, 3\)/);
    expect(() => indexSelect(x, 1, [-1])).toThrow(/index -1/);
    expect(() => indexSelect(x, 2, [0])).toThrow(/axis 2 is out of range/);
    expect(() => embedding([1.5], x)).toThrow(/embedding: index 1.5/);
  });
});
