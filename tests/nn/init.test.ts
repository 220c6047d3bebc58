import { describe, expect, it } from 'vitest';
import { Generator, init, zeros, type Tensor } from '../../src/index.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  let s = 0, s2 = 0, maxAbs = 0;
  for (const v of t.data) {
    s += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / t.size;
  return { mean, std: Math.sqrt(s2 / t.size - mean * mean), maxAbs };
}

const g = (s: number): Generator => new Generator(s);
/** Within 2% of the expected value (60,000 draws: the sampling error of a std is about 0.3%). */
const near = (got: number, want: number): void => expect(Math.abs(got / want - 1)).toBeLessThan(0.02);

describe('init', () => {
  it('fans follow PyTorch ([out, in, ...k]: fanIn = in·∏k, fanOut = out·∏k)', () => {
    expect(init.fanInAndFanOut([20, 50])).toEqual([50, 20]);
    expect(init.fanInAndFanOut([8, 3, 5, 5])).toEqual([75, 200]);
    expect(() => init.fanInAndFanOut([5])).toThrow(/at least 2 dimensions/);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
  });

  it('kaiming and xavier have the stated bounds and standard deviations', () => {
    const w = (): Tensor => zeros([200, 300]);
    // kaimingUniform (ReLU): U(±√2·√(3/fanIn)) → std √(2/fanIn)
    let s = stats(init.kaimingUniform(w(), { nonlinearity: 'relu', generator: g(1) }));
    expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    near(s.std, Math.sqrt(2 / 300));
    s = stats(init.kaimingNormal(w(), { nonlinearity: 'relu', mode: 'fanOut', generator: g(2) }));
    near(s.std, Math.sqrt(2 / 200));
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    // xavierUniform: U(±√(6/(fanIn + fanOut))) → std √(2/(fanIn + fanOut))
    s = stats(init.xavierUniform(w(), { generator: g(3) }));
    expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    near(s.std, Math.sqrt(2 / 500));
    s = stats(init.xavierNormal(w(), { gain: 2, generator: g(4) }));
    near(s.std, 2 * Math.sqrt(2 / 500));
    s = stats(init.uniform(w(), -3, -1, { generator: g(5) }));
    expect(s.mean).toBeCloseTo(-2, 1);
    s = stats(init.normal(w(), 5, 0.5, { generator: g(6) }));
    expect(s.mean).toBeCloseTo(5, 2);
    near(s.std, 0.5);
    expect(init.ones(zeros([3])).toList()).toEqual([1, 1, 1]);
    expect(init.zeros(init.ones(zeros([2]))).toList()).toEqual([0, 0]);
  });

  it('is seeded: the same generator seed gives the same values', () => {
    const a = init.kaimingUniform(zeros([4, 4]), { generator: g(9) }).toList();
    expect(init.kaimingUniform(zeros([4, 4]), { generator: g(9) }).toList()).toEqual(a);
    expect(init.kaimingUniform(zeros([4, 4]), { generator: g(10) }).toList()).not.toEqual(a);
  });

  it('rejects bad arguments clearly', () => {
    expect(() => init.kaimingUniform(zeros([2, 2]), { mode: 'fanAvg' as 'fanIn' })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
    expect(() => init.uniform(zeros([2]), 1, 0)).toThrow(/need a ≤ b/);
    expect(() => init.normal(zeros([2]), 0, -1)).toThrow(/std must be ≥ 0/);
  });
});
