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

  /**
   * Optional asynchronous kernels, for devices whose results come back
   * asynchronously (WebGPU has no synchronous readback). Each resolves once
   * `out` is written; genzoo's async ops (`matmulAsync`, `conv2dAsync`, …,
   * `backwardAsync`) await them, and run the synchronous kernel where a
   * backend has none.
   */
  matmulAsync?(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): Promise<void>;
  conv2dAsync?(x: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): Promise<void>;
  conv2dGradInputAsync?(dy: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): Promise<void>;
  conv2dGradWeightAsync?(x: FloatArray, dy: FloatArray, out: FloatArray, p: Conv2dParams): Promise<void>;
}

export interface BackendInfo {
  /** The backend that runs float32 kernels now. */
  name: string;
  /** Backend-specific details (e.g. wasm SIMD flavour, threads, GPU.js mode). */
  details: Record<string, unknown>;
  /** What was asked for: a backend name, or 'auto' (the default). */
  requested: string;
  /** With 'auto': the preferred backends that could not run here, and why. */
  skipped?: Array<{ name: string; reason: string }>;
}

export interface BackendEntry {
  /** Creates (or returns) the backend; may throw a clear error when unavailable. */
  create(options: Record<string, unknown>): Backend;
  /** Describes the backend when active. */
  info?(): Record<string, unknown>;
  /** Finishes asynchronous start-up (worker threads, async compilation); see `ready()`. */
  ready?(options: Record<string, unknown>): Promise<void>;
}

/**
 * 'auto' (the default) takes the first of these that is registered and can be
 * created here, and reports the ones it skipped in `backendInfo().skipped`.
 * Backend folders register themselves on import; a registration that beats
 * the current 'auto' choice takes over at once.
 */
export const AUTO_ORDER: readonly string[] = ['wasm', 'js'];

const registry = new Map<string, BackendEntry>([['js', { create: () => jsBackend }]]);
let active: Backend = jsBackend;
let requested = 'auto';
let requestedOptions: Record<string, unknown> = {};
let skipped: Array<{ name: string; reason: string }> = [];

/** Makes a backend available to `setBackend(name)`. */
export function registerBackend(name: string, entry: BackendEntry): void {
  registry.set(name, entry);
  if (requested === 'auto' && AUTO_ORDER.includes(name)) selectAuto(requestedOptions);
}

function selectAuto(options: Record<string, unknown>): void {
  const tried: Array<{ name: string; reason: string }> = [];
  for (const name of AUTO_ORDER) {
    const entry = registry.get(name);
    if (!entry) continue;
    try {
      active = entry.create(options);
      skipped = tried;
      return;
    } catch (e) {
      tried.push({ name, reason: (e as Error).message });
    }
  }
  active = jsBackend;
  skipped = tried;
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Switches the backend that runs float32 kernels. Throws, naming the backend
 * and the reason, when it is unavailable: there is no silent fallback.
 */
export function setBackend(name: string, options: Record<string, unknown> = {}): BackendInfo {
  if (name === 'auto') {
    selectAuto(options);
  } else {
    const entry = registry.get(name);
    if (!entry) throw new Error(`setBackend: unknown backend '${name}' (registered: auto, ${registeredBackends().join(', ')})`);
    active = entry.create(options);
    skipped = [];
  }
  requested = name;
  requestedOptions = options;
  return backendInfo();
}

/**
 * Waits until the requested backend is fully started (e.g. the wasm
 * backend's worker threads; in browsers, asynchronous compilation), and
 * returns what runs. Kernels work before this resolves: a backend that is
 * still starting runs them on fewer threads, with identical results. With
 * 'auto', a preferred backend that could only start asynchronously takes over.
 */
export async function ready(): Promise<BackendInfo> {
  const names = requested === 'auto' ? AUTO_ORDER.filter((n) => registry.has(n)) : [requested];
  for (const name of names) {
    try {
      await registry.get(name)?.ready?.(requestedOptions);
    } catch (e) {
      if (requested !== 'auto') throw e;
    }
  }
  if (requested === 'auto') selectAuto(requestedOptions);
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
  const info: BackendInfo = { name: b.name, details: entry?.info?.() ?? {}, requested };
  if (requested === 'auto' && skipped.length) info.skipped = skipped.slice();
  return info;
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
