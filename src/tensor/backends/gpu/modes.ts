/**
 * GPU.js modes: which exist, which work here, and one runtime per mode.
 *
 * A runtime is one `GPU` instance (so one WebGL context, or the WebGPU
 * device), genzoo's kernel cache for it, and its live-resource counts. It is
 * proven before use: a small probe matmul must compile, run and give the
 * exact answer, otherwise the mode is unavailable and GPU.js's own error is
 * part of the message. 'auto' tries the synchronous modes best first and
 * records why each skipped one was skipped.
 */
import gpujs from 'gpu.js';
import { instrumentGL, instrumentWebGPU, emptyCounts, type ResourceCounts } from './resources.js';
import { KernelCache, type CompiledKernel } from './runner.js';
import { matmulSource } from './kernels.js';

/** GPU.js's library object, typed as much as genzoo uses it (the same in Node and in the browser bundle). */
interface GpuJsGPU {
  createKernel(fn: unknown, settings: Record<string, unknown>): CompiledKernel;
  destroy(): Promise<void>;
  context: unknown;
  Kernel: { name: string; features?: { maxTextureSize?: number } };
}
interface GpuJsLib {
  GPU: {
    new (settings: Record<string, unknown>): GpuJsGPU;
    isWebGLSupported: boolean;
    isWebGL2Supported: boolean;
    isHeadlessGLSupported: boolean;
    isWebGPUSupported: boolean;
    isWebAssemblySupported: boolean;
  };
  WebGPUContext: { acquire(): Promise<{ device: object; adapter: object }> };
}
const lib = gpujs as unknown as GpuJsLib;

export const GPU_MODES = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'] as const;
export type GpuMode = (typeof GPU_MODES)[number];

/**
 * 'auto' tries these, best first. webgpu is never chosen by 'auto': its
 * kernels can only answer asynchronously, and genzoo's training ops are
 * synchronous (see the async ops); ask for it explicitly.
 */
export const AUTO_ORDER: readonly GpuMode[] = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'];

/** Renderers that rasterize on the CPU: correct, but slower than webasm, so 'auto' ranks them below it. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render/i;

export interface GpuRuntime {
  readonly mode: GpuMode;
  readonly gpu: GpuJsGPU;
  readonly cache: KernelCache;
  readonly counts: ResourceCounts;
  /** The GL renderer (unmasked where the browser allows), null off GL. */
  renderer: string | null;
  /** True when `renderer` is a CPU rasterizer (SwiftShader, llvmpipe). */
  software: boolean;
  /** Largest texture side (GL); 8192 elsewhere, the tile size used there too. */
  maxTextureSize: number;
  /** Whether synchronous kernels can run (false only for webgpu). */
  readonly sync: boolean;
  /** True for the WebGL modes (webgl2, webgl, headlessgl): results are textures. */
  readonly gl: boolean;
  /** Resolves once the mode is proven for asynchronous kernels (acquires the WebGPU device). */
  ready(): Promise<void>;
  /** Async jobs on this runtime run one at a time, in call order. */
  queue: Promise<unknown>;
  /** Per-kernel-name times while `gpuProfile` is on (null: off). */
  profile: Map<string, KernelProfile> | null;
  disposed: boolean;
}

/** Calls and milliseconds of one kernel name (first calls, which include GPU.js's build, apart). */
export interface KernelProfile {
  calls: number;
  ms: number;
  compiles: number;
  compileMs: number;
}

const runtimes = new Map<GpuMode, GpuRuntime>();
/** The WebGPU device is a GPU.js-wide singleton, so its counts are too. */
const webgpuCounts = emptyCounts();

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const hasCanvas = typeof document !== 'undefined' || typeof OffscreenCanvas !== 'undefined';

/** Why GPU.js reports a mode unsupported here, as far as genzoo can tell. */
function whyUnsupported(mode: GpuMode): string {
  switch (mode) {
    case 'webgl2':
    case 'webgl':
      return hasCanvas ? `this browser could not create a ${mode === 'webgl2' ? 'WebGL2' : 'WebGL'} context with float textures` : `${mode} needs a browser (no canvas exists here); in Node use 'headlessgl', 'webasm' or 'cpu'`;
    case 'headlessgl':
      if (!isNode) return "headless-gl runs only in Node";
      if (!process.env.DISPLAY) return "no X display (DISPLAY is unset): headless-gl needs one; run under 'xvfb-run -a'";
      return "the optional 'gl' package did not load or could not create a context (it is built from source on install and needs libxi-dev libx11-dev libxext-dev pkg-config)";
    case 'webgpu':
      return typeof navigator !== 'undefined' ? 'navigator.gpu is missing: this browser has WebGPU disabled' : 'WebGPU needs a browser (navigator.gpu is missing here)';
    case 'webasm':
      return 'WebAssembly is not available here';
    case 'cpu':
      return 'never';
  }
}

