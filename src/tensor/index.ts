/** The tensor layer: storage, creation, randomness, backends and forward kernels. */
export * from './dtype.js';
export * from './shape.js';
export * from './random.js';
export * from './tensor.js';
export * from './create.js';
export * from './backend.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/movement.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
export * from './ops/async.js';
export * from './ops/indexing.js';
export { jsBackend, im2col, col2im } from './backends/js/index.js';
// The wasm backend registers itself on import and, under the default 'auto' selection, becomes active.
export { createWasmBackend, detectFeatures as wasmFeatures, wasmTuning, type WasmBackendOptions, type WasmFeatures } from './backends/wasm/index.js';
