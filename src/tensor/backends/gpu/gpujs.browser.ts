/**
 * GPU.js for browsers: bundled statically (see gpujs.ts, the Node version,
 * which loads it on first use).
 */
import gpujs from 'gpu.js';

/** GPU.js's library object. */
export function loadGpuJs(): unknown {
  return gpujs;
}
