/**
 * nn: modules, layers, losses (PyTorch's torch.nn).
 *   import { nn, optim, init } from 'genzoo';
 *   const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 */
export { Module, moduleBackend, type AnyModule, type NamedTensor, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Sequential, ModuleList, type Layer } from './container.js';
export { WeightedLayer, BiasedLayer } from './weighted.js';
export { Linear, type LinearOptions } from './linear.js';
export { ConvNd } from './conv-nd.js';
export { Conv2d, type Conv2dLayerOptions, type Size2 } from './conv2d.js';
export { ConvTranspose2d, type ConvTranspose2dLayerOptions } from './conv-transpose2d.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './batchnorm.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Embedding } from './embedding.js';
export { Flatten, Unflatten, Reshape } from './reshape.js';
export { MaxPool2d, AvgPool2d } from './pooling.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softplus, GELU, Identity } from './activation.js';
export {
  bceWithLogits, bce, mse, crossEntropy, nllLoss, BCEWithLogitsLoss, BCELoss, MSELoss, CrossEntropyLoss,
  type Reduction, type LossOptions, type BCEOptions, type BCEWithLogitsOptions,
} from './losses.js';
export { withFrozen } from './frozen.js';
export type { LayerOptions } from './options.js';
export * as functional from './functional.js';
export * as init from './init.js';
