/**
 * Element types. genzoo computes in float32 (what every backend accelerates);
 * float64 exists so gradient checks and numeric references can be exact enough
 * to catch a wrong backward formula. float64 tensors always run on the `js`
 * reference backend (see `backendFor`).
 */
import { DTypeError } from '../errors.js';

/** A tensor's element type: 'float32' (the default; what every backend accelerates) or 'float64' (on `js` only). */
export type DType = 'float32' | 'float64';
/** The host array of a tensor's values: Float32Array for float32, Float64Array for float64. */
export type FloatArray = Float32Array | Float64Array;

export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

/** The wider of two dtypes: mixing float32 with float64 promotes, as in NumPy and PyTorch. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected 'float32' or 'float64')`);
}
