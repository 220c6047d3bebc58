/**
 * Moving between backends and dtypes as a differentiable op: the gradient
 * goes back the way the values came (moved back to the original backend, or
 * cast back to the original dtype).
 */
import { cast, moveRaw, resolveBackend, type Backend, type BackendName, type DType, Tensor } from '../../tensor/index.js';
import { record } from '../engine.js';
import { ValueError } from '../../errors.js';

const DTYPES: readonly string[] = ['float32', 'float64'];

/** x on another backend ('js', 'wasm', 'gpu', a Backend) or as another dtype ('float32', 'float64'); x itself when nothing changes. */
export function to(x: Tensor, target: BackendName | Backend | DType): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('to: expected a Tensor');
  if (typeof target === 'string' && DTYPES.includes(target)) {
    const dtype = target as DType;
    if (x.dtype === dtype) return x;
    const out = cast(x, dtype);
    return record(out, 'to', [x], (g) => [cast(g, x.dtype)]);
  }
  const backend = resolveBackend('to', target);
  const from = x.storage.backend;
  if (from === backend) return x;
  const out = moveRaw(x, backend);
  return record(out, 'to', [x], (g) => [moveRaw(g, from)]);
}
