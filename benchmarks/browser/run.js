/**
 * `npm run bench:browser`: genzoo's backends beside TensorFlow.js 4.22's in one
 * headless Chromium page, on the same data and weights.
 *
 *   node benchmarks/browser/run.js [--quick] [--only <substring>] [--engines a,b,…]
 *                                  [--rounds <n>] [--budget <seconds>] [--call-limit <seconds>]
 *                                  [--out-dir <dir>]
 *
 *   --quick      a short run (3 s of timed rounds per case instead of 15, one warm-up call)
 *   --only       the cases whose id or name contains this (ids: matmul-256, matmul-512,
 *                chain, mlp, dcgan-d, cvae, cgan)
 *   --engines    engine ids, comma-separated (default all): gpu-webgl2, gpu-webgl,
 *                gpu-webgpu, wasm, js (genzoo); tfjs-webgl, tfjs-webgpu, tfjs-cpu
 *   --rounds     exactly this many interleaved rounds per case (instead of the time budget)
 *   --budget     seconds of timed rounds per case (default 15; 3 with --quick). An engine
 *                with two calls in a row over half of it is timed on one more call only.
 *   --call-limit seconds one call may take (default 20; 10 with --quick; twice that for an
 *                engine's first call, which compiles): past it the browser is restarted
 *                and the case run again without that engine
 *   --out-dir    where the JSON goes (default benchmarks/results)
 *
 * The harness (files in benchmarks/browser/):
 *   run.js          this file: options, the host's data, the tables, the JSON.
 *   session.js      bundles genzoo (fresh from src/) and tfjs-core with its gradients
 *                   (tfjs-entry.js; the backends come from their es2017 bundles), serves
 *                   the page from 127.0.0.1 with COOP/COEP headers (cross-origin isolated:
 *                   genzoo's wasm backend gets its worker threads), launches Chromium on
 *                   SwiftShader with the gpu tests' flags.
 *   cases.js        the cases and their seeded data, made once on the host and served
 *                   to the page as typed arrays (tfjs layouts converted on the host).
 *   page.js         in the page: per case, each engine's agreement calls, warm-up,
 *                   interleaved timed rounds, a counting call; see its header.
 *   engines.js      the eight engines and their transfer counters.
 *   genzoo-api.js   THE place that adapts to genzoo's API generation (today's async ops
 *                   on WebGPU and t.data, or sync ops and `await t.read()`).
 *   genzoo-cases.js genzoo's side of each case, public API only.
 *   tfjs-cases.js   tfjs's side, including twins of the zoo's CVAE and CGAN.
 *   report.js       the markdown tables.
 *
 * Method: every call is a user's call, the result read back to the host (a
 * kernel's output; a step's loss). Medians of per-call times from interleaved
 * rounds (each round visits every engine, ~150 ms of calls each, the first
 * engine rotating), so background load hits all engines alike; ratios from
 * one run are what to compare, absolute times drift with the load (recorded).
 * The first call (shader compilation included) is reported apart. Every
 * engine's first call(s) are checked against genzoo js on the same data.
 *
 * Output: tables on stdout; JSON in <out-dir>/browser-<date>.json and
 * browser-latest.json (the machine, load average before/after, Chromium's
 * version and flags, the page's GL renderer and WebGPU adapter, crossOriginIsolated).
 * Exit: 0; 1 when the browser cannot run the page; 2 on a usage error.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { CASES, packArrays, selectCases } from './cases.js';
import { ENGINES } from './engines.js';
import { reportTables } from './report.js';
import { CHROMIUM, ISOLATION_HEADERS, openBenchPage, ROOT, StalledCall } from './session.js';

const USAGE = 'usage: npm run bench:browser -- [--quick] [--only <substring>] [--engines a,b,…] [--rounds <n>] [--budget <seconds>] [--call-limit <seconds>] [--out-dir <dir>]';

function usageError(message) {
  console.error(`bench:browser: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { quick: false, only: null, engines: ENGINES.map((e) => e.id), rounds: null, budget: null, callLimit: null, outDir: join(ROOT, 'benchmarks', 'results') };
  const value = (i, flag) => {
    if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) usageError(`${flag} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = value(i++, a);
    else if (a === '--engines') {
      const ids = value(i++, a).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = ids.filter((id) => !ENGINES.some((e) => e.id === id));
      if (unknown.length || !ids.length) usageError(`unknown engine '${unknown.join("', '")}' in --engines (engines: ${ENGINES.map((e) => e.id).join(', ')})`);
      o.engines = ENGINES.map((e) => e.id).filter((id) => ids.includes(id)); // the table's order
    } else if (a === '--rounds') {
      const n = Number(value(i++, a));
      if (!Number.isInteger(n) || n < 1) usageError(`--rounds must be a positive integer, got '${argv[i]}'`);
      o.rounds = n;
    } else if (a === '--budget') {
      const s = Number(value(i++, a));
      if (!(s > 0) || !Number.isFinite(s)) usageError(`--budget must be a positive number of seconds, got '${argv[i]}'`);
      o.budget = s;
    } else if (a === '--call-limit') {
      const s = Number(value(i++, a));
      if (!(s > 0) || !Number.isFinite(s)) usageError(`--call-limit must be a positive number of seconds, got '${argv[i]}'`);
      o.callLimit = s;
    } else if (a === '--out-dir') o.outDir = resolve(value(i++, a));
    else usageError(`unknown option '${a}'`);
  }
  return o;
}

const options = parseArgs(process.argv.slice(2));
const cases = selectCases(options.only);
if (!cases.length) usageError(`--only '${options.only}' matches no case (cases: ${CASES.map((c) => c.id).join(', ')})`);
if (!existsSync(CHROMIUM)) {
  console.error(`bench:browser: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM)`);
  process.exit(1);
}

/** Timing settings the page uses (page.js). */
const timing = {
  budgetMs: (options.budget ?? (options.quick ? 3 : 15)) * 1000,
  rounds: options.rounds,
  minRuns: 3,
  sliceMs: options.quick ? 60 : 150,
  maxCallsPerRound: 50,
  warmupCalls: options.quick ? 1 : 2,
  warmupMs: 1000,
  callLimitS: options.callLimit ?? (options.quick ? 10 : 20),
};
/** An engine whose first call takes longer gets no more calls than its one timed call (page.js). */
timing.slowMs = timing.budgetMs / 2;

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
};
const load0 = os.loadavg();
const started = Date.now();
console.log(`bench:browser · ${machine.cpu}, ${machine.cores} cores · load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`cases: ${cases.map((c) => c.id).join(', ')} · engines: ${options.engines.join(', ')}${options.quick ? ' · quick' : ''}`);

const data = new Map(cases.map((c) => [c.id, packArrays(c.data())]));
let session;
try {
  session = await openBenchPage({ data, onConsole: (line) => console.log(`  ${line}`) });
} catch (e) {
  console.error(`bench:browser: the page did not start: ${e.message.split('\n')[0]}`);
  process.exit(1);
}

/**
 * One case, in the page. An engine whose call stalls past the call limit is
 * left out and the case run again without it (the browser was restarted).
 */
async function runCase(c) {
  const stopped = {};
  for (;;) {
    const ids = options.engines.filter((id) => !stopped[id]);
    try {
      const r = await session.evaluate(([id, e, t]) => globalThis.bench.runCase(id, e, t), [c.id, ids, timing], timing.callLimitS);
      for (const [id, error] of Object.entries(stopped)) r.engines[id] = { label: ENGINES.find((e) => e.id === id).label, error };
      return r;
    } catch (e) {
      if (!(e instanceof StalledCall)) throw e;
      const why = `stopped: ${e.message.replace(/; the page was stopped$/, '')}`;
      if (!e.engine || e.engine === 'js' || stopped[e.engine]) {
        // Without the reference (or with a stall nobody can be blamed for) the case has no result.
        console.log(`  ! ${e.message}: ${c.id} has no result`);
        return { rounds: 0, reference: { engine: 'js', values: null, error: why }, engines: Object.fromEntries(options.engines.map((id) => [id, { label: ENGINES.find((x) => x.id === id).label, error: stopped[id] ?? why }])) };
      }
      console.log(`  ! ${e.message}: running ${c.id} again without it`);
      stopped[e.engine] = why;
    }
  }
}

const rows = [];
let env;
try {
  env = await session.evaluate(() => globalThis.bench.environment(), undefined, 60);
  console.log(`Chromium ${session.chromiumVersion} · crossOriginIsolated ${env.crossOriginIsolated} · WebGL2: ${env.webgl2Renderer} · WebGPU: ${JSON.stringify(env.webgpuAdapter)}`);
  if (!env.crossOriginIsolated) console.warn('WARNING: the page is not cross-origin isolated: genzoo wasm runs without its worker threads');
  for (const c of cases) {
    console.log(`\n${c.name}`);
    const r = await runCase(c);
    rows.push({ id: c.id, name: c.name, kind: c.kind, flops: c.flops, ...r });
    for (const id of options.engines) {
      const e = r.engines[id];
      console.log(`  = ${e.label}: ${e.ms !== undefined ? `${e.ms.toFixed(3)} ms median of ${e.runs}` : `error: ${e.error}`}`);
    }
  }
} finally {
  await session.close();
}

const load1 = os.loadavg();
const markdown = reportTables(rows, options.engines);
console.log(`\n${markdown}\n`);
console.log(`Chromium ${session.chromiumVersion} (SwiftShader) · crossOriginIsolated: ${env.crossOriginIsolated} · load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')} · ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (session.notFound.length) console.warn(`WARNING: the page asked for missing files: ${session.notFound.join(', ')}`);

const report = {
  date: new Date().toISOString(),
  options: { ...options, outDir: undefined },
  timing,
  machine,
  loadAverage: { start: load0, end: load1 },
  durationS: (Date.now() - started) / 1000,
  chromium: { version: session.chromiumVersion, executable: CHROMIUM, flags: session.flags },
  servedHeaders: ISOLATION_HEADERS,
  page: env,
  cases: rows,
  markdown,
};
mkdirSync(options.outDir, { recursive: true });
const date = report.date.slice(0, 10);
for (const name of [`browser-${date}.json`, 'browser-latest.json']) {
  const tmp = join(options.outDir, `${name}.tmp`);
  writeFileSync(tmp, JSON.stringify(report, null, 2));
  renameSync(tmp, join(options.outDir, name));
}
console.log(`results: ${join(options.outDir, `browser-${date}.json`)}`);
