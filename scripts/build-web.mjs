/**
 * `npm run build:web`: the playground as a static site in dist/web/ (or the
 * folder given), which any static host can serve (docs/web.md):
 *
 *   index.html, style.css          the page (static markup: it paints before any script runs)
 *   app.js                         the page's script (web/src/main.ts and its panels)
 *   train-worker.js, model-worker.js, probe-worker.js   the three Web Workers
 *   lib/genzoo.browser.js          genzoo's browser bundle (scripts/build-browser.mjs), fresh from src/
 *   data/mnist-digits.gz           the embedded digits, fetched by the workers
 *   isolate.js, isolate-sw.js      cross-origin isolation on hosts that cannot send headers
 *   _headers                       the COOP/COEP headers, for hosts that read it (Netlify, Cloudflare Pages)
 *
 * The page's scripts import 'genzoo' (typed against src/index.ts by
 * web/tsconfig.json); here that import becomes './lib/genzoo.browser.js', so
 * the page uses the public API only, through the same bundle users get.
 * docs/kl.md's derivation (its section 1) is put into the KL explorer as
 * HTML, with Step 4 — the easily mistaken step — marked.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBrowser } from './build-browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'web');

/** 'genzoo' in the page's scripts is the browser bundle beside them. */
const genzooBundle = {
  name: 'genzoo-browser-bundle',
  setup(b) {
    b.onResolve({ filter: /^genzoo$/ }, () => ({ path: './lib/genzoo.browser.js', external: true }));
  },
};

const escapeHtml = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const inline = (s) => escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>');

/** Markdown paragraphs and indented code blocks (all section 1 of docs/kl.md uses) as HTML blocks. */
function blocks(markdown) {
  const out = [];
  for (const chunk of markdown.trim().split(/\n\s*\n/)) {
    const lines = chunk.split('\n');
    if (lines.every((l) => l.startsWith('    ') || l.trim() === '')) out.push(`<pre>${escapeHtml(lines.map((l) => l.slice(4)).join('\n'))}</pre>`);
    else out.push(`<p>${inline(lines.join(' '))}</p>`);
  }
  return out;
}

/** The mistaken Step 4, as the page shows it when the toggle is on. */
const WRONG_STEP_4 = `<div class="step4 step4-wrong kl-step4-wrong" hidden>
<p><strong>Step 4 — done wrong: the first moment for the second.</strong></p>
<pre>E[(X − μ1)²]  ≟  ∫ (x − μ1) p1(x) dx = 0</pre>
<p>So the second term contributes 0 instead of −½, and in Step 5 the same slip leaves E[(X − μ2)²] = (μ1 − μ2)². The sum becomes</p>
<pre>log(σ2/σ1) + (μ1 − μ2)²/(2σ2²)</pre>
<p>— the σ1²/(2σ2²) and the −½ are lost. It still gives 0 for p1 = p2, which is why a spot check can miss it; the integral does not.</p>
</div>`;

/** Section 1 of docs/kl.md as HTML, Step 4 wrapped so that the page can highlight it and swap in the mistake. */
export function klDerivationHtml(markdown = readFileSync(join(ROOT, 'docs', 'kl.md'), 'utf8')) {
  const start = markdown.indexOf('## 1. ');
  const end = markdown.indexOf('\n## 2. ', start);
  if (start < 0 || end < 0) throw new Error("build-web: docs/kl.md no longer has sections '## 1. ' and '## 2. '; update scripts/build-web.mjs");
  const section = markdown.slice(markdown.indexOf('\n', start) + 1, end);
  const html = blocks(section);
  const step4 = html.findIndex((b) => b.startsWith('<p><strong>Step 4'));
  const step5 = html.findIndex((b) => b.startsWith('<p><strong>Step 5'));
  if (step4 < 0 || step5 < step4) throw new Error('build-web: docs/kl.md section 1 no longer has **Step 4** followed by **Step 5**; update scripts/build-web.mjs');
  return [
    ...html.slice(0, step4),
    `<div class="step4 kl-step4-right"><p class="note">The step that is easy to get wrong:</p>\n${html.slice(step4, step5).join('\n')}\n</div>`,
    WRONG_STEP_4,
    ...html.slice(step5),
  ].join('\n');
}

/** Builds the site into `out`; returns `out`. */
export async function buildWeb(out = join(ROOT, 'dist', 'web')) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'lib'), { recursive: true });
  mkdirSync(join(out, 'data'), { recursive: true });
  await buildBrowser(join(out, 'lib', 'genzoo.browser.js'));
  await build({
    entryPoints: {
      app: join(WEB, 'src', 'main.ts'),
      'train-worker': join(WEB, 'src', 'train-worker.ts'),
      'model-worker': join(WEB, 'src', 'model-worker.ts'),
      'probe-worker': join(WEB, 'src', 'probe-worker.ts'),
    },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [genzooBundle],
    logLevel: 'warning',
  });
  const page = readFileSync(join(WEB, 'index.html'), 'utf8');
  if (!page.includes('<!--KL-DERIVATION-->')) throw new Error('build-web: web/index.html lost its <!--KL-DERIVATION--> placeholder');
  writeFileSync(join(out, 'index.html'), page.replace('<!--KL-DERIVATION-->', klDerivationHtml()));
  for (const f of ['style.css', 'isolate.js', 'isolate-sw.js', '_headers']) copyFileSync(join(WEB, f), join(out, f));
  copyFileSync(join(ROOT, 'data', 'mnist-digits.gz'), join(out, 'data', 'mnist-digits.gz'));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await buildWeb(process.argv[2]);
  console.log(`playground: ${out} (serve it with: npm run web, or any static host — docs/web.md)`);
}
