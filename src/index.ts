/**
 * genzoo's public API: tensors and autograd at the top level; layers, optimizers,
 * data, files, KL divergences, models, training and evaluation as namespaces.
 *
 * ```ts
 * import { tensor, randn, noGrad, gradcheck, Tensor, nn, optim, data } from 'genzoo';
 * ```
 *
 * @module genzoo
 */
export {
  Tensor, tensor, scalar, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn, randint, oneHot,
  manualSeed, defaultGenerator, Generator,
  tidy, keep, backendCounters, resetBackendCounters, Storage,
  setBackend, getBackend, backendInfo, registerBackend, registeredBackends, referenceBackend, withBackend,
  ready, AUTO_ORDER, createWasmBackend, wasmFeatures, jsBackend, hostBackend, type WasmBackendOptions, type WasmFeatures,
  type DType, type FloatArray, type NestedArray, type TensorLike, type TensorOptions, type RandomOptions,
  type Backend, type BackendInfo, type BackendEntry, type BackendName, type BackendOptionsMap, type BackendCounters,
  type Kernels, type KernelName, type HostMemory, type GatherParams, type AdamHyper, type SgdHyper,
  type MatmulParams, type Conv2dParams, type Pool2dParams,
  type UnaryOp, type BinaryOp, type ReduceOp, type Conv2dOptions, type ConvTranspose2dOptions, type Pool2dOptions,
  type GeneratorState, type GradNode,
} from './tensor/index.js';
export * from './autograd/index.js';
// The gpu backend (GPU.js kernels) registers itself here: setBackend('gpu', { mode }).
export {
  createGpuBackend, gpuResources, gpuProfile, disposeGpu, GPU_MODES, GpuModeUnavailableError, type KernelProfile,
  type GpuMode, type GpuModeOption, type GpuBackendOptions, type GpuResources, type ResourceCounts,
} from './tensor/backends/gpu/index.js';
export * as nn from './nn/index.js';
export * as optim from './nn/optim/index.js';
export * as init from './nn/init.js';
export * as evaluation from './eval/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
// Checkpoints, PyTorch style: await save(model, 'model.safetensors'); await load(model, 'model.safetensors').
export { save, load } from './io/safetensors.js';
// Gaussian KL closed forms, numeric references and fast-check arbitraries (docs/kl.md); also 'genzoo/kl'.
export * as kl from './kl/index.js';
export { reparameterize } from './kl/reparameterize.js';
// The model zoo (VAE, CVAE, CGAN, CVAE-GAN) and the training loop behind `genzoo train` (docs/models.md).
export * as models from './models/index.js';
export * as training from './train/index.js';
// Moving to PyTorch and back: pytorch.exportToPyTorch(runDir, outDir), pytorch.importFromPyTorch(file, config, outDir) (docs/pytorch.md).
export * as pytorch from './export/pytorch/index.js';
// Every deliberate error is a GenzooError with a code (ERR_SHAPE, ERR_DTYPE, ERR_VALUE, ERR_IO, ERR_BACKEND, ERR_STATE).
export { GenzooError, ShapeError, DTypeError, ValueError, IOError, BackendError, StateError, type ErrorCode } from './errors.js';
export { VERSION } from './version.js';
