import { describe, expect, it } from 'vitest';
import { evaluation, Generator, tensor } from '../../src/index.js';
import { firstPerClass, testDigits, trainDigits } from './digits.js';

const { nearestNeighbours, memorisation } = evaluation;

function bruteForce(q: Float32Array, r: Float32Array, d: number): { index: number[]; distance: number[] } {
  const index: number[] = [];
  const distance: number[] = [];
  for (let i = 0; i < q.length / d; i++) {
    let best = Infinity;
    let bj = -1;
    for (let j = 0; j < r.length / d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (q[i * d + k] - r[j * d + k]) ** 2;
      if (s < best) { best = s; bj = j; }
    }
    index.push(bj);
    distance.push(Math.sqrt(best));
  }
  return { index, distance };
}

describe('nearestNeighbours', () => {
  it('agrees exactly with a float64 brute-force search, near-ties included', () => {
    const gen = new Generator(2);
    const d = 50;
    const r = Float32Array.from({ length: 300 * d }, () => gen.random());
    const q = Float32Array.from({ length: 70 * d }, () => gen.random());
    // Near-ties: queries equidistant (up to float32 rounding) from two references.
    for (let i = 0; i < 10; i++) {
      for (let k = 0; k < d; k++) q[i * d + k] = (r[(2 * i) * d + k] + r[(2 * i + 1) * d + k]) / 2;
    }
    const got = nearestNeighbours(q, r, { dim: d, batchSize: 16 });
    const want = bruteForce(q, r, d);
    expect(Array.from(got.index)).toEqual(want.index);
    expect(Array.from(got.distance)).toEqual(want.distance);
  });

  it('finds a query that is in the reference set at distance exactly 0, lowest index on duplicates', () => {
    const r = tensor([[1, 2, 3], [4, 5, 6], [1, 2, 3]]);
    const got = nearestNeighbours(tensor([[1, 2, 3], [4, 5, 6.5]]), r);
    expect(Array.from(got.index)).toEqual([0, 1]);
    expect(Array.from(got.distance)).toEqual([0, 0.5]);
  });

  it('explains bad input', () => {
    expect(() => nearestNeighbours(tensor([[1, 2]]), tensor([[1, 2, 3]]))).toThrow(/queries have rows of 2 but reference rows of 3/);
    expect(() => nearestNeighbours(tensor([[1, 2]]), new Float32Array(0), { dim: 2 })).toThrow(/reference is empty/);
    expect(() => nearestNeighbours(tensor([[1, 2]]), tensor([[1, 2]]), { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});

describe('memorisation', () => {
  it('is 0 for training digits themselves and about 1 for other real digits', async () => {
    // Sizes kept small for the js reference backend: 100 queries × 1,000 references per search.
    const all = firstPerClass(await trainDigits(), 110);
    const inRef = (i: number): boolean => i % 110 < 100; // digits are class-major: 110 per class
    const pick = (keep: (i: number) => boolean): Float32Array => {
      const idx = Array.from({ length: all.n }, (_, i) => i).filter(keep);
      const out = new Float32Array(idx.length * 784);
      idx.forEach((src, j) => out.set(all.images.subarray(src * 784, (src + 1) * 784), j * 784));
      return out;
    };
    const train = pick(inRef); // 1,000 "training" digits: 100 per class
    const copies = pick((i) => i % 110 < 10); // 100 of them
    const unseen = pick((i) => !inRef(i)); // 100 other real digits, not in the reference
    const heldOut = firstPerClass(await testDigits(), 10).images; // 100 held-out digits
    const copied = memorisation(copies, train, heldOut);
    expect(copied.samples).toBe(0);
    expect(copied.ratio).toBe(0);
    expect(Array.from(copied.nearest.index.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(copied.heldOut).toBeGreaterThan(3); // real digits are several units of L2 distance apart
    const novel = memorisation(unseen, train, copied.heldOut);
    expect(novel.ratio).toBeGreaterThan(0.85);
    expect(novel.ratio).toBeLessThan(1.15);
  });
});

describe('nearestTrainingDigits', () => {
  it('shows a planted training digit as its own neighbour at distance 0, and other samples with their distance over the held-out mean', () => {
    const g = new Generator('nearest-training');
    const d = 6;
    const training = Float32Array.from({ length: 5 * d }, () => g.random());
    const samples = new Float32Array(2 * d);
    samples.set(training.subarray(3 * d, 4 * d), 0); // sample 0 is training digit 3
    samples.set([1, 1, 1, 1, 1, 1], d);
    const out = evaluation.nearestTrainingDigits(samples, training, 0.5, { dim: d });
    const brute = bruteForce(samples, training, d);
    expect(Array.from(out.index)).toEqual([3, brute.index[1]]);
    expect(out.distance[0]).toBe(0);
    expect(out.relative[0]).toBe(0);
    expect(out.distance[1]).toBeCloseTo(brute.distance[1], 12);
    expect(out.relative[1]).toBeCloseTo(brute.distance[1] / 0.5, 12);
    // The images are the neighbours themselves.
    expect(Array.from(out.images.subarray(0, d))).toEqual(Array.from(training.subarray(3 * d, 4 * d)));
    expect(Array.from(out.images.subarray(d))).toEqual(Array.from(training.subarray(brute.index[1] * d, (brute.index[1] + 1) * d)));
    expect(() => evaluation.nearestTrainingDigits(samples, training, 0, { dim: d })).toThrow(/heldOutNearest must be a positive distance, got 0/);
  });
});
