/**
 * Serving pages to a browser the way genzoo's wasm backend wants them, and
 * launching the headless Chromium the browser tools use. Shared by
 * `npm run web` (scripts/web.mjs), `npm run bench:browser`
 * (benchmarks/browser/session.js) and the playground's tests.
 *
 * Cross-origin isolation: a page served with COOP `same-origin` and COEP
 * `require-corp` gets SharedArrayBuffer, which the wasm backend's worker
 * threads share their memory through. Every response of these servers
 * carries both headers (a worker script needs them too).
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

/** Cross-origin isolation: what makes SharedArrayBuffer (and so wasm threads) available to the page. */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Measured to give WebGL2, WebGL and WebGPU on SwiftShader in a sandbox without network (as the gpu tests). */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm', '.gz': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};

/** The Content-Type of a file name (application/octet-stream when unknown). */
export function contentType(name) {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * An HTTP server whose every response is cross-origin isolated and not cached.
 * `route(path)` answers a request path (query removed) with
 * `{ body: string | Uint8Array, type }`, `{ file, type? }`, or null (404, and
 * the path is passed to `onNotFound`). `options.headers` are added to every response.
 */
export function createIsolatedServer(route, { onNotFound = () => {}, headers: extra = {}, isolate = true } = {}) {
  return createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const headers = { ...(isolate ? ISOLATION_HEADERS : {}), 'Cache-Control': 'no-store', ...extra };
    let answer;
    try {
      answer = route(path);
    } catch (e) {
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain' }).end(String(e?.message ?? e));
      return;
    }
    if (!answer) {
      if (path === '/favicon.ico') return res.writeHead(204, headers).end();
      onNotFound(path);
      return res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}\n`);
    }
    const body = answer.file !== undefined ? readFileSync(answer.file) : answer.body;
    const type = answer.type ?? contentType(answer.file ?? path);
    res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
  });
}

/** A route serving the files under `dir` (index.html for a folder); never a path outside it. */
export function staticRoute(dir) {
  const root = normalize(dir);
  return (path) => {
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return null;
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    return existsSync(file) && statSync(file).isFile() ? { file } : null;
  };
}

/** Starts `server` on `host:port` (port 0: any free one); resolves to the port. */
export function listen(server, port = 0, host = '127.0.0.1') {
  return new Promise((ok, fail) => {
    server.once('error', fail).listen(port, host, () => ok(server.address().port));
  });
}

/**
 * Headless Chromium on SwiftShader with CHROMIUM_FLAGS (plus `args`), its
 * profile in `profileDir`. Playwright's default flags would replace the
 * SwiftShader choice, so exactly these are passed.
 */
export async function launchChromium(profileDir, args = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, ...args, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank'],
    timeout: 60_000,
  });
}
