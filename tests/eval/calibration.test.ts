import { describe, expect, it } from 'vitest';
import { evaluation } from '../../src/index.js';

const { softmaxRows, fitTemperature, temperatureNll, expectedCalibrationError } = evaluation;

describe('softmaxRows', () => {
  it('is exp(l/T)/Σ exp(l/T) per row, stable for huge logits', () => {
    const p = softmaxRows([0, Math.log(3), 1000, 1000], 2);
    expect(p[0]).toBeCloseTo(0.25, 15);
    expect(p[1]).toBeCloseTo(0.75, 15);
    expect(p[2]).toBe(0.5);
    const hot = softmaxRows([0, Math.log(3)], 2, 0.5); // (1, 9)/10
    expect(hot[1]).toBeCloseTo(0.9, 15);
    expect(() => softmaxRows([1, 2, 3], 2)).toThrow(/3 logits are not rows of 2/);
    expect(() => softmaxRows([1, 2], 2, 0)).toThrow(/temperature must be a finite number > 0/);
  });
});

describe('fitTemperature', () => {
  it('finds T = a / logit(q) when logits [a, 0] are right a share q of the time (a = 4, q = 0.8: T = 4 / ln 4)', () => {
    const logits: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 100; i++) {
      logits.push(4, 0);
      labels.push(i < 80 ? 0 : 1);
    }
    const fit = fitTemperature(logits, labels, 2);
    expect(fit.temperature).toBeCloseTo(4 / Math.log(4), 5); // 2.88539…: softmax(4/T) = 0.8
    // NLL at the optimum is the entropy of a 0.8/0.2 coin; at T = 1 it is higher.
    const h = -(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2));
    expect(fit.nllAfter).toBeCloseTo(h, 10);
    expect(fit.nllBefore).toBeCloseTo(temperatureNll(logits, labels, 2, 1), 15);
    expect(fit.nllBefore).toBeGreaterThan(h);
  });

  it('refuses what it cannot fit', () => {
    expect(() => fitTemperature([], [], 10)).toThrow(/no digits to fit on/);
    expect(() => fitTemperature([1, NaN], [0], 2)).toThrow(/logit 1 is NaN/);
    expect(() => fitTemperature([1, 2], [5], 2)).toThrow(/labels/);
  });
});

describe('expectedCalibrationError', () => {
  it('is Σ (|B|/N)·|acc(B) − conf(B)| over 15 confidence bins: a hand-made case', () => {
    // Four digits, two classes. Confidences 0.95 (right), 0.95 (wrong) → bin 14: acc 0.5, conf 0.95;
    // 0.6 (right), 0.6 (right) → bin 9: acc 1, conf 0.6. ECE = ½·0.45 + ½·0.4 = 0.425.
    const p = [0.95, 0.05, 0.05, 0.95, 0.6, 0.4, 0.4, 0.6];
    const e = expectedCalibrationError(p, [0, 0, 0, 1], 2);
    expect(e.ece).toBeCloseTo(0.425, 12);
    expect(e.bins[14]).toEqual({ count: 2, accuracy: 0.5, confidence: 0.95 });
    expect(e.bins[9].count).toBe(2);
    expect(e.bins[0]).toEqual({ count: 0, accuracy: null, confidence: null });
  });

  it('is 0 when confidence equals accuracy in every bin, and confidence 1 falls in the top bin', () => {
    expect(expectedCalibrationError([1, 0, 0, 1], [0, 1], 2).ece).toBe(0);
    expect(expectedCalibrationError([1, 0], [0], 2).bins[14].count).toBe(1);
  });
});
