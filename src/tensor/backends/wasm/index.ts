/**
 * The `wasm` backend: tensors live in WebAssembly memory (heap.ts), and the
 * hand-written SIMD kernels — GEMM, the three convolution kernels (on up to
 * MAX_THREADS threads over one shared memory), the elementwise unary and
 * broadcasting binary ops (one thread: they are memory-bound) — work on them
 * in place. Every other op is the `js` reference loop run on views of the
 * same memory (backends/js/host.ts): no op copies its operands in or out.
 *
 *   setBackend('wasm')                         // default options: 2 threads, relaxed SIMD if present
 *   setBackend('wasm', { threads: 1 })         // single-threaded
 *   setBackend('wasm', { relaxed: false })     // plain SIMD even where relaxed SIMD exists
 *   await ready()                              // worker threads started (else they start on first use)
 *
 * It is the default ('auto') backend when the engine validates wasm SIMD; an
 * explicit setBackend('wasm') where it cannot run throws, naming why.
 *
 * Work is cut into chunks by output blocks only (GEMM: columns, rows or batch
 * matrices; conv: images, or blocks of the weight gradient), never by the
 * summed dimension, and threads claim chunks as they go (threads.ts): 1 and N
 * threads give bit-identical results. Small kernels stay on the calling thread.
 */
import type { Backend, Conv2dParams, MatmulParams } from '../../backend.js';
import { registerBackend } from '../../registry.js';
import { Storage } from '../../storage.js';
import { hostBackend } from '../js/host.js';
import { binary as jsBinary, unary as jsUnary, where as jsWhere, UNARY } from '../js/elementwise.js';
import { reduce as jsReduce } from '../js/reduce.js';
import { gather as jsGather } from '../js/movement.js';
import { detectFeatures } from './features.js';
import { heapTuning, type Block } from './heap.js';
import { BETA_ONE, MR, NR, TRANS_A, TRANS_B } from './kernels.js';
import { MAX_THREADS, WasmRuntime } from './runtime.js';
import { MAX_CHUNKS, threadSupportProblem } from './threads.js';
import { wasmBinary, wasmGather, wasmUnary, wasmWhere } from './elementwise.js';
import { BackendError, DTypeError, ValueError } from '../../../errors.js';
import { WASM_UNARY } from './elementwise-kernels.js';
import { ADAM_AMSGRAD, ADAM_DECAY, ADAM_L2 } from './optim-kernels.js';

declare module '../../registry.js' {
  interface BackendOptionsMap {
    /** WebAssembly SIMD kernels on worker threads (docs/backends.md). */
    wasm: WasmBackendOptions;
  }
}

export { detectFeatures, type WasmFeatures } from './features.js';

/**
 * Tunables (read at every call; tests lower them to exercise splitting and chunking):
 *   threadMinFlops — below this many flops a kernel runs on the calling thread
 *                    (waking a worker and splitting costs ~10–50 µs);
 *   colFloats      — im2col buffers are capped near this many floats; larger batches
 *                    are processed in chunks of images (fixed chunks: the thread count
 *                    never changes them, so results do not depend on it).
 */
export const wasmTuning = {
  threadMinFlops: 2 ** 21,
  colFloats: 1 << 22,
  /** Bytes of wasm memory past which least-recently-used tensors are evicted to the host (heap.ts). */
  get heapBudget(): number {
    return heapTuning.budgetBytes;
  },
  set heapBudget(bytes: number) {
    heapTuning.budgetBytes = bytes;
  },
};

/** The heap block behind a wasm storage. */
export function blockOf(s: Storage): Block {
  return s.handle as Block;
}

/** Options of `setBackend('wasm', options)`; an unknown option or a thread count outside 1–8 throws. */
export interface WasmBackendOptions {
  /** Threads including the caller's (1–8, default 2). */
  threads?: number;
  /** Relaxed-SIMD FMA in the GEMM micro-kernel (default: when the engine has it). */
  relaxed?: boolean;
}

interface Config {
  threads: number;
  relaxed: boolean;
}

/** A split by rows makes every chunk pack all of B again: only for at least this many rows. */
const ROW_SPLIT_MIN = 128;
/**
 * Chunks per thread. Threads claim chunks as they go, so a thread the OS has
 * descheduled takes fewer of them instead of holding the others up; more
 * chunks balance better but repeat more packing.
 */
const CHUNKS_PER_THREAD = 2;

/** How many chunks T threads get when the work has `units` indivisible pieces. */
const chunkCount = (T: number, units: number): number => Math.max(1, Math.min(CHUNKS_PER_THREAD * T, units, MAX_CHUNKS));

