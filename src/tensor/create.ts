/**
 * Creating tensors: from values, constants, ranges, and seeded random draws.
 * New tensors go to the active backend (`setBackend`), or to `opts.backend`;
 * float64 always lives on `js`. Values are computed on the host and uploaded
 * once, so random draws are the same numbers on every backend.
 */
import type { Backend } from './backend.js';
import { allocate, checkDType, type DType, type FloatArray } from './dtype.js';
import { checkShape, shapeStr, sizeOf } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';
import { backendNamed, getBackend, referenceBackend, type BackendName } from './registry.js';
import { Tensor, type NestedArray } from './tensor.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';

/** Options of the functions that create tensors. */
export interface TensorOptions {
  /** 'float32' (the default, except from a Float64Array or a float64 tensor) or 'float64' (which lives on `js`). */
  dtype?: DType;
  /** Make the new tensor a leaf that collects gradients in `.grad` (default false). */
  requiresGrad?: boolean;
  /** The backend to create the tensor on (a registered name or a Backend object); default: the active one. */
  backend?: BackendName | Backend;
}

/** The backend a new tensor of `dtype` goes to. */
export function creationBackend(op: string, dtype: DType, opts?: TensorOptions): Backend {
  const b = opts?.backend === undefined ? getBackend() : typeof opts.backend === 'string' ? backendNamed(opts.backend) : opts.backend;
  if (dtype === 'float64' && !b.supportsFloat64) {
    // float64 lives on js, as in dispatch.ts; asking for it on a GPU by name is an error.
    if (b.device === 'gpu' && opts?.backend !== undefined) throw new DTypeError(`${op}: the '${b.name}' backend has no float64 (GPU kernels are float32); float64 tensors live on 'js'`);
    return referenceBackend();
  }
  return b;
}

/**
 * A tensor over a host array the caller gives away (not copied where the
 * backend can keep it: on js), on the active backend or `opts.backend`;
 * float64 arrays go to js. What library code uses to turn computed values
 * into a tensor that meets the user's tensors on their backend.
 */
export function fromArray(values: FloatArray, shape: readonly number[], opts: TensorOptions = {}): Tensor {
  const s = checkShape('fromArray', shape);
  if (sizeOf(s) !== values.length) throw new ShapeError(`fromArray: ${values.length} values cannot have shape ${shapeStr(s)}`);
  return finish(place('fromArray', values, s, opts), opts);
}

function place(op: string, values: FloatArray, shape: readonly number[], opts?: TensorOptions): Tensor {
  const dtype = values instanceof Float64Array ? 'float64' : 'float32';
  return new Tensor(creationBackend(op, dtype, opts).adopt(values), shape);
}

/** Options of the random creation functions ({@link rand}, {@link randn}, {@link randint}). */
export interface RandomOptions extends TensorOptions {
  /** Where the draws come from (default: the global generator that {@link manualSeed} reseeds). */
  generator?: Generator;
}

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(values: NestedArray, path: string): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) throw new ValueError(`tensor: expected a number or an array at ${path}, got ${typeof values}`);
  if (values.length === 0) return [0];
  const inner = inferShape(values[0], `${path}[0]`);
  for (let i = 1; i < values.length; i++) {
    const s = inferShape(values[i], `${path}[${i}]`);
    if (s.length !== inner.length || s.some((d, j) => d !== inner[j])) {
      throw new ShapeError(`tensor: ragged nested array: ${path}[0] has shape ${shapeStr(inner)} but ${path}[${i}] has shape ${shapeStr(s)}`);
    }
  }
  return [values.length, ...inner];
}

function flattenInto(values: NestedArray, out: FloatArray, pos: { i: number }): void {
  if (typeof values === 'number') {
    out[pos.i++] = values;
    return;
  }
  for (const v of values) flattenInto(v, out, pos);
}

/**
 * A tensor from a number, nested arrays, a typed array (with `shape`), or
 * another tensor — always a copy, on the active backend or `opts.backend`
 * (a tensor is copied on its own backend when neither dtype nor backend changes). The dtype
 * defaults to float64 for a Float64Array, the source's dtype for a tensor, and
 * float32 otherwise. Throws on ragged nested arrays, a `shape` whose size does
 * not match, or an unknown dtype.
 *
 * ```ts
 * tensor([[1, 2], [3, 4]]).shape;                              // [2, 2]
 * tensor(new Float32Array(6), { shape: [2, 3] }).shape;       // [2, 3]
 * tensor(new Float64Array([0.1])).dtype;                      // 'float64'
 * tensor(3).ndim;                                             // 0
 * ```
 */
