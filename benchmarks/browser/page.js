/**
 * The benchmark page's script: loads genzoo (/genzoo.js) beside the global
 * `tf` (/tfjs.js and the backends' bundles, loaded by the page first), and
 * exposes `window.bench` to the Node runner (run.js), which calls
 * `bench.environment()` once and `bench.runCase(id, engineIds, opts)` per case.
 *
 * One case, in the page:
 *   1. its data is fetched from the runner (made on the host, cases.js);
 *   2. each engine in turn, genzoo js first (the reference): activate,
 *      prepare, then the agreement calls — one call of a kernel case, two
 *      steps of a training case (the second step's loss depends on the first
 *      update, so a wrong optimizer shows too); their values are compared with
 *      genzoo js's; the first call's time (compilation included) is kept apart;
 *      then warm-up calls, the last one's time estimating a call. An engine
 *      with two calls in a row over slowMs is "slow": no more warm-up, and
 *      one timed call in the rounds;
 *   3. interleaved rounds: every round visits every engine (the starting one
 *      rotating), each running ~sliceMs worth of calls, each call timed alone,
 *      until the budget is spent and every engine has minRuns calls (or after
 *      exactly `rounds` rounds), so background load hits all engines alike;
 *   4. transfer counters read around each engine's last timed call, and
 *      for tfjs one more call under tf.profile, for its kernel count;
 *   5. medians, and every engine's resources disposed.
 */
import * as g from '/genzoo.js';
import { CASES, MODEL_SEED, unpackArrays } from './cases.js';
import { makeEngines, REFERENCE_ENGINE } from './engines.js';
import { apiGeneration } from './genzoo-api.js';

const tf = globalThis.tf;
const engines = makeEngines(g, tf);
const now = () => performance.now();
const log = (msg) => console.log(`[bench] ${msg}`);
const firstLine = (e) => String(e?.message ?? e).split('\n')[0];

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

async function loadData(id) {
  const r = await fetch(`/data/${id}`);
  if (!r.ok) throw new Error(`bench: data for case '${id}' not served (HTTP ${r.status})`);
  return unpackArrays(await r.arrayBuffer());
}

const zooWeightCache = new Map();

/** A zoo model's initial weights (genzoo's seeded init, on the js backend) as arrays, for the tfjs twins. */
function zooWeights(kind) {
  if (!zooWeightCache.has(kind)) {
    g.setBackend('js');
    const model = g.models.createModel(g.models.defaultConfig(kind), MODEL_SEED);
    const weights = {};
    for (const [name, t] of Object.entries(model.stateDict())) weights[name] = { shape: t.shape.slice(), data: Float32Array.from(t.data) };
    zooWeightCache.set(kind, weights);
  }
  return zooWeightCache.get(kind);
}

/** b − a for every counter (null where either side has none). */
function difference(a, b) {
  if (!a || !b) return null;
  return Object.fromEntries(Object.keys(b).filter((k) => typeof b[k] === 'number').map((k) => [k, b[k] - (a[k] ?? 0)]));
}

