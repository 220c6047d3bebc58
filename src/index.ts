/**
 * genzoo's public API.
 *   import { tensor, randn, noGrad, gradcheck, Tensor } from 'genzoo';
 */
export {
  Tensor, tensor, scalar, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn, randint, oneHot,
  manualSeed, defaultGenerator, Generator,
  setBackend, getBackend, backendInfo, registerBackend, registeredBackends, referenceBackend, withBackend,
  type DType, type FloatArray, type NestedArray, type TensorLike, type TensorOptions, type RandomOptions,
  type Backend, type BackendInfo, type BackendEntry, type MatmulParams, type Conv2dParams, type Pool2dParams,
  type UnaryOp, type BinaryOp, type ReduceOp, type Conv2dOptions, type ConvTranspose2dOptions, type Pool2dOptions,
  type GeneratorState,
} from './tensor/index.js';
export * from './autograd/index.js';
export { VERSION } from './version.js';
