/**
 * CVAE (Sohn et al. 2015): the VAE of vae.ts with the class y given to both
 * networks, q(z | x, y) and p(x | z, y); sampling draws z ~ N(0, I) and decodes
 * it with the requested class. The label enters every decoder layer (nets.ts)
 * so the decoder cannot learn to ignore it and read the class from z.
 */
import type { Generator } from '../tensor/index.js';
import { VAE } from './vae.js';
import type { ModelConfig } from './types.js';
import { ValueError } from '../errors.js';

/** CVAE (Sohn et al. 2015): the VAE with the class given to encoder and decoder, and (by default) a learned class prior p(z|y). */
export class CVAE extends VAE {
  constructor(config: ModelConfig, generator: Generator) {
    if (config.kind !== 'cvae') throw new ValueError(`CVAE: config is for '${config.kind}'`);
    super(config, generator);
  }
}
