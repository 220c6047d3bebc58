/** Running the `genzoo` CLI in-process (fast) or as a child process (signals, exit codes, stack traces). */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { vi } from 'vitest';
import { data } from '../../src/index.js';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
  signal?: NodeJS.Signals | null;
}

/** `genzoo ARGS` in this process, with stdout/stderr captured. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; }),
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; }),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out += a.join(' ') + '\n'; }),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err += a.join(' ') + '\n'; }),
  ];
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

export const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin', 'genzoo.js');

/** The compiled CLI (bin/genzoo.js runs dist/): `npm test` builds it first. */
export function checkBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

/**
 * Spawns `node bin/genzoo.js ARGS`; `onStdout` sees the output as it comes (to send signals).
 * With `killAfterMs`, a child still running then is killed (SIGKILL): a hang fails the test, not the machine.
 */
export function spawnCli(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void, killAfterMs?: number): Promise<CliResult> {
  checkBuilt();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', () => clearTimeout(timer));
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      onStdout?.(out, child);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, out, err, signal }));
  });
}

/** Writes the first `perClass` training digits of each class as IDX files (a tiny `--data idx:DIR`). */
export async function writeTinyIdx(dir: string, perClass: number): Promise<void> {
  const ds = data.balancedSubset(await data.mnist({ split: 'train' }), perClass);
  mkdirSync(dir, { recursive: true });
  const bytes = Uint8Array.from(ds.images, (v) => Math.round(v * 255));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), data.encodeIdx(bytes, [ds.n, 28, 28]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), data.encodeIdx(Uint8Array.from(ds.labels), [ds.n]));
}