const runtimes = new Map<boolean, WasmRuntime>();
const backends = new Map<string, Backend>();
const configOf = new WeakMap<Backend, Config>();

function parseOptions(options: Record<string, unknown>): Config {
  const f = detectFeatures();
  if (f.unavailable) throw new BackendError(`wasm backend unavailable: ${f.unavailable}`);
  for (const key of Object.keys(options)) {
    if (key !== 'threads' && key !== 'relaxed') throw new ValueError(`setBackend('wasm'): unknown option '${key}' (options: threads, relaxed)`);
  }
  const t = options.threads ?? 2;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_THREADS) {
    throw new ValueError(`setBackend('wasm'): threads must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(t)}`);
  }
  const r = options.relaxed ?? f.relaxedSimd;
  if (typeof r !== 'boolean') throw new ValueError(`setBackend('wasm'): relaxed must be a boolean, got ${JSON.stringify(r)}`);
  if (r && !f.relaxedSimd) throw new BackendError("setBackend('wasm'): relaxed SIMD was requested but this engine does not validate it (Node 20 needs --experimental-wasm-relaxed-simd)");
  return { threads: t, relaxed: r };
}

function runtimeSync(relaxed: boolean): WasmRuntime {
  let rt = runtimes.get(relaxed);
  if (!rt) {
    try {
      rt = WasmRuntime.createSync(relaxed);
    } catch (e) {
      throw new BackendError(`wasm backend unavailable: ${(e as Error).message} (in a browser, \`await ready()\` compiles asynchronously)`);
    }
    runtimes.set(relaxed, rt);
  }
  return rt;
}

/** How many threads a kernel of this size gets now; starts workers on first demand. */
function partsFor(rt: WasmRuntime, cfg: Config, flops: number): number {
  if (cfg.threads === 1 || flops < wasmTuning.threadMinFlops || !rt.pool) return 1;
  if (rt.pool.started < cfg.threads - 1) rt.pool.start(cfg.threads - 1);
  return Math.min(cfg.threads, 1 + rt.workersReady());
}

/** Splits [0, total) into `parts` ranges whose inner boundaries are multiples of `align`. */
export function splitRange(total: number, parts: number, align: number): Array<[number, number]> {
  const units = Math.ceil(total / align);
  const out: Array<[number, number]> = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.min(total, Math.round((units * t) / parts) * align);
    const hi = t === parts - 1 ? total : Math.min(total, Math.round((units * (t + 1)) / parts) * align);
    out.push([lo, hi]);
  }
  return out;
}

/** A heap block for a kernel's scratch (im2col columns), pinned, freed by the caller. */
function scratchBlock(rt: WasmRuntime, floats: number, what: string): Block {
  return rt.heap.allocate(floats * 4, what, true);
}

/** C = op(A)·op(B) into the block at pc (byte offsets; see MatmulParams). */
function matmul(rt: WasmRuntime, cfg: Config, pa: number, pb: number, pc: number, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  const flags = (transA ? TRANS_A : 0) | (transB ? TRANS_B : 0);
  const fixed = [pa, pb, pc, m, n, k, transA ? m : k, transB ? k : n, n, flags];
  // One chunk: a block of C (the executing thread appends its scratch pointer).
  const chunk = (i0: number, i1: number, j0: number, j1: number, b0: number, b1: number): number[] => [
    ...fixed, i0, i1, j0, j1, b0, b1, strideA, strideB, m * n,
  ];
  const T = partsFor(rt, cfg, 2 * batch * m * n * k);
  let chunks: number[][];
  if (T > 1 && batch >= T) {
    chunks = splitRange(batch, chunkCount(T, batch), 1).map(([b0, b1]) => chunk(0, m, 0, n, b0, b1));
  } else if (T > 1 && n >= 2 * NR * T) {
    // By columns: each chunk packs all of A again (m·k), cheap beside its share of the work.
    chunks = splitRange(n, chunkCount(T, Math.floor(n / (2 * NR))), NR).map(([j0, j1]) => chunk(0, m, j0, j1, 0, batch));
  } else if (T > 1 && m >= ROW_SPLIT_MIN) {
    // By rows: each chunk packs all of B (k·n); worth it only with many rows to share.
    chunks = splitRange(m, chunkCount(T, Math.floor(m / 32)), MR).map(([i0, i1]) => chunk(i0, i1, 0, n, 0, batch));
  } else {
    chunks = [chunk(0, m, 0, n, 0, batch)];
  }
  rt.run('gemm', chunks, T);
}

