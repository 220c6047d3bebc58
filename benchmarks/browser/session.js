/**
 * The browser side of `npm run bench:browser`, from Node: the bundles the page
 * loads, a local HTTP server that sends every response with COOP/COEP headers
 * (so the page is cross-origin isolated: SharedArrayBuffer exists and genzoo's
 * wasm backend runs its worker threads), and one headless Chromium on
 * SwiftShader with the flags of tests/gpu/browser.test.ts. The server and the
 * launch are scripts/isolated-server.mjs's, shared with `npm run web`.
 */
import { build } from 'esbuild';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS, createIsolatedServer, ISOLATION_HEADERS, launchChromium, listen } from '../../scripts/isolated-server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export { CHROMIUM, CHROMIUM_FLAGS, ISOLATION_HEADERS };

const TFJS_DIST = (pkg, file) => join(ROOT, 'node_modules', '@tensorflow', pkg, 'dist', file);

const PAGE = `<!doctype html><meta charset="utf-8"><title>genzoo bench:browser</title>
<script src="/tfjs.js"></script>
<script src="/tfjs-webgl.js"></script>
<script src="/tfjs-webgpu.js"></script>
<script type="module" src="/benchmarks/browser/page.js"></script>`;

/** genzoo's browser bundle (fresh from src/) and the tfjs core bundle, into `dir`. */
async function buildBundles(dir) {
  const { buildBrowser } = await import(join(ROOT, 'scripts', 'build-browser.mjs'));
  const genzoo = await buildBrowser(join(dir, 'genzoo.js'));
  const tfjs = join(dir, 'tfjs.js');
  await build({
    entryPoints: [join(HERE, 'tfjs-entry.js')], outfile: tfjs, bundle: true, format: 'iife',
    platform: 'browser', target: 'es2020', minify: true, logLevel: 'error',
  });
  return { genzoo, tfjs };
}

/** The file under benchmarks/ that a request names, or null (only .js files, never outside benchmarks/). */
function benchmarkFile(url) {
  if (!url.startsWith('/benchmarks/') || !url.endsWith('.js')) return null;
  const path = normalize(join(ROOT, url));
  return path.startsWith(join(ROOT, 'benchmarks') + '/') && existsSync(path) ? path : null;
}

function serve(files, data, notFound) {
  const js = 'text/javascript';
  return createIsolatedServer((url) => {
    if (url === '/') return { body: PAGE, type: 'text/html' };
    if (files[url]) return { file: files[url], type: js };
    const file = benchmarkFile(url);
    if (file) return { file, type: js };
    if (url.startsWith('/data/') && data.has(url.slice(6))) return { body: Buffer.from(data.get(url.slice(6))), type: 'application/octet-stream' };
    return null;
  }, { onNotFound: (url) => notFound.push(url) });
}

/** A call in the page ran past the call limit; the page was stopped. */
export class StalledCall extends Error {
  constructor(engine, seconds) {
    super(`a call of ${engine} ran over ${seconds} s; the page was stopped`);
    this.engine = engine;
  }
}

/**
 * Builds, serves and opens the benchmark page. `data`: case id → packed
 * arrays (cases.js). `onConsole(line)` gets the page's console output.
 * Returns the session: `evaluate(fn, arg, callLimitS)` runs `fn` in the page
 * under a watchdog (the page beats before each call saying how long it may
 * take, page.js; when the next beat is late, or nothing beats for callLimitS
 * seconds, the browser is restarted and StalledCall thrown), `chromiumVersion`, `notFound` (paths the page asked for in vain),
 * `close()`.
 */
export async function openBenchPage({ data, onConsole }) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'genzoo-bench-browser-'));
  const notFound = [];
  let server = null;
  let browser = null;
  let page = null;
  let lastBeat = { engine: null, at: Date.now(), limitS: 60 };
  const close = async () => {
    await browser?.close();
    if (server) await new Promise((ok) => server.close(ok));
    rmSync(tmp, { recursive: true, force: true });
  };
  const launch = async () => {
    browser = await launchChromium(mkdtempSync(join(tmp, 'profile-')));
    page = await browser.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[beat] ')) {
        const [engine, seconds] = text.slice(7).split(' ');
        lastBeat = { engine, at: Date.now(), limitS: Number(seconds) };
      }
      else onConsole(text);
    });
    page.on('pageerror', (e) => onConsole(`[page error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => 'bench' in globalThis, null, { timeout: 60_000 });
  };
  const evaluate = async (fn, arg, callLimitS) => {
    lastBeat = { engine: null, at: Date.now(), limitS: callLimitS };
    let timer = null;
    const watchdog = new Promise((_, fail) => {
      timer = setInterval(() => {
        if (Date.now() - lastBeat.at > lastBeat.limitS * 1000) fail(new StalledCall(lastBeat.engine, Math.round(lastBeat.limitS)));
      }, 250);
    });
    const call = page.evaluate(fn, arg);
    call.catch(() => {}); // after a stall it rejects when the browser closes: already reported
    try {
      return await Promise.race([call, watchdog]);
    } catch (e) {
      if (!(e instanceof StalledCall)) throw e;
      // The page's thread is stuck in the call: only a new browser gets a page back.
      await browser.close();
      await launch();
      throw e;
    } finally {
      clearInterval(timer);
    }
  };
  try {
    const bundles = await buildBundles(tmp);
    const files = {
      '/genzoo.js': bundles.genzoo,
      '/tfjs.js': bundles.tfjs,
      '/tfjs-webgl.js': TFJS_DIST('tfjs-backend-webgl', 'tf-backend-webgl.es2017.min.js'),
      '/tfjs-webgpu.js': TFJS_DIST('tfjs-backend-webgpu', 'tf-backend-webgpu.es2017.min.js'),
    };
    server = serve(files, data, notFound);
    await listen(server);
    await launch();
    return { evaluate, chromiumVersion: browser.version(), flags: CHROMIUM_FLAGS, notFound, close };
  } catch (e) {
    await close();
    throw e;
  }
}
