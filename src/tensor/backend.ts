/**
 * The backend interface: where a tensor's memory lives, and the kernels that
 * compute on it. A backend is one folder under `backends/` exporting one
 * object that implements `Backend`; `registry.ts` makes it selectable.
 *
 * A backend owns its storage (`Storage.handle`): a typed array (`js`), a block
 * of WebAssembly memory (`wasm`), a GPU texture or buffer (`gpu`). Kernels take
 * Storages and return new ones; nothing crosses to the host unless `read` is
 * called. Kernels know nothing about gradients or tensors.
 *
 * Memory functions are required. Kernels are optional: an op whose kernel a
 * backend lacks runs on the `js` reference, with its operands read back and
 * its result uploaded, and is counted in `backendCounters().fallbacks` — slow
 * and visible, never silent. `js` implements every kernel; it is the
 * reference every other backend is tested against.
 *
 * float64 storages exist only on backends with `supportsFloat64` (`js`).
 */
import type { DType, FloatArray } from './dtype.js';
import type { Storage } from './storage.js';

/** The elementwise unary kernels' operations (`Kernels.unary`); `param0`/`param1` as noted. */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'leakyRelu' // leakyRelu: negative slope = param0
  | 'sigmoid' | 'tanh' | 'softplus' | 'sign' | 'square'
  | 'gelu'   // x·Φ(x), Φ the standard normal CDF (exact, not the tanh approximation)
  | 'pow'    // x^p, p = param0
  | 'clamp'; // min(max(x, param0), param1)

/** The broadcasting binary kernels' operations (`Kernels.binary`); comparisons give 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'gt' | 'ge' | 'lt' | 'le' | 'eq';

/** The reduction kernels' operations (`Kernels.reduce`). */
export type ReduceOp = 'sum' | 'max' | 'min';

/** Matmul: out[b] = op(A[b]) · op(B[b]), op = transpose when the flag is set. */
export interface MatmulParams {
  /** Matrices in the batch (1 for a plain product). */
  batch: number;
  /** Rows of op(A) and of the output. */
  m: number;
  /** Columns of op(B) and of the output. */
  n: number;
  /** Columns of op(A), rows of op(B): the summed dimension. */
  k: number;
  /** A is stored [k, m] (per batch) instead of [m, k]. */
  transA: boolean;
  /** B is stored [n, k] (per batch) instead of [k, n]. */
  transB: boolean;
  /** Elements between consecutive batch matrices; 0 broadcasts one matrix over the batch. */
  strideA: number;
  /** Elements between consecutive batch matrices of B; 0 broadcasts one matrix over the batch. */
  strideB: number;
}

/** Everything a conv2d kernel needs; `x` is NCHW, `w` is [outC, inC, kh, kw]. */
export interface Conv2dParams {
  /** Batch size. */
  n: number;
  /** Input channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Output channels. */
  o: number;
  /** Kernel height. */
  kh: number;
  /** Kernel width. */
  kw: number;
  /** Output height. */
  ho: number;
  /** Output width. */
  wo: number;
  /** Vertical step between windows. */
  strideH: number;
  /** Horizontal step between windows. */
  strideW: number;
  /** Zero rows above and below the input. */
  padH: number;
  /** Zero columns left and right of the input. */
  padW: number;
  /** Vertical spacing between kernel elements. */
  dilationH: number;
  /** Horizontal spacing between kernel elements. */
  dilationW: number;
}

/** Pooling windows over NCHW input. */
export interface Pool2dParams {
  /** Batch size. */
  n: number;
  /** Channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Window height. */
  kh: number;
  /** Window width. */
  kw: number;
  /** Output height. */
  ho: number;
  /** Output width. */
  wo: number;
  /** Vertical step between windows. */
  strideH: number;
  /** Horizontal step between windows. */
  strideW: number;
  /** Padding rows above and below. */
  padH: number;
  /** Padding columns left and right. */
  padW: number;
}

/**
 * A strided read of one storage into a new contiguous one — the one kernel
 * behind permute, slice, expand, pad and their adjoints. Output element
 * (i₀, …, iₙ₋₁) of `shape` reads source coordinate cᵈ = iᵈ − before[d]; it is
 * `x[offset + Σ cᵈ·strides[d]]` when every 0 ≤ cᵈ < extent[d], else `value`.
 * Without `pad`, before = 0 and extent = shape (every read is in range).
 */
