/**
 * The `gpu` Backend: every kernel a training step uses is a GPU.js kernel,
 * and tensors stay where GPU.js keeps them between kernels.
 *
 * Storage. A gpu storage's handle holds what GPU.js's pipeline mode returned
 * for it: a texture on the GL modes (webgl2, webgl, headlessgl; 4 values per
 * texel, flat), a Promise of a buffer on WebGPU, a Float32Array on cpu and
 * webasm (GPU.js without a GPU). Kernels take those as arguments directly, so
 * nothing crosses to the host inside a training step; `read` is the only
 * readback, `upload` the only upload, and both are counted.
 *
 * WebGPU. Its results exist only asynchronously, so there every op chains:
 * the storage holds the promise of its buffer, each kernel starts when its
 * inputs' promises resolve, and `await t.read()` is the one place that waits.
 * Ops stay synchronous calls; a failure surfaces at the read, naming the kernel.
 *
 * In place. Optimizer updates and `copy_` compute new textures and swap them
 * into the storage (the old ones are deleted): a kernel cannot read and write
 * one texture (GPU.js's feedback-loop rule), and the tensor keeps its identity.
 */
import type { AdamHyper, Backend, Conv2dParams, GatherParams, Kernels, MatmulParams, Pool2dParams, SgdHyper } from '../../backend.js';
import type { FloatArray } from '../../dtype.js';
import { BackendError, DTypeError, ShapeError, StateError } from '../../../errors.js';
import { countersRef, countReadback, countUpload, Storage } from '../../storage.js';
import * as K from './kernels.js';
import { asFlat, isTexture, matmulNative } from './native.js';
import * as T from './texelwise.js';
import { runtimeFor, type GpuMode, type GpuRuntime } from './modes.js';
import { kernelError, MAX_ELEMENTS, runKernel, type KernelSpec } from './runner.js';

export interface GpuBackendSettings {
  mode: GpuMode;
  maxKernels: number;
}

/** A gpu Backend, with what `backendInfo()` reports about it. */
export interface GpuBackend extends Backend {
  readonly gpu: { settings: GpuBackendSettings; details: Record<string, unknown>; runtime(): GpuRuntime };
}

/** What a gpu storage's handle holds (replaced in place by in-place kernels). */
interface Cell {
  /** A GL texture, a Float32Array, a Promise of a WebGPU buffer — or null for an empty tensor or once freed. */
  value: unknown;
  /**
   * WebGPU: the pending kernels that read this storage. Its buffer is deleted
   * only after they were submitted (WebGPU itself keeps a submitted buffer
   * alive until the GPU is done with it).
   */
  readers?: Promise<unknown>[];
}

interface Deletable {
  delete(): void;
  renderRawOutput?(): Float32Array;
  toArray?(): Promise<ArrayLike<number>>;
}

const cellOf = (s: Storage): Cell => s.handle as Cell;

/** The stand-in argument for an empty storage. */
const EMPTY = new Float32Array(4);

/** Reductions longer than this are done in two passes (a thread looping over millions of values starves the GPU). */
const REDUCE_CHUNK = 1024;

