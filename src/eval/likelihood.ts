/**
 * Likelihood metrics for latent-variable models with a Gaussian encoder
 * q(z|x[,y]) = N(μ, diag σ²), a Gaussian prior p(z[|y]) — N(0, I) unless the
 * model gives its own (`prior`, e.g. the CVAE's learned class prior) — and a
 * Bernoulli decoder p(x|z[,y]) = Π_d Bernoulli(x_d; sigmoid(logit_d)) —
 * genzoo's VAE and CVAE. Both metrics are in nats per image (lower is better):
 *
 * - the negative ELBO, the loss the model trained on, an upper bound on −log p(x);
 * - the importance-weighted estimate of −log p(x) (Burda et al., 2016), a
 *   tighter bound that approaches −log p(x) as the number of samples k grows.
 *
 * Pixel targets may be grey levels in [0, 1] (as genzoo trains); the
 * "likelihood" is then the cross-entropy the model optimises rather than a
 * normalised density, as is usual for non-binarised MNIST.
 *
 * Everything after the decoder is computed in float64: log-weights of k ≥ 100
 * samples differ by hundreds of nats, and log-mean-exp needs the precision.
 */
import { noGrad } from '../autograd/index.js';
import { Generator, shapeStr, Tensor } from '../tensor/index.js';
import { asLabels, asRows, requireNonEmpty, type LabelSet, type RowSet, type Rows } from './rows.js';

/** What a model must offer to be scored: genzoo's VAE and CVAE implement it. */
export interface LatentVariableModel {
  /** q(z|x[,y]): mean and log-variance, each [B, latent]. `y` holds the B class indices for conditional models (undefined otherwise). */
  encode(x: Tensor, y?: Int32Array): {
    /** Posterior means, [B, latent]. */
    mu: Tensor;
    /** Posterior log-variances, [B, latent]. */
    logvar: Tensor;
  };
  /** Bernoulli logits of p(x|z[,y]): B rows (any shape [B, …]) of as many values as an input image. */
  decodeLogits(z: Tensor, y?: Int32Array): Tensor;
  /**
   * The prior p(z[|y]) = N(μ, diag σ²) of each of `count` images, as mean and
   * log-variance [count, latent] (`y` as for encode). Omitted: N(0, I). The
   * CVAE's learned class prior (models/vae.ts) is the reason this exists.
   */
  prior?(y: Int32Array | undefined, count: number): {
    /** Prior means, [count, latent]. */
    mu: Tensor;
    /** Prior log-variances, [count, latent]. */
    logvar: Tensor;
  };
}

/** Options of {@link negativeElbo} and {@link importanceWeightedNll}. */
export interface LikelihoodOptions {
  /** Class labels of `x`, for conditional models (passed to encode and decode as `y`). */
  labels?: LabelSet;
  /** Number of classes, to validate labels (default 10). */
  numClasses?: number;
  /** Shape of one input as the model expects it, e.g. [1, 28, 28] (default: a tensor's own per-sample shape; [dim] for a plain array). */
  inputShape?: readonly number[];
  /** Row length of a plain-array `x` (default 784). */
  dim?: number;
  /** Source of the Gaussian noise ε (default a Generator seeded with `seed`). */
  generator?: Generator;
  /** Seed of the default generator (default 0): the same seed gives the same estimate. */
  seed?: number;
  /** Most rows sent through the decoder at once (default 4096). */
  maxDecodeRows?: number;
}

/** A likelihood bound estimated over a set of images, in nats per image. */
export interface LikelihoodEstimate {
  /** Mean over images, nats per image. */
  mean: number;
  /** Standard error of that mean over images (Monte Carlo and data spread together). */
  standardError: number;
  /** The estimate for each image. */
  perSample: Float64Array;
}

/** What {@link negativeElbo} returns: −ELBO and its two terms. */
export interface NegativeElboEstimate extends LikelihoodEstimate {
  /** Mean reconstruction term E_q[−log p(x|z)]. */
  reconstruction: number;
  /** Mean KL(q(z|x) ‖ p(z)). */
  kl: number;
}

