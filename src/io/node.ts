/**
 * Node-only modules (node:fs, node:zlib, pngjs…), loaded on first use.
 *
 * Why not a plain `import fs from 'node:fs'` at the top of the file? Because
 * `import { io, data } from 'genzoo'` must also work in a browser bundle, where
 * the buffer-level functions (safetensors `serialize`/`deserialize`, npy
 * `encodeNpy`, `gridPixels`, `parseIdx`, …) are useful on their own. A static
 * import of `node:fs` would make bundlers (webpack, esbuild) fail or pull in
 * polyfills. Loading through `import(specifier)` with a specifier that is a
 * variable keeps bundlers from following it; the file functions that need
 * these modules are async anyway (file I/O is).
 */
import { IOError } from '../errors.js';

// A variable specifier: bundlers leave it alone (the comments silence their warnings).
const dynamicImport = (specifier: string): Promise<unknown> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

const cache = new Map<string, Promise<unknown>>();

/** Loads a Node-only module, or explains that `feature` needs Node.js. */
export function nodeModule<T>(specifier: string, feature: string): Promise<T> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    return Promise.reject(new IOError(`${feature} needs Node.js (it uses ${specifier}); in a browser use the buffer-level functions instead`));
  }
  let p = cache.get(specifier);
  if (!p) {
    p = dynamicImport(specifier).then((m) => {
      // CommonJS packages (pngjs) arrive as { default: module.exports, ... }.
      const mod = m as { default?: unknown };
      return specifier.startsWith('node:') ? m : (mod.default ?? m);
    });
    cache.set(specifier, p);
  }
  return p as Promise<T>;
}

export type FsPromises = typeof import('node:fs/promises');
export type PathModule = typeof import('node:path');

export const nodeFs = (feature: string): Promise<FsPromises> => nodeModule<FsPromises>('node:fs/promises', feature);
export const nodePath = (feature: string): Promise<PathModule> => nodeModule<PathModule>('node:path', feature);

/** The message of an unknown thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A friendlier reason for common file-system errors (ENOENT, EACCES, EISDIR). */
export function fsReason(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent of the path is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    default: return errorMessage(err);
  }
}

/**
 * Whether a process with this id runs on this machine (signal 0 probes
 * without sending anything; EPERM means it runs under another user).
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
