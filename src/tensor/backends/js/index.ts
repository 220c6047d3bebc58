/** The `js` backend: plain TypeScript, float32 and float64, the reference for every other backend. */
import type { Backend } from '../../backend.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dGradInput, conv2dGradWeight } from './conv.js';
import { maxPool2d, avgPool2d, avgPool2dGrad } from './pool.js';
import { unary, binary } from './elementwise.js';
import { reduce } from './reduce.js';

export { im2col, col2im } from './conv.js';

export const jsBackend: Backend = {
  name: 'js',
  supportsFloat64: true,
  matmul,
  conv2d,
  conv2dGradInput,
  conv2dGradWeight,
  maxPool2d,
  avgPool2d,
  avgPool2dGrad,
  unary,
  binary,
  reduce,
};
