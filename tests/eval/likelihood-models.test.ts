/**
 * The likelihood metrics on genzoo's own models, through the VAE/CVAE adapter:
 * the known answer (importance-weighted NLL ≤ negative ELBO on a
 * briefly trained VAE), the CVAE's learned class prior (checked against the
 * model's own KL term, and on a toy model against quadrature), and the
 * adapter's refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { data, evaluation, Generator, models, tensor, Tensor, zeros } from '../../src/index.js';
import { VAE } from '../../src/models/vae.js';

const { likelihoodModel, negativeElbo, importanceWeightedNll, bernoulliNll, evenlySpaced } = evaluation;

let train: data.Dataset;
let heldOut: data.Dataset;

beforeAll(async () => {
  train = data.balancedSubset(await data.mnist({ split: 'train' }), 50); // 500 digits
  const test = await data.mnist({ split: 'test' });
  heldOut = data.subset(test, evenlySpaced(test.n, 100)); // 100 digits, every class
});

/** A small mlp VAE/CVAE trained for 4 epochs of 10 batches (about a second). */
function trained(kind: 'vae' | 'cvae'): { model: models.GenerativeModel; untrained: models.GenerativeModel } {
  const config = models.defaultConfig(kind, 'mlp', { width: 64, latent: 8 });
  const model = models.createModel(config, 1);
  const untrained = models.createModel(config, 1);
  const loader = new data.DataLoader(train, { batchSize: 50, seed: 0 });
  const g = new Generator(2);
  for (let epoch = 0; epoch < 4; epoch++) for (const batch of loader) model.trainStep(batch, g);
  return { model, untrained };
}

