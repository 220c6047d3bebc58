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
 * Options (config.options):
 *   klWeight  β, default 1.
 *   klWarmup  steps over which β rises linearly from 0 to klWeight (default 0:
 *             none). The step count is a buffer, so it survives checkpoints.
 */
import { add, mul, sum } from '../autograd/index.js';
import { bceWithLogits } from '../nn/losses.js';
import { scalar, type Generator, type Tensor } from '../tensor/index.js';
import { reparameterize, stdNormal } from '../kl/index.js';
import { ZooModel } from './base.js';
import { Decoder, Encoder } from './nets.js';
import { NUM_CLASSES, type Batch, type ModelConfig } from './types.js';

export class VAE extends ZooModel {
  readonly kind: 'vae' | 'cvae';
  readonly conditional: boolean;
  readonly lossNames = ['loss', 'rec', 'kl'] as const;
  readonly E: Encoder;
  readonly G: Decoder;

  constructor(config: ModelConfig, generator: Generator) {
    super(config);
    if (config.kind !== 'vae' && config.kind !== 'cvae') throw new Error(`VAE: config is for '${config.kind}'`);
    this.kind = config.kind;
    this.conditional = config.kind === 'cvae';
    const net = { arch: config.arch, width: config.width, cond: this.conditional ? NUM_CLASSES : 0, generator };
    this.E = this.registerModule('E', new Encoder(config.latent, net));
    this.G = this.registerModule('G', new Decoder(config.latent, { ...net, batchNorm: config.arch === 'conv' }));
    this.registerBuffer('step', scalar(0));
    this.optimizers.vae = this.adam(this);
  }

  protected get decoder(): Decoder {
    return this.G;
  }

  /** β at the current step (rises linearly over `klWarmup` steps). */
  klWeight(): number {
    const beta = Number(this.config.options.klWeight ?? 1);
    const warmup = Number(this.config.options.klWarmup ?? 0);
    const step = this.buffer('step')!.data[0];
    return warmup > 0 ? beta * Math.min(1, step / warmup) : beta;
  }

  /** The per-sample loss terms of a batch: reconstruction (summed BCE) and KL, each [B]. */
  losses(x: Tensor, y: Int32Array, generator: Generator): { rec: Tensor; kl: Tensor } {
    const c = this.cond(y);
    const { mu, logvar } = this.E.call(x, c);
    const z = reparameterize(mu, logvar, generator);
    const logits = this.G.call(z, c);
    // −log p(x | z): per-pixel BCE on logits, summed over the image.
    const rec = sum(bceWithLogits(logits, x, { reduction: 'none' }), [1, 2, 3]);
    const kl = stdNormal(mu, logvar);
    return { rec, kl };
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
    this.buffer('step')!.data[0]++;
    return { loss: recMean.item() + klMean.item(), rec: recMean.item(), kl: klMean.item() };
  }
}