function isSupported(mode: GpuMode): boolean {
  switch (mode) {
    case 'webgl2': return lib.GPU.isWebGL2Supported;
    case 'webgl': return lib.GPU.isWebGLSupported;
    case 'headlessgl': return lib.GPU.isHeadlessGLSupported;
    case 'webgpu': return lib.GPU.isWebGPUSupported;
    case 'webasm': return lib.GPU.isWebAssemblySupported;
    case 'cpu': return true;
  }
}

/** The error for a mode that cannot be used, with GPU.js's own message and the underlying error as `cause`. */
export class GpuModeUnavailableError extends Error {
  constructor(readonly mode: GpuMode, readonly reason: string, cause?: unknown) {
    super(`setBackend('gpu'): mode '${mode}' is unavailable: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'GpuModeUnavailableError';
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads the GL renderer name and texture limit of a mode's shared context. */
function describeGL(rt: GpuRuntime, gl: WebGLRenderingContext): void {
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  const r = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  const v = gl.getParameter(gl.VERSION);
  rt.renderer = `${String(r)} (${String(v)})`;
  rt.software = SOFTWARE_RENDERER.test(rt.renderer);
  const max = Number(gl.getParameter(gl.MAX_TEXTURE_SIZE));
  if (Number.isFinite(max) && max > 0) rt.maxTextureSize = max;
}

/** 2×3 · 3×2 with small integers: exact in float32 everywhere, so any difference is a broken mode. */
const PROBE_A = Float32Array.from([1, 2, 3, 4, 5, 6]);
const PROBE_B = Float32Array.from([7, 8, 9, 10, 11, 12]);
const PROBE_OUT = [58, 64, 139, 154];
const PROBE_SOURCE = matmulSource({ batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, strideA: 0, strideB: 0 });

function checkProbe(mode: GpuMode, result: unknown): void {
  const got = result && typeof (result as ArrayLike<number>).length === 'number' ? Array.from(result as ArrayLike<number>) : result;
  if (JSON.stringify(got) !== JSON.stringify(PROBE_OUT)) {
    throw new GpuModeUnavailableError(mode, `the probe matmul gave ${JSON.stringify(got)} instead of ${JSON.stringify(PROBE_OUT)}`);
  }
}

function probeKernel(rt: GpuRuntime, asyncMode: boolean): CompiledKernel {
  return rt.gpu.createKernel(PROBE_SOURCE, {
    output: [4], precision: 'single', tactic: 'precision', asyncMode,
    onRequestFallback(this: { fallbackReason?: string | null }) {
      throw new Error(`GPU.js asked to fall back to its cpu backend${this?.fallbackReason ? `: ${this.fallbackReason}` : ''}`);
    },
  });
}

function newRuntime(mode: GpuMode, maxKernels: number): GpuRuntime {
  if (!isSupported(mode)) {
    let gpuJsSays = '';
    try {
      void new lib.GPU({ mode }).destroy().catch(() => undefined);
    } catch (e) {
      gpuJsSays = ` (GPU.js: ${message(e)})`;
    }
    throw new GpuModeUnavailableError(mode, `${whyUnsupported(mode)}${gpuJsSays}`);
  }
  let gpu: GpuJsGPU;
  try {
    gpu = new lib.GPU({ mode });
  } catch (e) {
    throw new GpuModeUnavailableError(mode, `GPU.js could not start it: ${message(e)}`, e);
  }
  let readyPromise: Promise<void> | null = null;
  const rt: GpuRuntime = {
    mode, gpu,
    cache: new KernelCache(maxKernels),
    counts: mode === 'webgpu' ? webgpuCounts : emptyCounts(),
    renderer: null, software: false, maxTextureSize: 8192,
    sync: mode !== 'webgpu',
    gl: mode === 'webgl2' || mode === 'webgl' || mode === 'headlessgl',
    queue: Promise.resolve(),
    profile: null,
    disposed: false,
    ready() {
      readyPromise ??= proveAsync(rt).catch((e) => {
        readyPromise = null; // a later call may retry (e.g. after a lost device)
        throw e;
      });
      return readyPromise;
    },
  };
  if (rt.sync) {
    // The first kernel creates the context that every later kernel of this GPU shares:
    // instrument it before anything is built on it, then prove the mode with the probe.
    let probe: CompiledKernel | null = null;
    try {
      probe = probeKernel(rt, false);
      if (gpu.context && typeof (gpu.context as WebGLRenderingContext).getParameter === 'function') {
        instrumentGL(gpu.context as object, rt.counts);
        describeGL(rt, gpu.context as WebGLRenderingContext);
      }
      checkProbe(mode, probe(PROBE_A, PROBE_B));
    } catch (e) {
      void gpu.destroy().catch(() => undefined);
      if (e instanceof GpuModeUnavailableError) throw e;
      throw new GpuModeUnavailableError(mode, `GPU.js failed the probe kernel: ${message(e)}`, e);
    } finally {
      probe?.destroy(false); // false: keep the shared canvas's record (see KernelCache.evict)
    }
  }
  return rt;
}

/** WebGPU: acquire GPU.js's shared device, count its buffers, and prove it with the probe. */
async function proveAsync(rt: GpuRuntime): Promise<void> {
  if (rt.mode !== 'webgpu') return;
  let probe: CompiledKernel | null = null;
  try {
    const { device } = await lib.WebGPUContext.acquire();
    instrumentWebGPU(device, rt.counts);
    probe = probeKernel(rt, true);
    checkProbe(rt.mode, await probe(PROBE_A, PROBE_B));
  } catch (e) {
    if (e instanceof GpuModeUnavailableError) throw e;
    throw new GpuModeUnavailableError(rt.mode, `GPU.js failed to start WebGPU: ${message(e)}`, e);
  } finally {
    probe?.destroy(false);
  }
}

/** The runtime of a mode, created (and proven) on first use; throws GpuModeUnavailableError. */
export function runtimeFor(mode: GpuMode, maxKernels: number): GpuRuntime {
  let rt = runtimes.get(mode);
  if (!rt || rt.disposed) {
    rt = newRuntime(mode, maxKernels);
    runtimes.set(mode, rt);
  } else if (rt.cache.maxKernels !== maxKernels) {
    rt.cache.maxKernels = maxKernels;
    rt.cache.evict();
  }
  return rt;
}

export interface AutoChoice {
  runtime: GpuRuntime;
  /** Modes not chosen, with the reason. */
  skipped: Partial<Record<GpuMode, string>>;
}

/**
 * 'auto': the first working mode of AUTO_ORDER, except that a GL mode on a
 * software rasterizer loses to webasm (it is several times slower). webgpu is
 * listed as skipped with its reason.
 */
export function chooseAuto(maxKernels: number): AutoChoice {
  const skipped: Partial<Record<GpuMode, string>> = {
    webgpu: 'never chosen by auto: WebGPU kernels answer only asynchronously; request it explicitly for the async ops',
  };
  let softwareGL: GpuRuntime | null = null;
  for (const mode of AUTO_ORDER) {
    let rt: GpuRuntime;
    try {
      rt = runtimeFor(mode, maxKernels);
    } catch (e) {
      skipped[mode] = e instanceof GpuModeUnavailableError ? e.reason : message(e);
      continue;
    }
    if (rt.software) {
      softwareGL ??= rt;
      skipped[mode] = `software renderer (${rt.renderer}): slower than webasm`;
      continue;
    }
    if (softwareGL && mode === 'cpu') {
      // Nothing beat the software GL renderer except plain JavaScript: take the GL mode.
      delete skipped[softwareGL.mode];
      skipped.cpu = `slower than ${softwareGL.mode} on ${softwareGL.renderer}`;
      return { runtime: softwareGL, skipped };
    }
    return { runtime: rt, skipped };
  }
  throw new Error('setBackend(\'gpu\', { mode: \'auto\' }): no GPU.js mode works here, not even cpu: ' + JSON.stringify(skipped));
}

/** Every runtime created so far (live or disposed), by mode. */
export function allRuntimes(): GpuRuntime[] {
  return [...runtimes.values()];
}

/** Destroys every kernel and GPU.js instance (releasing WebGL contexts and worker pools). */
export async function disposeRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  for (const rt of all) {
    if (rt.disposed) continue;
    rt.disposed = true;
    await rt.queue.catch(() => undefined);
    rt.cache.clear();
    await rt.gpu.destroy();
    // The context is lost with the GPU instance: nothing of it is live any more.
    if (rt.mode !== 'webgpu') Object.assign(rt.counts, emptyCounts());
  }
}
