/**
 * The backend interface: the hot loops every op ends in. A backend is one
 * folder under `backends/` exporting one object that implements `Backend`.
 * Kernels know nothing about gradients or tensors: they take flat arrays and
 * sizes, and write into (or return) flat arrays.
 *
 * `js` is the reference: every other backend is tested against it. A faster
 * backend usually starts from `{ ...jsBackend }` and overrides what it
 * accelerates, so every kernel always has an implementation.
 *
 * float64 arrays are only ever passed to backends with `supportsFloat64`
 * (the `js` backend); see `backendFor`.
 */
import type { FloatArray } from './dtype.js';
import { jsBackend } from './backends/js/index.js';

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'softplus'
  | 'pow'        // x^p, p = param0
  | 'clamp'      // min(max(x, param0), param1)
  | 'sign' | 'square' | 'reciprocal'
  | 'step'       // 1 where x > 0 else 0 (relu's derivative)
  | 'leakyStep'  // 1 where x > 0 else param0 (leakyRelu's derivative)
  | 'clampMask'; // 1 where param0 <= x <= param1 else 0 (clamp's derivative)

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow' | 'gt' | 'ge' | 'lt' | 'le' | 'eq';

export type ReduceOp = 'sum' | 'max' | 'min';

/** Matmul: out[b] = op(A[b]) · op(B[b]), op = transpose when the flag is set. */
export interface MatmulParams {
  batch: number;
  m: number; n: number; k: number;
  /** A is stored [k, m] (per batch) instead of [m, k]. */
  transA: boolean;
  /** B is stored [n, k] (per batch) instead of [k, n]. */
  transB: boolean;
  /** Elements between consecutive batch matrices; 0 broadcasts one matrix over the batch. */
  strideA: number;
  strideB: number;
}

/** Everything a conv2d kernel needs; `x` is NCHW, `w` is [outC, inC, kh, kw]. */
export interface Conv2dParams {
  n: number; c: number; h: number; w: number;
  o: number; kh: number; kw: number;
  ho: number; wo: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
}

/** Pooling windows over NCHW input. */
export interface Pool2dParams {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; ho: number; wo: number;
  strideH: number; strideW: number; padH: number; padW: number;
}

export interface Backend {
  readonly name: string;
  readonly supportsFloat64: boolean;

  /** out = a · b (see MatmulParams); `out` has batch·m·n elements and is overwritten. */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void;

  /** y[n,o,ho,wo] = Σ x · w (cross-correlation, as in PyTorch). */
  conv2d(x: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void;
  /** dx[n,c,h,w] from dy[n,o,ho,wo]; also the forward of convTranspose2d. */
  conv2dGradInput(dy: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void;
  /** dw[o,c,kh,kw] from x and dy. */
  conv2dGradWeight(x: FloatArray, dy: FloatArray, out: FloatArray, p: Conv2dParams): void;

  /** Max pooling; `argmax` receives the flat input index of each output's maximum. Padding counts as -Inf. */
  maxPool2d(x: FloatArray, out: FloatArray, argmax: Int32Array, p: Pool2dParams): void;
  /** Average pooling; padding counts as zeros and is included in the divisor (PyTorch's default). */
  avgPool2d(x: FloatArray, out: FloatArray, p: Pool2dParams): void;
  avgPool2dGrad(dy: FloatArray, out: FloatArray, p: Pool2dParams): void;

  /** out[i] = op(x[i]) with up to two scalar parameters. */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, param0: number, param1: number): void;
  /**
   * out = op(a, b) over `outShape`, reading a and b through broadcast strides
   * (0 on broadcast dimensions).
   */
  binary(op: BinaryOp, a: FloatArray, aStrides: readonly number[], b: FloatArray, bStrides: readonly number[], out: FloatArray, outShape: readonly number[]): void;
  /**
   * Reduces the middle axis of x viewed as [outer, r, inner]: out[o, i] = op over j of x[o, j, i].
   * Reductions over several axes are composed from this by the caller.
   */
  reduce(op: ReduceOp, x: FloatArray, out: FloatArray, outer: number, r: number, inner: number): void;
}

export interface BackendInfo {
  /** The backend that runs float32 kernels now. */
  name: string;
  /** Backend-specific details (e.g. wasm SIMD flavour, threads, GPU.js mode). */
  details: Record<string, unknown>;
}

export interface BackendEntry {
  /** Creates (or returns) the backend; may throw a clear error when unavailable. */
  create(options: Record<string, unknown>): Backend;
  /** Describes the backend when active. */
  info?(): Record<string, unknown>;
}

const registry = new Map<string, BackendEntry>([['js', { create: () => jsBackend }]]);
let active: Backend = jsBackend;

/** Makes a backend available to `setBackend(name)`. */
export function registerBackend(name: string, entry: BackendEntry): void {
  registry.set(name, entry);
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Switches the backend that runs float32 kernels. Throws, naming the backend
 * and the reason, when it is unavailable: there is no silent fallback.
 */
export function setBackend(name: string, options: Record<string, unknown> = {}): BackendInfo {
  const entry = registry.get(name);
  if (!entry) throw new Error(`setBackend: unknown backend '${name}' (registered: ${registeredBackends().join(', ')})`);
  active = entry.create(options);
  return backendInfo();
}

export function getBackend(): Backend {
  return active;
}

/** The reference backend (`js`): what other backends are tested against. */
export function referenceBackend(): Backend {
  return jsBackend;
}

/** The backend a kernel on arrays of this kind runs on: float64 always runs on the reference. */
export function backendFor(a: FloatArray): Backend {
  const b = getBackend();
  if (a instanceof Float64Array && !b.supportsFloat64) return jsBackend;
  return b;
}

export function backendInfo(): BackendInfo {
  const b = getBackend();
  const entry = registry.get(b.name);
  return { name: b.name, details: entry?.info?.() ?? {} };
}

/** Runs `fn` with a backend active, then restores the previous one (tests, benchmarks). */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const prev = active;
  active = backend;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
