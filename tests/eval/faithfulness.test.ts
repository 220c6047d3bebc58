import { describe, expect, it } from 'vitest';
import { evaluation } from '../../src/index.js';

const { classFaithfulness, CONFIDENT_PROBABILITY } = evaluation;

describe('classFaithfulness', () => {
  it('gives accuracy, mean probability and the share with p ≥ 0.9 of the requested class: a hand-made case', () => {
    // 3 classes, 4 samples requested as 0, 0, 1, 2.
    const p = [
      0.95, 0.05, 0, //   req 0: right and sure
      0.6, 0.4, 0, //     req 0: right, unsure
      0.5, 0.45, 0.05, // req 1: wrong (argmax 0)
      0, 0.1, 0.9, //     req 2: right, exactly at the threshold
    ];
    const f = classFaithfulness([0, 0, 1, 2], Float64Array.from(p), { numClasses: 3 });
    expect(f.accuracy).toBe(0.75);
    expect(f.meanProbability).toBeCloseTo((0.95 + 0.6 + 0.45 + 0.9) / 4, 15);
    expect(f.confidentAccuracy).toBe(0.5);
    expect(f.threshold).toBe(CONFIDENT_PROBABILITY);
    expect(f.perClassConfident).toEqual([0.5, 0, 1]);
    expect(f.perClassProbability[0]).toBeCloseTo(0.775, 15);
    expect(f.confusion).toEqual([[2, 0, 0], [1, 0, 0], [0, 0, 1]]);
  });

  it('counts a 50/50 answer for neither class, and takes another threshold', () => {
    const p = Float64Array.from([0.5, 0.5, 0.5, 0.5]);
    const f = classFaithfulness([0, 1], p, { numClasses: 2 });
    expect(f.confidentAccuracy).toBe(0);
    expect(f.meanProbability).toBe(0.5);
    expect(classFaithfulness([0, 1], p, { numClasses: 2, threshold: 0.5 }).confidentAccuracy).toBe(1);
  });

  it('refuses probabilities that are not probabilities, and mismatched counts', () => {
    expect(() => classFaithfulness([0], Float64Array.from([1.2, -0.2]), { numClasses: 2 })).toThrow(/probability 1.2 at row 0 is not in \[0, 1\]/);
    expect(() => classFaithfulness([0, 1], Float64Array.from([1, 0]), { numClasses: 2 })).toThrow(/2 requested classes but 1 rows/);
    expect(() => classFaithfulness([0], Float64Array.from([1, 0]), { numClasses: 2, threshold: 0 })).toThrow(/threshold must be in \(0, 1\]/);
  });
});
