/**
 * The full gradient-check suite (every differentiable op, random shapes) in
 * float32 with the wasm backend active: matmul, linear, conv2d,
 * convTranspose2d and everything built on them run the wasm kernels, the
 * tiny shapes exercising every edge-tile path of the GEMM. Then the large
 * shapes (LARGE_OP_CASES): past the 2×16 register tile and the KC/MC/NC cache
 * blocks, with sizes on both sides of each boundary, a sample of elements each.
 */
import { createWasmBackend } from '../../src/index.js';
import { LARGE_OP_CASES, runGradcheckSuite } from '../helpers/op-cases.js';

const wasm = createWasmBackend({ threads: 1 });
runGradcheckSuite({ dtype: 'float32', numRuns: 20, label: 'wasm', backend: wasm });
runGradcheckSuite({ dtype: 'float32', numRuns: 6, label: 'wasm, large shapes', backend: wasm, cases: LARGE_OP_CASES, elements: 24 });