export interface GatherParams {
  /** The output's shape. */
  shape: readonly number[];
  /** Source elements per step along each output dimension (0 repeats: broadcasting). */
  strides: readonly number[];
  /** The source element that output element 0 reads. */
  offset: number;
  /** Padding: output coordinates outside the source region read `value`. */
  pad?: {
    /** Per dimension: where the source region starts in the output. */
    before: readonly number[];
    /** Per dimension: the source region's size. */
    extent: readonly number[];
    /** The fill value outside it. */
    value: number;
  };
}

/** One Adam/AdamW update (see nn/optim/adam.ts for the formulas). */
export interface AdamHyper {
  /** Learning rate. */
  lr: number;
  /** Decay of the first-moment estimate. */
  beta1: number;
  /** Decay of the second-moment estimate. */
  beta2: number;
  /** Added to √v̂ in the denominator. */
  eps: number;
  /** λ: L2 penalty added to the gradient (Adam) or decoupled decay (AdamW). */
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding λ·p to the gradient. */
  decoupled: boolean;
  /** The step number t (from 1), for the bias corrections. */
  step: number;
}

/** One SGD update (see nn/optim/sgd.ts). */
export interface SgdHyper {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (0: plain SGD). */
  momentum: number;
  /** Dampening of the gradient's contribution to the momentum buffer. */
  dampening: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** True on the first step: the momentum buffer starts as the gradient. */
  first: boolean;
}

/** The kernels. Each returns a new storage on the same backend unless it says it works in place. */
export interface Kernels {
  /** out[i] = op(x[i]) with up to two scalar parameters. */
  unary: (op: UnaryOp, x: Storage, param0: number, param1: number) => Storage;
  /** out = op(a, b) over `shape`, reading a and b through broadcast strides (0 on broadcast dimensions). */
  binary: (op: BinaryOp, a: Storage, aStrides: readonly number[], b: Storage, bStrides: readonly number[], shape: readonly number[]) => Storage;
  /** out = cond ≠ 0 ? a : b over `shape`, each read through its broadcast strides. */
  where: (cond: Storage, cStrides: readonly number[], a: Storage, aStrides: readonly number[], b: Storage, bStrides: readonly number[], shape: readonly number[]) => Storage;
  /** Reduces the middle axis of x viewed as [outer, r, inner]: out[o, i] = op over j of x[o, j, i]. */
  reduce: (op: ReduceOp, x: Storage, outer: number, r: number, inner: number) => Storage;
  /** Index (as a float) of the first maximum over the middle axis of [outer, r, inner]. */
  argmax: (x: Storage, outer: number, r: number, inner: number) => Storage;
  /** out = op(a) · op(b), batch·m·n elements (see MatmulParams). */
  matmul: (a: Storage, b: Storage, p: MatmulParams) => Storage;
  /** y[n,o,ho,wo] = Σ x · w (cross-correlation, as in PyTorch). */
  conv2d: (x: Storage, w: Storage, p: Conv2dParams) => Storage;
  /** dx[n,c,h,w] from dy[n,o,ho,wo]; also the forward of convTranspose2d. */
  conv2dGradInput: (dy: Storage, w: Storage, p: Conv2dParams) => Storage;
  /** dw[o,c,kh,kw] from x and dy. */
  conv2dGradWeight: (x: Storage, dy: Storage, p: Conv2dParams) => Storage;
  /**
   * Max pooling; padding counts as −Inf. `argmax` is opaque to callers (each
   * output's winning input position, in whatever form this backend's
   * maxPool2dGrad reads).
   */
  maxPool2d: (x: Storage, p: Pool2dParams) => {
    /** The pooled values, [n, c, ho, wo]. */
    out: Storage;
    /** Each output's winning input position (opaque). */
    argmax: Storage;
  };
  /** Routes each pooled gradient to the input position that won its window. */
  maxPool2dGrad: (dy: Storage, argmax: Storage, p: Pool2dParams) => Storage;
  /** Average pooling; padding counts as zeros and is included in the divisor (PyTorch's default). */
  avgPool2d: (x: Storage, p: Pool2dParams) => Storage;
  /** Spreads each pooled gradient evenly over its window (the adjoint of avgPool2d). */
  avgPool2dGrad: (dy: Storage, p: Pool2dParams) => Storage;
  /** A strided (and optionally padded) read into a new contiguous storage; see GatherParams. */
  gather: (x: Storage, g: GatherParams) => Storage;
  /** Each xs[i] viewed as [outer, widths[i]], joined along the second axis: [outer, Σ widths]. */
  concat: (xs: readonly Storage[], outer: number, widths: readonly number[]) => Storage;
  /** x viewed as [outer, n, inner] → [outer, idx.length, inner] with rows idx[j] (each in [0, n)). */
  indexSelect: (x: Storage, idx: Int32Array, outer: number, n: number, inner: number) => Storage;
  /** The adjoint of indexSelect: zeros [outer, n, inner] with g's row j added at idx[j] (repeats accumulate). */
  indexAdd: (g: Storage, idx: Int32Array, outer: number, n: number, inner: number) => Storage;
  /** Adam/AdamW, in place on p, m, v (and vmax with amsgrad). */
  adam: (p: Storage, g: Storage, m: Storage, v: Storage, vmax: Storage | null, h: AdamHyper) => void;
  /** SGD with momentum, in place on p (and the momentum buffer). */
  sgd: (p: Storage, g: Storage, buf: Storage | null, h: SgdHyper) => void;
}