/** What {@link importanceWeightedNll} returns: the k-sample importance-weighted bound on −log p(x). */
export interface ImportanceWeightedEstimate extends LikelihoodEstimate {
  /** Importance samples per image. */
  k: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** −log Bernoulli(x; sigmoid(l)) = softplus(l) − x·l, written to stay finite for any l. */
export function bceWithLogits(logit: number, target: number): number {
  return Math.max(logit, 0) - target * logit + Math.log1p(Math.exp(-Math.abs(logit)));
}

/** log((1/k)·Σ_i exp(a_i)), stable: the maximum is factored out before exponentiating. */
export function logMeanExp(a: ArrayLike<number>, start = 0, count = a.length - start): number {
  let m = -Infinity;
  for (let i = 0; i < count; i++) m = Math.max(m, a[start + i]);
  if (m === -Infinity) return -Infinity;
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < count; i++) s += Math.exp(a[start + i] - m);
  return m + Math.log(s / count);
}

interface Prepared {
  rows: Rows;
  sampleShape: number[];
  labels: Int32Array | null;
  gen: Generator;
  maxRows: number;
}

function prepare(op: string, x: RowSet, opts: LikelihoodOptions): Prepared {
  const rows = asRows(op, 'x', x, x instanceof Tensor ? undefined : opts.dim);
  requireNonEmpty(op, 'x', rows);
  const sampleShape = opts.inputShape ? opts.inputShape.slice() : x instanceof Tensor && x.ndim > 1 ? x.shape.slice(1) : [rows.dim];
  const per = sampleShape.reduce((p, d) => p * d, 1);
  if (per !== rows.dim) throw new Error(`${op}: inputShape ${shapeStr(sampleShape)} holds ${per} values but each image has ${rows.dim}`);
  const labels = opts.labels === undefined ? null : asLabels(op, 'labels', opts.labels, rows.count, opts.numClasses ?? 10);
  const maxRows = opts.maxDecodeRows ?? 4096;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`${op}: maxDecodeRows must be a positive integer, got ${maxRows}`);
  return { rows, sampleShape, labels, gen: opts.generator ?? new Generator(opts.seed ?? 0), maxRows };
}

function batchInput(p: Prepared, start: number, end: number): Tensor {
  const data = Float32Array.from(p.rows.data.subarray(start * p.rows.dim, end * p.rows.dim));
  return new Tensor(data, [end - start, ...p.sampleShape]);
}

/** Labels of images start..end−1, each repeated `times` (one per importance sample). */
function batchLabels(p: Prepared, start: number, end: number, times: number): Int32Array | undefined {
  if (!p.labels) return undefined;
  const out = new Int32Array((end - start) * times);
  for (let i = start; i < end; i++) out.fill(p.labels[i], (i - start) * times, (i - start + 1) * times);
  return out;
}

function encodeChecked(op: string, model: LatentVariableModel, x: Tensor, y: Int32Array | undefined): { mu: Float32Array | Float64Array; logvar: Float32Array | Float64Array; latent: number } {
  const { mu, logvar } = model.encode(x, y);
  const b = x.shape[0];
  if (!(mu instanceof Tensor) || !(logvar instanceof Tensor)) throw new Error(`${op}: encode must return { mu, logvar } tensors`);
  if (mu.ndim !== 2 || mu.shape[0] !== b || logvar.ndim !== 2 || logvar.shape[0] !== b || logvar.shape[1] !== mu.shape[1]) {
    throw new Error(`${op}: encode returned mu ${shapeStr(mu.shape)} and logvar ${shapeStr(logvar.shape)} for a batch of ${b}; expected both [${b}, latent]`);
  }
  return { mu: mu.data, logvar: logvar.data, latent: mu.shape[1] };
}

/** The prior's mean and log-variance for images start..end−1 (null = N(0, I)), checked to be [b, latent]. */
function priorChecked(op: string, model: LatentVariableModel, p: Prepared, start: number, end: number, latent: number): { mu: Float32Array | Float64Array; logvar: Float32Array | Float64Array } | null {
  if (!model.prior) return null;
  const b = end - start;
  const { mu, logvar } = model.prior(batchLabels(p, start, end, 1), b);
  if (!(mu instanceof Tensor) || !(logvar instanceof Tensor) || mu.size !== b * latent || logvar.size !== b * latent || mu.shape[0] !== b || logvar.shape[0] !== b) {
    throw new Error(`${op}: prior returned mu ${mu instanceof Tensor ? shapeStr(mu.shape) : typeof mu} and logvar ${logvar instanceof Tensor ? shapeStr(logvar.shape) : typeof logvar} for ${b} images; expected both [${b}, ${latent}]`);
  }
  return { mu: mu.data, logvar: logvar.data };
}