export function tensor(
  values: NestedArray | ArrayLike<number> | Tensor,
  opts: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (values instanceof Tensor) {
    const dtype = checkDType('tensor', opts.dtype ?? values.dtype);
    const shape = opts.shape ? checkShape('tensor', opts.shape) : values.shape;
    if (sizeOf(shape) !== values.size) throw new ShapeError(`tensor: ${values.size} values cannot have shape ${shapeStr(shape)}`);
    if (dtype === values.dtype && (opts.backend === undefined || opts.backend === values.backend || opts.backend === values.storage.backend)) {
      return finish(new Tensor(values.storage.backend.copy(values.storage), shape), opts);
    }
    const data = allocate(dtype, values.size);
    data.set(values.data);
    return finish(place('tensor', data, shape, opts), opts);
  }
  if (ArrayBuffer.isView(values)) {
    const arr = values as unknown as ArrayLike<number>;
    const dtype = checkDType('tensor', opts.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32'));
    const shape = opts.shape ? checkShape('tensor', opts.shape) : [arr.length];
    if (sizeOf(shape) !== arr.length) throw new ShapeError(`tensor: ${arr.length} values cannot have shape ${shapeStr(shape)}`);
    const data = allocate(dtype, arr.length);
    for (let i = 0; i < arr.length; i++) data[i] = arr[i];
    return finish(place('tensor', data, shape, opts), opts);
  }
  const dtype = checkDType('tensor', opts.dtype ?? 'float32');
  const shape = inferShape(values as NestedArray, 'values');
  const data = allocate(dtype, sizeOf(shape));
  flattenInto(values as NestedArray, data, { i: 0 });
  if (opts.shape) {
    const want = checkShape('tensor', opts.shape);
    if (sizeOf(want) !== data.length) throw new ShapeError(`tensor: ${data.length} values cannot have shape ${shapeStr(want)}`);
    return finish(place('tensor', data, want, opts), opts);
  }
  return finish(place('tensor', data, shape, opts), opts);
}

/** A 0-d tensor holding `value` (float32 unless `opts.dtype` says otherwise). */
export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  const data = allocate(checkDType('scalar', opts.dtype ?? 'float32'), 1);
  data[0] = value;
  return finish(place('scalar', data, [], opts), opts);
}

/** A tensor of `shape` filled with `value`; throws on an invalid shape or a value that is not a number. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  if (typeof value !== 'number') throw new ValueError(`full: fill value must be a number, got ${typeof value}`);
  const s = checkShape('full', shape);
  const dtype = checkDType('full', opts.dtype ?? 'float32');
  return finish(new Tensor(creationBackend('full', dtype, opts).full(dtype, sizeOf(s), value), s), opts);
}

/** A tensor of `shape` filled with 0 (float32 unless `opts.dtype` says otherwise). */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of `shape` filled with 1 (float32 unless `opts.dtype` says otherwise). */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Zeros of t's shape and dtype, on t's backend. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, backend: t.storage.backend, ...opts });
}

/** Ones of t's shape and dtype, on t's backend. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, backend: t.storage.backend, ...opts });
}

/**
 * The values `start, start + step, …` below `end` (above it for a negative
 * step) as a 1-D tensor; with one argument, `0 … start − 1`:
 * `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`. Throws on a step of 0 or a non-finite bound.
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [k, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (!Number.isFinite(v)) throw new ValueError(`arange: ${k} must be finite, got ${v}`);
  }
  if (step === 0) throw new ValueError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(checkDType('arange', opts.dtype ?? 'float32'), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(place('arange', data, [n], opts), opts);
}

/** The identity matrix `[n, m]` (m defaults to n): ones on the diagonal, zeros elsewhere. */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const s = checkShape('eye', [n, m]);
  const data = allocate(checkDType('eye', opts.dtype ?? 'float32'), n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(place('eye', data, s, opts), opts);
}

/** Values drawn uniformly from [0, 1), from `opts.generator` or the global generator (the same numbers on every backend). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const s = checkShape('rand', shape);
  const g = opts.generator ?? defaultGenerator();
  const data = allocate(checkDType('rand', opts.dtype ?? 'float32'), sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = g.random();
  return finish(place('rand', data, s, opts), opts);
}

/** Values drawn from the standard normal distribution, from `opts.generator` or the global generator (the same numbers on every backend). */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const s = checkShape('randn', shape);
  const g = opts.generator ?? defaultGenerator();
  const data = allocate(checkDType('randn', opts.dtype ?? 'float32'), sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return finish(place('randn', data, s, opts), opts);
}

/** Integers drawn uniformly from [low, high), stored as floats; throws unless low < high are integers. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new ValueError(`randint: need integers low < high, got ${low}, ${high}`);
  const s = checkShape('randint', shape);
  const g = opts.generator ?? defaultGenerator();
  const data = allocate(checkDType('randint', opts.dtype ?? 'float32'), sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + g.int(high - low);
  return finish(place('randint', data, s, opts), opts);
}

/**
 * One-hot rows: labels (integers in [0, n)) → `[labels.length, n]`, 1 at each
 * row's label and 0 elsewhere. Throws on a label outside [0, n).
 */
export function oneHot(labels: ArrayLike<number> | Tensor, n: number, opts: TensorOptions = {}): Tensor {
  const list: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  if (!Number.isInteger(n) || n <= 0) throw new ValueError(`oneHot: number of classes must be a positive integer, got ${n}`);
  const data = allocate(checkDType('oneHot', opts.dtype ?? 'float32'), list.length * n);
  for (let i = 0; i < list.length; i++) {
    const k = list[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new ValueError(`oneHot: label ${k} at index ${i} is not an integer in [0, ${n})`);
    data[i * n + k] = 1;
  }
  return finish(place('oneHot', data, [list.length, n], opts), opts);
}
