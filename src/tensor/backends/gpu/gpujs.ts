/**
 * GPU.js, loaded on first use. In Node, `import 'genzoo'` should not pay for
 * GPU.js (about 120 modules, a second or so) when the gpu backend is never
 * asked for, so it is required only when a gpu mode is probed or started.
 * Browsers get gpujs.browser.ts instead (a static import, bundled): the
 * package's "browser" field maps this file to it for bundlers, and
 * scripts/build-browser.mjs does the same for genzoo's own bundle.
 */
import { createRequire } from 'node:module';

let lib: unknown = null;

/** GPU.js's library object (`module.exports` of the gpu.js package). */
export function loadGpuJs(): unknown {
  lib ??= createRequire(import.meta.url)('gpu.js');
  return lib;
}
