/**
 * The `js` backend: plain TypeScript over typed arrays, float32 and float64 —
 * the reference every other backend is tested against. Its storage handle is
 * the typed array itself, freed by the garbage collector like any other.
 */
import type { Backend } from '../../backend.js';
import { allocate, type FloatArray } from '../../dtype.js';
import { Storage } from '../../storage.js';
import { hostBackend } from './host.js';

export { im2col, col2im } from './conv.js';
export { hostBackend, type HostMemory } from './host.js';

/** The `js` backend object (see the file comment): `t.to(jsBackend)` is `t.to('js')`. */
export const jsBackend: Backend = hostBackend({
  name: 'js',
  supportsFloat64: true,
  ownsMemory: false,
  countsTransfers: false,
  alloc: (backend, dtype, length) => new Storage(backend, dtype, length, allocate(dtype, length)),
  view: (s) => s.handle as FloatArray,
  free: () => undefined,
});
