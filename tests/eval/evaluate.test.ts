import { describe, expect, it } from 'vitest';
import { evaluation } from '../../src/index.js';
import { firstPerClass, testDigits } from './digits.js';

const { evaluateSamples } = evaluation;

/** 7×7 average-pooled pixels: a 49-value stand-in for classifier features. */
function pooled(images: Float32Array): Float32Array {
  const n = images.length / 784;
  const out = new Float32Array(n * 49);
  for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) {
    out[i * 49 + Math.floor(Math.floor(p / 28) / 4) * 7 + Math.floor((p % 28) / 4)] += images[i * 784 + p] / 16;
  }
  return out;
}

describe('evaluateSamples', () => {
  it('scores real digits as perfect samples of themselves', async () => {
    const real = firstPerClass(await testDigits(), 30);
    const r = evaluateSamples({
      samples: real.images, requested: real.labels, predicted: real.labels,
      real: real.images, realLabels: real.labels,
      sampleFeatures: pooled(real.images), realFeatures: pooled(real.images), featureDim: 49,
    });
    expect(r.metrics.conditionalAccuracy).toBe(1);
    expect(r.metrics.sharpness).toBe(1);
    expect(r.metrics.diversity).toBe(1);
    expect(r.metrics.frechet).toBeLessThan(1e-9);
    expect(r.metrics.memorisation).toBeNull(); // no training set given
    expect(r.details.accuracy?.perClass.every((p) => p === 1)).toBe(true);
    expect(r.metrics.confidentAccuracy).toBeNull(); // labels alone: no probabilities, no faithfulness
  });

  it('with probabilities, reports faithfulness beside accuracy: a sample at p = 0.6 is right but not confidently so', async () => {
    const real = firstPerClass(await testDigits(), 2); // 20 digits, labels 0,0,1,1,…
    const p = new Float32Array(20 * 10);
    for (let i = 0; i < 20; i++) {
      const y = real.labels[i];
      if (i % 2 === 0) p[i * 10 + y] = 1; // sure and right
      else { p[i * 10 + y] = 0.6; p[i * 10 + ((y + 1) % 10)] = 0.4; } // right, unsure
    }
    const r = evaluateSamples({ samples: real.images, requested: real.labels, probabilities: p, real: real.images, realLabels: real.labels });
    expect(r.metrics.conditionalAccuracy).toBe(1);
    expect(r.metrics.confidentAccuracy).toBe(0.5);
    expect(r.metrics.classProbability).toBeCloseTo(0.8, 6);
  });

  it('leaves out what its inputs cannot measure, and uses predicted labels for unconditional samples', async () => {
    const real = firstPerClass(await testDigits(), 10);
    const r = evaluateSamples({ samples: real.images, requested: null, predicted: real.labels, real: real.images, realLabels: real.labels });
    expect(r.metrics).toEqual({ classProbability: null, confidentAccuracy: null, conditionalAccuracy: null, frechet: null, sharpness: 1, diversity: 1, memorisation: null });
    // Samples that are copies of training digits, scored against other real digits.
    const all = firstPerClass(await testDigits(), 20);
    const firstHalf = (x: Float32Array): Float32Array => x.filter((_, p) => Math.floor(p / 784) % 20 < 10);
    const secondHalf = (x: Float32Array): Float32Array => x.filter((_, p) => Math.floor(p / 784) % 20 >= 10);
    const copies = evaluateSamples({
      samples: firstHalf(all.images), requested: real.labels, real: secondHalf(all.images), realLabels: real.labels, training: firstHalf(all.images),
    });
    expect(copies.metrics.memorisation).toBe(0);
    expect(copies.details.memorisation?.heldOut).toBeGreaterThan(3);
    expect(() => evaluateSamples({ samples: real.images, requested: null, real: real.images, realLabels: real.labels })).toThrow(/need classifier labels/);
    expect(() => evaluateSamples({ samples: real.images, requested: real.labels, real: real.images, realLabels: real.labels, realFeatures: pooled(real.images) }))
      .toThrow(/needs both sampleFeatures and realFeatures/);
  });
});
