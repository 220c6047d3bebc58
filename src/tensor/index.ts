/** The tensor layer: storage, creation, randomness, backends and forward kernels. */
export * from './dtype.js';
export * from './shape.js';
export * from './random.js';
export * from './storage.js';
export * from './tensor.js';
export * from './scope.js';
export * from './create.js';
export * from './backend.js';
export * from './registry.js';
export * from './dispatch.js';
export * from './transfer.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/movement.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
export * from './ops/indexing.js';
export { jsBackend, hostBackend, im2col, col2im, type HostMemory } from './backends/js/index.js';
// The wasm backend registers itself on import and, under the default 'auto' selection, becomes active.
export { createWasmBackend, detectFeatures as wasmFeatures, wasmTuning, type WasmBackendOptions, type WasmFeatures } from './backends/wasm/index.js';
