/**
 * What the VAE (vae.ts) and the CVAE (cvae.ts) share: a Gaussian encoder
 * q(z | x[, y]) = N(μ, diag σ²) and a Bernoulli decoder p(x | z[, y]) =
 * Bernoulli(sigmoid(logits)) per pixel, trained on
 *
 *   loss per sample = BCE-with-logits summed over the 784 pixels (−log p(x|z))
 *                   + β · KL(q(z|x[,y]) ‖ p(z[|y]))
 *
 * i.e. the negative ELBO for β = 1, by one Adam optimizer ('vae') over every
 * parameter. Each model says what it conditions on and what its prior p(z[|y])
 * is (`kl`, `latentPrior`); docs/models.md has the losses.
 *
 * Options (config.options; their defaults are in registry.ts) both take:
 *   klWeight  β, default 1.
 *   klWarmup  steps over which β rises linearly from 0 to klWeight (default 0:
 *             none). The step count is a buffer, so it survives checkpoints.
 *   prior     'class' or 'standard' (each model checks which it allows).
 */
import { add, mul, sum } from '../autograd/index.js';
import { bceWithLogits } from '../nn/losses.js';
import { HostMirror } from '../nn/mirror.js';
import { scalar, type Generator, type Tensor } from '../tensor/index.js';
import { reparameterize, stdNormal } from '../kl/index.js';
import { ZooModel } from './base.js';
import { ValueError } from '../errors.js';
import { Decoder, Encoder } from './nets.js';
import { NUM_CLASSES, type Batch, type LatentGaussian, type ModelConfig } from './types.js';

/** The latent prior's mean and log-variance per image, [B, latent] each (p(z | y) of the class prior). */
export type LatentPrior = LatentGaussian;

/**
 * The `prior` option, checked: 'class' (learned p(z|y)) or 'standard' (N(0, I)).
 * There is no fallback here: createModel fills in an absent option from the
 * defaults in models/registry.ts, the one place a default lives.
 */
export function priorOption(config: ModelConfig): 'class' | 'standard' {
  const prior = config.options.prior;
  if (prior !== 'class' && prior !== 'standard') {
    throw new ValueError(`${config.kind}: option prior must be 'class' or 'standard', got ${JSON.stringify(prior)} (createModel fills in absent options from the defaults in models/registry.ts)`);
  }
  return prior;
}

/** The encoder/decoder pair and negative-ELBO training both the VAE and the CVAE are (docs/models.md#vae-vaets-variationalts). */
export abstract class VariationalAutoencoder extends ZooModel {
  abstract override readonly kind: 'vae' | 'cvae';
  readonly lossNames = ['loss', 'rec', 'kl'] as const;
  /** The encoder → μ, log σ². */
  readonly E: Encoder;
  /** The decoder → Bernoulli logits of the image. */
  readonly G: Decoder;
  /** Training steps so far (the `step` buffer, mirrored on the host). */
  private readonly steps = new HostMirror(() => this.buffer('step')!);
  /** The options klWeight (β) and klWarmup (steps). */
  private readonly beta: number;
  private readonly warmup: number;

  /** Builds the encoder and decoder, given the one-hot class (`conditional`) or not. The subclass creates the optimizer once its own parameters exist. */
  protected constructor(config: ModelConfig, generator: Generator, conditional: boolean) {
    super(config);
    const net = { arch: config.arch, width: config.width, cond: conditional ? NUM_CLASSES : 0, generator };
    this.E = this.registerModule('E', new Encoder(config.latent, net));
    this.G = this.registerModule('G', new Decoder(config.latent, { ...net, batchNorm: config.arch === 'conv' }));
    this.registerBuffer('step', scalar(0));
    this.beta = this.numberOption('klWeight');
    this.warmup = this.numberOption('klWarmup');
    if (!(this.beta >= 0)) throw new ValueError(`${config.kind}: option klWeight must be ≥ 0, got ${this.beta}`);
    if (!(this.warmup >= 0)) throw new ValueError(`${config.kind}: option klWarmup must be ≥ 0 steps, got ${this.warmup}`);
  }

  /** The latent prior: 'standard' N(0, I), or 'class', learned per class (the CVAE's default). */
  abstract readonly priorKind: 'class' | 'standard';

  /** The prior p(z[|y]) of each label's image: its mean and log-variance, or null for N(0, I). */
  abstract latentPrior(y: Int32Array): LatentPrior | null;

  /** KL(q(z|x[,y]) ‖ p(z[|y])) per sample, [B]. */
  protected kl(mu: Tensor, logvar: Tensor, _y: Int32Array): Tensor {
    return stdNormal(mu, logvar);
  }

  protected get decoder(): Decoder {
    return this.G;
  }

  /** β at the current step (rises linearly over `klWarmup` steps). */
  klWeight(): number {
    const step = this.steps.values()[0];
    return this.warmup > 0 ? this.beta * Math.min(1, step / this.warmup) : this.beta;
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
    return { rec, kl: this.kl(mu, logvar, y) };
  }

  /**
   * The encoder's posterior q(z | x[, y]) = N(μ, diag σ²) of images
   * [N, 1, 28, 28]: μ and log σ², each [N, latent]; without a graph, in eval
   * mode. `labels` are required by the CVAE and ignored by the VAE.
   */
  encode(x: Tensor, labels?: ArrayLike<number>): LatentGaussian {
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


  protected override step(batch: Batch, generator: Generator): Record<string, Tensor> {
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
    return { rec: recMean, kl: klMean };
  }

  /**
   * `loss` is the negative ELBO, rec + kl (summed on the host, in float64): what
   * the model is judged by. The optimizer minimises rec + β·kl, which differs
   * from it during KL warm-up (β < 1).
   */
  override trainStep(batch: Batch, generator: Generator): Record<string, number> {
    const { rec, kl } = super.trainStep(batch, generator);
    return { loss: rec + kl, rec, kl };
  }

  override async trainStepAsync(batch: Batch, generator: Generator): Promise<Record<string, number>> {
    const { rec, kl } = await super.trainStepAsync(batch, generator);
    return { loss: rec + kl, rec, kl };
  }
}
