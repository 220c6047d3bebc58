import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryCrossEntropy, Generator, gradcheck, rand, tensor } from '../../src/index.js';

describe('binaryCrossEntropy (fused op)', () => {
  it('gradcheck in both arguments over random shapes', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
      const g = new Generator(seed);
      const p = rand(shape, { generator: g, dtype: 'float64' }).mul(0.98).add(0.01).detach().requiresGrad_();
      const y = rand(shape, { generator: g, dtype: 'float64', requiresGrad: true });
      const r = gradcheck((a, b) => binaryCrossEntropy(a, b), [p, y]);
      expect(r.ok, r.message).toBe(true);
    }), { numRuns: 25 });
  });

  it('is finite at p = 0 and p = 1: logs clamp at −100, the gradient divides by max(p(1 − p), 1e-12)', () => {
    const p = tensor([0, 1, 0, 1], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1, 0, 0, 1], { dtype: 'float64' });
    const l = binaryCrossEntropy(p, y);
    expect(l.toList()).toEqual([100, 100, 0, 0]);
    l.sum().backward();
    expect(p.grad!.toList()).toEqual([-1e12, 1e12, 0, 0]);
  });
});
