/**
 * The embedded digits in a real browser (Debian's Chromium, headless, driven by
 * playwright-core): a page imports the browser bundle from a server that lays
 * files out as the package does (dist/genzoo.browser.js, data/mnist-digits.gz),
 * and `data.mnist()` fetches the digits file next to the bundle by default and
 * decodes it with the browser's DecompressionStream — the same digits as in
 * Node. A URL or bytes given with `from` work too, and a missing file fails
 * naming the URL and the HTTP status.
 * Without Chromium the test is skipped locally and fails in CI (which installs it).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { CHROMIUM, chromiumPrerequisite } from '../helpers/prerequisites.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { data } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const missing = await chromiumPrerequisite('digits-in-the-browser test');

type Browser = import('playwright-core').Browser;

const PAGE = `<!doctype html><meta charset="utf-8"><title>genzoo digits</title>
<script type="module">
import { data } from '/pkg/dist/genzoo.browser.js';
const digest = async (a) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(a.buffer, a.byteOffset, a.byteLength)))].map((b) => b.toString(16).padStart(2, '0')).join('');
const summary = async (d) => ({ n: d.n, images: await digest(d.images), labels: await digest(d.labels) });
globalThis.check = async () => {
  const byDefault = await summary(await data.mnist({ split: 'test' }));
  const byUrl = await summary(await data.mnist({ split: 'test', from: '/elsewhere/mnist-digits.gz' }));
  const bytes = await (await fetch('/elsewhere/mnist-digits.gz')).arrayBuffer();
  const byBytes = await summary(await data.mnist({ split: 'test', from: bytes }));
  const missing = await data.mnist({ from: '/nothing.gz' }).then(() => 'loaded', (e) => e.message);
  return { defaultUrl: data.mnistDigitsUrl().pathname, byDefault, byUrl, byBytes, missing };
};
globalThis.loaded = true;
</script>`;

const sha256 = (a: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe.skipIf(missing?.skip ?? false)('the embedded digits in headless Chromium', () => {
  let server: Server | null = null;
  let browser: Browser | null = null;
  let base = '';
  let startError: Error | null = null;

  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      const { buildBrowser } = (await import(join(ROOT, 'scripts', 'build-browser.mjs'))) as { buildBrowser(out: string): Promise<string> };
      const bundle = readFileSync(await buildBrowser(join(mkdtempSync(join(tmpdir(), 'genzoo-digits-browser-')), 'genzoo.browser.js')));
      const digits = readFileSync(join(ROOT, 'data', 'mnist-digits.gz'));
      server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        else if (path === '/pkg/dist/genzoo.browser.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
        else if (path === '/pkg/data/mnist-digits.gz' || path === '/elsewhere/mnist-digits.gz') res.writeHead(200, { 'content-type': 'application/gzip' }).end(digits);
        else res.writeHead(404, 'Not Found').end();
      });
      await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        ignoreDefaultArgs: true,
        args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
          `--user-data-dir=${mkdtempSync(join(tmpdir(), 'genzoo-digits-chromium-'))}`, '--remote-debugging-pipe', 'about:blank'],
        timeout: 60_000,
      });
    } catch (e) {
      startError = e as Error;
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  test('fetched next to the bundle by default, from a URL or from bytes: the same test split as in Node', async () => {
    if (startError) throw startError;
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/`);
      await page.waitForFunction(() => 'loaded' in globalThis, null, { timeout: 30_000 });
      const r = await page.evaluate(() => (globalThis as unknown as { check(): Promise<Record<string, unknown>> }).check());
      const test = await data.mnist({ split: 'test' });
      const expected = { n: 997, images: sha256(test.images), labels: sha256(test.labels) };
      expect(r.defaultUrl).toBe('/pkg/data/mnist-digits.gz');
      expect(r.byDefault).toEqual(expected);
      expect(r.byUrl).toEqual(expected);
      expect(r.byBytes).toEqual(expected);
      expect(r.missing).toBe('data.mnist: cannot fetch /nothing.gz: HTTP 404 Not Found');
    } catch (e) {
      throw new Error(`${(e as Error).message}\npage errors: ${errors.join('\n')}`);
    } finally {
      await page.close();
    }
  }, 120_000);
});
