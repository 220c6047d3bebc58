import { describe, expect, it } from 'vitest';
import { evaluation, tensor, Tensor, zeros } from '../../src/index.js';

const { negativeElbo, importanceWeightedNll, logMeanExp, bernoulliNll } = evaluation;

/**
 * A tiny conditional model with a 1-D latent and 4 binary pixels, where
 * log p(x|y) = log ∫ Π_d Bernoulli(x_d; σ(w_d·z + c_d + u_d·y)) · N(z; 0, 1) dz
 * can be computed by quadrature. The encoder is a rough linear guess at the
 * posterior, as a trained one would be.
 */
const W = [1.5, -2, 0.8, 2.5];
const C = [-0.5, 0.3, 1, -1];
const U = [1, -1, 0.5, 0];
const A = [0.6, -0.7, 0.3, 0.8];
const LOGVAR = Math.log(0.3);

const toy: evaluation.LatentVariableModel = {
  encode(x: Tensor, y?: Int32Array) {
    const mu = x.matmul(tensor(A, { shape: [4, 1] })).add(y ? tensor(y, { shape: [y.length, 1] }).mul(0.1) : 0).sub(0.8);
    return { mu, logvar: zeros([x.shape[0], 1]).add(LOGVAR) };
  },
  decodeLogits(z: Tensor, y?: Int32Array) {
    const logits = z.matmul(tensor(W, { shape: [1, 4] })).add(tensor(C));
    return y ? logits.add(tensor(y, { shape: [y.length, 1] }).matmul(tensor(U, { shape: [1, 4] }))) : logits;
  },
};

