import { describe, expect, it } from 'vitest';
import { evaluation, Generator, tensor } from '../../src/index.js';

const { gaussianKernel, gaussianBlur, addGaussianNoise, blendImages } = evaluation;

/** One 28×28 image, black but for `value` at (r, c). */
function dot(r: number, c: number, value = 1): Float32Array {
  const img = new Float32Array(784);
  img[r * 28 + c] = value;
  return img;
}

describe('gaussianKernel', () => {
  it('is exp(−j²/2σ²) normalised over radius ⌈3σ⌉: σ = 1 by hand', () => {
    // e^0, e^−1/2, e^−2, e^−9/2 over their sum 2.505949878974977
    const want = [0.004433048175243745, 0.054005582622414484, 0.2420362293761143, 0.3990502796524549, 0.2420362293761143, 0.054005582622414484, 0.004433048175243745];
    const k = gaussianKernel(1);
    expect(k.length).toBe(7);
    want.forEach((v, i) => expect(k[i]).toBeCloseTo(v, 15));
    expect(gaussianKernel(0.5).length).toBe(5); // radius ⌈1.5⌉ = 2
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
    expect(() => gaussianKernel(-1)).toThrow(/sigma must be a finite number ≥ 0, got -1/);
  });
});

describe('gaussianBlur', () => {
  it('spreads a point into the outer product of the kernel, keeping its ink away from the frame', () => {
    const k = gaussianKernel(1);
    const out = gaussianBlur(dot(14, 14), 1);
    for (let dr = -3; dr <= 3; dr++) for (let dc = -3; dc <= 3; dc++) expect(out[(14 + dr) * 28 + 14 + dc]).toBeCloseTo(k[dr + 3] * k[dc + 3], 7);
    expect(out[10 * 28 + 14]).toBe(0); // 4 rows away: outside the radius
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('loses the ink that spreads past the frame (black outside), is the identity at σ = 0, and leaves its input alone', () => {
    const corner = dot(0, 0);
    const out = gaussianBlur(corner, 1);
    const k = gaussianKernel(1);
    const kept = (k[3] + k[4] + k[5] + k[6]) ** 2; // only the quarter of the kernel inside the image
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(kept, 6);
    expect(Array.from(gaussianBlur(corner, 0))).toEqual(Array.from(corner));
    expect(corner[0]).toBe(1);
  });

  it('blurs each image of a batch on its own, for arrays and tensors alike', () => {
    const two = new Float32Array(2 * 784);
    two.set(dot(5, 5), 0);
    two.set(dot(20, 20), 784);
    const a = gaussianBlur(two, 1.5);
    const b = gaussianBlur(tensor(two, { shape: [2, 1, 28, 28] }), 1.5);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(a.subarray(784).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6); // no ink leaked from image 0 into image 1
    expect(() => gaussianBlur(new Float32Array(10), 1)).toThrow(/rows of 784 pixels|784/);
  });
});

describe('addGaussianNoise', () => {
  it('adds std·ε from the generator, clipped to [0, 1], the same for the same seed', () => {
    const grey = new Float32Array(784).fill(0.5);
    const a = addGaussianNoise(grey, 0.1, new Generator(7));
    const g = new Generator(7);
    for (let i = 0; i < 784; i++) expect(a[i]).toBeCloseTo(Math.min(1, Math.max(0, 0.5 + 0.1 * g.normal())), 6);
    expect(Array.from(addGaussianNoise(grey, 0.1, new Generator(7)))).toEqual(Array.from(a));
    const loud = addGaussianNoise(grey, 10, new Generator(1));
    expect(loud.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(loud.filter((v) => v === 0 || v === 1).length).toBeGreaterThan(700); // ±10 clips almost every pixel
    expect(Array.from(addGaussianNoise(grey, 0, new Generator(1)))).toEqual(Array.from(grey));
  });
});

describe('blendImages', () => {
  it('is (1 − λ)·a + λ·b per pixel, with one λ or one per pair', () => {
    const a = dot(3, 3, 1);
    const b = dot(3, 3, 0.2);
    b[4] = 1;
    const half = blendImages(a, b, 0.5);
    expect(half[3 * 28 + 3]).toBeCloseTo(0.6, 7);
    expect(half[4]).toBeCloseTo(0.5, 7);
    const quarter = blendImages(a, b, [0.25]);
    expect(quarter[3 * 28 + 3]).toBeCloseTo(0.8, 7);
    expect(quarter[4]).toBeCloseTo(0.25, 7);
    expect(() => blendImages(a, b, 1.5)).toThrow(/weight 1.5 of pair 0 is not in \[0, 1\]/);
    expect(() => blendImages(a, new Float32Array(2 * 784), 0.5)).toThrow(/a holds 1 images of 28×28 but b holds 2/);
  });
});
