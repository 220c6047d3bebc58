/**
 * Turning a backend choice of the page into setBackend() calls, in a worker.
 * 'wasm' is plain SIMD on purpose: Node 20 (what `genzoo train` runs on by
 * default) has no relaxed SIMD, and fused multiply-adds round differently, so
 * plain SIMD is what gives the same bits in the page as on the command line.
 * Threads: two where the page is cross-origin isolated (shared memory), else
 * one (1 and 2 threads give the same bits).
 */
import { ready, setBackend } from 'genzoo';
import type { BackendId } from './protocol.js';

/** Two threads where shared memory exists; one elsewhere (asking for two there is an error, not a fallback). */
const wasmThreads = (): number => (globalThis.crossOriginIsolated ? 2 : 1);

/** Activates a backend and waits until it can run (wasm compiled, threads up, a GPU mode proven). */
export async function activate(id: BackendId): Promise<void> {
  switch (id) {
    case 'wasm':
      setBackend('wasm', { relaxed: false, threads: wasmThreads() });
      break;
    case 'wasm-relaxed':
      setBackend('wasm', { relaxed: true, threads: wasmThreads() });
      break;
    case 'js':
      setBackend('js');
      break;
    case 'gpu:webgl2':
    case 'gpu:webgl':
    case 'gpu:webgpu':
      setBackend('gpu', { mode: id.slice(4) as 'webgl2' | 'webgl' | 'webgpu' });
      break;
  }
  await ready();
}

/** The message of anything thrown, with its cause (GPU.js's own words are often there). */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.message;
}
