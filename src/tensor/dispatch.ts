/**
 * Where an op runs, and how it reaches its kernel.
 *
 * An op runs on the backend its inputs live on (PyTorch's rule): no data
 * moves unless the user moves it (`t.to('gpu')`). Two exceptions, both on the
 * CPU: float64 always runs on `js` (the only backend with float64), and
 * tensors on two CPU backends (`js`, `wasm`) meet on the non-reference one —
 * both are host memory, so that is a memory copy, counted as an upload.
 * Tensors on the GPU and on the CPU never meet: that is an error naming the op.
 *
 * `kernel(op, backend, name)` returns the backend's kernel, or — where the
 * backend has none — the `js` reference wrapped to read the operands back
 * and upload the result, counted in `backendCounters().fallbacks`.
 */
import type { Backend, KernelName, Kernels } from './backend.js';
import { promote, type DType, type FloatArray } from './dtype.js';
import { getBackend } from './registry.js';
import { countersRef, Storage } from './storage.js';
import { Tensor } from './tensor.js';
import { jsBackend } from './backends/js/index.js';
import { BackendError, DTypeError } from '../errors.js';

function where(t: Tensor): string {
  const b = t.storage.backend;
  return `'${b.name}'${b.device === 'gpu' ? ' (GPU)' : ''}`;
}

/** The backend an op on these tensors runs on; throws when they live on different devices. */
export function placement(op: string, inputs: readonly Tensor[], dtype?: DType): Backend {
  if (inputs.length === 0) return getBackend();
  const first = inputs[0].storage.backend;
  let target = first;
  let mixed = false;
  for (const t of inputs) {
    const b = t.storage.backend;
    if (b === first) continue;
    mixed = true;
    if (b.device !== first.device) {
      throw new BackendError(
        `${op}: tensors on different devices: one is on ${where(inputs[0])}, another on ${where(t)}; ` +
        `move one with .to('${first.name}') or .to('${b.name}') (tensors never move between devices by themselves)`,
      );
    }
  }
  const dt = dtype ?? inputs.reduce<DType>((d, t) => promote(d, t.dtype), inputs[0].dtype);
  if (dt === 'float64' && !target.supportsFloat64) {
    if (target.device === 'gpu') throw new DTypeError(`${op}: float64 is not supported on the '${target.name}' backend (GPU kernels are float32); compute in float32 or move the tensors to the CPU with .to('js')`);
    return jsBackend;
  }
  if (mixed) {
    const active = getBackend();
    target = inputs.some((t) => t.storage.backend === active) ? active : inputs.find((t) => t.storage.backend !== jsBackend)?.storage.backend ?? first;
    if (dt === 'float64' && !target.supportsFloat64) target = jsBackend;
  }
  return target;
}

/**
 * `t`'s storage on `backend` as `dtype`: its own when it already is, else a
 * converted copy (a cast, or a copy between two CPU backends).
 */
export function storageOn(t: Tensor, backend: Backend, dtype: DType = t.dtype): Storage {
  const s = t.storage;
  if (s.backend === backend && s.dtype === dtype) return s;
  const host: FloatArray = t.data;
  if (dtype === s.dtype && host instanceof (dtype === 'float64' ? Float64Array : Float32Array)) return backend.upload(host);
  const converted = dtype === 'float64' ? Float64Array.from(host) : Float32Array.from(host);
  return backend.adopt(converted);
}

const ref = jsBackend as Required<Backend>;

/** Reads a storage of `from` onto the js reference (for a fallback). */
function toReference(from: Backend, s: Storage): Storage {
  return new Storage(jsBackend, s.dtype, s.length, from.read(s).slice());
}

/**
 * The kernel `name` of `backend`, or the js reference run on host copies of
 * the operands when the backend has none. In-place kernels (adam, sgd) write
 * their results back.
 */
export function kernel<K extends KernelName>(backend: Backend, name: K): Kernels[K] {
  let cache = wrapped.get(backend);
  if (!cache) wrapped.set(backend, (cache = new Map()));
  let fn = cache.get(name);
  if (!fn || (backend[name] ?? null) !== fn.own) cache.set(name, (fn = { own: backend[name] ?? null, call: wrapKernel(backend, name) }));
  return fn.call as Kernels[K];
}

/** Wrapped kernels per backend (a backend's kernels may be replaced, e.g. by a test spy: `own` detects that). */
const wrapped = new WeakMap<Backend, Map<KernelName, { own: unknown; call: unknown }>>();

function wrapKernel<K extends KernelName>(backend: Backend, name: K): Kernels[K] {
  const own = backend[name];
  const counters = countersRef();
  if (own) {
    return ((...args: unknown[]) => {
      counters.kernels++;
      return (own as (...a: unknown[]) => unknown).apply(backend, args);
    }) as Kernels[K];
  }
  return ((...args: unknown[]) => {
    counters.fallbacks++;
    const moved = new Map<Storage, Storage>();
    const toRef = (a: unknown): unknown => {
      if (a instanceof Storage) {
        if (a.backend === jsBackend) return a;
        let r = moved.get(a);
        if (!r) moved.set(a, (r = toReference(backend, a)));
        return r;
      }
      if (Array.isArray(a) && a.length && a[0] instanceof Storage) return a.map(toRef);
      return a;
    };
    const refArgs = args.map(toRef);
    const before = new Map([...moved.values()].map((r) => [r, r.version]));
    const result = (ref[name] as (...a: unknown[]) => unknown)(...refArgs);
    // In-place kernels changed their operands' reference copies: write them back.
    for (const [orig, r] of moved) if (r.version !== before.get(r)) backend.write(orig, r.handle as FloatArray);
    // Results move to the backend (maxPool2d's float64 argmax as float32: the backend's own kernels read it).
    const back = (v: unknown): unknown => {
      if (!(v instanceof Storage)) return v;
      const h = v.handle as FloatArray;
      return backend.adopt(v.dtype === 'float64' && !backend.supportsFloat64 ? Float32Array.from(h) : h);
    };
    if (result instanceof Storage) return back(result);
    if (result && typeof result === 'object') {
      const o = result as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, back(v)]));
    }
    return result;
  }) as Kernels[K];
}
