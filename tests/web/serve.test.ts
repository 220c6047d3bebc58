/**
 * `npm run web`'s server (scripts/web.mjs): it prints the URL, sends the
 * COOP/COEP headers with every file (the page's and the workers' scripts
 * alike: without them on a worker script the wasm threads do not start), and
 * answers bad flags with a usage error (exit 2) and a missing site with exit 1.
 * It serves a small stand-in site here; the real one is built and driven in
 * playground.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../gpu/harness.js';

const SCRIPT = join(ROOT, 'scripts', 'web.mjs');
let site: string;

beforeAll(() => {
  site = mkdtempSync(join(tmpdir(), 'genzoo-web-serve-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>stand-in</title>');
  writeFileSync(join(site, 'train-worker.js'), 'postMessage(1);');
  mkdirSync(join(site, 'data'));
  writeFileSync(join(site, 'data', 'mnist-digits.gz'), Buffer.from([0x1f, 0x8b]));
});
afterAll(() => rmSync(site, { recursive: true, force: true }));

/** Starts the server; resolves with its URL (from what it prints) and the process. */
function serve(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^genzoo playground: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(serving .+, cross-origin isolated; Ctrl-C stops\)$/m.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`web.mjs exited (${code}) before printing its URL: ${out}`)));
  });
}

describe('npm run web (scripts/web.mjs)', () => {
  test('prints its URL and serves every file cross-origin isolated, with its content type; a missing file is a 404', async () => {
    const { url, child } = await serve(['--port', '0', '--dir', site]);
    try {
      for (const [path, type] of [['', 'text/html'], ['train-worker.js', 'text/javascript'], ['data/mnist-digits.gz', 'application/octet-stream']]) {
        const r = await fetch(url + path);
        expect(r.status, path).toBe(200);
        expect(r.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
        expect(r.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
        expect(r.headers.get('content-type'), path).toContain(type);
      }
      expect((await fetch(`${url}no-such-file.js`)).status).toBe(404);
    } finally {
      child.kill();
    }
  });

  test.each([
    [['--port', 'abc'], /^web: --port must be an integer from 0 to 65535, got 'abc'\nusage: npm run web -- /],
    [['--port'], /^web: --port needs a value\n/],
    [['--verbose'], /^web: unknown option '--verbose'\n/],
  ])('%j is a usage error: exit 2 and a one-line message with the usage', (args, message) => {
    const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('a folder without a built site: exit 1, saying how to build it', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--dir', join(site, 'data')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`web: ${join(site, 'data')} holds no built site (no index.html); run npm run build:web first\n`);
  });
});