export function buildGpuBackend(settings: GpuBackendSettings, details: Record<string, unknown>): GpuBackend {
  const runtime = (): GpuRuntime => runtimeFor(settings.mode, settings.maxKernels);
  const isAsync = settings.mode === 'webgpu';
  const ownsMemory = settings.mode !== 'cpu' && settings.mode !== 'webasm';
  const counters = countersRef();
  let self: GpuBackend;

  const check = (op: string, n: number): void => {
    if (n > MAX_ELEMENTS) throw new ShapeError(`${op} (gpu backend): ${n} elements exceed the ${MAX_ELEMENTS} (2^24) one tensor may hold, the range over which float32 shader index arithmetic is exact`);
  };

  /** A storage of this backend over a kernel result. */
  const wrap = (length: number, value: unknown): Storage => new Storage(self, 'float32', length, { value } satisfies Cell);

  /** The handle values of the inputs (numbers and host arrays pass through); on WebGPU, a promise of them. */
  const argValues = (args: unknown[]): unknown[] | Promise<unknown[]> => {
    const vals = args.map((a) => {
      if (!(a instanceof Storage)) return a;
      // An empty tensor has no device memory; a kernel never reads it (its reads are masked), but GPU.js needs an argument.
      if (a.length === 0) return EMPTY;
      const v = cellOf(a).value;
      if (v === null) throw new StateError(`gpu backend: a storage of ${a.length} elements was used after it was freed`);
      return v;
    });
    return isAsync ? Promise.all(vals) : vals;
  };

  /** Runs one kernel over `length` output elements; returns its result storage. */
  const exec = (spec: Omit<KernelSpec, 'threads'> & { threads?: number }, length: number, args: unknown[]): Storage => {
    check(spec.name, length);
    if (length === 0) return wrap(0, null);
    const rt = runtime();
    const full: KernelSpec = { ...spec, threads: spec.threads ?? length };
    const vals = argValues(args);
    if (!isAsync) return wrap(length, runKernel(rt, full, vals as unknown[]));
    // WebGPU: start when the inputs exist; keep the failure (naming the kernel) for whoever reads.
    const value = (vals as Promise<unknown[]>).then((v) => runKernel(rt, full, v)).catch((e: unknown) => {
      throw e instanceof Error && /gpu backend/.test(e.message) ? e : kernelError(rt.mode, spec.name, e);
    });
    value.catch(() => undefined); // the error is reported by read, not as an unhandled rejection
    for (const a of args) {
      if (!(a instanceof Storage)) continue;
      const cell = cellOf(a);
      (cell.readers ??= []).push(value);
      if (cell.readers.length > 64) cell.readers = [Promise.allSettled(cell.readers)]; // keep the list short for long-lived weights
    }
    return wrap(length, value);
  };

  const release = (value: unknown, readers?: Promise<unknown>[]): void => {
    if (value === null || value === undefined) return;
    if (value instanceof Promise) {
      Promise.allSettled([value, ...(readers ?? [])]).then(() => value.then((v) => (v as Deletable).delete(), () => undefined));
      return;
    }
    if (typeof (value as Deletable).delete === 'function') (value as Deletable).delete();
  };

  /** Replaces a storage's contents with a freshly computed storage's (in-place updates). */
  const swapIn = (target: Storage, fresh: Storage): void => {
    const cell = cellOf(target);
    const old = cell.value;
    const readers = cell.readers;
    cell.value = cellOf(fresh).value;
    cell.readers = cellOf(fresh).readers;
    cellOf(fresh).value = null;
    release(old, readers);
    target.touch();
  };

  const hostRead = (s: Storage, value: unknown): Float32Array => {
    if (ArrayBuffer.isView(value)) return (value as Float32Array).slice(0, s.length);
    const raw = (value as Deletable).renderRawOutput?.();
    if (!raw) throw new BackendError('gpu backend: this storage cannot be read back synchronously');
    return raw.subarray(0, s.length).slice();
  };

  const upload = (values: FloatArray): Storage => {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    check('upload', f32.length);
    if (f32.length === 0) return wrap(0, null);
    countUpload(f32.length * 4);
    if (!ownsMemory) return wrap(f32.length, f32.slice());
    return exec({ name: 'upload', source: K.COPY_SOURCE }, f32.length, [f32]);
  };

  /**
   * Runs a texel-wise kernel (texelwise.ts) on the GL modes and rewraps its
   * result as flat storage; null where there is none (other modes, an op
   * without one, operands that are not textures): the portable kernel runs.
   */
  const texel = (name: string, build: (values: unknown[], glsl3: boolean) => T.TexelKernel | null, length: number, args: unknown[]): Storage | null => {
    const rt = runtime();
    if (!rt.gl || length === 0) return null;
    const values = args.map((a) => (a instanceof Storage ? cellOf(a).value : a));
    const like = values.find(isTexture);
    const k = like ? build(values, rt.mode === 'webgl2') : null;
    if (!k || !like) return null;
    const out = exec({ name, source: k.source, returnType: 'Array(4)', threads: k.threads, nativeFunctions: k.functions }, length, args);
    cellOf(out).value = asFlat(like, cellOf(out).value, length);
    return out;
  };

  const nativeMatmul = (a: Storage, b: Storage, p: MatmulParams): Storage | null => {
    const native = matmulNative(p, cellOf(a).value, cellOf(b).value, runtime().mode === 'webgl2');
    if (!native) return null;
    const n = p.batch * p.m * p.n;
    const out = exec({ name: 'matmul', source: native.source, returnType: 'Array(4)', threads: native.threads, nativeFunctions: native.functions }, n, [a, b]);
    cellOf(out).value = native.asFlat(cellOf(out).value, n);
    return out;
  };

  /** `x` copied into a new layout (texelwise.ts repackTexels): transposed and/or zero-padded. */
  const repacked = (x: Storage, r: T.Repack): Storage => {
    counters.kernels++;
    const b = r.stride === 0 ? 1 : r.batch;
    const out = texel('repack', ([v], gl3) => T.repackTexels(v, r, gl3), b * r.rows * r.cols, [x]);
    if (out) return out;
    // Not on GL textures: the generic gather (with padding).
    return kernels.gather(x, {
      shape: [b, r.rows, r.cols], strides: [r.stride, r.rowStep, r.colStep], offset: 0,
      pad: { before: [0, 0, 0], extent: [b, r.validRows, r.validCols], value: 0 },
    });
  };

  /**
   * The GL route: the native kernel (native.ts) is fast when each thread's four
   * outputs share a row (n a multiple of 4) and it reads whole texels of both
   * operands: A as stored [m, k] and B as [k, n], or B as [n, k] (transB), with
   * k a multiple of 4. Other layouts are repacked first — a transpose, and zero
   * padding of k to a multiple of 4 (a Linear layer's 784 pixels + 10 classes) —
   * costing m·k + k·n copies against m·n·k multiply-adds; otherwise such a
   * matmul takes the scalar path, up to 8× the fetches (measured: 0.9 s of a
   * 1 s CVAE step on SwiftShader). n not a multiple of 4 but m one: compute
   * Cᵀ = op(B)ᵀ·op(A)ᵀ and transpose it back.
   */
  const matmulGL = (a: Storage, b: Storage, p: MatmulParams): Storage | null => {
    if (p.n % 4 !== 0 && p.m % 4 === 0) {
      const swapped = { ...p, m: p.n, n: p.m, transA: !p.transB, transB: !p.transA, strideA: p.strideB, strideB: p.strideA };
      const ct = matmulGL(b, a, swapped);
      if (!ct) return null;
      const c = repacked(ct, { batch: p.batch, stride: p.n * p.m, rows: p.m, cols: p.n, validRows: p.m, validCols: p.n, rowStep: 1, colStep: p.m });
      self.free(ct);
      return c;
    }
    if (p.n % 4 !== 0) return nativeMatmul(a, b, p);
    const k4 = Math.ceil(p.k / 4) * 4;
    const ntReady = !p.transA && p.transB && p.k % 4 === 0;
    const aReady = !p.transA && p.k % 4 === 0;
    const bReady = !p.transB && p.k % 4 === 0;
    if (ntReady || (aReady && bReady)) return nativeMatmul(a, b, p);
    // A → [m, k4] rows, B → [k4, n] (or kept [n, k] when the NT path can read it).
    const a2 = aReady ? a : repacked(a, {
      batch: p.batch, stride: p.strideA, rows: p.m, cols: k4, validRows: p.m, validCols: p.k,
      rowStep: p.transA ? 1 : p.k, colStep: p.transA ? p.m : 1,
    });
    const keepB = p.transB && p.k % 4 === 0;
    const b2 = keepB || bReady ? b : repacked(b, {
      batch: p.batch, stride: p.strideB, rows: k4, cols: p.n, validRows: p.k, validCols: p.n,
      rowStep: p.transB ? 1 : p.n, colStep: p.transB ? p.k : 1,
    });
    const q = {
      ...p, k: k4, transA: false, transB: keepB,
      strideA: a2 === a ? p.strideA : p.strideA === 0 ? 0 : p.m * k4,
      strideB: b2 === b ? p.strideB : p.strideB === 0 ? 0 : k4 * p.n,
    };
    const c = nativeMatmul(a2, b2, q);
    if (a2 !== a) self.free(a2);
    if (b2 !== b) self.free(b2);
    return c;
  };

  const matmul = (a: Storage, b: Storage, p: MatmulParams): Storage => {
    const n = p.batch * p.m * p.n;
    if (p.k === 0) return self.full('float32', n, 0);
    const out = runtime().gl ? matmulGL(a, b, p) : null;
    return out ?? exec({ name: 'matmul', source: K.matmulSource(p) }, n, [a, b]);
  };

  /**
   * Convolutions on the GL modes go through im2col and the native matmul
   * (tfjs's route): a direct kernel reads x and w one scalar at a time with an
   * integer division per read, hundreds of times per output; im2col is one read
   * per column element and the matmul reads whole texels. Null: use the direct kernel.
   */
  const convByMatmul = (p: Conv2dParams): { K: number; N: number; hw: number } | null => {
    const K = p.c * p.kh * p.kw, N = p.n * p.ho * p.wo;
    return runtime().gl && K * N <= MAX_ELEMENTS && p.o * N <= MAX_ELEMENTS ? { K, N, hw: p.ho * p.wo } : null;
  };
  /** [n, o, hw] ↔ [o, n·hw]: the layout of a convolution's output and of its matmul. */
  const toChannelMajor = (y: Storage, p: Conv2dParams, hw: number): Storage =>
    kernels.gather(y, { shape: [p.o, p.n, hw], strides: [hw, p.o * hw, 1], offset: 0 });
  const mm = (a: Storage, b: Storage, m: number, n: number, k: number, transA = false, transB = false): Storage =>
    matmul(a, b, { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 });
  const conv2d = (x: Storage, w: Storage, p: Conv2dParams): Storage => {
    const g = convByMatmul(p);
    if (!g) return exec({ name: 'conv2d', source: K.conv2dSource(p) }, p.n * p.o * p.ho * p.wo, [x, w]);
    const col = exec({ name: 'im2col', source: K.im2colSource(p) }, g.K * g.N, [x]);
    const y2 = mm(w, col, p.o, g.N, g.K);
    const y = kernels.gather(y2, { shape: [p.n, p.o, g.hw], strides: [g.hw, g.N, 1], offset: 0 });
    counters.kernels += 2;
    self.free(col);
    self.free(y2);
    return y;
  };
  const conv2dGradInput = (dy: Storage, w: Storage, p: Conv2dParams): Storage => {
    const g = convByMatmul(p);
    if (!g) return exec({ name: 'conv2dGradInput', source: K.conv2dGradInputSource(p) }, p.n * p.c * p.h * p.w, [dy, w]);
    const dyT = toChannelMajor(dy, p, g.hw);
    const dcol = mm(w, dyT, g.K, g.N, p.o, true, false);
    const dx = exec({ name: 'col2im', source: K.col2imSource(p) }, p.n * p.c * p.h * p.w, [dcol]);
    counters.kernels += 2;
    self.free(dyT);
    self.free(dcol);
    return dx;
  };
  const conv2dGradWeight = (x: Storage, dy: Storage, p: Conv2dParams): Storage => {
    const g = convByMatmul(p);
    if (!g) return exec({ name: 'conv2dGradWeight', source: K.conv2dGradWeightSource(p) }, p.o * p.c * p.kh * p.kw, [x, dy]);
    const col = exec({ name: 'im2col', source: K.im2colSource(p) }, g.K * g.N, [x]);
    const dyT = toChannelMajor(dy, p, g.hw);
    const dw = mm(dyT, col, p.o, g.K, g.N, false, true);
    counters.kernels += 2;
    self.free(col);
    self.free(dyT);
    return dw;
  };

  const reduce = (op: 'sum' | 'max' | 'min', x: Storage, outer: number, r: number, inner: number): Storage => {
    if (r <= REDUCE_CHUNK) return exec({ name: 'reduce', source: K.reduceSource(op, r, inner) }, outer * inner, [x]);
    // Two passes: partial results over chunks of REDUCE_CHUNK, then over the chunks.
    const chunks = Math.ceil(r / REDUCE_CHUNK);
    const partial = exec({ name: 'reduce', source: K.reduceSource(op, r, inner, { chunk: REDUCE_CHUNK, chunks }) }, outer * chunks * inner, [x]);
    const out = reduce(op, partial, outer, chunks, inner);
    counters.kernels++;
    self.free(partial);
    return out;
  };

  const kernels: Kernels = {
    unary: (op, x, p0, p1) =>
      texel(op, ([v], gl3) => T.unaryTexels(op, v, x.length, gl3), x.length, [x, p0, p1]) ??
      exec({ name: op, source: K.unarySource(op) }, x.length, [x, p0, p1]),
    binary: (op, a, as, b, bs, shape) => {
      const n = shape.reduce((s, d) => s * d, 1);
      const ai = T.texelRead(as, shape), bi = T.texelRead(bs, shape);
      const fast = ai && bi ? texel(op, ([u, w], gl3) => T.binaryTexels(op, u, ai, w, bi, n, gl3), n, [a, b]) : null;
      return fast ?? exec({ name: op, source: K.binarySource(op, as, bs, shape) }, n, [a, b]);
    },
    where: (c, cs, a, as, b, bs, shape) => exec({ name: 'where', source: K.whereSource(cs, as, bs, shape) }, shape.reduce((s, d) => s * d, 1), [c, a, b]),
    reduce,
    argmax: (x, outer, r, inner) => exec({ name: 'argmax', source: K.argmaxSource(r, inner) }, outer * inner, [x]),
    matmul,
    conv2d,
    conv2dGradInput,
    conv2dGradWeight,
    maxPool2d: (x, p: Pool2dParams) => {
      const n = p.n * p.c * p.ho * p.wo;
      const out = exec({ name: 'maxPool2d', source: K.maxPoolSource(p, false) }, n, [x]);
      const argmax = exec({ name: 'maxPool2d', source: K.maxPoolSource(p, true) }, n, [x]);
      counters.kernels++;
      return { out, argmax };
    },
    maxPool2dGrad: (dy, am, p: Pool2dParams) => exec({ name: 'maxPool2dGrad', source: K.maxPoolGradSource(p) }, p.n * p.c * p.h * p.w, [dy, am]),
    avgPool2d: (x, p: Pool2dParams) => exec({ name: 'avgPool2d', source: K.avgPoolSource(p) }, p.n * p.c * p.ho * p.wo, [x]),
    avgPool2dGrad: (dy, p: Pool2dParams) => exec({ name: 'avgPool2dGrad', source: K.avgPoolGradSource(p) }, p.n * p.c * p.h * p.w, [dy]),
    gather: (x, g: GatherParams) => exec({ name: 'gather', source: K.gatherSource(g) }, g.shape.reduce((s, d) => s * d, 1), [x, g.pad?.value ?? 0]),
    concat: (xs, outer, widths) => exec({ name: 'concat', source: K.concatSource(widths) }, outer * widths.reduce((s, w) => s + w, 0), [...xs]),
    indexSelect: (x, idx, outer, n, inner) => {
      countUpload(idx.length * 4);
      return exec({ name: 'indexSelect', source: K.indexSelectSource(idx.length, n, inner) }, outer * idx.length * inner, [x, Float32Array.from(idx)]);
    },
    indexAdd: (g, idx, outer, n, inner) => {
      countUpload(idx.length * 4);
      return exec({ name: 'indexAdd', source: K.indexAddSource(idx.length, n, inner) }, outer * n * inner, [g, Float32Array.from(idx)]);
    },
    adam: (p, g, m, v, vmax, h: AdamHyper) => {
      const n = p.length;
      const l2 = h.decoupled ? 0 : h.weightDecay;
      const decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
      const m2 = texel('adam', ([pv, gv, mv], gl3) => T.adamMomentTexels(false, pv, gv, mv, n, gl3), n, [p, g, m, h.beta1, l2]) ??
        exec({ name: 'adam', source: K.ADAM_M_SOURCE }, n, [p, g, m, h.beta1, l2]);
      const v2 = texel('adam', ([pv, gv, vv], gl3) => T.adamMomentTexels(true, pv, gv, vv, n, gl3), n, [p, g, v, h.beta2, l2]) ??
        exec({ name: 'adam', source: K.ADAM_V_SOURCE }, n, [p, g, v, h.beta2, l2]);
      let vhat = v2;
      if (vmax) {
        vhat = texel('adam', ([a, b], gl3) => T.maximumTexels(a, b, n, gl3), n, [vmax, v2]) ??
          exec({ name: 'adam', source: K.MAXIMUM_SOURCE }, n, [vmax, v2]);
        counters.kernels++;
      }
      const stepSize = h.lr / (1 - h.beta1 ** h.step);
      const pArgs = [p, m2, vhat, stepSize, Math.sqrt(1 - h.beta2 ** h.step), h.eps, decay];
      const p2 = texel('adam', ([pv, mv, vh], gl3) => T.adamParamTexels(pv, mv, vh, n, gl3), n, pArgs) ??
        exec({ name: 'adam', source: K.ADAM_P_SOURCE }, n, pArgs);
      counters.kernels += 2;
      swapIn(p, p2);
      swapIn(m, m2);
      if (vmax) {
        swapIn(vmax, vhat);
        swapIn(v, v2);
      } else swapIn(v, v2);
    },
    sgd: (p, g, buf, h: SgdHyper) => {
      const n = p.length;
      let b: Storage | null = null;
      if (buf) {
        b = exec({ name: 'sgd', source: K.SGD_BUF_SOURCE }, n, [p, g, buf, h.weightDecay, h.momentum, h.dampening, h.first ? 1 : 0]);
        counters.kernels++;
      }
      const mode = !b ? 0 : h.nesterov ? 2 : 1;
      const p2 = exec({ name: 'sgd', source: K.SGD_P_SOURCE }, n, [p, g, b ?? g, h.lr, h.weightDecay, h.momentum, mode]);
      swapIn(p, p2);
      if (buf && b) swapIn(buf, b);
    },
  };

  const memory: Omit<Backend, keyof Kernels> = {
    name: 'gpu',
    device: 'gpu',
    supportsFloat64: false,
    ownsMemory,
    upload,
    adopt: upload,
    full(dtype, length, value) {
      if (dtype !== 'float32') throw new DTypeError(`gpu backend: cannot hold ${dtype} (GPU kernels are float32; float64 tensors live on 'js')`);
      return exec({ name: 'full', source: K.FILL_SOURCE }, length, [value]);
    },
    read(s) {
      const value = cellOf(s).value;
      if (s.length === 0) return new Float32Array(0);
      if (value instanceof Promise) {
        throw new BackendError("gpu backend (webgpu): WebGPU has no synchronous readback, so `.data`, `.item()` and `.toArray()` cannot run; use `await t.read()`");
      }
      countReadback(s.bytes);
      return hostRead(s, value);
    },
    async readAsync(s) {
      if (s.length === 0) return new Float32Array(0);
      const value = await cellOf(s).value;
      countReadback(s.bytes);
      const arr = (value as Deletable).toArray;
      if (!ArrayBuffer.isView(value) && typeof arr === 'function' && !(value as Deletable).renderRawOutput) {
        const got = await arr.call(value);
        return Float32Array.from(got as ArrayLike<number>).subarray(0, s.length);
      }
      return hostRead(s, value);
    },
    write(s, values) {
      if (values.length !== s.length) throw new ShapeError(`gpu backend: write of ${values.length} values into a storage of ${s.length}`);
      swapIn(s, upload(values));
    },
    assign(dst, src) {
      swapIn(dst, self.copy(src));
    },
    copy(s) {
      return texel('copy', ([x], gl3) => T.copyTexels(x, s.length, gl3), s.length, [s]) ?? exec({ name: 'copy', source: K.COPY_SOURCE }, s.length, [s]);
    },
    free(s) {
      const cell = cellOf(s);
      const value = cell.value;
      cell.value = null;
      release(value, cell.readers);
      cell.readers = undefined;
    },
  };

  self = Object.assign(memory, kernels, { gpu: { settings, details, runtime } }) as unknown as GpuBackend;
  return self;
}
