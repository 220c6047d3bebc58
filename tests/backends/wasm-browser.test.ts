/**
 * The wasm backend in a real browser (Debian's Chromium, headless, driven by
 * playwright-core), loading genzoo's browser bundle:
 *   - a cross-origin isolated page (COOP + COEP headers): the module compiles
 *     asynchronously (Chrome refuses synchronous compiles of modules over 4 KB
 *     on the main thread), `await ready()` switches 'auto' to wasm, and two
 *     threads run on Web Workers over a shared memory, matching js;
 *   - a plain page: no SharedArrayBuffer, so wasm runs on one thread,
 *     backendInfo says why, and an explicit request for two threads fails at
 *     `ready()`, naming the reason.
 * Without Chromium the test is skipped locally and fails in CI (which installs it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { CHROMIUM, chromiumPrerequisite } from '../helpers/prerequisites.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const missing = await chromiumPrerequisite('wasm browser tests');

type Browser = import('playwright-core').Browser;

// The page: what auto chose at import, after ready(), then an explicit request and a comparison with js.
const PAGE = `<!doctype html><meta charset="utf-8"><title>genzoo wasm</title>
<script type="module">
import * as g from '/genzoo.js';
globalThis.check = async (threads) => {
  const atImport = g.backendInfo();
  const afterReady = await g.ready();
  let explicit;
  try {
    g.setBackend('wasm', { threads });
    explicit = await g.ready();
  } catch (e) {
    explicit = { error: e.message, info: g.backendInfo() };
  }
  g.manualSeed(1);
  const a = g.randn([96, 200]), b = g.randn([200, 70]);
  const x = g.randn([4, 3, 12, 12]), w = g.randn([8, 3, 3, 3]);
  const run = () => [a.matmul(b), g.conv2d(x, w, null, { padding: 1 }), a.sigmoid(), a.mul(2).add(b.sum(1).reshape([1, 200]))];
  const fast = run();
  const info = g.backendInfo();
  g.setBackend('js');
  const ref = run();
  let err = 0;
  fast.forEach((t, k) => { for (let i = 0; i < t.size; i++) err = Math.max(err, Math.abs(t.data[i] - ref[k].data[i])); });
  return { crossOriginIsolated: globalThis.crossOriginIsolated, atImport, afterReady, explicit, info, err };
};
globalThis.loaded = true;
</script>`;

let server: Server | null = null;
let browser: Browser | null = null;
let base = '';

async function start(): Promise<void> {
  const { buildBrowser } = (await import(join(ROOT, 'scripts', 'build-browser.mjs'))) as { buildBrowser(out: string): Promise<string> };
  const bundle = readFileSync(await buildBrowser(join(mkdtempSync(join(tmpdir(), 'genzoo-wasm-browser-')), 'genzoo.js')));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // The isolated page (and what it loads) carries COOP + COEP; the plain page does not.
    const isolate = url.pathname.startsWith('/iso');
    const headers: Record<string, string> = isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    if (url.pathname.endsWith('genzoo.js')) res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(bundle);
    else if (url.pathname === '/iso/' || url.pathname === '/plain/') res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(PAGE.replace("'/genzoo.js'", `'${url.pathname}genzoo.js'`));
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'genzoo-wasm-chromium-'))}`, '--remote-debugging-pipe', 'about:blank'],
    timeout: 60_000,
  });
}

async function check(path: string, threads: number): Promise<any> {
  const page = await browser!.newPage();
  const log: string[] = [];
  page.on('pageerror', (e) => log.push(e.message));
  try {
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => 'loaded' in globalThis, null, { timeout: 30_000 });
    return await page.evaluate((t) => (globalThis as any).check(t), threads);
  } catch (e) {
    throw new Error(`${(e as Error).message}\npage errors: ${log.join('\n')}`);
  } finally {
    await page.close();
  }
}

describe.skipIf(missing?.skip ?? false)('wasm backend in headless Chromium', () => {
  let startError: Error | null = null;
  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      await start();
    } catch (e) {
      startError = e as Error;
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  test('cross-origin isolated: asynchronous start, two threads on Web Workers, results match js', async () => {
    if (startError) throw startError;
    const r = await check('/iso/', 2);
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.atImport.requested).toBe('auto');
    if (r.atImport.name === 'js') expect(r.atImport.skipped[0].reason).toMatch(/wasm/); // a sync compile refused, and said so
    expect(r.afterReady.name).toBe('wasm');
    expect(r.explicit.name).toBe('wasm');
    expect(r.explicit.details.threadsRunning).toBe(2);
    expect(r.info.details.threadsRunning).toBe(2);
    expect(r.err).toBeLessThan(1e-4);
  }, 120_000);

  test('not isolated: one thread, backendInfo says why, and asking for two fails at ready()', async () => {
    if (startError) throw startError;
    const r = await check('/plain/', 2);
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.afterReady.name).toBe('wasm');
    expect(r.afterReady.details.threadsRunning).toBe(1);
    expect(r.afterReady.details.noThreads).toMatch(/SharedArrayBuffer/);
    expect(r.explicit.error).toMatch(/2 threads requested but SharedArrayBuffer is unavailable/);
    expect(r.err).toBeLessThan(1e-4);
  }, 120_000);
});
