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
 * Tensors live in ordinary JS Float32Arrays, so each kernel call copies its
 * inputs in and its output out (TypedArray.set: memcpy speed). For GEMM and
 * convolutions — O(n³) work on O(n²) data — the copies cost a few percent.
 * For elementwise ops a copy costs about what the SIMD loop does, yet the
 * total still beats the js reference's per-element function calls (several
 * times) and Math.exp/log (ten times and more). Keeping tensors inside wasm
 * memory would save the copies but need a second allocator and manual frees,
 * which a garbage-collected tensor library should not ask of its users.
 * Pooling and reductions stay in JavaScript: their loops already run at
 * memory speed there, and a copy in and out would only add to them.
 *
 * The operand area is a bump allocator reset at every call (calls are
 * synchronous and never nested), grown on demand up to the memory's maximum.
 */
import { buildKernelModule, CONV_PARAM_FIELDS, SCRATCH_BYTES } from './kernels.js';
import { detectFeatures } from './features.js';
import { CTRL_INTS, JOB_INTS, WorkerPool } from './threads.js';
import { PREBUILT, variantKey } from './prebuilt.js';

const PAGE = 65536;
export const MAX_THREADS = 8;
const CTRL_BASE = 0;
const PARAMS_BASE = 1024;
const JOB_BASE = 2048;
const SCRATCH_BASE = 4096;
const SCRATCH_STRIDE = Math.ceil(SCRATCH_BYTES / 64) * 64;
const HEAP_BASE = SCRATCH_BASE + MAX_THREADS * SCRATCH_STRIDE;
/** 1 GiB: a shared memory must declare its maximum; 64-bit engines only reserve address space. */
const MAX_PAGES = 16384;

/** Exports callable on worker threads, in the order the workers index them. */
export const THREADED_EXPORTS = ['gemm', 'conv_fwd', 'conv_gin', 'conv_gw'] as const;

export type KernelExports = Record<string, (...args: number[]) => void>;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly pool: WorkerPool | null;
  f32!: Float32Array;
  i32!: Int32Array;
  private top = HEAP_BASE;

  constructor(
    readonly module: WebAssembly.Module, instance: WebAssembly.Instance, readonly relaxed: boolean, readonly shared: boolean,
    memory: WebAssembly.Memory, readonly source: 'prebuilt' | 'assembled',
  ) {
    this.memory = memory;
    this.exports = instance.exports as unknown as KernelExports;
    this.pool = shared ? new WorkerPool(memory, module, CTRL_BASE, JOB_BASE, (t) => this.scratch(t), MAX_THREADS - 1, THREADED_EXPORTS) : null;
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

  /** Synchronous start (Node; small modules in browsers). */
  static createSync(relaxed: boolean): WasmRuntime {
    const f = detectFeatures();
    if (f.unavailable) throw new Error(f.unavailable);
    const shared = f.sharedMemory;
    const { bytes, source } = WasmRuntime.bytes(relaxed, shared);
    const module = new WebAssembly.Module(bytes);
    const memory = WasmRuntime.memoryFor(relaxed, shared);
    return new WasmRuntime(module, new WebAssembly.Instance(module, { env: { memory } }), relaxed, shared, memory, source);
  }

  /** Asynchronous start (browsers may refuse to compile synchronously on the main thread). */
  static async createAsync(relaxed: boolean): Promise<WasmRuntime> {
    const f = detectFeatures();
    if (f.unavailable) throw new Error(f.unavailable);
    const shared = f.sharedMemory;
    const { bytes, source } = WasmRuntime.bytes(relaxed, shared);
    const module = await WebAssembly.compile(bytes);
    const memory = WasmRuntime.memoryFor(relaxed, shared);
    return new WasmRuntime(module, await WebAssembly.instantiate(module, { env: { memory } }), relaxed, shared, memory, source);
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    if (!this.f32 || this.f32.buffer !== buf || this.f32.length * 4 !== buf.byteLength) {
      this.f32 = new Float32Array(buf);
      this.i32 = new Int32Array(buf);
    }
  }

  /** Byte offset of thread t's scratch. */
  scratch(t: number): number {
    return SCRATCH_BASE + t * SCRATCH_STRIDE;
  }

  /** Starts a kernel call: forgets the previous call's operands. */
  reset(): void {
    this.top = HEAP_BASE;
  }

  /** Reserves room for n floats (16-byte aligned); call `commit()` before touching it. */
  alloc(n: number): number {
    const p = this.top;
    this.top += Math.ceil((n * 4) / 16) * 16;
    return p;
  }

  /** Grows the memory to hold everything reserved since `reset()`, and refreshes the views. */
  commit(what: string): void {
    const need = this.top;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      const pages = Math.ceil((need - have) / PAGE);
      const max = MAX_PAGES * PAGE;
      if (need > max) {
        throw new Error(`wasm backend: ${what} needs ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory, more than its ${max / 2 ** 20} MiB maximum`);
      }
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new Error(`wasm backend: ${what} needs ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory and growing it failed (${(e as Error).message})`);
      }
    }
    this.refreshViews();
  }

  /** Copies a Float32Array into wasm memory at byte offset p. */
  put(p: number, a: Float32Array): void {
    this.f32.set(a, p >> 2);
  }

  /** Copies n floats at byte offset p out into `out`. */
  get(p: number, out: Float32Array): void {
    out.set(this.f32.subarray(p >> 2, (p >> 2) + out.length));
  }

  /** Writes conv parameters into the parameter block; returns its offset. */
  convParams(p: Record<(typeof CONV_PARAM_FIELDS)[number], number>): number {
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
  throw new Error('wasm backend: the memory layout overlaps');
}
