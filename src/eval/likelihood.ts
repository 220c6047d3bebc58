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
 * Everything after the decoder is summed in float64 (only the per-pixel
 * softplus comes from the backend, in float32): log-weights of k ≥ 100
 * samples differ by hundreds of nats, and log-mean-exp needs the precision.
 */
import { noGrad, softplus } from '../autograd/index.js';
import { reparameterize } from '../kl/reparameterize.js';
import { diagNormalKL, normalLogPdf, stdNormalKL } from '../kl/scalar.js';
import { fromArray, Generator, shapeStr, tidy, Tensor, type FloatArray } from '../tensor/index.js';
import { asLabels, asRows, requireNonEmpty, type LabelSet, type RowSet, type Rows } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

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
   * CVAE's learned class prior (models/cvae.ts) is the reason this exists.
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
  /**
   * Most rows sent through the decoder at once (default 512: large enough for
   * efficient matrix products, small enough that a conv decoder's activations
   * stay within the wasm heap's budget instead of being evicted to the host).
   */
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

/**
 * −log Bernoulli(x; sigmoid(l)) = softplus(l) − x·l for one pixel, written to
 * stay finite for any l: the decoder's per-pixel loss on plain numbers (the
 * tensor loss is nn.bceWithLogits).
 */
export function bernoulliNll(logit: number, target: number): number {
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
  if (per !== rows.dim) throw new ShapeError(`${op}: inputShape ${shapeStr(sampleShape)} holds ${per} values but each image has ${rows.dim}`);
  const labels = opts.labels === undefined ? null : asLabels(op, 'labels', opts.labels, rows.count, opts.numClasses ?? 10);
  const maxRows = opts.maxDecodeRows ?? 512;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new ValueError(`${op}: maxDecodeRows must be a positive integer, got ${maxRows}`);
  return { rows, sampleShape, labels, gen: opts.generator ?? new Generator(opts.seed ?? 0), maxRows };
}

function batchInput(p: Prepared, start: number, end: number): Tensor {
  const data = Float32Array.from(p.rows.data.subarray(start * p.rows.dim, end * p.rows.dim));
  return fromArray(data, [end - start, ...p.sampleShape]);
}

/** Labels of images start..end−1, each repeated `times` (one per importance sample). */
function batchLabels(p: Prepared, start: number, end: number, times: number): Int32Array | undefined {
  if (!p.labels) return undefined;
  const out = new Int32Array((end - start) * times);
  for (let i = start; i < end; i++) out.fill(p.labels[i], (i - start) * times, (i - start + 1) * times);
  return out;
}

function encodeChecked(op: string, model: LatentVariableModel, x: Tensor, y: Int32Array | undefined): { mu: FloatArray; logvar: FloatArray; latent: number } {
  const { mu, logvar } = model.encode(x, y);
  const b = x.shape[0];
  if (!(mu instanceof Tensor) || !(logvar instanceof Tensor)) throw new ValueError(`${op}: encode must return { mu, logvar } tensors`);
  if (mu.ndim !== 2 || mu.shape[0] !== b || logvar.ndim !== 2 || logvar.shape[0] !== b || logvar.shape[1] !== mu.shape[1]) {
    throw new ShapeError(`${op}: encode returned mu ${shapeStr(mu.shape)} and logvar ${shapeStr(logvar.shape)} for a batch of ${b}; expected both [${b}, latent]`);
  }
  return { mu: mu.data, logvar: logvar.data, latent: mu.shape[1] };
}

/** The prior's mean and log-variance for images start..end−1 (null = N(0, I)), checked to be [b, latent]. */
function priorChecked(op: string, model: LatentVariableModel, p: Prepared, start: number, end: number, latent: number): { mu: FloatArray; logvar: FloatArray } | null {
  if (!model.prior) return null;
  const b = end - start;
  const { mu, logvar } = model.prior(batchLabels(p, start, end, 1), b);
  if (!(mu instanceof Tensor) || !(logvar instanceof Tensor) || mu.size !== b * latent || logvar.size !== b * latent || mu.shape[0] !== b || logvar.shape[0] !== b) {
    throw new ShapeError(`${op}: prior returned mu ${mu instanceof Tensor ? shapeStr(mu.shape) : typeof mu} and logvar ${logvar instanceof Tensor ? shapeStr(logvar.shape) : typeof logvar} for ${b} images; expected both [${b}, ${latent}]`);
  }
  return { mu: mu.data, logvar: logvar.data };
}

