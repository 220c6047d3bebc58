/**
 * Times the gpu backend's kernels where a GPU can be reached: webgl2, webgl
 * and webgpu in headless Chromium, headlessgl in Node (under Xvfb), with
 * GPU.js's webasm as the CPU baseline. Run through benchmarks/gpu.sh.
 *
 *   node benchmarks/gpu-bench.js [--quick] [--software] [--modes webgl2,webgpu,...] [--only <substring>]
 *
 *   --quick     small cases (the ones `npm run bench` uses)
 *   --software  Chromium on SwiftShader instead of the GPU (to try the script without one)
 *   GENZOO_CHROMIUM_FLAGS  extra Chromium flags (space-separated), e.g. another --use-angle
 *
 * Every result names the renderer it ran on (the unmasked GL renderer, the
 * WebGPU adapter): a software renderer is flagged, so CPU figures are never
 * mistaken for GPU ones. Results: a table on stdout and
 * benchmarks/results/gpu-<date>.json.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CPU_CASES, GPU_CASES, table, timeCase } from './gpu-cases.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);

const QUICK = flag('--quick');
const SOFTWARE = flag('--software');
const ONLY = option('--only', null);
const MODES = option('--modes', 'webgl2,webgl,webgpu,headlessgl,webasm').split(',');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Stop starting new cases past this, so the whole run stays under five minutes. */
const DEADLINE = Date.now() + 240_000;
const CASE_OPTS = { targetMs: QUICK ? 300 : 800, maxRuns: QUICK ? 3 : 10 };
const CASES = (QUICK ? CPU_CASES : GPU_CASES).filter((c) => !ONLY || c.name.includes(ONLY));
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render/i;

const BASE_FLAGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--enable-unsafe-webgpu'];
const GPU_FLAGS = ['--ignore-gpu-blocklist', '--enable-gpu', '--use-angle=vulkan', '--enable-features=Vulkan'];
const SWIFTSHADER_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** Runs the cases on one backend; returns { rows: {caseName: result}, skippedCases }. */
async function runCases(g, backend, asyncKernels) {
  const results = {};
  for (const c of CASES) {
    if (Date.now() > DEADLINE) {
      results[c.name] = { error: 'skipped: time budget spent' };
      continue;
    }
    try {
      results[c.name] = await timeCase(g, backend, c, { ...CASE_OPTS, async: asyncKernels });
    } catch (e) {
      results[c.name] = { error: e.message };
    }
  }
  return results;
}

// ------------------------------------------------------------ child: headless-gl in its own process (under xvfb-run)

