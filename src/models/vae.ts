/**
 * VAE (Kingma & Welling 2014) and, with the class given to both networks,
 * CVAE (Sohn et al. 2015). See docs/models.md for the losses.
 *
 *   encoder  q(z | x[, y]) = N(μ, diag σ²)   (Encoder → μ, log σ²)
 *   decoder  p(x | z[, y]) = Bernoulli(sigmoid(logits))  per pixel
 *   loss per sample = BCE-with-logits summed over the 784 pixels (−log p(x|z))
 *                   + β · KL(q(z|x[,y]) ‖ N(0, I))       (kl.stdNormal)
 * i.e. the negative ELBO for β = 1. One Adam optimizer ('vae') updates both networks.
 *
 * The CVAE's prior. Sohn et al.'s CVAE has a conditional prior p(z | y); the
 * common simplification p(z | y) = N(0, I) lets the class leak into z: the
 * encoder, which sees the image, codes class-typical strokes in z, so decoding
 * a prior draw with label k often gives another digit (the TensorFlow.js CVAE:
 * 34% of samples of the requested class; this one with N(0, I): 93.7%, with the
 * class prior 97.4% — docs/models.md).
 * With `prior: 'class'` (the CVAE default) the prior is learned per class,
 *   p(z | y) = N(μ_y, diag σ²_y),  (μ_y, log σ²_y) = a [10, 2·latent] table (zeros at the start)
 * and the KL term is KL(q(z|x,y) ‖ p(z|y)) (kl.diagNormal): class information in
 * z then costs nothing and sampling draws z where class-y codes actually are.
 * `prior: 'standard'` keeps N(0, I) and kl.stdNormal.
 *
 * Options (config.options):
 *   klWeight  β, default 1.
 *   klWarmup  steps over which β rises linearly from 0 to klWeight (default 0:
 *             none). The step count is a buffer, so it survives checkpoints.
 *   prior     'class' (default for cvae) or 'standard' (the only choice for vae).
 */
import { add, exp, mul, sum } from '../autograd/index.js';
import { bceWithLogits } from '../nn/losses.js';
import { scalar, zeros, type Generator, type Tensor } from '../tensor/index.js';
import { diagNormal, reparameterize, stdNormal } from '../kl/index.js';
import { embedding } from '../autograd/index.js';
import { HostMirror } from '../nn/mirror.js';
import { readScalars, ZooModel } from './base.js';
import { Decoder, Encoder } from './nets.js';
import { NUM_CLASSES, type Batch, type ModelConfig } from './types.js';

/** The VAE (unconditional, N(0, I) prior) and, with `kind: 'cvae'`, the CVAE's base: encoder q(z|x[,y]) and Bernoulli decoder p(x|z[,y]) (docs/models.md#vae-vaets). */
export class VAE extends ZooModel {
  /** 'vae', or 'cvae' for the conditional model. */
  readonly kind: 'vae' | 'cvae';
  readonly conditional: boolean;
  readonly lossNames = ['loss', 'rec', 'kl'] as const;
  /** The encoder → μ, log σ². */
  readonly E: Encoder;
  /** The decoder → Bernoulli logits of the image. */
  readonly G: Decoder;

  constructor(config: ModelConfig, generator: Generator) {
    super(config);
    if (config.kind !== 'vae' && config.kind !== 'cvae') throw new Error(`VAE: config is for '${config.kind}'`);
    this.kind = config.kind;
    this.conditional = config.kind === 'cvae';
    const net = { arch: config.arch, width: config.width, cond: this.conditional ? NUM_CLASSES : 0, generator };
    this.E = this.registerModule('E', new Encoder(config.latent, net));
    this.G = this.registerModule('G', new Decoder(config.latent, { ...net, batchNorm: config.arch === 'conv' }));
    const prior = String(config.options.prior ?? (this.conditional ? 'class' : 'standard'));
    if (prior !== 'class' && prior !== 'standard') throw new Error(`${config.kind}: option prior must be 'class' or 'standard', got '${prior}'`);
    if (prior === 'class' && !this.conditional) throw new Error("vae: an unconditional VAE has no class prior (use prior: 'standard')");
    // The learned class prior: row k holds (μ_k, log σ²_k); zeros = N(0, I) at the start.
    if (prior === 'class') this.registerParameter('priorTable', zeros([NUM_CLASSES, 2 * config.latent]));
    this.registerBuffer('step', scalar(0));
    this.optimizers.vae = this.adam(this);
  }

