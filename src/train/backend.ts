/**
 * The backend a run trains on, by the name recorded in config.json: 'js',
 * 'wasm', 'gpu' or 'gpu:MODE'. `train()` switches to the run's backend for the
 * run and back afterwards, so what config.json records is what ran.
 */
import { backendInfo, setBackend } from '../tensor/index.js';

/** The active backend's name as a run records it (gpu with its mode: 'gpu:webgl'). */
export function currentBackendName(): string {
  const info = backendInfo();
  const mode = typeof info.details.mode === 'string' ? info.details.mode : undefined;
  return info.name === 'gpu' && mode ? `gpu:${mode}` : info.name;
}

function activate(name: string): void {
  const [base, mode] = name.split(':');
  setBackend(base, mode !== undefined ? { mode } : {});
}

/**
 * Runs `fn` on the backend named `wanted` (the current one when empty), passing
 * the name of what runs; the previous backend is restored afterwards. An
 * unknown or unavailable backend throws before `fn` runs.
 */
export async function onBackend<T>(wanted: string, fn: (name: string) => Promise<T>): Promise<T> {
  const before = currentBackendName();
  if (wanted === '' || wanted === before) return fn(before);
  const previous = backendInfo();
  try {
    activate(wanted);
  } catch (err) {
    throw new Error(`cannot train on backend '${wanted}': ${(err as Error).message}`, { cause: err });
  }
  try {
    return await fn(currentBackendName());
  } finally {
    const mode = typeof previous.details.mode === 'string' ? previous.details.mode : undefined;
    setBackend(previous.requested ?? previous.name, mode !== undefined ? { mode } : {});
  }
}