/** How far an engine's values are from the reference's: the largest |difference|, and that over the largest |reference value|. */
function agreement(values, reference) {
  if (!values || !reference) return null;
  if (values.length !== reference.length) return { maxAbsDiff: null, relative: Infinity, note: `${values.length} values, the reference has ${reference.length}` };
  const n = values.length;
  let maxAbsDiff = 0, scale = 0, nonFinite = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) nonFinite++;
    else maxAbsDiff = Math.max(maxAbsDiff, Math.abs(values[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return { maxAbsDiff, scale, relative: nonFinite ? Infinity : maxAbsDiff / (scale || 1), nonFinite };
}

/**
 * Tells the runner which engine is about to make a call and how long it may
 * take: the runner's watchdog stops the page when the next beat does not come
 * in time (a call that never returns, or one too slow to wait for). A call may
 * take the call limit; a first call, which compiles shaders, twice that; a
 * timed call of an engine already known to be slow, three times its warm-up.
 */
const beat = (engineId, seconds) => console.debug(`[beat] ${engineId} ${seconds}`);
const allowed = (opts, { first = false, estimateMs = 0 } = {}) => Math.max(opts.callLimitS * (first ? 2 : 1), (3 * estimateMs) / 1000);

/** Steps 1–2 of the case description: returns the engine's state, or its error. */
async function setUp(id, c, engine, data, timed, opts) {
  const s = { id: engine.id, engine, timed, times: [], slow: false };
  // Two calls in a row over slowMs (the first compiles, so one is not enough) make an engine slow.
  let previousOver = false;
  const call = async (replay, first) => {
    beat(engine.id, allowed(opts, { first }));
    const t = now();
    const v = await s.inst.run({ replay });
    const ms = now() - t;
    s.slow = s.slow || (previousOver && ms > opts.slowMs);
    previousOver = ms > opts.slowMs;
    return { v, ms };
  };
  try {
    beat(engine.id, allowed(opts, { first: true }));
    await engine.activate();
    const before = engine.counters();
    s.inst = engine.prepare(id, data, { g, zooWeights });
    const values = [];
    for (let i = 0; i < (c.kind === 'step' ? 2 : 1); i++) {
      const { v, ms } = await call(true, i === 0);
      if (i === 0) s.firstMs = ms;
      s.estimateMs = ms;
      for (let j = 0; j < v.length; j++) values.push(v[j]);
    }
    s.values = Float32Array.from(values);
    s.firstCounts = difference(before, engine.counters());
    s.details = engine.details();
    if (!timed) return s;
    const start = now();
    for (let n = 0; !s.slow && n < opts.warmupCalls && (n === 0 || now() - start < opts.warmupMs); n++) {
      s.estimateMs = (await call(false, false)).ms;
    }
  } catch (e) {
    s.error = firstLine(e);
    s.inst = null;
  }
  return s;
}

/** Timed calls an engine needs: minRuns, or one for an engine too slow for that within the budget. */
const needed = (s, opts) => (s.slow || s.estimateMs * opts.minRuns > opts.budgetMs ? 1 : opts.minRuns);

function finished(live, round, elapsed, opts) {
  if (!live.length) return true;
  if (opts.rounds != null) return round >= opts.rounds;
  return elapsed >= opts.budgetMs && live.every((s) => s.times.length >= needed(s, opts));
}

/**
 * Step 3. A slow engine (see setUp) makes one call in the first round and no
 * more. The transfer counters are read around each engine's last timed call.
 */
async function rounds(live, opts) {
  const t0 = now();
  let round = 0;
  for (; !finished(live.filter((s) => s.inst), round, now() - t0, opts); round++) {
    const active = live.filter((s) => s.inst && !(s.slow && s.times.length));
    for (let j = 0; j < active.length; j++) {
      const s = active[(round + j) % active.length];
      try {
        beat(s.id, allowed(opts, { estimateMs: s.estimateMs }));
        await s.engine.activate();
        const calls = Math.max(1, Math.min(opts.maxCallsPerRound, Math.round(opts.sliceMs / Math.max(s.estimateMs, 1e-3))));
        for (let i = 0; i < calls; i++) {
          const before = i === calls - 1 ? s.engine.counters() : null;
          const t = now();
          await s.inst.run({});
          s.times.push(now() - t);
          if (before) s.stepCounts = difference(before, s.engine.counters());
        }
      } catch (e) {
        s.error = `timed call failed: ${firstLine(e)}`;
        s.inst = null;
      }
    }
  }
  return round;
}

/** Step 4 for tfjs: kernels per call from tf.profile, in a call of its own (the profiler reads every kernel's output back). */
async function profileOneCall(s, opts) {
  if (!s.engine.profile) return;
  if (s.slow) {
    s.countError = `not profiled: its calls take over ${opts.slowMs / 1000} s`;
    return;
  }
  try {
    // The profiler reads every kernel's output back: a profiled call may take far longer.
    beat(s.id, allowed(opts, { first: true, estimateMs: 5 * s.estimateMs }));
    await s.engine.activate();
    s.profile = await s.engine.profile(() => s.inst.run({}));
  } catch (e) {
    s.countError = `tf.profile failed: ${firstLine(e)}`;
  }
}

function summary(s, reference) {
  const out = { label: s.engine.label, family: s.engine.family, details: s.details ?? null };
  if (s.error) out.error = s.error;
  if (s.values) out.agreement = agreement(s.values, reference);
  if (s.times.length) {
    const sorted = [...s.times].sort((a, b) => a - b);
    Object.assign(out, {
      ms: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), min: sorted[0],
      runs: sorted.length, firstMs: s.firstMs, warmMs: s.estimateMs, slow: s.slow,
    });
  }
  out.counts = { firstCalls: s.firstCounts ?? null, perCall: s.stepCounts ?? null };
  if (s.profile) out.profile = s.profile;
  if (s.countError) out.countError = s.countError;
  return out;
}

/** Runs one case on `engineIds` (genzoo js always runs too, as the reference). */
async function runCase(id, engineIds, opts) {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`bench: unknown case '${id}'`);
  const data = await loadData(id);
  // genzoo js runs first: its agreement values are everyone's reference, timed or not.
  const order = [REFERENCE_ENGINE, ...engineIds.filter((e) => e !== REFERENCE_ENGINE)];
  const states = [];
  for (const eid of order) {
    const s = await setUp(id, c, engines[eid], data, engineIds.includes(eid), opts);
    log(`${id} ${s.engine.label}: ${s.error ? `error: ${s.error}` : `first call ${s.firstMs.toFixed(1)} ms, warm ${s.estimateMs?.toFixed(2) ?? '—'} ms`}`);
    states.push(s);
  }
  const reference = states[0].values ?? null;
  const live = states.filter((s) => s.timed && s.inst);
  const roundCount = await rounds(live, opts);
  for (const s of live.filter((x) => x.inst)) await profileOneCall(s, opts);
  for (const s of states) {
    if (!s.inst?.dispose) continue;
    try {
      await s.engine.activate();
      s.inst.dispose();
    } catch (e) {
      s.countError = `dispose failed: ${firstLine(e)}`;
    }
  }
  return {
    rounds: roundCount,
    reference: { engine: REFERENCE_ENGINE, values: reference && reference.length <= 16 ? Array.from(reference) : null, error: states[0].error ?? null },
    engines: Object.fromEntries(states.filter((s) => s.timed).map((s) => [s.id, summary(s, reference)])),
  };
}