function convSizes(p: Conv2dParams) {
  const hw = p.ho * p.wo;
  const ckk = p.c * p.kh * p.kw;
  const chw = p.c * p.h * p.w;
  // Images per chunk: the im2col matrix [ckk, nb·hw] stays near colFloats.
  const nb = Math.max(1, Math.min(p.n, Math.floor(wasmTuning.colFloats / Math.max(1, ckk * hw))));
  return { hw, ckk, chw, ohw: p.o * hw, nb, flopsPerImage: 2 * p.o * ckk * hw };
}

/**
 * Runs a conv kernel that works image by image (`conv_fwd`: y from x, or
 * `conv_gin`: dx from dy) over chunks of `nb` images, each chunk's images
 * shared among the threads. `src` and `dst` are the operands' byte offsets and
 * `srcImage`/`dstImage` their floats per image; the kernel takes its two
 * scratch blocks in the order of `scratch` (floats each, sized for nb images).
 */
function convPerImage(
  rt: WasmRuntime, cfg: Config, kernel: 'conv_fwd' | 'conv_gin', p: Conv2dParams,
  src: number, srcImage: number, pw: number, dst: number, dstImage: number, scratch: [number, number], what: string,
): void {
  const { nb, flopsPerImage } = convSizes(p);
  const a = scratchBlock(rt, scratch[0], what);
  const b = scratchBlock(rt, scratch[1], what);
  try {
    const prm = rt.convParams(p);
    for (let s = 0; s < p.n; s += nb) {
      const cnt = Math.min(nb, p.n - s);
      const T = partsFor(rt, cfg, flopsPerImage * cnt);
      const chunks = splitRange(cnt, T > 1 ? chunkCount(T, cnt) : 1, 1).map(([n0, n1]) => [prm, src + s * srcImage * 4, pw, a.ptr, b.ptr, dst + s * dstImage * 4, n0, n1, cnt]);
      rt.run(kernel, chunks, T);
    }
  } finally {
    rt.heap.release(a);
    rt.heap.release(b);
  }
}

/** y = conv(x, w) into the block at py (scratch: the im2col columns, then yᵀ). */
function conv2d(rt: WasmRuntime, cfg: Config, px: number, pw: number, py: number, p: Conv2dParams): void {
  const { hw, ckk, chw, ohw, nb } = convSizes(p);
  convPerImage(rt, cfg, 'conv_fwd', p, px, chw, pw, py, ohw, [ckk * nb * hw, p.o * nb * hw], 'conv2d');
}

/** dx from dy and w into the block at pdx (scratch: dyᵀ, then the columns col2im folds back). */
function conv2dGradInput(rt: WasmRuntime, cfg: Config, pdy: number, pw: number, pdx: number, p: Conv2dParams): void {
  const { hw, ckk, chw, ohw, nb } = convSizes(p);
  convPerImage(rt, cfg, 'conv_gin', p, pdy, ohw, pw, pdx, chw, [p.o * nb * hw, ckk * nb * hw], 'conv2d input gradient');
}

/** dw from x and dy into the block at pdw. */
function conv2dGradWeight(rt: WasmRuntime, cfg: Config, px: number, pdy: number, pdw: number, p: Conv2dParams): void {
  const { hw, ckk, chw, ohw, nb, flopsPerImage } = convSizes(p);
  const dyT = scratchBlock(rt, p.o * nb * hw, 'conv2d weight gradient');
  const col = scratchBlock(rt, ckk * nb * hw, 'conv2d weight gradient');
  try {
    const prm = rt.convParams(p);
    const IM2COL = 8;
    for (let s = 0; s < p.n; s += nb) {
      const cnt = Math.min(nb, p.n - s);
      const xs = px + s * chw * 4;
      rt.exports.nchw_to_cn(pdy + s * ohw * 4, dyT.ptr, p.o, hw, cnt * hw, 0, cnt);
      const beta = s > 0 ? BETA_ONE : 0;
      const T = partsFor(rt, cfg, flopsPerImage * cnt);
      let chunks: number[][];
      if (T > 1 && ckk >= 2 * NR * T) {
        // Each chunk fills the rows of col that its columns of dW read.
        chunks = splitRange(ckk, chunkCount(T, Math.floor(ckk / (2 * NR))), NR).map(([r0, r1]) => [prm, xs, dyT.ptr, col.ptr, pdw, 0, p.o, r0, r1, cnt, beta | IM2COL]);
      } else if (T > 1 && p.o >= ROW_SPLIT_MIN) {
        rt.exports.im2col(prm, xs, col.ptr, cnt * hw, 0, ckk, 0, cnt);
        chunks = splitRange(p.o, chunkCount(T, Math.floor(p.o / 32)), MR).map(([i0, i1]) => [prm, xs, dyT.ptr, col.ptr, pdw, i0, i1, 0, ckk, cnt, beta]);
      } else {
        chunks = [[prm, xs, dyT.ptr, col.ptr, pdw, 0, p.o, 0, ckk, cnt, beta | IM2COL]];
      }
      rt.run('conv_gw', chunks, T);
    }
  } finally {
    rt.heap.release(dyT);
    rt.heap.release(col);
  }
}

