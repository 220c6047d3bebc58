/**
 * The gradient checks of every op that ends in a gpu kernel (matmul in all its
 * forms, linear, conv2d, convTranspose2d), in float32 with the gpu backend
 * active in mode 'webasm': forward and backward run GPU.js kernels, checked
 * against central differences on random shapes.
 */
import { createGpuBackend } from '../../src/index.js';
import { runGradcheckSuite } from '../helpers/op-cases.js';

runGradcheckSuite({
  dtype: 'float32',
  numRuns: 8,
  label: 'gpu webasm',
  backend: createGpuBackend({ mode: 'webasm' }),
  only: ['matmul 2-D', 'matmul batched (broadcast batch dims)', 'matmul 1-D operands', 'matmul transpose flags', 'linear', 'conv2d', 'convTranspose2d'],
});