function decodeChecked(op: string, model: LatentVariableModel, z: Tensor, y: Int32Array | undefined, dim: number): Float32Array | Float64Array {
  const logits = model.decodeLogits(z, y);
  if (!(logits instanceof Tensor) || logits.size !== z.shape[0] * dim || logits.shape[0] !== z.shape[0]) {
    throw new Error(`${op}: decodeLogits returned ${logits instanceof Tensor ? shapeStr(logits.shape) : typeof logits} for ${z.shape[0]} latents; expected ${z.shape[0]} rows of ${dim} logits`);
  }
  return logits.data;
}

function summarise(perSample: Float64Array): LikelihoodEstimate {
  const n = perSample.length;
  let mean = 0;
  for (const v of perSample) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of perSample) ss += (v - mean) * (v - mean);
  const standardError = n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN;
  return { mean, standardError, perSample };
}

/**
 * Negative evidence lower bound per image, in nats:
 *
 *   −ELBO(x) = E_{q(z|x)}[−log p(x|z)] + KL(q(z|x) ‖ p(z))
 *   −log p(x|z) = Σ_d softplus(l_d) − x_d·l_d        (BCE with logits, summed over pixels)
 *   KL = ½·Σ_j (μ_j² + σ_j² − 1 − log σ_j²)          (closed form, p(z) = N(0, I))
 *   KL = ½·Σ_j (log s_j² − log σ_j² + (σ_j² + (μ_j − m_j)²)/s_j² − 1)   (p(z) = N(m, diag s²))
 *
 * The expectation is a Monte Carlo average over `samples` draws
 * z = μ + σ·ε, ε ~ N(0, I) (default 1, as in training; the average over many
 * images already removes most of its noise). This is the quantity genzoo's
 * VAE/CVAE minimise, evaluated on data they did not train on.
 */
export function negativeElbo(model: LatentVariableModel, x: RowSet, opts: LikelihoodOptions & { samples?: number } = {}): NegativeElboEstimate {
  const op = 'negativeElbo';
  const p = prepare(op, x, opts);
  const L = opts.samples ?? 1;
  if (!Number.isInteger(L) || L < 1) throw new Error(`${op}: samples must be a positive integer, got ${L}`);
  const { rows } = p;
  const perSample = new Float64Array(rows.count);
  let recSum = 0;
  let klSum = 0;
  const chunk = Math.max(1, Math.floor(p.maxRows / L));
  noGrad(() => {
    for (let start = 0; start < rows.count; start += chunk) {
      const end = Math.min(rows.count, start + chunk);
      const b = end - start;
      const { mu, logvar, latent } = encodeChecked(op, model, batchInput(p, start, end), batchLabels(p, start, end, 1));
      const prior = priorChecked(op, model, p, start, end, latent);
      const z = new Float32Array(b * L * latent);
      for (let i = 0; i < b; i++) {
        for (let s = 0; s < L; s++) {
          for (let j = 0; j < latent; j++) {
            const m = mu[i * latent + j];
            z[(i * L + s) * latent + j] = m + Math.exp(0.5 * logvar[i * latent + j]) * p.gen.normal();
          }
        }
      }
      const logits = decodeChecked(op, model, new Tensor(z, [b * L, latent]), batchLabels(p, start, end, L), rows.dim);
      for (let i = 0; i < b; i++) {
        let kl = 0;
        for (let j = 0; j < latent; j++) {
          const m = mu[i * latent + j];
          const lv = logvar[i * latent + j];
          if (prior) {
            const pm = prior.mu[i * latent + j];
            const plv = prior.logvar[i * latent + j];
            kl += 0.5 * (plv - lv + (Math.exp(lv) + (m - pm) * (m - pm)) / Math.exp(plv) - 1);
          } else {
            kl += 0.5 * (m * m + Math.exp(lv) - 1 - lv);
          }
        }
        let rec = 0;
        const xo = (start + i) * rows.dim;
        for (let s = 0; s < L; s++) {
          const lo = (i * L + s) * rows.dim;
          for (let d = 0; d < rows.dim; d++) rec += bceWithLogits(logits[lo + d], rows.data[xo + d]);
        }
        rec /= L;
        perSample[start + i] = rec + kl;
        recSum += rec;
        klSum += kl;
      }
    }
  });
  const s = summarise(perSample);
  if (!Number.isFinite(s.mean)) throw new Error(`${op}: the estimate is not finite (${s.mean}); the model produced NaN or infinite values`);
  return { ...s, reconstruction: recSum / rows.count, kl: klSum / rows.count };
}

