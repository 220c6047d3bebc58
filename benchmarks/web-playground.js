/**
 * The playground page, measured in headless Chromium (SwiftShader, the flags
 * of scripts/isolated-server.mjs):
 *   - first contentful paint of the built site (dist/web as `npm run build:web`
 *     writes it, served cross-origin isolated) against a blank page from the
 *     same server, in one warm browser, interleaved, `--rounds` times each;
 *   - training speed in the page per backend: samples/s over the last 50 steps
 *     (the page's own progress numbers) once `--steps` steps are done, for the
 *     given model configuration.
 *
 *   node benchmarks/web-playground.js [--rounds 7] [--steps 100] [--backends wasm,wasm-relaxed,js,gpu:webgl2,gpu:webgl]
 *                                     [--model cvae] [--width 512] [--latent 8] [--batch 64] [--no-paint] [--no-train]
 *
 * Prints a markdown table and one JSON line (with the load average before and
 * after: the numbers move with the machine's load; compare within one run).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../scripts/build-web.mjs';
import { createIsolatedServer, launchChromium, listen, staticRoute } from '../scripts/isolated-server.mjs';

const USAGE = 'usage: node benchmarks/web-playground.js [--rounds N] [--steps N] [--backends a,b] [--model KIND] [--width W] [--latent D] [--batch B] [--no-paint] [--no-train]';

function parseArgs(argv) {
  const o = { rounds: 7, steps: 100, backends: ['wasm', 'wasm-relaxed', 'js', 'gpu:webgl2', 'gpu:webgl'], model: 'cvae', width: 512, latent: 8, batch: 64, paint: true, train: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const int = (min) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) fail(`${a} must be an integer ≥ ${min}, got '${v}'`);
      return n;
    };
    if (a === '--rounds') o.rounds = int(1);
    else if (a === '--steps') o.steps = int(60);
    else if (a === '--backends') o.backends = value().split(',').filter(Boolean);
    else if (a === '--model') o.model = value();
    else if (a === '--width') o.width = int(2);
    else if (a === '--latent') o.latent = int(1);
    else if (a === '--batch') o.batch = int(2);
    else if (a === '--no-paint') o.paint = false;
    else if (a === '--no-train') o.train = false;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option '${a}'`);
  }
  return o;
}

function fail(message) {
  console.error(`web-playground: ${message}\n${USAGE}`);
  process.exit(2);
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function firstPaint(browser, url) {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  const fcp = await page.evaluate(() => new Promise((ok) => new PerformanceObserver((list) => {
    const e = list.getEntries().find((x) => x.name === 'first-contentful-paint');
    if (e) ok(e.startTime);
  }).observe({ type: 'paint', buffered: true })));
  await page.close();
  return fcp;
}

async function trainingSpeed(browser, url, backend, o) {
  const page = await browser.newPage();
  await page.goto(url);
  // Every backend probed: the probe worker (which compiles the gpu kernels) has ended and does not compete with training.
  await page.waitForFunction(() => globalThis.playground?.probed === true, null, { timeout: 300_000 });
  const report = await page.evaluate((id) => globalThis.playground.backends.find((b) => b.id === id), backend);
  if (!report?.trains) {
    await page.close();
    return { backend, error: report?.reason ?? 'unknown backend' };
  }
  await page.selectOption('#t-kind', o.model);
  for (const [sel, v] of [['#t-width', o.width], ['#t-latent', o.latent], ['#t-batch', o.batch], ['#t-epochs', 100], ['#t-grid-every', 100000]]) await page.fill(sel, String(v));
  await page.selectOption('#t-backend', backend);
  const t0 = Date.now();
  await page.click('#t-start');
  await page.waitForFunction((n) => globalThis.playground.train.rows.length >= 1, null, { timeout: 600_000, polling: 200 });
  const firstStepS = (Date.now() - t0) / 1000;
  await page.waitForFunction((n) => globalThis.playground.train.rows.length >= n, o.steps, { timeout: 1_800_000, polling: 200 });
  const samplesPerSec = await page.evaluate(() => globalThis.playground.train.progress.samplesPerSec);
  const info = report.info?.details ?? {};
  await page.click('#t-stop');
  await page.close();
  return { backend, samplesPerSec, msPerStep: (1000 * o.batch) / samplesPerSec, firstStepS, details: [info.simd, info.threads && `${info.threads} threads`, info.mode, info.renderer].filter(Boolean).join(', ') };
}

const o = parseArgs(process.argv.slice(2));
const tmp = mkdtempSync(join(os.tmpdir(), 'genzoo-web-bench-'));
const site = await buildWeb(join(tmp, 'site'));
writeFileSync(join(site, 'blank.html'), '<!doctype html><meta charset="utf-8"><title>blank</title><p>blank');
const server = createIsolatedServer(staticRoute(site));
const port = await listen(server);
const browser = await launchChromium(join(tmp, 'profile'));
const base = `http://127.0.0.1:${port}/`;
const loadBefore = os.loadavg();
const result = { date: new Date().toISOString(), chromium: browser.version(), cpus: os.cpus().length, config: o };
try {
  if (o.paint) {
    await firstPaint(browser, `${base}blank.html`); // warm the browser (GPU process, caches of the browser itself)
    const site = [];
    const blank = [];
    for (let r = 0; r < o.rounds; r++) {
      blank.push(await firstPaint(browser, `${base}blank.html?${r}`));
      site.push(await firstPaint(browser, `${base}?${r}`));
    }
    result.firstPaint = { siteMs: median(site), blankMs: median(blank), site, blank };
    console.log(`first contentful paint: the playground ${median(site).toFixed(0)} ms, a blank page ${median(blank).toFixed(0)} ms (medians of ${o.rounds}, warm browser)`);
  }
  if (o.train) {
    result.training = [];
    console.log(`\n| backend | samples/s | ms per step | first step (s) | details |\n|---|---|---|---|---|`);
    for (const b of o.backends) {
      const r = await trainingSpeed(browser, base, b, o);
      result.training.push(r);
      console.log(r.error ? `| ${b} | — | — | — | ${r.error} |` : `| ${b} | ${r.samplesPerSec.toFixed(0)} | ${r.msPerStep.toFixed(1)} | ${r.firstStepS.toFixed(1)} | ${r.details} |`);
    }
    console.log(`\n(${o.model} ${o.width} wide, latent ${o.latent}, batch ${o.batch}; samples/s over the last 50 of ${o.steps} steps)`);
  }
} finally {
  await browser.close();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}
result.loadAverage = { before: loadBefore, after: os.loadavg() };
console.log(JSON.stringify(result));