function decodeChecked(op: string, model: LatentVariableModel, z: Tensor, y: Int32Array | undefined, dim: number): Tensor {
  const logits = model.decodeLogits(z, y);
  if (!(logits instanceof Tensor) || logits.size !== z.shape[0] * dim || logits.shape[0] !== z.shape[0]) {
    throw new ShapeError(`${op}: decodeLogits returned ${logits instanceof Tensor ? shapeStr(logits.shape) : typeof logits} for ${z.shape[0]} latents; expected ${z.shape[0]} rows of ${dim} logits`);
  }
  return logits;
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

/** One chunk of images after the pass both estimators share (see `encodeDrawDecode`). */
interface DecodedChunk {
  /** Images start..end−1 of the input. */
  start: number;
  end: number;
  latent: number;
  /** q(z|x[,y]) of each image, [b, latent]. */
  mu: FloatArray;
  logvar: FloatArray;
  /** The model's prior per image, or null for N(0, I). */
  prior: { mu: FloatArray; logvar: FloatArray } | null;
  /** `draws` latents per image, [b·draws, latent], image-major: the float32 values the decoder saw. */
  z: Float32Array;
  /** Decoder logits for each latent, [b·draws, dim], and softplus of each (by the backend's vectorised kernel). */
  logits: FloatArray;
  softplusLogits: FloatArray;
}

/**
 * Encodes the images a chunk at a time, draws `draws` latents per image by
 * the reparameterisation z = μ + σ·ε (kl.reparameterize, on numbers, in the
 * order image → draw → dimension) and decodes them, without a graph.
 */
function forEachDecodedChunk(op: string, model: LatentVariableModel, p: Prepared, draws: number, visit: (c: DecodedChunk) => void): void {
  const { rows } = p;
  const chunk = Math.max(1, Math.floor(p.maxRows / draws));
  noGrad(() => {
    // Each chunk's tensors are freed when it has been visited (tidy): the visitor reads host copies.
    // Left to the garbage collector, a few chunks' logits filled the wasm heap and it evicted them to the host.
    for (let start = 0; start < rows.count; start += chunk) tidy(() => {
      const end = Math.min(rows.count, start + chunk);
      const b = end - start;
      const { mu, logvar, latent } = encodeChecked(op, model, batchInput(p, start, end), batchLabels(p, start, end, 1));
      const prior = priorChecked(op, model, p, start, end, latent);
      const z = new Float32Array(b * draws * latent);
      for (let i = 0; i < b; i++) {
        for (let s = 0; s < draws; s++) {
          for (let j = 0; j < latent; j++) z[(i * draws + s) * latent + j] = reparameterize(mu[i * latent + j], logvar[i * latent + j], p.gen);
        }
      }
      const logits = decodeChecked(op, model, fromArray(z, [b * draws, latent]), batchLabels(p, start, end, draws), rows.dim);
      visit({ start, end, latent, mu, logvar, prior, z, logits: logits.data, softplusLogits: softplus(logits).data });
    });
  });
}

/**
 * −log p(x|z) of image `image` under the logits of latent row `row`:
 * Σ_d softplus(l_d) − x_d·l_d (= Σ_d bernoulliNll(l_d, x_d)), summed in
 * float64. The softplus comes from the backend (float32, to a few ulps): the
 * transcendental per pixel was half the time of an evaluation in plain JS.
 */
function reconstructionNll(p: Prepared, c: DecodedChunk, image: number, row: number): number {
  const { dim, data } = p.rows;
  const xo = image * dim;
  const lo = row * dim;
  let rec = 0;
  for (let d = 0; d < dim; d++) rec += c.softplusLogits[lo + d] - data[xo + d] * c.logits[lo + d];
  return rec;
}

function checkedSummary(op: string, perSample: Float64Array): LikelihoodEstimate {
  const s = summarise(perSample);
  if (!Number.isFinite(s.mean)) throw new ValueError(`${op}: the estimate is not finite (${s.mean}); the model produced NaN or infinite values`);
  return s;
}

/**
 * Negative evidence lower bound per image, in nats:
 *
 *   −ELBO(x) = E_{q(z|x)}[−log p(x|z)] + KL(q(z|x) ‖ p(z))
 *   −log p(x|z) = Σ_d softplus(l_d) − x_d·l_d        (BCE with logits, summed over pixels)
 *   KL = ½·Σ_j (μ_j² + σ_j² − 1 − log σ_j²)          (closed form, p(z) = N(0, I))
 *   KL = ½·Σ_j (log s_j² − log σ_j² + (σ_j² + (μ_j − m_j)²)/s_j² − 1)   (p(z) = N(m, diag s²))
 *
 * The KLs are src/kl's float64 forms (kl/scalar.ts), accurate where the naive
 * formulas overflow or cancel. The expectation is a Monte Carlo average over
 * `samples` draws z = μ + σ·ε, ε ~ N(0, I) (default 1, as in training; the
 * average over many images already removes most of its noise). This is the
 * quantity genzoo's VAE/CVAE minimise, evaluated on data they did not train on.
 */
export function negativeElbo(model: LatentVariableModel, x: RowSet, opts: LikelihoodOptions & { samples?: number } = {}): NegativeElboEstimate {
  const op = 'negativeElbo';
  const p = prepare(op, x, opts);
  const L = opts.samples ?? 1;
  if (!Number.isInteger(L) || L < 1) throw new ValueError(`${op}: samples must be a positive integer, got ${L}`);
  const perSample = new Float64Array(p.rows.count);
  let recSum = 0;
  let klSum = 0;
  forEachDecodedChunk(op, model, p, L, (c) => {
    for (let i = 0; i < c.end - c.start; i++) {
      let kl = 0;
      for (let j = i * c.latent; j < (i + 1) * c.latent; j++) {
        kl += c.prior ? diagNormalKL(c.mu[j], c.logvar[j], c.prior.mu[j], c.prior.logvar[j]) : stdNormalKL(c.mu[j], c.logvar[j]);
      }
      let rec = 0;
      for (let s = 0; s < L; s++) rec += reconstructionNll(p, c, c.start + i, i * L + s);
      rec /= L;
      perSample[c.start + i] = rec + kl;
      recSum += rec;
      klSum += kl;
    }
  });
  const n = p.rows.count;
  return { ...checkedSummary(op, perSample), reconstruction: recSum / n, kl: klSum / n };
}

/**
 * Importance-weighted estimate of −log p(x) (the IWAE bound), in nats:
 *
 *   z_i = μ + σ·ε_i,  ε_i ~ N(0, I),  i = 1..k
 *   log w_i = log p(x|z_i) + log p(z_i) − log N(z_i; μ, σ²)        p(z) = N(0, I) or the model's prior
 *   NLL_k(x) = −log( (1/k)·Σ_i exp(log w_i) )          (log-mean-exp, float64)
 *
 * with log N(z; μ, σ²) = Σ_j kl's normalLogPdf(z_j − μ_j, σ_j).
 * E[NLL_k] is an upper bound on −log p(x) that decreases in k to the true
 * value (Burda et al., 2016, Theorem 1), and NLL_1 has the same expectation
 * as the negative ELBO. k ≥ 100 is customary; the default is 100.
 */
export function importanceWeightedNll(model: LatentVariableModel, x: RowSet, opts: LikelihoodOptions & { k?: number } = {}): ImportanceWeightedEstimate {
  const op = 'importanceWeightedNll';
  const p = prepare(op, x, opts);
  const k = opts.k ?? 100;
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`${op}: k must be a positive integer, got ${k}`);
  const perSample = new Float64Array(p.rows.count);
  const logW = new Float64Array(k);
  forEachDecodedChunk(op, model, p, k, (c) => {
    for (let i = 0; i < c.end - c.start; i++) {
      for (let s = 0; s < k; s++) {
        const zo = (i * k + s) * c.latent;
        let logPrior = 0;
        let logQ = 0;
        for (let j = 0; j < c.latent; j++) {
          const q = i * c.latent + j;
          const z = c.z[zo + j];
          logPrior += c.prior ? normalLogPdf(z - c.prior.mu[q], Math.exp(0.5 * c.prior.logvar[q])) : normalLogPdf(z, 1);
          logQ += normalLogPdf(z - c.mu[q], Math.exp(0.5 * c.logvar[q]));
        }
        logW[s] = logPrior - logQ - reconstructionNll(p, c, c.start + i, i * k + s);
      }
      perSample[c.start + i] = -logMeanExp(logW);
    }
  });
  return { ...checkedSummary(op, perSample), k };
}
