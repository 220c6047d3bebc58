/**
 * The full gradient-check suite (every differentiable op, random shapes) in
 * float32 with the wasm backend active: matmul, linear, conv2d,
 * convTranspose2d and everything built on them run the wasm kernels, the
 * tiny shapes exercising every edge-tile path of the GEMM.
 */
import { createWasmBackend } from '../../src/index.js';
import { runGradcheckSuite } from '../helpers/op-cases.js';

runGradcheckSuite({ dtype: 'float32', numRuns: 20, label: 'wasm', backend: createWasmBackend({ threads: 1 }) });
