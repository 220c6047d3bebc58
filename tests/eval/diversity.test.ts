import { describe, expect, it } from 'vitest';
import { evaluation, Generator, tensor } from '../../src/index.js';
import { testDigits } from './digits.js';

const { diversity, withinClassPairwiseDistance } = evaluation;

describe('withinClassPairwiseDistance', () => {
  it('matches a hand-computed case: mean of per-class mean pair distances', () => {
    // Class 0: (0,0), (3,4), (6,8) → distances 5, 10, 5 → mean 20/3. Class 1: (1,1), (1,2) → 1. Class 2: one point → null.
    const x = tensor([[0, 0], [1, 1], [3, 4], [1, 2], [6, 8], [9, 9]]);
    const r = withinClassPairwiseDistance(x, [0, 1, 0, 1, 0, 2], { numClasses: 3 });
    expect(r.perClass[0]).toBeCloseTo(20 / 3, 12);
    expect(r.perClass[1]).toBe(1);
    expect(r.perClass[2]).toBeNull();
    expect(r.pairs).toEqual([3, 1, 0]);
    expect(r.mean).toBeCloseTo((20 / 3 + 1) / 2, 12);
    // No labels: one class of all six rows.
    expect(withinClassPairwiseDistance(x, null).pairs).toEqual([15]);
  });

  it('samples pairs deterministically when a class is large, close to the exact mean', () => {
    const gen = new Generator(3);
    const x = Float32Array.from({ length: 400 * 8 }, () => gen.normal());
    const labels = new Int32Array(400);
    const exact = withinClassPairwiseDistance(x, labels, { dim: 8 }); // 79,800 pairs > 10,000: sampled
    const all = withinClassPairwiseDistance(x, labels, { dim: 8, maxPairsPerClass: 1e6 });
    expect(exact.pairs[0]).toBe(10_000);
    expect(all.pairs[0]).toBe(79_800);
    expect(Math.abs(exact.mean / all.mean - 1)).toBeLessThan(0.01);
    expect(withinClassPairwiseDistance(x, labels, { dim: 8 }).mean).toBe(exact.mean);
    expect(withinClassPairwiseDistance(x, labels, { dim: 8, seed: 1 }).mean).not.toBe(exact.mean);
  });
});

describe('diversity', () => {
  it('is 0 for one image repeated per class, 1 for real digits, above 1 when classes are mixed', async () => {
    const real = await testDigits();
    // Collapsed generator: every sample of class k is the first real digit of class k.
    const collapsed = new Float32Array(real.images.length);
    const first = new Map<number, number>();
    for (let i = 0; i < real.n; i++) {
      const k = real.labels[i];
      if (!first.has(k)) first.set(k, i);
      const src = first.get(k)!;
      collapsed.set(real.images.subarray(src * 784, (src + 1) * 784), i * 784);
    }
    const c = diversity(collapsed, real.labels, real.images, real.labels);
    expect(c.ratio).toBe(0);
    expect(c.perClassRatio.every((v) => v === 0)).toBe(true);
    expect(diversity(real.images, real.labels, real.images, real.labels).ratio).toBe(1);
    // Labels shuffled: "within-class" pairs now span classes, which differ more than same-class digits.
    const shuffled = Int32Array.from(new Generator(5).permutation(real.n), (i) => real.labels[i]);
    expect(diversity(real.images, shuffled, real.images, real.labels).ratio).toBeGreaterThan(1.05);
  });

  it('explains bad input', () => {
    const x = new Float32Array(784 * 2);
    expect(() => diversity(x, [0, 1], x, null)).toThrow(/labels for both sets or for neither/);
    expect(() => withinClassPairwiseDistance(x, [0, 1])).toThrow(/no class has 2 or more samples/);
    expect(() => withinClassPairwiseDistance(x, [0, 10])).toThrow(/labels\[1\] = 10 is not a class in 0\.\.9/);
    expect(() => withinClassPairwiseDistance(x, [0])).toThrow(/1 labels for 2 samples/);
    expect(() => diversity(x, [0, 0], x, [0, 0])).toThrow(/all identical/);
  });
});