/** The wasm backend with these options (cached: the same options give the same object). */
export function createWasmBackend(options: WasmBackendOptions | Record<string, unknown> = {}): Backend {
  const cfg = parseOptions(options as Record<string, unknown>);
  const key = `${cfg.threads}/${cfg.relaxed}`;
  const cached = backends.get(key);
  if (cached) return cached;
  const rt = runtimeSync(cfg.relaxed);
  const heap = rt.heap;
  const own = (s: Storage): boolean => s.backend === backend;
  /** The byte offset of an operand already made resident by `begin` (host.ts runs kernels between begin and end). */
  const ptr = (s: Storage): number => blockOf(s).ptr;
  const backend: Backend = hostBackend(
    {
      name: 'wasm',
      supportsFloat64: false,
      ownsMemory: true,
      countsTransfers: true,
      alloc(self, dtype, length) {
        if (dtype !== 'float32') throw new DTypeError(`wasm backend: cannot hold ${dtype} (float32 only; float64 tensors live on 'js')`);
        const block = heap.allocate(length * 4, `a tensor of ${length} elements`);
        const s = new Storage(self, dtype, length, block);
        block.storage = s;
        return s;
      },
      view(s) {
        const b = blockOf(s);
        heap.use(b, false);
        return rt.f32(b.ptr, s.length);
      },
      free: (s) => heap.release(blockOf(s)),
      begin(inputs) {
        for (const s of inputs) if (own(s)) heap.use(blockOf(s), true);
      },
      end(inputs) {
        for (const s of inputs) if (own(s)) heap.unpin(blockOf(s));
      },
    },
    (self) => {
      /** Runs a native kernel: operands resident and pinned, the output allocated, then `fn` on byte offsets. */
      const native = (inputs: Storage[], outLength: number, fn: (out: Storage) => void): Storage => {
        for (const s of inputs) heap.use(blockOf(s), true);
        let out: Storage | null = null;
        try {
          out = allocOut(outLength);
          // Pinned too: the kernel's scratch allocations must not evict the block it writes into.
          heap.use(blockOf(out), true);
          if (outLength > 0) fn(out);
          return out;
        } finally {
          for (const s of inputs) heap.unpin(blockOf(s));
          if (out) heap.unpin(blockOf(out));
        }
      };
      const allocOut = (length: number): Storage => {
        const block = heap.allocate(length * 4, `a tensor of ${length} elements`);
        const s = new Storage(self, 'float32', length, block);
        block.storage = s;
        return s;
      };
      const view = (s: Storage): Float32Array => rt.f32(ptr(s), s.length);
      return {
        matmul: (a, b, p) =>
          native([a, b], p.batch * p.m * p.n, (out) => {
            if (p.k === 0) rt.f32(ptr(out), out.length).fill(0);
            else matmul(rt, cfg, ptr(a), ptr(b), ptr(out), p);
          }),
        conv2d: (x, w, p) => native([x, w], p.n * p.o * p.ho * p.wo, (out) => conv2d(rt, cfg, ptr(x), ptr(w), ptr(out), p)),
        conv2dGradInput: (dy, w, p) => native([dy, w], p.n * p.c * p.h * p.w, (out) => conv2dGradInput(rt, cfg, ptr(dy), ptr(w), ptr(out), p)),
        conv2dGradWeight: (x, dy, p) => native([x, dy], p.o * p.c * p.kh * p.kw, (out) => conv2dGradWeight(rt, cfg, ptr(x), ptr(dy), ptr(out), p)),
        unary: (op, x, p0, p1) =>
          native([x], x.length, (out) => {
            if (!wasmUnary(rt, op, ptr(x), ptr(out), x.length, p0, p1)) jsUnary(op, view(x), view(out), p0, p1);
          }),
        gather: (x, g) =>
          native([x], g.shape.reduce((q, d) => q * d, 1), (out) => {
            if (!wasmGather(rt, ptr(x), g, ptr(out))) jsGather(view(x), view(out), g);
          }),
        reduce: (op, x, outer, r, inner) =>
          native([x], outer * inner, (out) => {
            if (op === 'sum') rt.exports.reduce_sum(ptr(x), ptr(out), outer, r, inner);
            else jsReduce(op, view(x), view(out), outer, r, inner);
          }),
        where: (c, cs, a, as, b, bs, shape) =>
          native([c, a, b], shape.reduce((q, d) => q * d, 1), (out) => {
            if (!wasmWhere(rt, ptr(c), cs, ptr(a), as, ptr(b), bs, ptr(out), shape)) jsWhere(view(c), cs, view(a), as, view(b), bs, view(out), shape);
          }),
        adam: (p, g, m, v, vmax, h) => {
          const operands = vmax ? [p, g, m, v, vmax] : [p, g, m, v];
          if (operands.some((s) => s.backend !== self || s.dtype !== 'float32')) throw new DTypeError('wasm adam: every operand must be a float32 tensor on the wasm backend');
          for (const s of operands) heap.use(blockOf(s), true);
          try {
            const flags = (vmax ? ADAM_AMSGRAD : 0) | (!h.decoupled && h.weightDecay !== 0 ? ADAM_L2 : 0) | (h.decoupled && 1 - h.lr * h.weightDecay !== 1 ? ADAM_DECAY : 0);
            // The scalars exactly as the js reference (backends/js/optim.ts) computes them.
            rt.exports.adam(ptr(p), ptr(g), ptr(m), ptr(v), vmax ? ptr(vmax) : 0, p.length,
              h.lr / (1 - h.beta1 ** h.step), Math.sqrt(1 - h.beta2 ** h.step), h.eps, h.beta1, h.beta2,
              h.decoupled ? 0 : h.weightDecay, h.decoupled ? 1 - h.lr * h.weightDecay : 1, flags);
          } finally {
            for (const s of operands) heap.unpin(blockOf(s));
          }
          for (const s of vmax ? [p, m, v, vmax] : [p, m, v]) s.touch();
        },
        binary: (op, a, as, b, bs, shape) =>
          native([a, b], shape.reduce((q, d) => q * d, 1), (out) => {
            if (!wasmBinary(rt, op, ptr(a), a.length, as, ptr(b), b.length, bs, ptr(out), shape)) jsBinary(op, view(a), as, view(b), bs, view(out), shape);
          }),
      };
    },
  );
  backends.set(key, backend);
  configOf.set(backend, cfg);
  return backend;
}

