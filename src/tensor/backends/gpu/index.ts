/**
 * The `gpu` backend: every kernel a training step uses as a GPU.js kernel,
 * tensors kept on the device between them (gpu-backend.ts).
 *
 *   setBackend('gpu')                      // mode 'auto': the best synchronous mode that works here
 *   setBackend('gpu', { mode: 'webgl2' })  // exactly that mode, or an error saying why not
 *   setBackend('gpu', { mode: 'webgpu' }); await ready();   // WebGPU: read results with await t.read()
 *
 * Options: `mode` ('auto' | 'webgl2' | 'webgl' | 'webgpu' | 'headlessgl' |
 * 'webasm' | 'cpu'), `maxKernels` (compiled kernels kept per mode, least
 * recently used destroyed first; default 256).
 */
import type { Backend } from '../../backend.js';
import { registerBackend } from '../../registry.js';
import { buildGpuBackend, type GpuBackend } from './gpu-backend.js';
import { allRuntimes, chooseAuto, disposeRuntimes, GPU_MODES, runtimeFor, type GpuMode, type KernelProfile } from './modes.js';
import { totalOf, type ResourceCounts } from './resources.js';

export { GPU_MODES, GpuModeUnavailableError, type GpuMode, type KernelProfile } from './modes.js';
export type { ResourceCounts } from './resources.js';
export { MAX_ELEMENTS } from './runner.js';

export type GpuModeOption = GpuMode | 'auto';

export interface GpuBackendOptions {
  mode?: GpuModeOption;
  maxKernels?: number;
}

const KNOWN_OPTIONS = ['mode', 'maxKernels'];
/** Kernels are compiled per shape: a training step of the zoo uses about a hundred. */
const DEFAULT_MAX_KERNELS = 256;

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`setBackend('gpu'): ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function parseOptions(options: Record<string, unknown>): { mode: GpuModeOption; maxKernels: number } {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new Error(`setBackend('gpu'): unknown option '${key}' (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && !(GPU_MODES as readonly unknown[]).includes(mode)) {
    throw new Error(`setBackend('gpu'): unknown mode ${JSON.stringify(mode)} (expected 'auto', ${GPU_MODES.map((m) => `'${m}'`).join(', ')})`);
  }
  return {
    mode: mode as GpuModeOption,
    maxKernels: positiveInt('maxKernels', options.maxKernels, DEFAULT_MAX_KERNELS),
  };
}

/** One backend object per mode (and kernel budget): tensors made under setBackend('gpu') twice are on the same backend. */
const backends = new Map<string, GpuBackend>();

function create(options: Record<string, unknown>): GpuBackend {
  const { mode, maxKernels } = parseOptions(options);
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
  const key = `${chosen}/${maxKernels}`;
  let b = backends.get(key);
  if (!b) {
    b = buildGpuBackend({ mode: chosen, maxKernels }, details);
    backends.set(key, b);
  }
  // What was asked for this time ('auto' or the mode), for backendInfo().
  if (b.gpu.details !== details) {
    for (const k of Object.keys(b.gpu.details)) delete b.gpu.details[k];
    Object.assign(b.gpu.details, details);
  }
  return b;
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
    maxKernels: settings.maxKernels,
    kernelsCached: rt.cache.size,
    readback: rt.mode === 'webgpu' ? 'asynchronous only (await t.read())' : 'synchronous (.data) and asynchronous',
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

/**
 * Times every gpu kernel by name while `fn` runs (each kernel's GL work is
 * finished before its clock stops, so the times add up, at the cost of the
 * overlap a real run has). First calls — which include GPU.js building the
 * shader — are reported apart. For finding what dominates a step.
 *
 *   const { kernels } = await gpuProfile(() => model.trainStepAsync(batch, gen));
 */
export async function gpuProfile<T>(fn: () => T | Promise<T>): Promise<{ result: T; kernels: Record<string, KernelProfile> }> {
  const rts = allRuntimes().filter((rt) => !rt.disposed);
  for (const rt of rts) rt.profile = new Map();
  try {
    const result = await fn();
    const kernels: Record<string, KernelProfile> = {};
    for (const rt of allRuntimes()) for (const [k, v] of rt.profile ?? []) kernels[`${rt.mode}:${k}`] = v;
    return { result, kernels };
  } finally {
    for (const rt of allRuntimes()) rt.profile = null;
  }
}
