import { describe, expect, it } from 'vitest';
import { evaluation, Generator, tensor } from '../../src/index.js';

const { conditionalAccuracy, argmaxRows } = evaluation;

describe('conditionalAccuracy', () => {
  it('counts per class and overall, with a confusion matrix', () => {
    const r = conditionalAccuracy([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2], 4);
    expect(r.accuracy).toBeCloseTo(4 / 6, 15);
    expect(r.perClass).toEqual([0.5, 2 / 3, 1, null]);
    expect(r.counts).toEqual([2, 3, 1, 0]);
    expect(r.confusion[1]).toEqual([1, 2, 0, 0]);
    // Tensors of labels work too.
    expect(conditionalAccuracy(tensor([0, 1, 2]), tensor([0, 1, 2])).accuracy).toBe(1);
  });

  it('is near 0.1 when predictions are shuffled, and 1 when they are the requested classes', () => {
    const requested = Int32Array.from({ length: 5000 }, (_, i) => i % 10);
    expect(conditionalAccuracy(requested, requested).accuracy).toBe(1);
    const shuffled = Int32Array.from(new Generator(9).permutation(5000), (i) => requested[i]);
    const r = conditionalAccuracy(requested, shuffled);
    expect(Math.abs(r.accuracy - 0.1)).toBeLessThan(0.02);
    for (const p of r.perClass) expect(Math.abs((p as number) - 0.1)).toBeLessThan(0.06);
  });

  it('explains bad input', () => {
    expect(() => conditionalAccuracy([0, 1], [0])).toThrow(/predicted has 1 labels for 2 samples/);
    expect(() => conditionalAccuracy([0, 1.5], [0, 1])).toThrow(/requested\[1\] = 1.5 is not a class/);
    expect(() => conditionalAccuracy([], [])).toThrow(/no samples/);
    expect(() => conditionalAccuracy(tensor([[0, 1]]), [0, 1])).toThrow(/must be 1-D/);
  });
});

describe('argmaxRows', () => {
  it('labels each row by its largest score (first on ties)', () => {
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 5, 5, -1], 3))).toEqual([1, 0]);
    expect(() => argmaxRows([1, 2, 3], 2)).toThrow(/not rows of 2/);
  });
});
