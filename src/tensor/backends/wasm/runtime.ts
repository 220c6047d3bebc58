/**
 * One compiled kernel module, its memory, and the threads that share it.
 *
 * Memory layout (bytes):
 *   [0, 1024)              worker control blocks (threads.ts)
 *   [1024, 1088)           conv parameter block (i32 fields, kernels.ts)
 *   [2048, 3360)           the job table of the thread pool (threads.ts)
 *   [4096, heapBase)       per-thread scratch: packed GEMM blocks and an edge tile
 *   [heapBase, …)          operands of the current kernel call
 *
 * Tensors live in the heap (heap.ts): kernels take their byte offsets and
 * write results into blocks allocated there, so nothing is copied in or out
 * per call. Scratch space a kernel needs beyond its thread's fixed scratch
 * (im2col buffers) is allocated from the heap for the call and freed after.
 */
import { buildKernelModule, CONV_PARAM_FIELDS, SCRATCH_BYTES } from './kernels.js';
import { detectFeatures } from './features.js';
import { CTRL_INTS, JOB_INTS, WorkerPool } from './threads.js';
import { PREBUILT, variantKey } from './prebuilt.js';
import { WasmHeap } from './heap.js';
import { BackendError } from '../../../errors.js';

const PAGE = 65536;
export const MAX_THREADS = 8;
const CTRL_BASE = 0;
const PARAMS_BASE = 1024;
const JOB_BASE = 2048;
const SCRATCH_BASE = 4096;
const SCRATCH_STRIDE = Math.ceil(SCRATCH_BYTES / 64) * 64;
const HEAP_BASE = SCRATCH_BASE + MAX_THREADS * SCRATCH_STRIDE;
/** 2 GiB: a shared memory must declare its maximum; 64-bit engines only reserve address space. */
const MAX_PAGES = 32768;

/** Exports callable on worker threads, in the order the workers index them. */
export const THREADED_EXPORTS = ['gemm', 'conv_fwd', 'conv_gin', 'conv_gw'] as const;

export type KernelExports = Record<string, (...args: number[]) => void>;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly pool: WorkerPool | null;
  i32!: Int32Array;
  readonly heap: WasmHeap;

  constructor(
    readonly module: WebAssembly.Module, instance: WebAssembly.Instance, readonly relaxed: boolean, readonly shared: boolean,
    memory: WebAssembly.Memory, readonly source: 'prebuilt' | 'assembled',
  ) {
    this.memory = memory;
    this.exports = instance.exports as unknown as KernelExports;
    this.pool = shared ? new WorkerPool(memory, module, CTRL_BASE, JOB_BASE, (t) => this.scratch(t), MAX_THREADS - 1, THREADED_EXPORTS) : null;
    this.heap = new WasmHeap({ memory, base: HEAP_BASE, maxBytes: MAX_PAGES * PAGE });
    this.refreshViews();
  }

  static options(relaxed: boolean, shared: boolean) {
    return { relaxed, shared, initialPages: Math.ceil(HEAP_BASE / PAGE) + 16, maximumPages: MAX_PAGES };
  }

  /** The module's bytes: prebuilt at build time when available, else assembled now. */
  static bytes(relaxed: boolean, shared: boolean): { bytes: Uint8Array<ArrayBuffer>; source: 'prebuilt' | 'assembled' } {
    const b64 = PREBUILT?.[variantKey(relaxed, shared)];
    if (b64) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return { bytes, source: 'prebuilt' };
    }
    return { bytes: buildKernelModule(WasmRuntime.options(relaxed, shared)), source: 'assembled' };
  }

  static memoryFor(relaxed: boolean, shared: boolean): WebAssembly.Memory {
    const o = WasmRuntime.options(relaxed, shared);
    return new WebAssembly.Memory({ initial: o.initialPages, maximum: o.maximumPages, shared } as WebAssembly.MemoryDescriptor);
  }

  /** What both starts need: the module's bytes for this engine, and the memory to instantiate it on. */
  private static prepare(relaxed: boolean): ReturnType<typeof WasmRuntime.bytes> & { shared: boolean; memory: WebAssembly.Memory } {
    const f = detectFeatures();
    if (f.unavailable) throw new BackendError(f.unavailable);
    const shared = f.sharedMemory;
    return { ...WasmRuntime.bytes(relaxed, shared), shared, memory: WasmRuntime.memoryFor(relaxed, shared) };
  }

  /** Synchronous start (Node; small modules in browsers). */
  static createSync(relaxed: boolean): WasmRuntime {
    const { bytes, source, shared, memory } = WasmRuntime.prepare(relaxed);
    const module = new WebAssembly.Module(bytes);
    return new WasmRuntime(module, new WebAssembly.Instance(module, { env: { memory } }), relaxed, shared, memory, source);
  }

  /** Asynchronous start (browsers may refuse to compile synchronously on the main thread). */
  static async createAsync(relaxed: boolean): Promise<WasmRuntime> {
    const { bytes, source, shared, memory } = WasmRuntime.prepare(relaxed);
    const module = await WebAssembly.compile(bytes);
    return new WasmRuntime(module, await WebAssembly.instantiate(module, { env: { memory } }), relaxed, shared, memory, source);
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    if (!this.i32 || this.i32.buffer !== buf || this.i32.length * 4 !== buf.byteLength) this.i32 = new Int32Array(buf);
  }

  /** Byte offset of thread t's scratch. */
  scratch(t: number): number {
    return SCRATCH_BASE + t * SCRATCH_STRIDE;
  }

  /** A float32 view of n floats at byte offset p (taken fresh: growing a non-shared memory detaches old views). */
  f32(p: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, p, n);
  }

  /** Writes conv parameters into the parameter block; returns its offset. */
  convParams(p: Record<(typeof CONV_PARAM_FIELDS)[number], number>): number {
    this.refreshViews();
    CONV_PARAM_FIELDS.forEach((f, i) => { this.i32[(PARAMS_BASE >> 2) + i] = p[f]; });
    return PARAMS_BASE;
  }

  /** Worker threads ready to take a part now (the caller is not counted). */
  workersReady(): number {
    return this.pool ? this.pool.readyCount() : 0;
  }

  /**
   * Runs `fn` once per chunk (its arguments, then the executing thread's
   * scratch pointer) on this thread and up to `threads − 1` ready workers.
   */
  run(fn: (typeof THREADED_EXPORTS)[number], chunks: number[][], threads: number): void {
    if (threads <= 1 || chunks.length === 1 || !this.pool) {
      for (const args of chunks) this.exports[fn](...args, this.scratch(0));
    } else {
      this.pool.run(this.exports, fn, chunks, Math.min(threads - 1, this.workersReady()));
    }
  }
}

/** The fixed areas must not overlap. */
if (CTRL_BASE + (MAX_THREADS - 1) * CTRL_INTS * 4 > PARAMS_BASE || JOB_BASE + JOB_INTS * 4 > SCRATCH_BASE) {
  throw new BackendError('wasm backend: the memory layout overlaps');
}
