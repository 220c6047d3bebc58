/**
 * Latent interpolation (eval/interpolation.ts): the noise rows against
 * hand-computed values, exact ends, and the strip of images equal to the
 * model's own `generate` of those rows (ends: generate of the two noises).
 */
import { describe, expect, it } from 'vitest';
import { evaluation, Generator, models, Tensor } from '../../src/index.js';

const { interpolateNoise, interpolationStrip, noisePair } = evaluation;

describe('interpolateNoise', () => {
  it('gives the rows (1 − t)·from + t·to for t = i / (steps − 1), by hand', () => {
    expect(Array.from(interpolateNoise([0, 2, -1], [1, -2, 3], 3))).toEqual([0, 2, -1, 0.5, 0, 1, 1, -2, 3]);
    // Five steps from 0 to 4: 0, 1, 2, 3, 4 (and the second coordinate back from 4 to 0).
    expect(Array.from(interpolateNoise([0, 4], [4, 0], 5))).toEqual([0, 4, 1, 3, 2, 2, 3, 1, 4, 0]);
  });

  it('ends exactly on the two noise vectors (no rounding in the last row)', () => {
    const from = Float32Array.from([0.1, -0.7, 1.3]);
    const to = Float32Array.from([0.30000001, -2.2, 0.04]);
    const rows = interpolateNoise(from, to, 10);
    expect(rows.length).toBe(30);
    expect(Array.from(rows.subarray(0, 3))).toEqual(Array.from(from));
    expect(Array.from(rows.subarray(27, 30))).toEqual(Array.from(to));
  });

  it('refuses mismatched or empty vectors and fewer than two steps', () => {
    expect(() => interpolateNoise([0, 1], [0], 3)).toThrow(/differ in length \(2 and 1\)/);
    expect(() => interpolateNoise([], [], 3)).toThrow(/empty/);
    expect(() => interpolateNoise([0], [1], 1)).toThrow(/steps must be an integer ≥ 2.*got 1/);
    expect(() => interpolateNoise([0], [1], 2.5)).toThrow(/got 2\.5/);
  });
});

describe('interpolationStrip', () => {
  const cvae = models.createModel(models.defaultConfig('cvae', 'mlp', { width: 16, latent: 4 }), 3);
  const vae = models.createModel(models.defaultConfig('vae', 'mlp', { width: 16, latent: 4 }), 3);

  it("is the model's generate of each row: the ends are generate(from) and generate(to), the middle of three generate((from + to) / 2)", () => {
    const { from, to } = noisePair(4, new Generator('strip'));
    const strip = interpolationStrip(cvae, from, to, { steps: 3, label: 7 });
    expect(strip.images.length).toBe(3 * 784);
    const gen = (noise: ArrayLike<number>, label: number): number[] => Array.from(cvae.generate(new Tensor(Float32Array.from(noise), [1, 4]), [label]).data);
    expect(Array.from(strip.images.subarray(0, 784))).toEqual(gen(from, 7));
    expect(Array.from(strip.images.subarray(2 * 784))).toEqual(gen(to, 7));
    const mid = Array.from(from, (a, d) => 0.5 * a + 0.5 * to[d]);
    expect(Array.from(strip.noise.subarray(4, 8))).toEqual(Array.from(Float32Array.from(mid)));
    expect(Array.from(strip.images.subarray(784, 2 * 784))).toEqual(gen(mid, 7));
    // Another class changes the images (the label reaches the decoder).
    expect(Array.from(interpolationStrip(cvae, from, to, { steps: 3, label: 1 }).images.subarray(0, 784))).not.toEqual(gen(from, 7));
    // Ten steps by default.
    expect(interpolationStrip(vae, from, to).images.length).toBe(10 * 784);
  });

  it('noisePair draws from then to from the generator, as standard normals', () => {
    const g = new Generator('pair');
    const expected = Array.from({ length: 6 }, () => g.normal());
    const { from, to } = noisePair(3, new Generator('pair'));
    expect([...from, ...to]).toEqual(Array.from(Float32Array.from(expected)));
  });

  it('refuses a class for the vae, a missing class for a conditional model, and noise of the wrong size', () => {
    const a = [0, 0, 0, 0];
    expect(() => interpolationStrip(cvae, a, a)).toThrow(/cvae is conditional: give the class/);
    expect(() => interpolationStrip(vae, a, a, { label: 3 })).toThrow(/unconditional: give no class/);
    expect(() => interpolationStrip(cvae, [0, 0], [0, 0], { label: 1 })).toThrow(/cvae has 4 latent dimensions, got noise of 2 and 2/);
    expect(() => interpolationStrip(cvae, a, a, { label: 10 })).toThrow(/label 10/);
  });
});
