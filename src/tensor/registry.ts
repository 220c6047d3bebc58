/**
 * Which backends exist, and which one new tensors are created on.
 *
 * Backend folders register themselves on import (`registerBackend`). The
 * active backend is where `tensor()`, `zeros()`, `randn()`… put new tensors;
 * an op runs on the backend its inputs live on (see dispatch.ts), so moving
 * data between backends is explicit (`t.to('gpu')`, `module.to('gpu')`).
 *
 * 'auto' (the default) takes the first of AUTO_ORDER that is registered and
 * can start here, and reports the ones it skipped in `backendInfo().skipped`.
 * Asking for a backend by name never falls back: it runs, or setBackend
 * throws saying why not.
 */
import type { Backend, BackendInfo } from './backend.js';
import { jsBackend } from './backends/js/index.js';
import { BackendError } from '../errors.js';

/**
 * Backend names and their options. Backend folders add themselves by
 * declaration merging (`declare module '…/registry.js' { interface BackendOptionsMap { wasm: … } }`),
 * so `setBackend('cuda')` is a type error and each name's options are checked.
 */
export interface BackendOptionsMap {
  /** The default: wasm where WebAssembly SIMD runs, else js; its options go to the backend chosen. */
  auto: Record<string, unknown>;
  /** The plain-TypeScript reference backend; it has no options. */
  js: Record<string, never>;
}

/** A backend's name as `setBackend` takes it: 'auto', 'js', 'wasm', 'gpu' (a typo is a type error). */
export type BackendName = keyof BackendOptionsMap;

/** How a backend folder registers itself with {@link registerBackend}. */
export interface BackendEntry {
  /** Creates (or returns) the backend; throws a clear error when it cannot run here. */
  create(options: Record<string, unknown>): Backend;
  /** What `backendInfo().details` says while it is active. */
  info?(backend: Backend): Record<string, unknown>;
  /** Finishes asynchronous start-up (worker threads, async compilation, a WebGPU device); see `ready()`. */
  ready?(options: Record<string, unknown>): Promise<void>;
}

/** The backends 'auto' tries, best first; the first that can start here runs. */
export const AUTO_ORDER: readonly string[] = ['wasm', 'js'];

const registry = new Map<string, BackendEntry>([['js', { create: () => jsBackend }]]);
let active: Backend = jsBackend;
let requested = 'auto';
let requestedOptions: Record<string, unknown> = {};
let skipped: Array<{ name: string; reason: string }> = [];

/** Makes a backend available to `setBackend(name)`; a registration that beats the current 'auto' choice takes over at once. */
export function registerBackend(name: string, entry: BackendEntry): void {
  registry.set(name, entry);
  if (requested === 'auto' && AUTO_ORDER.includes(name)) selectAuto(requestedOptions);
}

function selectAuto(options: Record<string, unknown>): void {
  const tried: Array<{ name: string; reason: string }> = [];
  for (const name of AUTO_ORDER) {
    const entry = registry.get(name);
    if (!entry) continue;
    try {
      active = entry.create(options);
      skipped = tried;
      return;
    } catch (e) {
      tried.push({ name, reason: (e as Error).message });
    }
  }
  active = jsBackend;
  skipped = tried;
}

/** The names `setBackend` accepts besides 'auto': the built-in backends and any registered since. */
export function registeredBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Makes `name` the backend new tensors are created on. Throws, naming the
 * backend and the reason, when it cannot run here: there is no silent fallback.
 */
export function setBackend<K extends BackendName>(name: K, options?: BackendOptionsMap[K]): BackendInfo {
  const opts = (options ?? {}) as Record<string, unknown>;
  if (name === 'auto') {
    selectAuto(opts);
  } else {
    const entry = registry.get(name);
    if (!entry) throw new BackendError(`setBackend: unknown backend '${String(name)}' (registered: auto, ${registeredBackends().join(', ')})`);
    active = entry.create(opts);
    skipped = [];
  }
  requested = name;
  requestedOptions = opts;
  return backendInfo();
}

/**
 * Waits until the requested backend is fully started (the wasm backend's
 * worker threads; in browsers, asynchronous compilation; a WebGPU device) and
 * returns what runs. With 'auto', a preferred backend that could only start
 * asynchronously takes over.
 */
export async function ready(): Promise<BackendInfo> {
  const names = requested === 'auto' ? AUTO_ORDER.filter((n) => registry.has(n)) : [requested];
  for (const name of names) {
    try {
      await registry.get(name)?.ready?.(requestedOptions);
    } catch (e) {
      if (requested !== 'auto') throw e;
    }
  }
  if (requested === 'auto') selectAuto(requestedOptions);
  return backendInfo();
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  return active;
}

/** The reference backend (`js`): what other backends are tested against. */
export function referenceBackend(): Backend {
  return jsBackend;
}

/** A registered backend by name, created with `options` (does not make it active). */
export function backendNamed(name: string, options: Record<string, unknown> = {}): Backend {
  const entry = registry.get(name);
  if (!entry) throw new BackendError(`unknown backend '${name}' (registered: ${registeredBackends().join(', ')})`);
  return entry.create(options);
}

/**
 * What runs now: the active backend's name and details, what was requested,
 * and (with 'auto') the preferred backends skipped and why.
 *
 * ```ts
 * backendInfo().name;        // 'wasm' (or 'js' where WebAssembly SIMD does not run)
 * backendInfo().requested;   // 'auto'
 * ```
 */
export function backendInfo(): BackendInfo {
  const b = getBackend();
  const entry = registry.get(b.name);
  const info: BackendInfo = { name: b.name, details: entry?.info?.(b) ?? {}, requested };
  if (requested === 'auto' && skipped.length) info.skipped = skipped.slice();
  return info;
}

/** Runs `fn` with `backend` as the one new tensors are created on, then restores the previous one. */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const prev = active;
  active = backend;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
