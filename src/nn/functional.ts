/**
 * nn.functional: the layers and losses as plain functions of tensors
 * (PyTorch's torch.nn.functional). The differentiable ops live in src/autograd;
 * this gathers the ones a network is written with.
 */
export {
  relu, leakyRelu, sigmoid, tanh, softplus, gelu, softmax, logSoftmax,
  linear, conv2d, convTranspose2d, maxPool2d, avgPool2d, embedding,
} from '../autograd/index.js';
export { batchNorm, type BatchNormFunctionOptions } from './batchnorm.js';
export { dropout } from './dropout.js';
export { bceWithLogits, bce, mse, crossEntropy, nllLoss } from './losses.js';
