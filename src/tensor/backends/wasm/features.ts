/**
 * What this JavaScript engine can run, found with `WebAssembly.validate` on
 * tiny modules (no guessing from version strings):
 *   simd          — 128-bit SIMD (required: without it the wasm backend is unavailable)
 *   relaxedSimd   — relaxed SIMD (fused multiply-add in the GEMM micro-kernel when present)
 *   sharedMemory  — a shared WebAssembly.Memory (required for worker threads)
 */
import { f32, f32x4, ModuleBuilder } from './assembler.js';

/** What this JavaScript engine can run, as {@link wasmFeatures} found it. */
export interface WasmFeatures {
  /** WebAssembly itself. */
  webAssembly: boolean;
  /** 128-bit SIMD: without it the wasm backend is unavailable. */
  simd: boolean;
  /** Relaxed SIMD (fused multiply-add in the GEMM micro-kernel). */
  relaxedSimd: boolean;
  /** A shared WebAssembly.Memory, which worker threads need. */
  sharedMemory: boolean;
  /** Why the wasm backend cannot run here (absent when it can). */
  unavailable?: string;
  /** Why worker threads cannot run here (absent when they can). */
  noThreads?: string;
}

function validates(build: (mb: ModuleBuilder) => void): boolean {
  try {
    const mb = new ModuleBuilder(null);
    build(mb);
    return WebAssembly.validate(mb.bytes());
  } catch {
    return false;
  }
}

let cached: WasmFeatures | null = null;

/** What this engine can run (validated with tiny modules once, then cached); exported as `wasmFeatures`. */
export function detectFeatures(): WasmFeatures {
  if (cached) return cached;
  const webAssembly = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const simd = webAssembly && validates((mb) => mb.func('f', [], 'v128', () => f32x4.add(f32x4.splat(f32.const(1)), f32x4.splat(f32.const(2)))));
  const relaxedSimd = simd && validates((mb) => mb.func('f', [], 'v128', () => {
    const one = f32x4.splat(f32.const(1));
    return f32x4.relaxed_madd(one, one, one);
  }));
  let sharedMemory = false;
  let noThreads: string | undefined;
  if (!webAssembly) {
    noThreads = 'no WebAssembly';
  } else if (typeof SharedArrayBuffer !== 'function') {
    noThreads = 'SharedArrayBuffer is unavailable (in browsers it needs a cross-origin isolated page)';
  } else {
    try {
      sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
      if (!sharedMemory) noThreads = 'WebAssembly.Memory({ shared: true }) did not give a SharedArrayBuffer';
    } catch (e) {
      noThreads = `a shared WebAssembly.Memory cannot be created (${(e as Error).message})`;
    }
  }
  const unavailable = !webAssembly
    ? 'this JavaScript engine has no WebAssembly'
    : !simd
      ? 'this engine does not validate WebAssembly SIMD (v128) modules'
      : undefined;
  cached = { webAssembly, simd, relaxedSimd, sharedMemory, unavailable, noThreads };
  return cached;
}

/** For tests: forget the cached answer. */
export function resetFeatureCache(): void {
  cached = null;
}
