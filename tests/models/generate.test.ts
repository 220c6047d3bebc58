/**
 * Sampling from given noise and latent codes, and the VAE family's encoder:
 * `generate(noise, labels)` is exactly what `sample` does with the noise it
 * draws (so a page's sliders show real samples), the class prior maps noise
 * as μ_y + σ_y·ε (checked against hand-computed codes), `decode` uses the
 * CGAN's averaged weights as `sample` does, `encode`/`reconstruct` agree, and
 * bad calls are refused with the reason.
 */
import { describe, expect, test } from 'vitest';
import { Generator, Tensor, data, full, models, noGrad, oneHot, randn, tensor } from '../../src/index.js';
import type { GenerativeModel, ModelKind } from '../../src/models/index.js';
import { trainSteps } from './helpers.js';

const tiny = (kind: ModelKind, arch: 'mlp' | 'conv' = 'mlp'): GenerativeModel =>
  models.createModel(models.defaultConfig(kind, arch, { width: arch === 'mlp' ? 16 : 4, latent: 3 }), 2);

const bits = (t: Tensor): number[] => Array.from(t.data);

/** Fills the CVAE's class-prior table: row k = (μ = k/10 in every dimension, log σ² = log 4, i.e. σ = 2). */
function setClassPrior(m: GenerativeModel): void {
  const [, table] = m.namedParameters('', false).find(([n]) => n === 'priorTable')!;
  const latent = m.config.latent;
  table.copy_(Float32Array.from({ length: 10 * 2 * latent }, (_, i) => (i % (2 * latent) < latent ? Math.floor(i / (2 * latent)) / 10 : Math.log(4))));
}

describe('generate and decode', () => {
  test.each<[ModelKind, 'mlp' | 'conv']>([['vae', 'mlp'], ['cvae', 'mlp'], ['cgan', 'mlp'], ['cvaegan', 'mlp'], ['cvae', 'conv'], ['cgan', 'conv']])(
    '%s/%s: sample(labels, g) = generate(the N(0, I) noise g gives, labels), bit for bit', (kind, arch) => {
      const m = tiny(kind, arch);
      if (kind === 'cvae') setClassPrior(m);
      const labels = [0, 7, 7, 3];
      const s = m.conditional ? m.sample(labels, new Generator('s')) : m.sample(4, new Generator('s'));
      const noise = randn([4, 3], { generator: new Generator('s') });
      const g = m.generate(noise, m.conditional ? labels : undefined);
      expect(g.shape).toEqual([4, 1, 28, 28]);
      expect(bits(g)).toEqual(bits(s));
    });

  test('CVAE class prior: noise ε is decoded at z = μ_y + σ_y·ε (hand-computed codes)', () => {
    const m = tiny('cvae');
    setClassPrior(m);
    // Class 5: μ = 0.5, σ = 2; ε = 0.25 → z = 1.0. Class 0: μ = 0, ε = −0.5 → z = −1.0.
    const viaNoise = m.generate(tensor([[0.25, 0.25, 0.25], [-0.5, -0.5, -0.5]]), [5, 0]);
    const viaCodes = m.decode(tensor([[1, 1, 1], [-1, -1, -1]]), [5, 0]);
    const a = bits(viaNoise);
    const b = bits(viaCodes);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 6);
    // Under N(0, I) (the VAE), noise is the code itself.
    const vae = tiny('vae');
    const z = randn([2, 3], { generator: new Generator(1) });
    expect(bits(vae.generate(z))).toEqual(bits(vae.decode(z)));
  });

  test('fixed noise across classes: the same (noise, class) gives the same pixels, another class other pixels', () => {
    const m = tiny('cvaegan');
    const row = randn([1, 3], { generator: new Generator(4) });
    const ten = tensor(Array.from({ length: 10 }, () => Array.from(row.data)));
    const images = m.generate(ten, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const again = m.generate(row, [3]);
    expect(bits(again)).toEqual(bits(images).slice(3 * 784, 4 * 784));
    expect(bits(images).slice(0, 784)).not.toEqual(bits(images).slice(784, 2 * 784));
  });

  test('the CGAN decodes with its averaged generator weights (as sample does), not the live ones', async () => {
    const m = models.createModel(models.defaultConfig('cgan', 'mlp', { width: 16, latent: 3, options: { ema: 0.5 } }), 1);
    const digits = data.balancedSubset(await data.mnist({ split: 'train' }), 5);
    trainSteps(m, digits, 3);
    const z = randn([2, 3], { generator: new Generator(0) });
    const averaged = m.decode(z, [1, 2]);
    expect(m.training).toBe(true); // decode restores the mode
    m.eval();
    const live = noGrad(() => (m as models.CGAN).G.call(z, oneHot(Int32Array.from([1, 2]), 10)).sigmoid());
    m.train();
    expect(bits(averaged)).not.toEqual(bits(live));
  });

  test('bad calls say what is wrong', () => {
    const cvae = tiny('cvae');
    const vae = tiny('vae');
    expect(() => cvae.generate(full([2, 3], 0))).toThrow('cvae.generate: a conditional model needs one class label per row (2)');
    expect(() => cvae.generate(full([2, 3], 0), [1])).toThrow('cvae.generate: 2 rows but 1 labels');
    expect(() => cvae.decode(full([2, 4], 0), [1, 2])).toThrow('cvae.decode: expected [N, 3] (one row of 3 latent values per image), got [2, 4]');
    expect(() => cvae.generate(full([1, 3], 0), [10])).toThrow('cvae.generate: label 10 at index 0 is not a class in 0–9');
    expect(() => vae.generate(full([1, 3], 0), [1])).toThrow('vae.generate: the VAE is unconditional: pass no labels');
  });
});

describe('encode and reconstruct (the VAE family)', () => {
  test.each<ModelKind>(['vae', 'cvae', 'cvaegan'])('%s: μ, log σ² per image; reconstruct = decode(μ)', async (kind) => {
    const m = tiny(kind);
    expect(models.hasEncoder(m)).toBe(true);
    if (!models.hasEncoder(m)) return;
    const test = data.balancedSubset(await data.mnist({ split: 'test' }), 1);
    const x = new Tensor(test.images, [10, 1, 28, 28]);
    const labels = Array.from(test.labels);
    const { mu, logvar } = m.encode(x, labels);
    expect(mu.shape).toEqual([10, 3]);
    expect(logvar.shape).toEqual([10, 3]);
    const rec = m.reconstruct(x, labels);
    expect(bits(rec)).toEqual(bits(m.decode(mu, m.conditional ? labels : undefined)));
    expect(mu.requiresGrad).toBe(false);
  });

  test('the CGAN has no encoder; encode refuses bad input', () => {
    expect(models.hasEncoder(tiny('cgan'))).toBe(false);
    const m = tiny('cvae') as models.VAE;
    expect(() => m.encode(full([2, 784], 0), [1, 2])).toThrow('cvae.encode: expected images [N, 1, 28, 28], got [2, 784]');
    expect(() => m.encode(full([2, 1, 28, 28], 0))).toThrow('cvae.encode: pass the labels of the images');
    expect(() => m.encode(full([2, 1, 28, 28], 0), [1])).toThrow('cvae.encode: 2 images but 1 labels');
  });
});
