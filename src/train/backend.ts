/**
 * The backend a run trains on, by the name recorded in config.json: 'js',
 * 'wasm', 'gpu' or 'gpu:MODE'. `train()` switches to the run's backend for the
 * run and back afterwards, so what config.json records is what ran.
 */
import { backendInfo, getBackend, setBackend, type BackendName } from '../tensor/index.js';
import { moduleBackend, type Module } from '../nn/module.js';
import { BackendError } from '../errors.js';

/** The active backend's name as a run records it (gpu with its mode: 'gpu:webgl'). */
export function currentBackendName(): string {
  const info = backendInfo();
  const mode = typeof info.details.mode === 'string' ? info.details.mode : undefined;
  return info.name === 'gpu' && mode ? `gpu:${mode}` : info.name;
}

function activate(name: string): void {
  const [base, mode] = name.split(':');
  setBackend(base as BackendName, (mode !== undefined ? { mode } : {}) as never);
}

/**
 * Runs `fn` on the backend named `wanted` (the current one when empty), passing
 * the name of what runs; the previous backend is restored afterwards. An
 * unknown or unavailable backend throws before `fn` runs.
 */
export async function onBackend<T>(wanted: string, model: Module<never, unknown>, fn: (name: string) => Promise<T>): Promise<T> {
  const before = currentBackendName();
  // Tensors stay where they were made: the model moves to the backend that trains it (and back after).
  const home = moduleBackend(model);
  if (wanted === '' || wanted === before) {
    model.to(getBackend());
    try {
      return await fn(before);
    } finally {
      if (home) model.to(home);
    }
  }
  const previous = backendInfo();
  try {
    activate(wanted);
  } catch (err) {
    throw new BackendError(`cannot train on backend '${wanted}': ${(err as Error).message}`, { cause: err });
  }
  try {
    model.to(getBackend());
    return await fn(currentBackendName());
  } finally {
    const mode = typeof previous.details.mode === 'string' ? previous.details.mode : undefined;
    setBackend((previous.requested ?? previous.name) as BackendName, (mode !== undefined ? { mode } : {}) as never);
    if (home) model.to(home);
  }
}

