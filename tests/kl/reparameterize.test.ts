/**
 * reparameterize: z = μ + exp(½ log σ²)·ε has the right mean and variance for a
 * fixed seed, is deterministic, broadcasts, and passes gradients to μ and log σ².
 */
import { describe, expect, it } from 'vitest';
import { full, Generator, gradcheck, kl, manualSeed, reparameterize, Tensor } from '../../src/index.js';
import { expectClose, f32, f64 } from './helpers.js';

function moments(xs: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
  return { mean, variance: ss / (xs.length - 1) };
}

describe('reparameterize', () => {
  it('samples have mean μ and variance σ² (fixed seed, within 4 standard errors)', () => {
    const n = 50_000;
    for (const [mu, sigma] of [[1.5, 0.5], [-3, 4], [0, 1e-3]]) {
      const z = reparameterize(full([n], mu, { dtype: 'float64' }), full([n], 2 * Math.log(sigma), { dtype: 'float64' }), new Generator(42));
      const { mean, variance } = moments(z.data);
      expect(Math.abs(mean - mu)).toBeLessThanOrEqual((4 * sigma) / Math.sqrt(n));
      // Var of the sample variance of a normal: 2σ⁴/(n − 1).
      expect(Math.abs(variance - sigma ** 2)).toBeLessThanOrEqual(4 * sigma ** 2 * Math.sqrt(2 / (n - 1)));
    }
  });

  it('each element gets its own μ and σ (a [2, n] batch with different rows)', () => {
    const n = 50_000;
    const mu = f64([[2], [-1]]);
    const lv = f64([[Math.log(0.25)], [Math.log(9)]]);
    const z = reparameterize(mu.expand([2, n]), lv.expand([2, n]), new Generator(7));
    const [a, b] = [moments(z.data.subarray(0, n)), moments(z.data.subarray(n))];
    expect(Math.abs(a.mean - 2)).toBeLessThanOrEqual(4 * 0.5 / Math.sqrt(n));
    expect(Math.abs(b.mean + 1)).toBeLessThanOrEqual(4 * 3 / Math.sqrt(n));
    expectClose(a.variance, 0.25, 4 * Math.sqrt(2 / n));
    expectClose(b.variance, 9, 4 * Math.sqrt(2 / n));
  });

  it('is deterministic: same seed, same z; the default generator follows manualSeed', () => {
    const mu = f32([[0.1, 0.2], [0.3, 0.4]]);
    const lv = f32([[0, -1], [1, 2]]);
    expect(reparameterize(mu, lv, new Generator(3)).toList()).toEqual(reparameterize(mu, lv, new Generator(3)).toList());
    expect(reparameterize(mu, lv, new Generator(3)).toList()).not.toEqual(reparameterize(mu, lv, new Generator(4)).toList());
    manualSeed(5);
    const a = reparameterize(mu, lv).toList();
    manualSeed(5);
    expect(reparameterize(mu, lv).toList()).toEqual(a);
    // ε is the generator's standard normal stream, one draw per element, in order.
    const g = new Generator(9);
    const eps = [g.normal(), g.normal(), g.normal(), g.normal()];
    const z = reparameterize(f64([[0.1, 0.2], [0.3, 0.4]]), f64([[0, -1], [1, 2]]), new Generator(9)).toList();
    z.forEach((v, i) => expectClose(v, [0.1, 0.2, 0.3, 0.4][i] + Math.exp(0.5 * [0, -1, 1, 2][i]) * eps[i], 1e-15));
  });

  it('gradients: ∂z/∂μ = 1 and ∂z/∂log σ² = ½σε = ½(z − μ); gradcheck agrees', () => {
    const mu = f64([[0.5, -1, 2], [0, 0.1, -0.3]], true);
    const lv = f64([[0.2, -3, 1], [0, 2, -0.7]], true);
    const z = reparameterize(mu, lv, new Generator(11));
    z.backward(f64([[1, 1, 1], [1, 1, 1]]));
    expect(mu.grad!.toList()).toEqual([1, 1, 1, 1, 1, 1]);
    lv.grad!.toList().forEach((g, i) => expectClose(g, 0.5 * (z.data[i] - mu.data[i]), 1e-14, 1e-300));
    // A fresh generator per call: the same ε for every finite-difference evaluation.
    const r = gradcheck((m, l) => reparameterize(m, l, new Generator(11)).square().sum(), [mu, lv]);
    expect(r.ok, r.message).toBe(true);
  });

  it('broadcasts a shared log-variance and sums its gradient over the batch', () => {
    const mu = f64([[0, 0, 0], [1, 1, 1]], true);
    const lv = f64([0.5, -0.5, 0], true);
    const z = reparameterize(mu, lv, new Generator(2));
    expect(z.shape).toEqual([2, 3]);
    z.sum().backward();
    expect(lv.grad!.shape).toEqual([3]);
    for (let j = 0; j < 3; j++) expectClose(lv.grad!.data[j], 0.5 * ((z.data[j] - 0) + (z.data[3 + j] - 1)), 1e-14);
  });

  it('keeps float32, promotes float32 with float64, and takes plain numbers', () => {
    expect(reparameterize(f32([1, 2]), f32([0, 0]), new Generator(1)).dtype).toBe('float32');
    expect(reparameterize(f32([1, 2]), f64([0, 0]), new Generator(1)).dtype).toBe('float64');
    expect(reparameterize(f32([1, 2]), 0, new Generator(1))).toBeInstanceOf(Tensor);
    const x = reparameterize(1, Math.log(4), new Generator(1));
    expect(typeof x).toBe('number');
    expectClose(x, 1 + 2 * new Generator(1).normal(), 1e-15);
  });

  it('composes into a VAE loss whose gradients reach the encoder outputs', () => {
    const mu = f32([[0.5, -0.2], [0.1, 0.3]], true);
    const lv = f32([[-0.5, 0.2], [0.0, -1.0]], true);
    const z = reparameterize(mu, lv, new Generator(0));
    const loss = z.square().mean().add(kl.stdNormal(mu, lv, { reduction: 'mean' }));
    loss.backward();
    for (const t of [mu, lv]) expect(t.grad!.toList().every(Number.isFinite)).toBe(true);
    // By hand, with z = μ + e^(lv/2)·ε over 4 elements and the KL averaged over the 2 rows:
    //   ∂/∂μ  = z/2 + μ/2                      (mean z²: 2z/4; KL: μ/2)
    //   ∂/∂lv = (z/2)·½(z − μ) + (e^lv − 1)/4   (∂z/∂lv = ½σε = ½(z − μ); KL: ½(e^lv − 1)/2)
    const [m, l, zz] = [mu.data, lv.data, z.data];
    for (let i = 0; i < 4; i++) {
      expectClose(mu.grad!.data[i], zz[i] / 2 + m[i] / 2, 1e-6);
      expectClose(lv.grad!.data[i], (zz[i] / 2) * 0.5 * (zz[i] - m[i]) + (Math.exp(l[i]) - 1) / 4, 1e-6);
    }
  });
});