  /** Training steps so far (the `step` buffer, mirrored on the host). */
  private readonly steps = new HostMirror(() => this.buffer('step')!);

  /** (μ_y, log σ²_y) of the learned class prior for each label, or null for N(0, I). */
  private classPrior(y: Int32Array): { mu: Tensor; logvar: Tensor } | null {
    const table = this.param('priorTable');
    if (!table) return null;
    const rows = embedding(y, table);
    const l = this.config.latent;
    return { mu: rows.slice(1, 0, l), logvar: rows.slice(1, l) };
  }

  /** Under the class prior, z = μ_y + σ_y·noise (reparameterize's arithmetic, with the noise given). */
  protected override latentFromNoise(noise: Tensor, y: Int32Array): Tensor {
    const p = this.classPrior(y);
    if (!p) return noise;
    return add(p.mu, mul(exp(mul(p.logvar, 0.5)), noise));
  }

  protected get decoder(): Decoder {
    return this.G;
  }

  /** β at the current step (rises linearly over `klWarmup` steps). */
  klWeight(): number {
    const beta = Number(this.config.options.klWeight ?? 1);
    const warmup = Number(this.config.options.klWarmup ?? 0);
    const step = this.steps.values()[0];
    return warmup > 0 ? beta * Math.min(1, step / warmup) : beta;
  }

  /** The per-sample loss terms of a batch: reconstruction (summed BCE) and KL, each [B]. */
  losses(x: Tensor, y: Int32Array, generator: Generator): {
    /** Reconstruction −log p(x|z), [B]. */
    rec: Tensor;
    /** KL(q(z|x) ‖ p(z)), [B]. */
    kl: Tensor;
  } {
    const c = this.cond(y);
    const { mu, logvar } = this.E.call(x, c);
    const z = reparameterize(mu, logvar, generator);
    const logits = this.G.call(z, c);
    // −log p(x | z): per-pixel BCE on logits, summed over the image.
    const rec = sum(bceWithLogits(logits, x, { reduction: 'none' }), [1, 2, 3]);
    const p = this.classPrior(y);
    const kl = p ? diagNormal(mu, logvar, p.mu, p.logvar) : stdNormal(mu, logvar);
    return { rec, kl };
  }

  /**
   * The encoder's posterior q(z | x[, y]) = N(μ, diag σ²) of images
   * [N, 1, 28, 28]: μ and log σ², each [N, latent]; without a graph, in eval
   * mode. `labels` are required by the CVAE and ignored by the VAE.
   */
  encode(x: Tensor, labels?: ArrayLike<number>): { mu: Tensor; logvar: Tensor } {
    return this.encodeWith(this.E, x, labels);
  }

  /**
   * Reconstructions sigmoid(G(μ(x[, y])[, y])) of images [N, 1, 28, 28]: the
   * posterior mean, no noise; without a graph, in eval mode. `labels` are
   * required by the CVAE and ignored by the VAE.
   */
  reconstruct(x: Tensor, labels?: ArrayLike<number>): Tensor {
    return this.decode(this.encode(x, labels).mu, this.conditional ? labels : undefined);
  }

  trainStep(batch: Batch, generator: Generator): Record<string, number> {
    const b = batch.y.length;
    const beta = this.klWeight();
    const { rec, kl } = this.losses(batch.x, batch.y, generator);
    const recMean = mul(sum(rec), 1 / b);
    const klMean = mul(sum(kl), 1 / b);
    const loss = add(recMean, mul(klMean, beta));
    const opt = this.optimizers.vae;
    opt.zeroGrad();
    loss.backward();
    opt.step();
    this.steps.set([this.steps.values()[0] + 1]);
    // `loss` is the negative ELBO (rec + kl): what the model is judged by. The
    // optimizer minimises rec + β·kl, which differs from it during KL warm-up (β < 1).
    const { rec: r, kl: k } = readScalars({ rec: recMean, kl: klMean });
    return { loss: r + k, rec: r, kl: k };
  }
}
