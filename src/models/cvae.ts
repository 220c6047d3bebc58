/**
 * CVAE (Sohn et al. 2015): the VAE with the class y given to both networks,
 * q(z | x, y) and p(x | z, y) — the label enters every decoder layer (nets.ts),
 * so the decoder cannot learn to ignore it and read the class from z.
 *
 * The prior. Sohn et al.'s CVAE has a conditional prior p(z | y); the
 * common simplification p(z | y) = N(0, I) lets the class leak into z: the
 * encoder, which sees the image, codes class-typical strokes in z, so decoding
 * a prior draw with label k often gives another digit (the TensorFlow.js CVAE:
 * 34% of samples of the requested class; this one with N(0, I): 93.7%, with the
 * class prior 97.4% — docs/models.md).
 * With `prior: 'class'` (the default) the prior is learned per class,
 *   p(z | y) = N(μ_y, diag σ²_y),  (μ_y, log σ²_y) = a [10, 2·latent] table (zeros at the start)
 * and the KL term is KL(q(z|x,y) ‖ p(z|y)) (kl.diagNormal): class information in
 * z then costs nothing and sampling draws z where class-y codes actually are.
 * `prior: 'standard'` keeps N(0, I) and kl.stdNormal.
 */
import type { Generator, Tensor } from '../tensor/index.js';
import { diagNormal } from '../kl/index.js';
import { priorOption, VariationalAutoencoder, type LatentPrior } from './variational.js';
import { CLASS_PRIOR_PARAM, classPrior, classPriorTable, latentFromPrior } from './class-prior.js';
import type { ModelConfig } from './types.js';
import { ValueError } from '../errors.js';

/** CVAE (Sohn et al. 2015): the VAE with the class given to encoder and decoder, and (by default) a learned class prior p(z|y). */
export class CVAE extends VariationalAutoencoder {
  readonly kind = 'cvae';
  readonly conditional = true;
  readonly priorKind: 'class' | 'standard';

  constructor(config: ModelConfig, generator: Generator) {
    if (config.kind !== 'cvae') throw new ValueError(`CVAE: config is for '${config.kind}'`);
    const prior = priorOption(config);
    super(config, generator, true);
    this.priorKind = prior;
    // The learned class prior: row k holds (μ_k, log σ²_k); zeros = N(0, I) at the start.
    if (prior === 'class') this.registerParameter(CLASS_PRIOR_PARAM, classPriorTable(config.latent));
    this.optimizers.vae = this.adam(this);
  }

  /** (μ_y, log σ²_y) of the learned class prior for each label, or null with `prior: 'standard'` (N(0, I)). */
  latentPrior(y: Int32Array): LatentPrior | null {
    return classPrior(this.param(CLASS_PRIOR_PARAM), y, this.config.latent);
  }

  /** Under the class prior, z = μ_y + σ_y·noise (reparameterize's arithmetic, with the noise given). */
  protected override latentFromNoise(noise: Tensor, y: Int32Array): Tensor {
    return latentFromPrior(this.latentPrior(y), noise);
  }

  protected override kl(mu: Tensor, logvar: Tensor, y: Int32Array): Tensor {
    const p = this.latentPrior(y);
    return p ? diagNormal(mu, logvar, p.mu, p.logvar) : super.kl(mu, logvar, y);
  }
}