const logit = (z: number, y: number, d: number): number => W[d] * z + C[d] + U[d] * y;
const logLik = (x: number[], z: number, y: number): number => -x.reduce((s, xd, d) => s + bernoulliNll(logit(z, y, d), xd), 0);
const normalPdf = (z: number, m: number, v: number): number => Math.exp(-((z - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);

/** −log p(x|y) and −ELBO(x|y) by quadrature on z ∈ [−12, 12]. */
function exact(x: number[], y: number): { nll: number; negElbo: number } {
  const h = 1e-3;
  let p = 0;
  let rec = 0;
  const m = x.reduce((s, xd, d) => s + A[d] * xd, 0) + 0.1 * y - 0.8;
  const v = Math.exp(LOGVAR);
  for (let z = -12; z <= 12; z += h) {
    const ll = logLik(x, z, y);
    p += Math.exp(ll) * normalPdf(z, 0, 1) * h;
    rec += -ll * normalPdf(z, m, v) * h;
  }
  const kl = 0.5 * (m * m + v - 1 - LOGVAR);
  return { nll: -Math.log(p), negElbo: rec + kl };
}

// Every binary pattern of 4 pixels, for classes 0 and 1, each repeated 40 times.
const patterns: number[][] = [];
const classes: number[] = [];
for (let y = 0; y < 2; y++) for (let b = 0; b < 16; b++) for (let r = 0; r < 40; r++) {
  patterns.push([0, 1, 2, 3].map((d) => (b >> d) & 1));
  classes.push(y);
}
const X = tensor(patterns);
const truth = patterns.map((x, i) => exact(x, classes[i]));
const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const trueNll = mean(truth.map((t) => t.nll));
const trueNegElbo = mean(truth.map((t) => t.negElbo));

describe('likelihood metrics on a model with a known likelihood', () => {
  it('negative ELBO matches the quadrature value and bounds −log p(x) from above', () => {
    const r = negativeElbo(toy, X, { labels: classes, samples: 50, dim: 4 });
    expect(Math.abs(r.mean - trueNegElbo)).toBeLessThan(0.02);
    expect(r.mean).toBeGreaterThan(trueNll + 0.05); // a rough encoder leaves a visible gap
    expect(r.reconstruction + r.kl).toBeCloseTo(r.mean, 10);
    // Per image, too (50 draws each: Monte Carlo error about 0.1 nats).
    for (let i = 0; i < patterns.length; i += 40) expect(Math.abs(r.perSample[i] - truth[i].negElbo)).toBeLessThan(0.35);
  });

  it('importance-weighted NLL lies below the negative ELBO and converges to −log p(x) as k grows', () => {
    const elbo = negativeElbo(toy, X, { labels: classes });
    const byK = [1, 10, 100, 1000].map((k) => importanceWeightedNll(toy, X, { labels: classes, k }).mean);
    // NLL_1 has the expectation of −ELBO.
    expect(Math.abs(byK[0] - trueNegElbo)).toBeLessThan(0.1);
    // The test: IW-NLL (k ≥ 100) ≤ −ELBO.
    expect(byK[2]).toBeLessThan(elbo.mean);
    // Monotone in k, and within Monte Carlo error of the truth at k = 1000.
    for (let i = 1; i < byK.length; i++) expect(byK[i]).toBeLessThan(byK[i - 1]);
    expect(byK[3]).toBeGreaterThan(trueNll - 0.005);
    expect(byK[3] - trueNll).toBeLessThan(0.01);
    expect(byK[2] - trueNll).toBeLessThan(0.05);
  });

  it('is deterministic for a seed and independent of batching', () => {
    const a = importanceWeightedNll(toy, X, { labels: classes, k: 20, seed: 3 });
    const b = importanceWeightedNll(toy, X, { labels: classes, k: 20, seed: 3, maxDecodeRows: 100 });
    expect(Array.from(b.perSample)).toEqual(Array.from(a.perSample));
    expect(importanceWeightedNll(toy, X, { labels: classes, k: 20, seed: 4 }).mean).not.toBe(a.mean);
    expect(negativeElbo(toy, X, { labels: classes, seed: 3 }).mean).toBe(negativeElbo(toy, X, { labels: classes, seed: 3, maxDecodeRows: 7 }).mean);
  });

  it('passes class labels to both networks (unconditional use leaves y undefined)', () => {
    const seen: Array<Int32Array | undefined> = [];
    const spy: evaluation.LatentVariableModel = {
      encode: (x, y) => { seen.push(y); return toy.encode(x, y); },
      decodeLogits: (z, y) => { seen.push(y); return toy.decodeLogits(z, y); },
    };
    importanceWeightedNll(spy, tensor([[1, 0, 1, 0], [0, 1, 1, 1]]), { labels: [1, 0], k: 3 });
    expect(Array.from(seen[0]!)).toEqual([1, 0]);
    expect(Array.from(seen[1]!)).toEqual([1, 1, 1, 0, 0, 0]);
    seen.length = 0;
    negativeElbo(spy, tensor([[1, 0, 1, 0]]));
    expect(seen).toEqual([undefined, undefined]);
  });

  it('explains a model that breaks the interface, and bad options', () => {
    const wrongLatent: evaluation.LatentVariableModel = { ...toy, encode: (x) => ({ mu: zeros([x.shape[0], 2]), logvar: zeros([x.shape[0], 3]) }) };
    // All 1,280 images in one chunk, so the message names that batch.
    expect(() => negativeElbo(wrongLatent, X, { maxDecodeRows: 4096 })).toThrow(/encode returned mu \[1280, 2\] and logvar \[1280, 3\]/);
    const wrongPixels: evaluation.LatentVariableModel = { ...toy, decodeLogits: (z) => zeros([z.shape[0], 5]) };
    expect(() => importanceWeightedNll(wrongPixels, X, { k: 2 })).toThrow(/decodeLogits returned \[\d+, 5\] for \d+ latents; expected \d+ rows of 4 logits/);
    const nan: evaluation.LatentVariableModel = { ...toy, decodeLogits: (z) => zeros([z.shape[0], 4]).add(NaN) };
    expect(() => negativeElbo(nan, X)).toThrow(/not finite/);
    expect(() => importanceWeightedNll(toy, X, { k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => negativeElbo(toy, X, { labels: [0, 1] })).toThrow(/labels has 2 labels for 1280 samples/);
    expect(() => negativeElbo(toy, X, { inputShape: [1, 2, 2, 2] })).toThrow(/inputShape \[1, 2, 2, 2\] holds 8 values but each image has 4/);
  });
});

describe('numerics', () => {
  it('logMeanExp is exact and stable far from 0', () => {
    expect(logMeanExp([0, 0, 0])).toBe(0);
    expect(logMeanExp([-1000, -1000])).toBe(-1000);
    expect(logMeanExp([1000, 1000 + Math.log(3)])).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logMeanExp([-Infinity, -Infinity])).toBe(-Infinity);
  });

  it('bernoulliNll is finite and correct for extreme logits', () => {
    expect(bernoulliNll(0, 1)).toBeCloseTo(Math.log(2), 15);
    expect(bernoulliNll(800, 1)).toBe(0);
    expect(bernoulliNll(-800, 1)).toBe(800);
    expect(bernoulliNll(3, 0.25)).toBeCloseTo(Math.log1p(Math.exp(3)) - 0.75, 12);
  });
});
