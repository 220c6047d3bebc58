/**
 * Running a kernel over a whole output: chunking, tiling, caching.
 *
 *  - Chunking: one call's operands stay at or under MAX_OPERAND elements
 *    (2^24), the range over which float32 index arithmetic in shaders is
 *    exact. Larger batches are cut into runs of whole matrices or images;
 *    a single matrix or image past the cap is refused with a clear error.
 *  - Tiling: a GL kernel renders into one texture, at most MAX_TEXTURE_SIZE
 *    texels on a side (8192 on SwiftShader). The output is cut into tiles no
 *    larger than `tileSize` on either side (default: MAX_TEXTURE_SIZE, but at
 *    most DEFAULT_TILE); each tile is one kernel call with its offset passed
 *    as arguments. The cap matters because GPU.js sizes a context's drawing
 *    buffer to the widest and the tallest output any of its kernels has had:
 *    two 8192-texel tiles, one wide and one tall, would cost 256 MiB.
 *  - Caching: a compiled kernel is kept per (kernel, shape constants, tile
 *    size, argument sizes, sync/async) in a bounded LRU per mode; an evicted
 *    kernel is destroyed, which releases its GPU objects.
 */
import type { GpuRuntime } from './modes.js';

/** The largest tile side unless asked otherwise: keeps GPU.js's drawing buffer at most 4096² (64 MiB). */
export const DEFAULT_TILE = 4096;

/** Elements per operand per kernel call: float32 represents every integer index up to 2^24 exactly. */
export const MAX_OPERAND = 2 ** 24;

export type KernelName = 'matmul' | 'conv2d' | 'conv2dGradInput' | 'conv2dGradWeight';

/** One kernel call's worth of work: output rows × cols, written row-major at `outOffset`. */
export interface KernelJob {
  name: KernelName;
  fn: (...args: never[]) => number;
  constants: Record<string, number>;
  rows: number;
  cols: number;
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  outOffset: number;
}

/** A GPU.js kernel as we call it: (a, b, rowOff, colOff) → rows of the tile. */
export type CompiledKernel = ((...args: unknown[]) => unknown) & {
  destroy(removeCanvasReferences?: boolean): unknown;
  kernel?: { constructor: { name: string } };
};

interface CacheEntry {
  kernel: CompiledKernel;
}

/** Compiled kernels of one mode, least recently used first. */
export class KernelCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(public maxKernels: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, create: () => CompiledKernel): CompiledKernel {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.kernel;
    }
    const kernel = create();
    this.entries.set(key, { kernel });
    this.evict();
    return kernel;
  }

  /**
   * Destroys least recently used kernels past `maxKernels`. `destroy(false)`:
   * the kernels of a mode share one canvas, and GPU.js's `destroy(true)`
   * forgets that canvas's recorded drawing-buffer size, so the next kernel
   * would start a second record and shrink the buffer under the others
   * (they then render with a stale viewport ratio: wrong numbers).
   */
  evict(): void {
    while (this.entries.size > this.maxKernels) {
      const [key, entry] = this.entries.entries().next().value as [string, CacheEntry];
      this.entries.delete(key);
      entry.kernel.destroy(false);
    }
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.kernel.destroy(false);
    this.entries.clear();
  }
}

/** Thrown when GPU.js fails: names the mode and kernel and keeps GPU.js's error as `cause`. */
export function kernelError(mode: string, name: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`gpu backend (${mode}): the ${name} kernel failed in GPU.js: ${msg}`, { cause: e });
}

function cacheKey(job: KernelJob, th: number, tw: number, asyncMode: boolean): string {
  const c = Object.keys(job.constants).sort().map((k) => `${k}=${job.constants[k]}`).join(',');
  return `${job.name}|${asyncMode ? 'async' : 'sync'}|${tw}x${th}|${job.a.length},${job.b.length}|${c}`;
}

function compile(rt: GpuRuntime, job: KernelJob, th: number, tw: number, asyncMode: boolean): CompiledKernel {
  const { mode } = rt;
  const name = job.name;
  try {
    return rt.gpu.createKernel(job.fn as never, {
      output: [tw, th],
      constants: job.constants,
      precision: 'single',
      tactic: 'precision',
      pipeline: false,
      immutable: false,
      dynamicOutput: false,
      dynamicArguments: false,
      asyncMode,
      // GPU.js would otherwise quietly re-run a kernel it cannot build on its
      // cpu backend (with only a console warning). genzoo never falls back silently.
      onRequestFallback(this: { fallbackReason?: string | null }) {
        throw new Error(
          `gpu backend (${mode}): GPU.js cannot run the ${name} kernel on ${mode}` +
          `${this?.fallbackReason ? ` (${this.fallbackReason})` : ''} and asked to fall back to its cpu backend; genzoo does not fall back silently`,
        );
      },
    } as never) as unknown as CompiledKernel;
  } catch (e) {
    throw kernelError(mode, name, e);
  }
}