/** What the page runs on: isolation, renderers, versions. */
async function environment() {
  const renderer = (type) => {
    const ctx = document.createElement('canvas').getContext(type);
    if (!ctx) return null;
    const ext = ctx.getExtension('WEBGL_debug_renderer_info');
    const r = ctx.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : ctx.RENDERER);
    ctx.getExtension('WEBGL_lose_context')?.loseContext();
    return r;
  };
  let webgpu = 'navigator.gpu is missing';
  if (navigator.gpu) {
    const a = await navigator.gpu.requestAdapter();
    webgpu = a ? { vendor: a.info?.vendor, architecture: a.info?.architecture, device: a.info?.device, description: a.info?.description, isFallbackAdapter: a.isFallbackAdapter ?? a.info?.isFallbackAdapter ?? null } : 'requestAdapter() gave no adapter';
  }
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    webgl2Renderer: renderer('webgl2'),
    webglRenderer: renderer('webgl'),
    webgpuAdapter: webgpu,
    tfjs: { version: tf.version_core, webgl: tf.version_webgl ?? null, webgpu: tf.version_webgpu ?? null },
    genzoo: { version: g.VERSION, api: apiGeneration(g, false), backendCounters: typeof g.backendCounters === 'function' },
  };
}

globalThis.bench = { environment, runCase };
