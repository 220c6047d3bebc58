/**
 * `npm run web`: serves the built playground (dist/web/, `npm run build:web`)
 * on localhost, cross-origin isolated (COOP/COEP on every response, so that
 * the wasm backend runs its worker threads), and prints its URL.
 *
 *   node scripts/web.mjs [--port N] [--host H] [--dir DIR]
 *
 *   --port   the port (default 8080; 0: any free one)
 *   --host   the address to listen on (default 127.0.0.1; 0.0.0.0 to reach it from another device)
 *   --dir    the site to serve (default dist/web)
 * Exit: 2 on a usage error; 1 when the site is missing or the port is taken.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIsolatedServer, listen, staticRoute } from './isolated-server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run web -- [--port N] [--host H] [--dir DIR]';

function usageError(message) {
  console.error(`web: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { port: 8080, host: '127.0.0.1', dir: join(ROOT, 'dist', 'web') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) usageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--port') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) usageError(`--port must be an integer from 0 to 65535, got '${v}'`);
      o.port = n;
    } else if (a === '--host') o.host = value();
    else if (a === '--dir') o.dir = resolve(value());
    else usageError(`unknown option '${a}'`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(join(opts.dir, 'index.html'))) {
  console.error(`web: ${opts.dir} holds no built site (no index.html); run npm run build:web first`);
  process.exit(1);
}
const server = createIsolatedServer(staticRoute(opts.dir));
let port;
try {
  port = await listen(server, opts.port, opts.host);
} catch (e) {
  console.error(`web: cannot listen on ${opts.host}:${opts.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (try --port 0)' : e.message}`);
  process.exit(1);
}
const shown = opts.host === '0.0.0.0' ? 'localhost' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
console.log(`genzoo playground: http://${shown}:${port}/  (serving ${opts.dir}, cross-origin isolated; Ctrl-C stops)`);
