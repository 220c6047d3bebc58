/**
 * The gpu backend's benchmark cases and timing loop, shared by `npm run bench`
 * (modes that run on a CPU-only machine: GPU.js's webasm and cpu, headlessgl
 * under a display) and by benchmarks/gpu.sh (webgl2, webgl, webgpu in
 * Chromium and headless-gl, on a real GPU where one exists).
 *
 * Plain ES module without Node imports: the browser page of gpu.sh loads this
 * same file. Everything takes the genzoo module `g` as an argument.
 *
 * Hooking into `npm run bench` (benchmarks/run.js):
 *   import { gpuBenchRows } from './gpu-cases.js';
 *   const gpu = await gpuBenchRows(g, { quick: QUICK });   // { rows, markdown }
 *   console.log(gpu.markdown);                             // and keep gpu.rows in the JSON
 */

import { randomArray } from './arrays.js';

function matmulCase(name, m, n, k, transA = false, transB = false) {
  return {
    name, kernel: 'matmul', flops: 2 * m * n * k,
    make: () => ({ a: randomArray(m * k, 1), b: randomArray(k * n, 2), p: { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 } }),
  };
}

/** kernel: 'conv2d' | 'conv2dGradInput' (= convTranspose2d forward) | 'conv2dGradWeight'. */
function convCase(name, kernel, [n, c, h, w], [o, , kh, kw], stride, pad) {
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const p = { n, c, h, w, o, kh, kw, ho, wo, strideH: stride, strideW: stride, padH: pad, padW: pad, dilationH: 1, dilationW: 1 };
  const xs = n * c * h * w, ws = o * c * kh * kw, ys = n * o * ho * wo;
  const shapes = { conv2d: [xs, ws, ys], conv2dGradInput: [ys, ws, xs], conv2dGradWeight: [xs, ys, ws] }[kernel];
  return {
    name, kernel, flops: 2 * n * o * c * kh * kw * ho * wo,
    make: () => ({ a: randomArray(shapes[0], 3), b: randomArray(shapes[1], 4), p }),
  };
}

/** Small enough for GPU.js's cpu mode on a loaded 2-core machine. */
export const CPU_CASES = [
  matmulCase('matmul 256³', 256, 256, 256),
  matmulCase('X·W 64×784·784×128', 64, 128, 784),
  matmulCase('Xᵀ·dY 784×64·64×128', 784, 128, 64, true, false),
  matmulCase('dY·Wᵀ 64×128·128×784', 64, 784, 128, false, true),
  convCase('conv2d 8×16×28×28 → 16, 3×3 p1', 'conv2d', [8, 16, 28, 28], [16, 16, 3, 3], 1, 1),
  convCase('conv2d input gradient (convTranspose2d)', 'conv2dGradInput', [8, 16, 28, 28], [16, 16, 3, 3], 1, 1),
  convCase('conv2d weight gradient', 'conv2dGradWeight', [8, 16, 28, 28], [16, 16, 3, 3], 1, 1),
];

