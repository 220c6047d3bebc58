import { describe, expect, it } from 'vitest';
import { evaluation, Generator, tensor } from '../../src/index.js';
import { testDigits } from './digits.js';

const { meanSquaredLaplacian, sharpness } = evaluation;

/** k×k box blur of 28×28 images, averaging only the pixels inside the image. */
function boxBlur(images: Float32Array, k: number): Float32Array {
  const out = new Float32Array(images.length);
  const r = (k - 1) / 2;
  for (let n = 0; n < images.length / 784; n++) {
    for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
      let s = 0;
      let c = 0;
      for (let di = -r; di <= r; di++) for (let dj = -r; dj <= r; dj++) {
        const y = i + di;
        const x = j + dj;
        if (y >= 0 && y < 28 && x >= 0 && x < 28) { s += images[n * 784 + y * 28 + x]; c++; }
      }
      out[n * 784 + i * 28 + j] = s / c;
    }
  }
  return out;
}

describe('meanSquaredLaplacian', () => {
  it('matches hand-computed 3×3 cases for both border rules', () => {
    // A single bright pixel in the centre: L = −4 there and 1 at its four neighbours → (16 + 4)/9.
    const dot = new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(meanSquaredLaplacian(dot, { height: 3, width: 3 })).toBeCloseTo(20 / 9, 12);
    expect(meanSquaredLaplacian(dot, { height: 3, width: 3, border: 'zero' })).toBeCloseTo(20 / 9, 12);
    // A flat grey image: no detail with replicated borders; with zero borders the frame is an edge:
    // corners L = 2·0.5 − 4·0.5 = −1, edges L = 3·0.5 − 2 = −0.5 → (4·1 + 4·0.25)/9.
    const flat = new Float32Array(9).fill(0.5);
    expect(meanSquaredLaplacian(flat, { height: 3, width: 3 })).toBe(0);
    expect(meanSquaredLaplacian(flat, { height: 3, width: 3, border: 'zero' })).toBeCloseTo(5 / 9, 12);
    // Averages over images: the dot and the flat image together.
    const both = tensor([...dot, ...flat], { shape: [2, 1, 3, 3] });
    expect(meanSquaredLaplacian(both, { height: 3, width: 3 })).toBeCloseTo(20 / 18, 6);
  });

  it('explains bad input', () => {
    expect(() => meanSquaredLaplacian(new Float32Array(10), { height: 3, width: 3 })).toThrow(/not a whole number of rows of 9/);
    expect(() => meanSquaredLaplacian(tensor([[1, 2, 3]]))).toThrow(/rows of 3 pixels are not 28×28 images/);
    expect(() => meanSquaredLaplacian(new Float32Array(9), { height: 3, width: 3, border: 'mirror' as 'zero' })).toThrow(/border must be/);
    expect(() => sharpness(new Float32Array(784), new Float32Array(784))).toThrow(/no detail/);
  });
});

describe('sharpness', () => {
  it('is 1 for real digits against themselves, well below 1 for blurred digits, above 1 for speckled ones', async () => {
    const real = await testDigits();
    expect(sharpness(real.images, real.images).ratio).toBe(1);
    const blurred5 = sharpness(boxBlur(real.images, 5), real.images);
    const blurred3 = sharpness(boxBlur(real.images, 3), real.images);
    // Measured: 0.026 (5×5) and 0.12 (3×3).
    expect(blurred5.ratio).toBeLessThan(0.1);
    expect(blurred3.ratio).toBeGreaterThan(blurred5.ratio); // more blur, less sharpness
    expect(blurred3.ratio).toBeLessThan(0.3);
    // Salt-and-pepper speckle on top of the digits: sharper than real in this metric (why 'closer to 1' is the reading).
    const gen = new Generator(1);
    const speckled = real.images.map((v) => (gen.random() < 0.05 ? 1 - v : v));
    expect(sharpness(speckled, real.images).ratio).toBeGreaterThan(1.5);
    // Zero and replicate borders nearly agree on digits, whose frame is black but for a few strokes that touch it.
    const zero = meanSquaredLaplacian(real.images, { border: 'zero' });
    expect(Math.abs(zero / meanSquaredLaplacian(real.images) - 1)).toBeLessThan(1e-3);
  });
});
