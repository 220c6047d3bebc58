/** The autograd layer: the engine, every differentiable op (functional forms), and gradcheck. */
import './methods.js';
export { backward, noGrad, enableGrad, isGradEnabled, record, detach, type BackwardOptions } from './engine.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckMismatch } from './gradcheck.js';
export * from './ops/elementwise.js';
export { sum, mean, max, min, argmax, logsumexp, logSoftmax, softmax, variance, type Axes } from './ops/reduce.js';
export * from './ops/movement.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
export * from './ops/transfer.js';
export * from './ops/pool.js';
export * from './ops/indexing.js';
export * from './ops/losses.js';
