/**
 * The model zoo: VAE, CVAE, CGAN and CVAE-GAN, each with an mlp and a conv
 * architecture (docs/models.md).
 *   import { models } from 'genzoo';
 *   const m = models.createModel(models.defaultConfig('cvae'), 0);
 *   const losses = m.trainStep(batch, generator);          // one optimisation step
 *   const images = m.sample([0, 1, 2], new Generator(1));   // [3, 1, 28, 28] in [0, 1]
 */
export {
  MODEL_KINDS, ARCHS, IMAGE_SHAPE, IMAGE_PIXELS, NUM_CLASSES, isModelKind, isArch, hasEncoder,
  type ModelKind, type Arch, type ModelConfig, type Batch, type OptimizerLike, type GenerativeModel, type EncodingModel, type LatentGaussian,
} from './types.js';
export { MODELS, modelEntry, defaultConfig, validateConfig, completeConfig, createModel, type ModelEntry, type OptionValue, type TrainDefaults } from './registry.js';
export { ZooModel, checkLabels } from './base.js';
export { ParamEMA } from './ema.js';
export { VariationalAutoencoder, priorOption, type LatentPrior } from './variational.js';
export { VAE } from './vae.js';
export { CVAE } from './cvae.js';
export { CGAN } from './cgan.js';
// withFrozen lives in nn (it is about parameters, not models); re-exported here where it was first published.
export { withFrozen } from '../nn/frozen.js';
export { CVAEGAN } from './cvaegan.js';
export {
  Encoder, Decoder, Discriminator, Classifier, Trunk,
  type NetOptions, type EncoderOutput, type DiscriminatorOutput, type ClassifierNetOutput,
} from './nets.js';