/** The unary ops without a SIMD kernel: they run the js loop on wasm memory. */
const unaryOnReference = Object.keys(UNARY).filter((op) => !WASM_UNARY.includes(op as keyof typeof UNARY));

function describe(backend: Backend): Record<string, unknown> {
  const cfg = configOf.get(backend);
  const f = detectFeatures();
  if (!cfg) return {};
  const rt = runtimes.get(cfg.relaxed);
  const ready = rt ? rt.workersReady() : 0;
  return {
    simd: cfg.relaxed ? 'relaxed-simd' : 'simd128',
    relaxedSimdAvailable: f.relaxedSimd,
    threads: cfg.threads,
    threadsRunning: Math.min(cfg.threads, 1 + ready),
    ...(cfg.threads > 1 && !rt?.pool ? { noThreads: f.noThreads ?? 'no shared memory' } : {}),
    ...(cfg.threads > 1 && rt?.pool && ready + 1 < cfg.threads
      ? { threadsNote: rt.pool.failures().join('; ') || threadSupportProblem() || 'workers start with the first large kernel, or with `await ready()`' }
      : {}),
    kernels: ['matmul', 'conv2d', 'conv2dGradInput', 'conv2dGradWeight', `unary (all but ${unaryOnReference.join(', ')})`, 'binary', 'where', 'reduce (sum)', 'gather (unpadded)', 'adam'],
    ...(rt ? rt.heap.stats() : {}),
    module: rt?.source,
  };
}

/** Starts the worker threads (and, where only that works, compiles asynchronously). */
async function readyWasm(options: Record<string, unknown>): Promise<void> {
  const cfg = parseOptions(options);
  if (!runtimes.has(cfg.relaxed)) {
    try {
      runtimeSync(cfg.relaxed);
    } catch {
      runtimes.set(cfg.relaxed, await WasmRuntime.createAsync(cfg.relaxed));
    }
  }
  const rt = runtimes.get(cfg.relaxed) as WasmRuntime;
  if (cfg.threads > 1) {
    if (!rt.pool) throw new BackendError(`wasm backend: ${cfg.threads} threads requested but ${detectFeatures().noThreads ?? 'shared memory is unavailable'}`);
    await rt.pool.whenReady(cfg.threads - 1);
  }
}

registerBackend('wasm', {
  create: (options) => createWasmBackend(options),
  info: (backend) => describe(backend),
  ready: readyWasm,
});