/** The issue's shapes, for a real GPU (benchmarks/gpu.sh). */
export const GPU_CASES = [
  matmulCase('matmul 512³', 512, 512, 512),
  matmulCase('matmul 1024³', 1024, 1024, 1024),
  matmulCase('X·W 64×784·784×512', 64, 512, 784),
  matmulCase('Xᵀ·dY 784×64·64×512', 784, 512, 64, true, false),
  matmulCase('dY·Wᵀ 64×512·512×784', 64, 784, 512, false, true),
  convCase('conv2d 64×32×28×28 → 64, 3×3 p1', 'conv2d', [64, 32, 28, 28], [64, 32, 3, 3], 1, 1),
  convCase('D conv2 64×64×14×14 → 128, 4×4 s2 p1', 'conv2d', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1),
  convCase('D conv2 input gradient (= G convT 128→64)', 'conv2dGradInput', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1),
  convCase('D conv2 weight gradient', 'conv2dGradWeight', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1),
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const now = () => performance.now();

/**
 * Times one case on one backend: a first call (compiles the kernel; reported
 * apart), then calls until `targetMs` has passed or `maxRuns` ran; the median
 * counts. Operands are uploaded once (they live on the device, as in training);
 * each call runs the kernel and reads its result back (`async`: with
 * readAsync, which webgpu needs), so the time includes the device's work.
 * Also checks the first result against the js reference where that is cheap.
 */
export async function timeCase(g, backend, c, { targetMs = 1000, maxRuns = 10, async = false, check = true } = {}) {
  const d = c.make();
  const a = backend.upload(d.a), b = backend.upload(d.b);
  let last = null;
  const call = async () => {
    const out = backend[c.kernel](a, b, d.p);
    last = async ? await backend.readAsync(out) : backend.read(out);
    backend.free(out);
  };
  let t0 = now();
  await call();
  const firstMs = now() - t0;
  let maxRelErr = null;
  if (check && c.flops <= 3e8) {
    const refBackend = g.referenceBackend();
    const refOut = refBackend[c.kernel](refBackend.upload(d.a), refBackend.upload(d.b), d.p);
    const ref = refBackend.read(refOut);
    let scale = 0, err = 0;
    for (let i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      err = Math.max(err, Math.abs(ref[i] - last[i]));
    }
    maxRelErr = scale ? err / scale : err;
  }
  const times = [];
  t0 = now();
  while (times.length < 1 || (times.length < maxRuns && now() - t0 < targetMs)) {
    const t = now();
    await call();
    times.push(now() - t);
  }
  backend.free(a);
  backend.free(b);
  const ms = median(times);
  return { ms: +ms.toFixed(3), gflops: +(c.flops / ms / 1e6).toFixed(3), runs: times.length, firstMs: +firstMs.toFixed(1), maxRelErr };
}

/** A markdown table: one row per case, one column per engine (GFLOP/s). */
export function table(rows, engines) {
  const head = ['case', ...engines];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.name, ...engines.map((e) => {
      const x = r.results[e];
      if (!x) return '—';
      if (x.error) return 'error';
      return x.gflops.toFixed(2);
    })].join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * `npm run bench`'s gpu rows: the js reference beside the gpu backend in the
 * modes that run here (webasm, cpu; headlessgl when a display exists), on
 * CPU_CASES. These are correctness-path timings: GPU.js without a GPU.
 * A mode that cannot start is listed in `skipped` with its reason.
 */
export async function gpuBenchRows(g, { quick = false, modes = ['headlessgl', 'webasm', 'cpu'], log = console.log } = {}) {
  const engines = [['genzoo js', g.referenceBackend()]];
  const skipped = {};
  for (const mode of modes) {
    try {
      engines.push([`genzoo gpu ${mode}`, g.createGpuBackend({ mode })]);
    } catch (e) {
      skipped[mode] = e.message;
    }
  }
  const opts = quick ? { targetMs: 200, maxRuns: 3 } : { targetMs: 1000, maxRuns: 7 };
  const rows = [];
  for (const c of CPU_CASES) {
    const results = {};
    for (const [name, backend] of engines) {
      try {
        results[name] = await timeCase(g, backend, c, opts);
      } catch (e) {
        results[name] = { error: e.message };
      }
    }
    rows.push({ name: c.name, kind: 'kernel', flops: c.flops, results });
    log(`${c.name}: ${engines.map(([n]) => `${n} ${results[n].error ? 'error' : results[n].gflops.toFixed(2)}`).join(', ')}`);
  }
  const names = engines.map(([n]) => n);
  const notes = Object.entries(skipped).map(([m, why]) => `- gpu ${m} not run: ${why}`);
  const markdown = [
    '### gpu backend (GPU.js) without a GPU: median GFLOP/s, first call (compilation) excluded',
    '',
    table(rows, names),
    ...(notes.length ? ['', ...notes] : []),
    '',
    'Real-GPU figures: `benchmarks/gpu.sh` on a machine with a GPU.',
  ].join('\n');
  return { rows, markdown, skipped };
}