describe('likelihood of trained models', () => {
  it('vae: IW-NLL (k = 100) ≤ −ELBO on held-out digits, and both fell with training', () => {
    const { model, untrained } = trained('vae');
    const lv = likelihoodModel(model)!;
    expect(lv.prior).toBeUndefined(); // N(0, I)
    const opts = { inputShape: [1, 28, 28] };
    const elbo = negativeElbo(lv, heldOut.images, { ...opts, samples: 10, seed: 1 });
    const iw = importanceWeightedNll(lv, heldOut.images, { ...opts, k: 100, seed: 1 });
    expect(iw.k).toBe(100);
    expect(iw.mean).toBeLessThan(elbo.mean);
    // The gap (the bound's looseness, paired digit by digit) is nats, far beyond Monte Carlo noise.
    expect(elbo.mean - iw.mean).toBeGreaterThan(1);
    const before = negativeElbo(likelihoodModel(untrained)!, heldOut.images, { ...opts, samples: 10, seed: 1 });
    expect(elbo.mean).toBeLessThan(before.mean - 100); // ≈ 545 → ≈ 200 nats
  });

  it('cvae: the adapter uses the learned class prior (its KL = the model\'s own), and IW-NLL ≤ −ELBO', () => {
    const { model } = trained('cvae');
    const lv = likelihoodModel(model)!;
    expect(lv.prior).toBeDefined();
    const y = heldOut.labels;
    const elbo = negativeElbo(lv, heldOut.images, { labels: y, inputShape: [1, 28, 28], samples: 10, seed: 1 });
    const iw = importanceWeightedNll(lv, heldOut.images, { labels: y, inputShape: [1, 28, 28], k: 100, seed: 1 });
    expect(iw.mean).toBeLessThan(elbo.mean);
    // The model's training loss terms: KL(q(z|x,y) ‖ p(z|y)) with kl.diagNormal, in float32.
    const x = new Tensor(heldOut.images, [heldOut.n, 1, 28, 28]);
    model.eval();
    const { kl } = (model as VAE).losses(x, y, new Generator(0));
    const klMean = kl.data.reduce((a, b) => a + b, 0) / heldOut.n;
    expect(elbo.kl).toBeCloseTo(klMean, 2);
    // The learned prior is not N(0, I) any more (else this test would not test it).
    const p = lv.prior!(Int32Array.of(0, 7), 2);
    expect(p.mu.data.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('the adapter: null for the GANs, and a conditional model needs labels', () => {
    for (const kind of ['cgan', 'cvaegan'] as const) {
      expect(likelihoodModel(models.createModel(models.defaultConfig(kind, 'mlp', { width: 16, latent: 4 }), 0))).toBeNull();
    }
    const cvae = likelihoodModel(models.createModel(models.defaultConfig('cvae', 'mlp', { width: 16, latent: 4 }), 0))!;
    expect(() => cvae.encode(zeros([2, 1, 28, 28]))).toThrow(/needs one class label per image \(2\), got none/);
    expect(() => negativeElbo(cvae, new Float32Array(2 * 784))).toThrow(/needs one class label per image/);
  });
});

/**
 * A 1-D latent, 4-pixel toy with a class prior p(z|y) = N(m_y, v_y), where
 * log p(x|y) and the ELBO are integrals over z computed by quadrature.
 */
describe('likelihood with a non-standard prior (toy, quadrature)', () => {
  const W = [1.5, -2, 0.8, 2.5];
  const C = [-0.5, 0.3, 1, -1];
  const A = [0.6, -0.7, 0.3, 0.8];
  const LOGVAR = Math.log(0.3);
  const priorMu = (y: number): number => 1.5 * y - 1;
  const priorLogvar = (y: number): number => Math.log(0.4) + 0.8 * y;

  const toy: evaluation.LatentVariableModel = {
    encode(x: Tensor, y?: Int32Array) {
      const mu = x.matmul(tensor(A, { shape: [4, 1] })).add(tensor(Array.from(y!, (k) => 0.5 * k), { shape: [y!.length, 1] })).sub(0.6);
      return { mu, logvar: zeros([x.shape[0], 1]).add(LOGVAR) };
    },
    decodeLogits(z: Tensor) {
      return z.matmul(tensor(W, { shape: [1, 4] })).add(tensor(C));
    },
    prior(y, count) {
      return { mu: tensor(Array.from(y!, priorMu), { shape: [count, 1] }), logvar: tensor(Array.from(y!, priorLogvar), { shape: [count, 1] }) };
    },
  };

  const normalPdf = (z: number, m: number, v: number): number => Math.exp(-((z - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  function exact(x: number[], y: number): { nll: number; negElbo: number } {
    const logLik = (z: number): number => -x.reduce((s, xd, d) => s + bernoulliNll(W[d] * z + C[d], xd), 0);
    const m = x.reduce((s, xd, d) => s + A[d] * xd, 0) + 0.5 * y - 0.6;
    const v = Math.exp(LOGVAR);
    const pm = priorMu(y);
    const pv = Math.exp(priorLogvar(y));
    let p = 0;
    let rec = 0;
    const h = 1e-3;
    for (let z = -15; z <= 15; z += h) {
      p += Math.exp(logLik(z)) * normalPdf(z, pm, pv) * h;
      rec += -logLik(z) * normalPdf(z, m, v) * h;
    }
    const kl = 0.5 * (Math.log(pv) - LOGVAR + (v + (m - pm) ** 2) / pv - 1);
    return { nll: -Math.log(p), negElbo: rec + kl };
  }

  const patterns: number[][] = [];
  const classes: number[] = [];
  for (let y = 0; y < 2; y++) for (let b = 0; b < 16; b++) for (let r = 0; r < 3; r++) {
    patterns.push([0, 1, 2, 3].map((d) => (b >> d) & 1));
    classes.push(y);
  }
  const X = tensor(patterns);
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

  it('−ELBO uses KL to the prior, and IW-NLL converges to −log p(x|y) under it', () => {
    const cache = new Map<string, { nll: number; negElbo: number }>();
    const truth = patterns.map((x, i) => {
      const key = `${x.join('')}/${classes[i]}`;
      if (!cache.has(key)) cache.set(key, exact(x, classes[i]));
      return cache.get(key)!;
    });
    const elbo = negativeElbo(toy, X, { labels: classes, samples: 400, seed: 3 });
    expect(elbo.mean).toBeCloseTo(mean(truth.map((t) => t.negElbo)), 1);
    const iw = importanceWeightedNll(toy, X, { labels: classes, k: 1000, seed: 3 });
    const trueNll = mean(truth.map((t) => t.nll));
    expect(Math.abs(iw.mean - trueNll)).toBeLessThan(0.01);
    // Ignoring the prior (N(0, I) instead) gives a clearly different answer: the test can fail.
    const { prior: _, ...standard } = toy;
    expect(Math.abs(importanceWeightedNll(standard, X, { labels: classes, k: 1000, seed: 3 }).mean - trueNll)).toBeGreaterThan(0.2);
  });

  it('a prior of the wrong shape is refused', () => {
    const bad = { ...toy, prior: () => ({ mu: zeros([1, 1]), logvar: zeros([1, 1]) }) };
    expect(() => negativeElbo(bad, X, { labels: classes })).toThrow(/prior returned mu \[1, 1\] and logvar \[1, 1\] for 96 images; expected both \[96, 1\]/);
  });
});
