/**
 * Running a kernel source on a GPU.js runtime: compiling (cached), calling
 * in pipeline mode, and what comes back.
 *
 *  - Pipeline mode: on the GL modes a kernel returns a Texture that the next
 *    kernel reads without leaving the GPU; `immutable` makes every call return
 *    a new texture (the storage of one tensor), freed by `texture.delete()`.
 *    WebGPU returns a Promise of a buffer handle (its first call compiles
 *    asynchronously); cpu and webasm return a Float32Array.
 *  - Layout: outputs are flat ([n]) with `optimizeFloatMemory`, so a texture
 *    holds 4 consecutive values per texel (RGBA) — the layout GPU.js also
 *    gives an uploaded Float32Array, so uploads and results read alike.
 *  - Caching: one compiled kernel per (source, length, argument kinds) in a
 *    bounded LRU per mode; an evicted kernel is destroyed. Textures a kernel
 *    returned outlive it (immutable outputs are owned by their tensors).
 *  - Size: a tensor is at most MAX_ELEMENTS (2^24) elements, the range over
 *    which the float index arithmetic of the kernels is exact.
 */
import type { GpuRuntime } from './modes.js';
import { BackendError } from '../../../errors.js';

export const MAX_ELEMENTS = 2 ** 24;

/** A GPU.js kernel as we call it. */
export type CompiledKernel = ((...args: unknown[]) => unknown) & {
  destroy(removeCanvasReferences?: boolean): unknown;
};

/** Compiled kernels of one mode, least recently used first. */
export class KernelCache {
  private readonly entries = new Map<string, CompiledKernel>();

  constructor(public maxKernels: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, create: () => CompiledKernel): CompiledKernel {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const kernel = create();
    this.entries.set(key, kernel);
    this.evict();
    return kernel;
  }

  /**
   * Destroys least recently used kernels past `maxKernels`. `destroy(false)`:
   * the kernels of a mode share one canvas, and GPU.js's `destroy(true)`
   * forgets that canvas's recorded drawing-buffer size, so the next kernel
   * would shrink the buffer under the others (stale viewport: wrong numbers).
   */
  evict(): void {
    while (this.entries.size > this.maxKernels) {
      const [key, kernel] = this.entries.entries().next().value as [string, CompiledKernel];
      this.entries.delete(key);
      kernel.destroy(false);
    }
  }

  clear(): void {
    for (const kernel of this.entries.values()) kernel.destroy(false);
    this.entries.clear();
  }
}

/** Thrown when GPU.js fails: names the mode and kernel and keeps GPU.js's error as `cause`. */
export function kernelError(mode: string, name: string, e: unknown): BackendError {
  const msg = e instanceof Error ? e.message : String(e);
  return new BackendError(`gpu backend (${mode}): the ${name} kernel failed in GPU.js: ${msg}`, { cause: e });
}

/** What a native (hand-written shader) function adds to a kernel. */
export interface NativeFunction {
  name: string;
  source: string;
  returnType: 'Number' | 'Array(4)';
}

export interface KernelSpec {
  /** A short name for errors and the cache (e.g. 'matmul'). */
  name: string;
  /** GPU.js kernel source (kernels.ts). */
  source: string;
  /** Output threads. */
  threads: number;
  /** 'Array(4)': each thread writes a texel (native GL kernels); default one value per thread. */
  returnType?: 'Number' | 'Array(4)';
  nativeFunctions?: NativeFunction[];
}

/** A short description of an argument's kind, for the cache key: GPU.js compiles per argument type and texture size. */
function argKind(a: unknown): string {
  if (typeof a === 'number') return 'n';
  if (ArrayBuffer.isView(a)) return `a${(a as Float32Array).length}`;
  const t = a as { type?: string; size?: ArrayLike<number>; output?: ArrayLike<number> };
  return `${t.type ?? '?'}:${t.size ? Array.from(t.size).join('x') : ''}:${t.output ? Array.from(t.output).join('x') : ''}`;
}

function compile(rt: GpuRuntime, spec: KernelSpec): CompiledKernel {
  const { mode } = rt;
  try {
    return rt.gpu.createKernel(spec.source, {
      output: [spec.threads],
      precision: 'single',
      tactic: 'precision',
      pipeline: true,
      immutable: true,
      optimizeFloatMemory: rt.gl && spec.returnType !== 'Array(4)',
      returnType: spec.returnType ?? 'Number',
      dynamicOutput: false,
      dynamicArguments: false,
      ...(spec.nativeFunctions ? { nativeFunctions: spec.nativeFunctions.map((f) => ({ name: f.name, source: f.source, settings: { returnType: f.returnType } })) } : {}),
      // GPU.js would otherwise quietly re-run a kernel it cannot build on its
      // cpu backend (with only a console warning). genzoo never falls back silently.
      onRequestFallback(this: { fallbackReason?: string | null }) {
        throw new BackendError(
          `gpu backend (${mode}): GPU.js cannot run the ${spec.name} kernel on ${mode}` +
          `${this?.fallbackReason ? ` (${this.fallbackReason})` : ''} and asked to fall back to its cpu backend; genzoo does not fall back silently`,
        );
      },
    }) as unknown as CompiledKernel;
  } catch (e) {
    throw kernelError(mode, spec.name, e);
  }
}

/**
 * Runs a kernel on resolved arguments (textures, arrays, numbers); returns
 * what GPU.js returns (a texture, a Float32Array, or on WebGPU a Promise).
 */
export function runKernel(rt: GpuRuntime, spec: KernelSpec, args: unknown[]): unknown {
  const key = `${spec.name}|${spec.returnType ?? 'N'}|${spec.threads}|${args.map(argKind).join(',')}|${spec.source}|${spec.nativeFunctions?.map((f) => f.source).join('|') ?? ''}`;
  const t0 = rt.profile ? performance.now() : 0;
  // A call that (re)compiles its kernel includes GPU.js's build: the profile counts it apart.
  let first = false;
  const kernel = rt.cache.get(key, () => {
    first = true;
    return compile(rt, spec);
  });
  try {
    const out = kernel(...args);
    if (rt.profile) record(rt, spec.name, t0, first, out);
    return out;
  } catch (e) {
    throw kernelError(rt.mode, spec.name, e);
  }
}

/**
 * Per-kernel times while profiling. GL queues work and `gl.finish()` does not
 * wait in Chromium's command buffer, so the clock would stop before the kernel
 * ran: a texture's first texel is read back instead, which waits for it (and
 * adds one small readback per kernel to a profiled step).
 */
function record(rt: GpuRuntime, name: string, t0: number, first: boolean, out: unknown): void {
  forceFinish(rt, out);
  const ms = performance.now() - t0;
  const p = rt.profile!;
  const e = p.get(name) ?? { calls: 0, ms: 0, compiles: 0, compileMs: 0 };
  if (first) {
    e.compiles++;
    e.compileMs += ms;
  } else {
    e.calls++;
    e.ms += ms;
  }
  p.set(name, e);
}

/** Waits until the kernel that produced `out` has run (see `record`). */
function forceFinish(rt: GpuRuntime, out: unknown): void {
  const tex = out as { texture?: WebGLTexture; framebuffer?: () => unknown } | null;
  const gl = rt.gpu.context as WebGLRenderingContext | null;
  if (rt.gl && gl && tex?.texture && typeof tex.framebuffer === 'function') {
    gl.bindFramebuffer(gl.FRAMEBUFFER, tex.framebuffer() as WebGLFramebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex.texture, 0);
    const px = new Float32Array(4);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, px);
  } else {
    (rt.gpu.context as { finish?: () => void } | null)?.finish?.();
  }
}
