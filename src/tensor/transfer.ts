/** Moving a tensor's values to another backend (the explicit move behind `t.to('gpu')`). */
import type { Backend } from './backend.js';
import { backendNamed, getBackend } from './registry.js';
import { Tensor } from './tensor.js';
import { BackendError, DTypeError } from '../errors.js';

/** A backend from a name ('js', 'wasm', 'gpu', or 'auto' for the active one) or a Backend object. */
export function resolveBackend(op: string, target: string | Backend): Backend {
  if (typeof target !== 'string') {
    if (!target || typeof target !== 'object' || typeof (target as Backend).upload !== 'function') throw new BackendError(`${op}: expected a backend name or a Backend, got ${String(target)}`);
    return target;
  }
  if (target === 'auto') return getBackend();
  const active = getBackend();
  return active.name === target ? active : backendNamed(target);
}

/** x's values on `backend` (x itself when it is already there). float64 cannot leave the CPU. */
export function moveRaw(x: Tensor, backend: Backend): Tensor {
  const s = x.storage;
  if (s.backend === backend) return x;
  if (x.dtype === 'float64' && !backend.supportsFloat64) {
    throw new DTypeError(`to: the '${backend.name}' backend has no float64; cast first (t.float()) or keep the tensor on 'js'`);
  }
  return new Tensor(backend.upload(x.data), x.shape);
}
