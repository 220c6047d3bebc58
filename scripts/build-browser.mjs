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
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildBrowser(outfile = join(ROOT, 'dist', 'genzoo.browser.js')) {
  await build({
    entryPoints: [join(ROOT, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
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