interface Tile { r0: number; c0: number; th: number; tw: number }

function tilesOf(rows: number, cols: number, tileSize: number): Tile[] {
  const tiles: Tile[] = [];
  for (let r0 = 0; r0 < rows; r0 += tileSize) {
    for (let c0 = 0; c0 < cols; c0 += tileSize) {
      tiles.push({ r0, c0, th: Math.min(tileSize, rows - r0), tw: Math.min(tileSize, cols - c0) });
    }
  }
  return tiles;
}

/** Copies one tile's result (rows of Float32Array, or one flat array) into the output. */
function writeTile(mode: string, job: KernelJob, t: Tile, result: unknown): void {
  const { out, outOffset, cols, name } = job;
  if (ArrayBuffer.isView(result)) {
    const flat = result as Float32Array;
    if (flat.length !== t.th * t.tw) throw new Error(`gpu backend (${mode}): ${name} kernel returned ${flat.length} values for a ${t.th}×${t.tw} tile`);
    for (let y = 0; y < t.th; y++) out.set(flat.subarray(y * t.tw, (y + 1) * t.tw), outOffset + (t.r0 + y) * cols + t.c0);
    return;
  }
  const rows = result as ArrayLike<Float32Array>;
  if (!rows || rows.length !== t.th) {
    throw new Error(`gpu backend (${mode}): ${name} kernel returned ${rows?.length ?? 'no'} rows for a ${t.th}×${t.tw} tile`);
  }
  for (let y = 0; y < t.th; y++) {
    const row = rows[y];
    if (row.length !== t.tw) throw new Error(`gpu backend (${mode}): ${name} kernel returned a row of ${row.length} values for a ${t.th}×${t.tw} tile`);
    out.set(row, outOffset + (t.r0 + y) * cols + t.c0);
  }
}

/** Runs a job synchronously, tile by tile. */
export function runJob(rt: GpuRuntime, job: KernelJob, tileSize: number): void {
  for (const t of tilesOf(job.rows, job.cols, tileSize)) {
    const kernel = rt.cache.get(cacheKey(job, t.th, t.tw, false), () => compile(rt, job, t.th, t.tw, false));
    let result: unknown;
    try {
      result = kernel(job.a, job.b, t.r0, t.c0);
    } catch (e) {
      throw kernelError(rt.mode, job.name, e);
    }
    if (result instanceof Promise) throw new Error(`gpu backend (${rt.mode}): the ${job.name} kernel answered asynchronously; use the async ops`);
    writeTile(rt.mode, job, t, result);
  }
}

/**
 * Runs a job through GPU.js's asynchronous contract (`asyncMode`): WebGPU's
 * readback is a mapAsync, WebGL2's a pixel-pack buffer behind a fence; the
 * other modes resolve their synchronous result. Tiles run one after another:
 * a GPU.js kernel owns one output buffer, so calls on it must not overlap.
 */
export async function runJobAsync(rt: GpuRuntime, job: KernelJob, tileSize: number): Promise<void> {
  await rt.ready();
  for (const t of tilesOf(job.rows, job.cols, tileSize)) {
    const kernel = rt.cache.get(cacheKey(job, t.th, t.tw, true), () => compile(rt, job, t.th, t.tw, true));
    let result: unknown;
    try {
      result = await kernel(job.a, job.b, t.r0, t.c0);
    } catch (e) {
      throw kernelError(rt.mode, job.name, e);
    }
    writeTile(rt.mode, job, t, result);
  }
}

/**
 * Splits `count` items (matrices, images) into runs whose per-call operand
 * sizes stay within MAX_OPERAND. `perItem` are the elements one item adds to
 * each operand; `fixed` are operands that do not grow with the run (a weight).
 */
export function chunkRuns(op: string, count: number, perItem: number[], fixed: number[]): Array<[number, number]> {
  for (const f of fixed) {
    if (f > MAX_OPERAND) throw new Error(`${op} (gpu backend): an operand of ${f} elements exceeds the ${MAX_OPERAND} (2^24) that float32 shader index arithmetic addresses exactly`);
  }
  const worst = Math.max(1, ...perItem);
  if (worst > MAX_OPERAND) {
    throw new Error(`${op} (gpu backend): one matrix or image of ${worst} elements exceeds the ${MAX_OPERAND} (2^24) that float32 shader index arithmetic addresses exactly`);
  }
  const per = Math.max(1, Math.floor(MAX_OPERAND / worst));
  const runs: Array<[number, number]> = [];
  for (let s = 0; s < count; s += per) runs.push([s, Math.min(count, s + per)]);
  return runs;
}
