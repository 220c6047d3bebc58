/**
 * The `--backend` flag shared by the commands that compute: `js`, `wasm`,
 * `gpu` or `gpu:MODE` (a GPU.js mode such as `gpu:cpu`), or `auto` (the
 * fastest available; a fallback is reported). An unknown name is a usage
 * error; a known backend that cannot run here is an error naming why — never a
 * silent fallback.
 */
import { backendInfo, registeredBackends, setBackend, type BackendName } from '../index.js';
import { UsageError } from './errors.js';
import { BackendError } from '../errors.js';

export const BACKEND_NAMES = ['js', 'wasm', 'gpu', 'auto'] as const;

export interface BackendChoice {
  name: string;
  mode?: string;
}

export function parseBackendFlag(value: string): BackendChoice {
  const [name, mode, extra] = value.split(':');
  if (!(BACKEND_NAMES as readonly string[]).includes(name) || extra !== undefined) {
    throw new UsageError(`unknown backend '${value}' (expected js, wasm, gpu, gpu:MODE or auto)`);
  }
  if (mode !== undefined) {
    if (name !== 'gpu') throw new UsageError(`backend '${name}' takes no mode (only gpu:MODE does), got '${value}'`);
    if (mode === '') throw new UsageError(`--backend gpu: needs a mode after the colon, e.g. gpu:cpu`);
  }
  return mode === undefined ? { name } : { name, mode };
}

/**
 * Activates the chosen backend; returns the name to record (e.g. 'wasm',
 * 'gpu:webgl') and a note when 'auto' fell back.
 */
export function activateBackend(choice: BackendChoice): { name: string; note?: string } {
  if (choice.name === 'auto') {
    const tried: string[] = [];
    for (const name of ['wasm', 'js']) {
      if (!registeredBackends().includes(name)) {
        tried.push(`${name}: not registered`);
        continue;
      }
      try {
        setBackend(name as BackendName);
        return { name, note: tried.length ? `backend auto → ${name} (${tried.join('; ')})` : undefined };
      } catch (err) {
        tried.push(`${name}: ${(err as Error).message}`);
      }
    }
    throw new BackendError(`no backend could start: ${tried.join('; ')}`);
  }
  if (!registeredBackends().includes(choice.name)) {
    throw new BackendError(`backend '${choice.name}' is not available in this build (registered: ${registeredBackends().join(', ')})`);
  }
  setBackend(choice.name as BackendName, (choice.mode !== undefined ? { mode: choice.mode } : {}) as never);
  const info = backendInfo();
  const mode = typeof info.details.mode === 'string' ? info.details.mode : choice.mode;
  return { name: choice.name === 'gpu' && mode ? `gpu:${mode}` : choice.name };
}

/** The backend that runs when no --backend is given: the library's default (its recorded name). */
export { currentBackendName } from '../train/backend.js';