/**
 * Importance-weighted estimate of −log p(x) (the IWAE bound), in nats:
 *
 *   z_i = μ + σ·ε_i,  ε_i ~ N(0, I),  i = 1..k
 *   log w_i = log p(x|z_i) + log p(z_i) − log N(z_i; μ, σ²)        p(z) = N(0, I) or the model's prior
 *   NLL_k(x) = −log( (1/k)·Σ_i exp(log w_i) )          (log-mean-exp, float64)
 *
 * with log N(z; μ, σ²) = −½·Σ_j (log 2π + log σ_j² + (z_j − μ_j)²/σ_j²).
 * E[NLL_k] is an upper bound on −log p(x) that decreases in k to the true
 * value (Burda et al., 2016, Theorem 1), and NLL_1 has the same expectation
 * as the negative ELBO. k ≥ 100 is customary; the default is 100.
 */
export function importanceWeightedNll(model: LatentVariableModel, x: RowSet, opts: LikelihoodOptions & { k?: number } = {}): ImportanceWeightedEstimate {
  const op = 'importanceWeightedNll';
  const p = prepare(op, x, opts);
  const k = opts.k ?? 100;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${op}: k must be a positive integer, got ${k}`);
  const { rows } = p;
  const perSample = new Float64Array(rows.count);
  const chunk = Math.max(1, Math.floor(p.maxRows / k));
  const logW = new Float64Array(chunk * k);
  noGrad(() => {
    for (let start = 0; start < rows.count; start += chunk) {
      const end = Math.min(rows.count, start + chunk);
      const b = end - start;
      const { mu, logvar, latent } = encodeChecked(op, model, batchInput(p, start, end), batchLabels(p, start, end, 1));
      const prior = priorChecked(op, model, p, start, end, latent);
      const z = new Float32Array(b * k * latent);
      logW.fill(0);
      for (let i = 0; i < b; i++) {
        for (let s = 0; s < k; s++) {
          const zo = (i * k + s) * latent;
          let logPrior = 0;
          let logQ = 0;
          for (let j = 0; j < latent; j++) {
            const m = mu[i * latent + j];
            const lv = logvar[i * latent + j];
            const zf = Math.fround(m + Math.exp(0.5 * lv) * p.gen.normal()); // the float32 value the decoder sees
            z[zo + j] = zf;
            if (prior) {
              const pm = prior.mu[i * latent + j];
              const plv = prior.logvar[i * latent + j];
              logPrior += -0.5 * (LOG_2PI + plv + ((zf - pm) * (zf - pm)) / Math.exp(plv));
            } else {
              logPrior += -0.5 * (LOG_2PI + zf * zf);
            }
            logQ += -0.5 * (LOG_2PI + lv + ((zf - m) * (zf - m)) / Math.exp(lv));
          }
          logW[i * k + s] = logPrior - logQ;
        }
      }
      const logits = decodeChecked(op, model, new Tensor(z, [b * k, latent]), batchLabels(p, start, end, k), rows.dim);
      for (let i = 0; i < b; i++) {
        const xo = (start + i) * rows.dim;
        for (let s = 0; s < k; s++) {
          const lo = (i * k + s) * rows.dim;
          let rec = 0;
          for (let d = 0; d < rows.dim; d++) rec += bceWithLogits(logits[lo + d], rows.data[xo + d]);
          logW[i * k + s] -= rec;
        }
        perSample[start + i] = -logMeanExp(logW, i * k, k);
      }
    }
  });
  const s = summarise(perSample);
  if (!Number.isFinite(s.mean)) throw new Error(`${op}: the estimate is not finite (${s.mean}); the model produced NaN or infinite values`);
  return { ...s, k };
}
