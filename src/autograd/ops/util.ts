import { binaryRaw, unaryRaw, Tensor } from '../../tensor/index.js';

/** 1 where x is finite, else 0 (x − x is NaN exactly for ±Inf and NaN). */
export function isFiniteMask(x: Tensor): Tensor {
  const d = binaryRaw('sub', x, x);
  return binaryRaw('eq', d, unaryRaw('abs', d));
}
