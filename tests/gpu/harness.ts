/**
 * Plumbing for the gpu tests that run outside vitest's own process: bundling
 * a TypeScript entry with esbuild, finding prerequisites, and the rule for a
 * missing one (fail in CI, skip loudly on a developer's machine).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

// The rule for a missing prerequisite (fail in CI, skip loudly elsewhere) is shared by every test that needs one.
export { IN_CI, missingPrerequisite } from '../helpers/prerequisites.js';

/**
 * A fresh folder for bundles. Node bundles keep npm packages as imports, so
 * they go under node_modules/.cache (ignored by git), where Node resolves
 * them from the project's node_modules.
 */
export function tempDir(prefix: string, forNode = false): string {
  if (!forNode) return mkdtempSync(join(tmpdir(), prefix));
  const base = join(ROOT, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

/** Bundles `entry` (a path under the repo) into one ESM file; npm packages stay imports for Node. */
export async function bundle(entry: string, outfile: string, platform: 'node' | 'browser', external: string[] = []): Promise<string> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform,
    target: platform === 'node' ? 'node20' : 'chrome120',
    packages: platform === 'node' ? 'external' : undefined,
    external,
    logLevel: 'error',
  });
  return outfile;
}

/** The absolute path of a program on PATH, or null. */
export function which(program: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p && existsSync(p) ? p : null;
}
