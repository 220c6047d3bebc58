/**
 * The browser build of genzoo: one ES module, dist/genzoo.browser.js, with
 * GPU.js's browser build inside (its package's "browser" entry).
 *
 *   <script type="module">
 *     import * as genzoo from './genzoo.browser.js';
 *     genzoo.setBackend('gpu', { mode: 'webgl2' });
 *   </script>
 *
 * Not minified: GPU.js translates kernel functions from their source text, and
 * readable kernels are easier to debug in the browser's devtools.
 *
 * No source map: the bundle is readable as it is (names and structure kept), so
 * a stack trace into it reads without one, and a map of it would be mostly
 * GPU.js's prebuilt browser file again (3.5 MB of the 7.3 MB package it made).
 * The Node build (the .js files beside it in dist/) has maps with its TypeScript sources inside.
 *
 * The embedded digits: src/data/mnist.ts finds data/mnist-digits.gz at
 * `new URL('../../data/mnist-digits.gz', import.meta.url)`, relative to
 * dist/data/mnist.js; this one file sits one folder higher (dist/), so the
 * plugin below rewrites that literal to '../data/mnist-digits.gz'.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const DIGITS_FROM_MODULE = "'../../data/mnist-digits.gz'";
const DIGITS_FROM_BUNDLE = "'../data/mnist-digits.gz'";

/** Rewrites the digits file's URL in src/data/mnist.ts for the bundle's location (see above). */
const digitsUrlPlugin = {
  name: 'genzoo-digits-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]data[\\/]mnist\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(DIGITS_FROM_MODULE)) {
        throw new Error(`build-browser: ${args.path} no longer contains ${DIGITS_FROM_MODULE}; update scripts/build-browser.mjs`);
      }
      return { contents: source.replaceAll(DIGITS_FROM_MODULE, DIGITS_FROM_BUNDLE), loader: 'ts' };
    });
  },
};

/** The browser's GPU.js loader (a static import) in place of Node's lazy one (src/tensor/backends/gpu/gpujs.ts). */
const gpuJsLoaderPlugin = {
  name: 'genzoo-gpujs-browser',
  setup(b) {
    b.onResolve({ filter: /^\.\/gpujs\.js$/ }, (args) =>
      /[\\/]backends[\\/]gpu$/.test(args.resolveDir) ? { path: join(args.resolveDir, 'gpujs.browser.ts') } : undefined);
  },
};

export async function buildBrowser(outfile = join(ROOT, 'dist', 'genzoo.browser.js')) {
  await build({
    entryPoints: [join(ROOT, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: false,
    plugins: [digitsUrlPlugin, gpuJsLoaderPlugin],
    // Node-only modules (checkpoint files) are imported lazily where used; in a browser those paths are not taken.
    external: ['node:*'],
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await buildBrowser(process.argv[2]);
  console.log(`browser bundle: ${out}`);
}
