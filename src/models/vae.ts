/**
 * VAE (Kingma & Welling 2014), unconditional: q(z | x) = N(μ, diag σ²),
 * p(x | z) = Bernoulli(sigmoid(G(z))) per pixel, p(z) = N(0, I), trained on
 * the negative ELBO (variational.ts; docs/models.md for the losses). It
 * samples a number of digits, not a class.
 */
import type { Generator } from '../tensor/index.js';
import { priorOption, VariationalAutoencoder, type LatentPrior } from './variational.js';
import type { ModelConfig } from './types.js';
import { ValueError } from '../errors.js';

/** The VAE: unconditional, prior N(0, I) (docs/models.md#vae-vaets-variationalts). */
export class VAE extends VariationalAutoencoder {
  readonly kind = 'vae';
  readonly conditional = false;
  readonly priorKind = 'standard';

  constructor(config: ModelConfig, generator: Generator) {
    if (config.kind !== 'vae') throw new ValueError(`VAE: config is for '${config.kind}'`);
    if (priorOption(config) === 'class') throw new ValueError("vae: an unconditional VAE has no class prior (use prior: 'standard')");
    super(config, generator, false);
    this.optimizers.vae = this.adam(this);
  }

  /** Always N(0, I). */
  latentPrior(_y: Int32Array): LatentPrior | null {
    return null;
  }
}