if (flag('--child')) {
  const g = await import(join(ROOT, 'dist', 'index.js'));
  const mode = option('--child', 'headlessgl');
  let out;
  try {
    const backend = g.createGpuBackend({ mode });
    g.setBackend('gpu', { mode });
    const info = g.backendInfo().details;
    g.setBackend('js');
    out = { mode, renderer: info.renderer, results: await runCases(g, backend, false) };
  } catch (e) {
    out = { mode, error: e.message };
  }
  process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`);
  process.exit(0);
}

// ------------------------------------------------------------ browser modes

async function browserModes(modes) {
  if (!modes.length) return [];
  if (!existsSync(CHROMIUM)) return modes.map((mode) => ({ mode, error: `${CHROMIUM} not found (apt-get install -y chromium)` }));
  const bundle = join(ROOT, 'dist', 'genzoo.browser.js');
  if (!existsSync(bundle)) return modes.map((mode) => ({ mode, error: 'dist/genzoo.browser.js missing: run npm run build' }));
  const files = {
    '/genzoo.js': bundle,
    '/gpu-cases.js': join(HERE, 'gpu-cases.js'),
    '/arrays.js': join(HERE, 'arrays.js'), // imported by gpu-cases.js
  };
  const page = `<!doctype html><meta charset="utf-8"><script type="module">
    import * as g from '/genzoo.js';
    import { CPU_CASES, GPU_CASES, timeCase } from '/gpu-cases.js';
    window.benchMode = async (mode, names, opts, deadline) => {
      g.setBackend('gpu', { mode });
      await g.ready();
      const info = g.backendInfo().details;
      const backend = g.getBackend();
      g.setBackend('js');
      let renderer = info.renderer;
      if (mode === 'webgpu') {
        const a = await navigator.gpu.requestAdapter();
        const i = a && a.info ? a.info : {};
        renderer = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
      }
      const cases = [...CPU_CASES, ...GPU_CASES].filter((c) => names.includes(c.name));
      const results = {};
      for (const c of cases) {
        if (Date.now() > deadline) { results[c.name] = { error: 'skipped: time budget spent' }; continue; }
        try { results[c.name] = await timeCase(g, backend, c, { ...opts, async: mode === 'webgpu' }); }
        catch (e) { results[c.name] = { error: e.message }; }
      }
      return { mode, renderer, results };
    };
  </script>`;
  const server = createServer((req, res) => {
    const f = files[req.url];
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else if (f) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(f));
    else res.writeHead(404).end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { chromium } = await import('playwright-core');
  const extra = (process.env.GENZOO_CHROMIUM_FLAGS ?? '').split(' ').filter(Boolean);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args: [...BASE_FLAGS, ...(SOFTWARE ? SWIFTSHADER_FLAGS : GPU_FLAGS), ...extra, `--user-data-dir=${mkdtempSync(join(os.tmpdir(), 'genzoo-gpu-bench-'))}`, '--remote-debugging-pipe', 'about:blank'],
  });
  const out = [];
  try {
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    await p.waitForFunction(() => 'benchMode' in window);
    for (const mode of modes) {
      try {
        out.push(await p.evaluate(([m, names, opts, deadline]) => window.benchMode(m, names, opts, deadline), [mode, CASES.map((c) => c.name), CASE_OPTS, DEADLINE]));
      } catch (e) {
        out.push({ mode, error: e.message.split('\n')[0] });
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  return out;
}

// ------------------------------------------------------------ node modes

function headlessGL() {
  const child = ['node', fileURLToPath(import.meta.url), '--child', 'headlessgl', ...(QUICK ? ['--quick'] : []), ...(ONLY ? ['--only', ONLY] : [])];
  const hasXvfb = spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
  const cmd = process.env.DISPLAY || !hasXvfb ? child : ['xvfb-run', '-a', ...child];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: Math.max(10_000, DEADLINE - Date.now() + 30_000) });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  return line ? JSON.parse(line.slice(7)) : { mode: 'headlessgl', error: `child failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-300)}` };
}

async function webasm() {
  const g = await import(join(ROOT, 'dist', 'index.js'));
  try {
    return { mode: 'webasm', renderer: `${os.cpus()[0]?.model ?? 'CPU'} (GPU.js WebAssembly, one thread)`, results: await runCases(g, g.createGpuBackend({ mode: 'webasm' }), false) };
  } catch (e) {
    return { mode: 'webasm', error: e.message };
  }
}

// ------------------------------------------------------------ main

const t0 = Date.now();
const runs = [];
runs.push(...(await browserModes(MODES.filter((m) => ['webgl2', 'webgl', 'webgpu'].includes(m)))));
if (MODES.includes('headlessgl')) runs.push(headlessGL());
if (MODES.includes('webasm')) runs.push(await webasm());

const engines = runs.filter((r) => !r.error).map((r) => `${r.mode}${SOFTWARE_RENDERER.test(r.renderer ?? '') && r.mode !== 'webasm' ? ' (software)' : ''}`);
const rows = CASES.map((c) => ({
  name: c.name,
  results: Object.fromEntries(runs.filter((r) => !r.error).map((r, i) => [engines[i], r.results[c.name]])),
}));
const md = [
  `### gpu backend kernels: median GFLOP/s (first call, i.e. compilation, excluded)${SOFTWARE ? ' — SwiftShader, not a GPU' : ''}`,
  '',
  table(rows, engines),
  '',
  ...runs.map((r) => `- ${r.mode}: ${r.error ? `not run: ${r.error}` : r.renderer}`),
].join('\n');
console.log(`\n${md}\n`);
if (runs.some((r) => !r.error && r.mode !== 'webasm' && SOFTWARE_RENDERER.test(r.renderer ?? ''))) {
  console.log('NOTE: at least one mode ran on a software renderer: those are CPU figures, not GPU ones.');
}
console.log(`took ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const dir = join(HERE, 'results');
mkdirSync(dir, { recursive: true });
const json = JSON.stringify({ date: new Date().toISOString(), quick: QUICK, software: SOFTWARE, machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version }, runs, markdown: md }, null, 2);
for (const name of [`gpu-${new Date().toISOString().slice(0, 10)}.json`, 'gpu-latest.json']) {
  writeFileSync(join(dir, `${name}.tmp`), json);
  renameSync(join(dir, `${name}.tmp`), join(dir, name));
}
console.log(`results: benchmarks/results/gpu-${new Date().toISOString().slice(0, 10)}.json`);
