/**
 * The learned class prior p(z | y) = N(μ_y, diag σ²_y) of the CVAE and the
 * CVAE-GAN (`prior: 'class'`): a parameter `priorTable` [10, 2·latent] whose
 * row y holds (μ_y, log σ²_y), zeros at the start (= N(0, I)). Each model
 * registers the table and trains it through its KL term; this file holds the
 * arithmetic both share.
 */
import { add, embedding, exp, mul } from '../autograd/index.js';
import { zeros, type Tensor } from '../tensor/index.js';
import { NUM_CLASSES, type LatentGaussian } from './types.js';

/** The parameter name of the table, in the state dict. */
export const CLASS_PRIOR_PARAM = 'priorTable';

/** A fresh table for latent size `latent`: [10, 2·latent] zeros, so every class starts at N(0, I). */
export function classPriorTable(latent: number): Tensor {
  return zeros([NUM_CLASSES, 2 * latent]);
}

/** (μ_y, log σ²_y) for each label, [B, latent] each, read from `table`; null when there is no table (N(0, I)). */
export function classPrior(table: Tensor | null, y: Int32Array, latent: number): LatentGaussian | null {
  if (!table) return null;
  const rows = embedding(y, table);
  return { mu: rows.slice(1, 0, latent), logvar: rows.slice(1, latent) };
}

/**
 * The latent codes for standard-normal noise under prior `p`: μ + σ·noise
 * (reparameterize's arithmetic, with the noise given), or the noise itself
 * when `p` is null (N(0, I)).
 */
export function latentFromPrior(p: LatentGaussian | null, noise: Tensor): Tensor {
  return p ? add(p.mu, mul(exp(mul(p.logvar, 0.5)), noise)) : noise;
}