/** The name of one kernel of {@link Kernels} ('matmul', 'conv2d'…), as `backendCounters` and fallback messages use them. */
export type KernelName = keyof Kernels;

/**
 * A backend: memory functions (required) and kernels (optional: a missing one
 * runs on the js reference and counts as a fallback). See the file comment,
 * and `hostBackend` for building one over CPU-addressable memory.
 */
export interface Backend extends Partial<Kernels> {
  /** The name it is registered and selected under ('js', 'wasm', 'gpu'). */
  readonly name: string;
  /** Tensors on different devices never meet in one op: move one with `.to()`. */
  readonly device: 'cpu' | 'gpu';
  /** Whether it stores float64 tensors (only `js` does; float64 elsewhere lives on `js`). */
  readonly supportsFloat64: boolean;
  /**
   * True when storages hold memory the garbage collector cannot free (wasm
   * blocks, GPU textures): their tensors are then reference-counted and `free`
   * is called for each storage exactly once.
   */
  readonly ownsMemory: boolean;

  /** A new storage holding a copy of `values`. */
  upload(values: FloatArray): Storage;
  /** A new storage from an array the caller gives away (no copy where the backend can keep it as is). */
  adopt(values: FloatArray): Storage;
  /** `length` copies of `value`. */
  full(dtype: DType, length: number, value: number): Storage;
  /**
   * The values on the host. May return the storage's own memory (js): callers
   * must not write into the result. Throws where the device has no synchronous
   * readback (WebGPU); `readAsync` works everywhere.
   */
  read(s: Storage): FloatArray;
  /** The values on the host, on every backend (WebGPU included); same rules as `read`. */
  readAsync(s: Storage): Promise<FloatArray>;
  /** Overwrites `s` with `values` (same length), in place. */
  write(s: Storage, values: FloatArray): void;
  /** Overwrites `dst` with the values of `src` (both on this backend, same length and dtype), in place. */
  assign(dst: Storage, src: Storage): void;
  /** A copy of `s` on this backend. */
  copy(s: Storage): Storage;
  /** Releases the memory of a storage no tensor refers to any more (only called when `ownsMemory`). */
  free(s: Storage): void;
}

/** What {@link backendInfo} reports. */
export interface BackendInfo {
  /** The backend new tensors are created on. */
  name: string;
  /** Backend-specific details (e.g. wasm SIMD flavour, threads, GPU.js mode, live memory). */
  details: Record<string, unknown>;
  /** What was asked for: a backend name, or 'auto' (the default). */
  requested: string;
  /** With 'auto': the preferred backends that could not run here, and why. */
  skipped?: Array<{
    /** The backend passed over. */
    name: string;
    /** Why it could not start here. */
    reason: string;
  }>;
}
