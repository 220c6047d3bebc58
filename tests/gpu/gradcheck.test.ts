/**
 * The gradient checks of every differentiable op, in float32 with the gpu
 * backend active in mode 'webasm': every forward and backward kernel is a
 * GPU.js kernel (nothing falls back), checked against central differences on
 * random shapes. The browser test runs a part of it in webgl2 as well.
 */
import { createGpuBackend } from '../../src/index.js';
import { runGradcheckSuite } from '../helpers/op-cases.js';

runGradcheckSuite({
  dtype: 'float32',
  numRuns: 4,
  label: 'gpu webasm',
  backend: createGpuBackend({ mode: 'webasm' }),
});
