/**
 * The `gpu` backend: matmul and convolution as GPU.js kernels.
 *
 *   setBackend('gpu')                      // mode 'auto': the best synchronous mode that works here
 *   setBackend('gpu', { mode: 'webgl2' })  // exactly that mode, or an error saying why not
 *   setBackend('gpu', { mode: 'webgpu' }); await ready();   // WebGPU: async ops only
 *
 * Options: `mode` ('auto' | 'webgl2' | 'webgl' | 'webgpu' | 'headlessgl' |
 * 'webasm' | 'cpu'), `tileSize` (largest output tile side; default 4096,
 * capped by the mode's MAX_TEXTURE_SIZE), `maxKernels` (compiled kernels kept
 * per mode, least recently used destroyed first; default 64).
 */
import type { Backend } from '../../backend.js';
import { registerBackend } from '../../registry.js';
import { buildGpuBackend, type GpuBackend } from './gpu-backend.js';
import { allRuntimes, chooseAuto, disposeRuntimes, GPU_MODES, runtimeFor, type GpuMode } from './modes.js';
import { totalOf, type ResourceCounts } from './resources.js';

export { GPU_MODES, GpuModeUnavailableError, type GpuMode } from './modes.js';
export type { ResourceCounts } from './resources.js';
export { DEFAULT_TILE, MAX_OPERAND } from './runner.js';
import { DEFAULT_TILE } from './runner.js';

export type GpuModeOption = GpuMode | 'auto';

export interface GpuBackendOptions {
  mode?: GpuModeOption;
  tileSize?: number;
  maxKernels?: number;
}

const KNOWN_OPTIONS = ['mode', 'tileSize', 'maxKernels'];
const DEFAULT_MAX_KERNELS = 64;

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`setBackend('gpu'): ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function parseOptions(options: Record<string, unknown>): { mode: GpuModeOption; tileSize: number; maxKernels: number } {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new Error(`setBackend('gpu'): unknown option '${key}' (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && !(GPU_MODES as readonly unknown[]).includes(mode)) {
    throw new Error(`setBackend('gpu'): unknown mode ${JSON.stringify(mode)} (expected 'auto', ${GPU_MODES.map((m) => `'${m}'`).join(', ')})`);
  }
  return {
    mode: mode as GpuModeOption,
    tileSize: positiveInt('tileSize', options.tileSize, DEFAULT_TILE),
    maxKernels: positiveInt('maxKernels', options.maxKernels, DEFAULT_MAX_KERNELS),
  };
}

function create(options: Record<string, unknown>): GpuBackend {
  const { mode, tileSize, maxKernels } = parseOptions(options);
  let chosen: GpuMode;
  const details: Record<string, unknown> = { requestedMode: mode };
  if (mode === 'auto') {
    const { runtime, skipped } = chooseAuto(maxKernels);
    chosen = runtime.mode;
    details.skipped = skipped;
  } else {
    runtimeFor(mode, maxKernels); // throws GpuModeUnavailableError, naming the mode and why
    chosen = mode;
  }
  return buildGpuBackend({ mode: chosen, tileSize, maxKernels }, details);
}

/**
 * A gpu Backend object without making it the active one (for `withBackend`,
 * benchmarks, comparing modes side by side). Same options and errors as
 * `setBackend('gpu', options)`.
 */
export function createGpuBackend(options: GpuBackendOptions = {}): Backend {
  return create(options as Record<string, unknown>);
}

function isGpuBackend(b: Backend): b is GpuBackend {
  return b.name === 'gpu' && 'gpu' in b;
}

declare module '../../registry.js' {
  interface BackendOptionsMap {
    gpu: GpuBackendOptions;
  }
}

/** What `backendInfo().details` says while the gpu backend is active. */
function info(b: Backend): Record<string, unknown> {
  if (!isGpuBackend(b)) return {};
  const { settings, details } = b.gpu;
  const rt = b.gpu.runtime();
  return {
    mode: rt.mode,
    ...details,
    renderer: rt.renderer,
    softwareRenderer: rt.software,
    maxTextureSize: rt.maxTextureSize,
    tileSize: Math.min(settings.tileSize, rt.maxTextureSize),
    maxKernels: settings.maxKernels,
    kernelsCached: rt.cache.size,
    synchronousKernels: rt.sync,
    asyncKernels: rt.mode === 'webgpu' ? 'WebGPU (mapAsync readback)' : rt.mode === 'webgl2' ? 'WebGL2 (pixel-pack buffer and fence)' : 'resolved synchronous results',
  };
}

registerBackend('gpu', {
  create,
  info,
  /** WebGPU is proven asynchronously: request the adapter and device, run the probe kernel. */
  async ready(options: Record<string, unknown>) {
    const { mode, maxKernels } = parseOptions(options);
    if (mode === 'webgpu') await runtimeFor('webgpu', maxKernels).ready();
  },
});

export interface GpuResources {
  /** Everything live, all modes together. */
  total: number;
  /** Per mode that has been started: compiled kernels and live GPU objects. */
  byMode: Partial<Record<GpuMode, ResourceCounts & { total: number }>>;
}

/**
 * Live GPU resources: compiled kernels in genzoo's cache, and the WebGL
 * textures, buffers, framebuffers, programs, shaders (or WebGPU buffers) that
 * exist and were not deleted. Flat over many training steps, or it is a leak.
 */
export function gpuResources(): GpuResources {
  const byMode: GpuResources['byMode'] = {};
  let total = 0;
  for (const rt of allRuntimes()) {
    if (rt.disposed) continue;
    const counts = { ...rt.counts, kernels: rt.cache.size };
    const t = totalOf(counts);
    byMode[rt.mode] = { ...counts, total: t };
    total += t;
  }
  return { total, byMode };
}

/**
 * Destroys every compiled kernel and GPU.js instance (WebGL contexts, worker
 * pools). The gpu backend stays usable: the next kernel starts its mode afresh.
 */
export function disposeGpu(): Promise<void> {
  return disposeRuntimes();
}
