/**
 * Storage: the memory behind a tensor, owned by the backend that made it — a
 * typed array for `js`, a block of WebAssembly memory for `wasm`, a texture or
 * buffer for `gpu`. Tensors point at a Storage (reshaped views share one); the
 * backend's kernels read and write Storages and never see a Tensor.
 *
 * Lifetime. JavaScript's garbage collector frees typed arrays, but not wasm
 * blocks or GPU textures: their backends must be told. A Storage counts the
 * tensors that refer to it; when the count drops to zero its backend frees it.
 * The count drops when a tensor is disposed — explicitly (`t.dispose()`), at
 * the end of a `tidy()` scope, or when the garbage collector finalizes an
 * unreachable tensor. That last one is only a backstop: V8 runs finalizers
 * after full collections, which a training loop's small garbage rarely
 * triggers, so loops that allocate device memory use `tidy()` (the trainer
 * does), and the wasm backend also evicts long-unused blocks to the host when
 * its memory fills (see backends/wasm/heap.ts).
 *
 * Versions. An in-place kernel (an optimizer update, `copy_`) bumps
 * `version`; a host copy made by `Tensor.data` is reused while the version it
 * was read at is current.
 */
import type { Backend } from './backend.js';
import type { DType, FloatArray } from './dtype.js';
import { StateError } from '../errors.js';

/**
 * The memory behind one or more tensors (see the file comment). Backend
 * authors create and read these; users reach them only through `t.storage`.
 */
export class Storage {
  /** Tensors referring to this storage (counted only for backends that must free memory). */
  refs = 0;
  /** Bumped by every in-place write; host copies are valid for one version. */
  version = 0;
  /** True once the backend has released the memory (the last tensor was disposed or collected). */
  freed = false;
  /** A host copy of the values at `hostVersion` (device backends), or null. */
  host: FloatArray | null = null;
  /** The `version` that `host` was read at (-1: never read). */
  hostVersion = -1;

  /**
   * @param backend the backend that owns `handle`
   * @param handle  the backend's own reference to the memory (a typed array, a heap block, a texture…)
   */
  constructor(
    readonly backend: Backend,
    /** The element type. */
    readonly dtype: DType,
    /** The number of elements. */
    readonly length: number,
    public handle: unknown,
  ) {}

  /** The size of the values in bytes (4 per float32, 8 per float64 element). */
  get bytes(): number {
    return this.length * (this.dtype === 'float64' ? 8 : 4);
  }

  /** Marks the contents changed in place (invalidates host copies). */
  touch(): void {
    this.version++;
  }
}

/** Counts of what crossed between host and backend, and how work ran; cumulative since start or `resetBackendCounters()`. */
export interface BackendCounters {
  /** Backend kernel calls (device passes on the gpu backend). */
  kernels: number;
  /** Ops that ran on the CPU reference because the backend has no kernel for them. */
  fallbacks: number;
  /** Host → backend copies. */
  uploads: number;
  /** The bytes those uploads copied. */
  uploadBytes: number;
  /** Backend → host copies: reads of `.data`, `.item()`, `read()` not served from a cached copy (none on `js`, whose storage is host memory). */
  readbacks: number;
  /** The bytes those readbacks copied. */
  readbackBytes: number;
}

const counters: BackendCounters = { kernels: 0, fallbacks: 0, uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0 };

/** The live counters object (backends increment it). */
export function countersRef(): BackendCounters {
  return counters;
}

/** A snapshot of the counters: take one before and after a step and subtract. */
export function backendCounters(): BackendCounters {
  return { ...counters };
}

/** Sets every counter of {@link backendCounters} back to 0. */
export function resetBackendCounters(): void {
  for (const k of Object.keys(counters) as Array<keyof BackendCounters>) counters[k] = 0;
}

export function countUpload(bytes: number): void {
  counters.uploads++;
  counters.uploadBytes += bytes;
}

export function countReadback(bytes: number): void {
  counters.readbacks++;
  counters.readbackBytes += bytes;
}

// ---- reference counting -----------------------------------------------------

/** Frees a storage whose last tensor is gone (backends that own memory only). */
function unref(s: Storage): void {
  if (--s.refs > 0 || s.freed) return;
  s.freed = true;
  s.backend.free(s);
}

/**
 * Finalizer: a tensor became unreachable without being disposed. Its storage
 * loses one reference (the FinalizationRegistry holds the storage, not the tensor).
 */
const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Storage>(unref) : null;

/** Called by the Tensor constructor: `owner` now refers to `s`. */
export function retain(owner: object, s: Storage): void {
  if (!s.backend.ownsMemory) return;
  if (s.freed) throw new StateError('Tensor: this storage was already freed');
  s.refs++;
  finalizer?.register(owner, s, owner);
}

/** Called by `dispose()`: `owner` no longer refers to `s`. */
export function release(owner: object, s: Storage): void {
  if (!s.backend.ownsMemory) return;
  finalizer?.unregister(owner);
  unref(s);
}
