/**
 * `npm run bench`: genzoo (js; wasm on 1 and 2 threads) beside TensorFlow.js
 * 4.22 (tfjs-backend-cpu, tfjs-backend-wasm) on the same shapes and the same
 * data, in one process.
 *
 *   node benchmarks/run.js [--quick] [--only <substring>]
 *
 * Method: every engine is warmed up (V8 starts wasm in its baseline tier),
 * then the engines of one case are timed in interleaved rounds, so that load
 * from other processes hits them alike; the median of each engine's runs is
 * reported. Ratios from one run are what to compare: absolute numbers drift
 * with the machine's load (the load average is recorded with the results).
 *
 * Kernels are timed at genzoo's backend interface (operands already resident
 * in the backend's storage, a new result storage per call, freed unread) and
 * at tfjs's ops (operands already tensors; the result tensor is disposed
 * unread). Training steps are whole steps as a user runs them, each in a
 * tidy() (tfjs: optimizer.minimize): forward, backward, Adam update, the loss
 * read back.
 *
 * Memory: on Linux the benchmark re-runs itself with glibc's malloc told to
 * keep freed memory (GLIBC_TUNABLES mmap/trim thresholds). Each op allocates
 * its output, and in a VM that reclaims guest memory (such as the one the
 * numbers of docs/performance.md come from) a freshly faulted page costs ~30 µs, which
 * would swamp genzoo's and tfjs-cpu's steps (tfjs-wasm keeps its own heap).
 * `--no-malloc-tuning` measures without it.
 *
 * Results: a table on stdout, JSON in benchmarks/results/<date>.json and latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { register } from 'node:module';
import * as g from '../dist/index.js';
import { conv2dParams } from '../dist/tensor/index.js';
import { gpuBenchRows } from './gpu-cases.js';
import { nchwToNhwc, oihwToHwio, randomArray } from './arrays.js';

const MALLOC_TUNING = 'glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295';
if (process.platform === 'linux' && !process.env.GLIBC_TUNABLES && !process.argv.includes('--no-malloc-tuning')) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNING } });
  process.exit(r.status ?? 1);
}

// tfjs-core alone registers no gradients (the tfjs umbrella package does); see tfjs-resolve.js.
register('./tfjs-resolve.js', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const NO_GPU = args.includes('--no-gpu');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const TARGET_MS = QUICK ? 400 : 1500; // measured time per engine per case
const MIN_RUNS = 3;
const MAX_RUNS = QUICK ? 5 : 15;
const SLOW_MS = 5000;

// ------------------------------------------------------------------ engines

const wasm1 = g.createWasmBackend({ threads: 1 });
const wasm2 = g.createWasmBackend({ threads: 2 });
const GENZOO = [
  ['genzoo js', g.referenceBackend()],
  ['genzoo wasm 1T', wasm1],
  ['genzoo wasm 2T', wasm2],
];
const TFJS = ['tfjs-cpu', 'tfjs-wasm'];
const ENGINES = [...GENZOO.map(([n]) => n), ...TFJS, 'tfjs-wasm pre-T'];

async function useTf(name) {
  const backend = name === 'tfjs-cpu' ? 'cpu' : 'wasm';
  if (tf.getBackend() !== backend) {
    await tf.setBackend(backend);
    await tf.ready();
  }
}

class Unsupported extends Error {}

/** Runs fn under tfjs, turning "kernel not registered" into Unsupported. */
function tfRun(fn) {
  try {
    fn();
  } catch (e) {
    if (/not registered|not yet implemented|not supported/i.test(e.message)) throw new Unsupported(e.message.split('\n')[0]);
    throw e;
  }
}

// ------------------------------------------------------------------ cases

/**
 * A genzoo kernel timed as it runs inside an op: the operands uploaded once
 * (as tensors' storages are), each call making a new result storage, freed.
 */
function residentKernel(be, arrays, call) {
  const inputs = arrays.map((a) => be.upload(a));
  return () => {
    const r = call(...inputs);
    if (be.ownsMemory) be.free(r);
  };
}

const cases = [];

function matmulCase(name, m, n, k, transA, transB) {
  const a = randomArray(m * k, 1);
  const b = randomArray(k * n, 2);
  const p = { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 };
  cases.push({
    name, kind: 'kernel', flops: 2 * m * n * k,
    genzoo: (be) => residentKernel(be, [a, b], (sa, sb) => be.matmul(sa, sb, p)),
    tfjs: {
      default: () => {
        const ta = tf.tensor(a, transA ? [k, m] : [m, k]);
        const tb = tf.tensor(b, transB ? [n, k] : [k, n]);
        return { run: () => tfRun(() => tf.matMul(ta, tb, transA, transB).dispose()), dispose: () => tf.dispose([ta, tb]) };
      },
      // tfjs-wasm is slow with transpose flags; hand it the operand already transposed (not timed).
      ...(transA || transB ? {
        'pre-T': () => {
          const ta = transA ? tf.tidy(() => tf.transpose(tf.tensor(a, [k, m]))) : tf.tensor(a, [m, k]);
          const tb = transB ? tf.tidy(() => tf.transpose(tf.tensor(b, [n, k]))) : tf.tensor(b, [k, n]);
          return { run: () => tf.matMul(ta, tb).dispose(), dispose: () => tf.dispose([ta, tb]) };
        },
      } : {}),
    },
  });
}

/**
 * One conv kernel. `conv` describes the conv2d (x [n,c,h,w] → y [n,o,ho,wo]);
 * kernel 'fwd' | 'dx' (= convTranspose2d forward) | 'dw'.
 */
function convCase(name, kernel, xShape, wShape, stride, padding) {
  const p = conv2dParams(name, xShape, wShape, { stride, padding });
  const xs = p.n * p.c * p.h * p.w;
  const ys = p.n * p.o * p.ho * p.wo;
  const x = randomArray(xs, 3);
  const w = randomArray(p.o * p.c * p.kh * p.kw, 4);
  const dy = randomArray(ys, 5);
  const flops = 2 * p.n * p.o * p.c * p.kh * p.kw * p.ho * p.wo;
  const xN = nchwToNhwc(x, xShape);
  const dyN = nchwToNhwc(dy, [p.n, p.o, p.ho, p.wo]);
  const wN = oihwToHwio(w, wShape);
  const genzoo = {
    fwd: (be) => residentKernel(be, [x, w], (sx, sw) => be.conv2d(sx, sw, p)),
    dx: (be) => residentKernel(be, [dy, w], (sd, sw) => be.conv2dGradInput(sd, sw, p)),
    dw: (be) => residentKernel(be, [x, dy], (sx, sd) => be.conv2dGradWeight(sx, sd, p)),
  }[kernel];
  const tfjs = () => {
    const tx = tf.tensor(xN, [p.n, p.h, p.w, p.c]);
    const tw = tf.tensor(wN, [p.kh, p.kw, p.c, p.o]);
    const tdy = tf.tensor(dyN, [p.n, p.ho, p.wo, p.o]);
    const run = {
      fwd: () => tf.conv2d(tx, tw, stride, padding),
      dx: () => tf.conv2dTranspose(tdy, tw, [p.n, p.h, p.w, p.c], stride, padding),
      dw: () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tx, dy: tdy }, { strides: [stride, stride], pad: padding, dataFormat: 'NHWC', filterShape: [p.kh, p.kw, p.c, p.o] }),
    }[kernel];
    return { run: () => tfRun(() => run().dispose()), dispose: () => tf.dispose([tx, tw, tdy]) };
  };
  cases.push({ name, kind: 'kernel', flops, genzoo, tfjs: { default: tfjs } });
}

/** The MLP CVAE of the model zoo: 784+10 → 512 → 2×20 encoder, 20+10 → 512 → 784 decoder, batch 64. */
function cvaeStepCase() {
  const B = 64, X = 784, Y = 10, H = 512, Z = 20;
  const x = randomArray(B * X, 6).map((v) => (v + 1) / 2); // pixel intensities in [0, 1]
  const y = new Float32Array(B * Y);
  for (let i = 0; i < B; i++) y[i * Y + (i % Y)] = 1;
  const eps = randomArray(B * Z, 7);
  const shapes = [[X + Y, H], [H, 2 * Z], [Z + Y, H], [H, X]];
  const init = shapes.map(([i, o], l) => ({ w: randomArray(o * i, 10 + l).map((v) => v * Math.sqrt(1 / i)), b: new Float32Array(o) }));
  const flops = 3 * 2 * B * shapes.reduce((s, [i, o]) => s + i * o, 0);

  const genzoo = (be) => g.withBackend(be, () => {
    const layers = shapes.map(([i, o], l) => {
      const lin = new g.nn.Linear(i, o);
      lin.weight.copy_(init[l].w);
      lin.bias.copy_(init[l].b);
      return lin;
    });
    const params = layers.flatMap((l) => l.parameters());
    const opt = new g.optim.Adam(params, { lr: 1e-3 });
    const tx = g.tensor(x, { shape: [B, X] });
    const ty = g.tensor(y, { shape: [B, Y] });
    const te = g.tensor(eps, { shape: [B, Z] });
    return () => g.tidy(() => {
      opt.zeroGrad();
      const h = layers[0].call(g.concat([tx, ty], 1)).relu();
      const stats = layers[1].call(h);
      const mu = g.narrow(stats, 1, 0, Z);
      const logvar = g.narrow(stats, 1, Z, Z);
      const z = mu.add(logvar.mul(0.5).exp().mul(te));
      const logits = layers[3].call(layers[2].call(g.concat([z, ty], 1)).relu());
      const rec = g.nn.bceWithLogits(logits, tx, { reduction: 'sum' });
      const kl = logvar.add(1).sub(mu.square()).sub(logvar.exp()).sum().mul(-0.5);
      const loss = rec.add(kl).div(B);
      loss.backward();
      opt.step();
      return loss.item();
    });
  });
  const tfjs = () => {
    const vars = init.map(({ w, b }, l) => {
      const [i, o] = shapes[l];
      // genzoo's Linear stores W [out, in]; tfjs multiplies x·W with W [in, out].
      const wt = new Float32Array(i * o);
      for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) wt[c * o + r] = w[r * i + c];
      return { w: tf.variable(tf.tensor(wt, [i, o])), b: tf.variable(tf.tensor(b, [o])) };
    });
    const opt = tf.train.adam(1e-3);
    const tx = tf.tensor(x, [B, X]);
    const ty = tf.tensor(y, [B, Y]);
    const te = tf.tensor(eps, [B, Z]);
    const lin = (l, v) => tf.add(tf.matMul(v, vars[l].w), vars[l].b);
    const run = () => {
      const cost = opt.minimize(() => {
        const h = tf.relu(lin(0, tf.concat([tx, ty], 1)));
        const stats = lin(1, h);
        const mu = tf.slice(stats, [0, 0], [B, Z]);
        const logvar = tf.slice(stats, [0, Z], [B, Z]);
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), te));
        const logits = lin(3, tf.relu(lin(2, tf.concat([z, ty], 1))));
        const rec = tf.sum(tf.sub(tf.softplus(logits), tf.mul(logits, tx)));
        const kl = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar))), -0.5);
        return tf.div(tf.add(rec, kl), B);
      }, true);
      cost.dataSync();
      cost.dispose();
    };
    return { run: () => tfRun(run), dispose: () => { tf.dispose([tx, ty, te]); vars.forEach((v) => tf.dispose([v.w, v.b])); opt.dispose(); } };
  };
  cases.push({ name: 'MLP CVAE step, batch 64 (Adam)', kind: 'step', flops, genzoo, tfjs: { default: tfjs } });
}

/** A DCGAN-style MNIST discriminator step: conv 1→64 4×4 s2 p1, LeakyReLU, conv 64→128 4×4 s2 p1, LeakyReLU, linear 6272→1, BCE, Adam. */
function convStepCase() {
  const B = 64;
  const x = randomArray(B * 28 * 28, 8).map((v) => (v + 1) / 2);
  const target = new Float32Array(B).map((_, i) => i % 2);
  const w1 = randomArray(64 * 1 * 16, 9).map((v) => v * 0.25);
  const w2 = randomArray(128 * 64 * 16, 10).map((v) => v * 0.03);
  const w3 = randomArray(6272, 11).map((v) => v * 0.012);
  const convFlops = 2 * B * (64 * 16 * 14 * 14 + 128 * 64 * 16 * 7 * 7);
  // forward + input gradient of conv2 + weight gradients of both (conv1's input needs no gradient)
  const flops = 3 * convFlops - 2 * B * 64 * 16 * 14 * 14 + 3 * 2 * B * 6272;

  const genzoo = (be) => g.withBackend(be, () => {
    const p1 = g.tensor(w1, { shape: [64, 1, 4, 4], requiresGrad: true });
    const b1 = g.zeros([64], { requiresGrad: true });
    const p2 = g.tensor(w2, { shape: [128, 64, 4, 4], requiresGrad: true });
    const b2 = g.zeros([128], { requiresGrad: true });
    const p3 = g.tensor(w3, { shape: [1, 6272], requiresGrad: true });
    const b3 = g.zeros([1], { requiresGrad: true });
    const opt = new g.optim.Adam([p1, b1, p2, b2, p3, b3], { lr: 2e-4, betas: [0.5, 0.999] });
    const tx = g.tensor(x, { shape: [B, 1, 28, 28] });
    const tt = g.tensor(target, { shape: [B, 1] });
    return () => g.tidy(() => {
      opt.zeroGrad();
      const h1 = g.conv2d(tx, p1, b1, { stride: 2, padding: 1 }).leakyRelu(0.2);
      const h2 = g.conv2d(h1, p2, b2, { stride: 2, padding: 1 }).leakyRelu(0.2);
      const logits = g.linear(g.reshape(h2, [B, 6272]), p3, b3);
      const loss = g.nn.bceWithLogits(logits, tt);
      loss.backward();
      opt.step();
      return loss.item();
    });
  });
  const tfjs = () => {
    const v1 = tf.variable(tf.tensor(oihwToHwio(w1, [64, 1, 4, 4]), [4, 4, 1, 64]));
    const c1 = tf.variable(tf.zeros([64]));
    const v2 = tf.variable(tf.tensor(oihwToHwio(w2, [128, 64, 4, 4]), [4, 4, 64, 128]));
    const c2 = tf.variable(tf.zeros([128]));
    // genzoo flattens NCHW; the tfjs net flattens NHWC: same work, and the values are only for timing.
    const v3 = tf.variable(tf.tensor(w3, [6272, 1]));
    const c3 = tf.variable(tf.zeros([1]));
    const opt = tf.train.adam(2e-4, 0.5, 0.999);
    const tx = tf.tensor(nchwToNhwc(x, [B, 1, 28, 28]), [B, 28, 28, 1]);
    const tt = tf.tensor(target, [B, 1]);
    const run = () => {
      const cost = opt.minimize(() => {
        const h1 = tf.leakyRelu(tf.add(tf.conv2d(tx, v1, 2, 1), c1), 0.2);
        const h2 = tf.leakyRelu(tf.add(tf.conv2d(h1, v2, 2, 1), c2), 0.2);
        const logits = tf.add(tf.matMul(tf.reshape(h2, [B, 6272]), v3), c3);
        // BCE with logits: softplus(l) − l·t, mean
        return tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, tt)));
      }, true);
      cost.dataSync();
      cost.dispose();
    };
    return { run: () => tfRun(run), dispose: () => { tf.dispose([tx, tt, v1, c1, v2, c2, v3, c3]); opt.dispose(); } };
  };
  cases.push({ name: 'DCGAN discriminator step, batch 64 (Adam)', kind: 'step', flops, genzoo, tfjs: { default: tfjs } });
}

/**
 * One training step of a zoo model with its conv defaults (registry.ts), batch 64 of
 * fixed random "digits" in [0, 1] with labels 0–9: the step `genzoo train --arch conv`
 * repeats (model.trainStep: forward, backward, every optimizer's update, losses read
 * back). The times give each conv default's epoch cost (140 steps of 64 on the embedded
 * digits). No tfjs peer: tfjs has no such model; genzoo js is skipped (the reference
 * loops take minutes per conv step: 80 s for the CGAN's under load).
 */
function zooConvStepCase(kind) {
  const B = 64;
  const x = randomArray(B * 28 * 28, 12).map((v) => (v + 1) / 2);
  const y = Int32Array.from({ length: B }, (_, i) => i % 10);
  const config = g.models.defaultConfig(kind, 'conv');
  const genzoo = (be) => g.withBackend(be, () => {
    const model = g.models.createModel(config, 0);
    const batch = { x: g.tensor(x, { shape: [B, 1, 28, 28] }), y };
    const generator = new g.Generator('bench');
    return () => model.trainStep(batch, generator);
  });
  cases.push({ name: `${kind} conv training step (width ${config.width}), batch 64`, kind: 'step', flops: 0, genzoo, tfjs: {}, skip: ['genzoo js'] });
}

// The issue's table.
matmulCase('matmul 512³', 512, 512, 512, false, false);
matmulCase('matmul 1024³', 1024, 1024, 1024, false, false);
matmulCase('X·W 64×784·784×512 (MLP forward)', 64, 512, 784, false, false);
matmulCase('Xᵀ·dY 784×64·64×512 (weight gradient)', 784, 512, 64, true, false);
matmulCase('dY·Wᵀ 64×512·512×784 (input gradient)', 64, 784, 512, false, true);
convCase('conv2d 64×32×28×28 → 64, 3×3 p1', 'fwd', [64, 32, 28, 28], [64, 32, 3, 3], 1, 1);
// DCGAN-style MNIST nets: discriminator convs (and their gradients), generator transposed convs.
convCase('D conv1 64×1×28×28 → 64, 4×4 s2 p1', 'fwd', [64, 1, 28, 28], [64, 1, 4, 4], 2, 1);
convCase('D conv1 weight gradient', 'dw', [64, 1, 28, 28], [64, 1, 4, 4], 2, 1);
convCase('D conv2 64×64×14×14 → 128, 4×4 s2 p1', 'fwd', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1);
convCase('D conv2 input gradient', 'dx', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1);
convCase('D conv2 weight gradient', 'dw', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1);
convCase('G convT 64×128×7×7 → 64×14×14, 4×4 s2 p1', 'dx', [64, 64, 14, 14], [128, 64, 4, 4], 2, 1);
convCase('G convT 64×64×14×14 → 1×28×28, 4×4 s2 p1', 'dx', [64, 1, 28, 28], [64, 1, 4, 4], 2, 1);
cvaeStepCase();
convStepCase();
for (const kind of ['vae', 'cvae', 'cgan', 'cvaegan']) zooConvStepCase(kind);

// ------------------------------------------------------------------ timing

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function runCase(c) {
  // Each engine: a prepared closure, warm-up, then a target number of runs.
  const engines = [];
  for (const [name, be] of GENZOO) if (!c.skip?.includes(name)) engines.push({ name, tf: null, make: () => ({ run: c.genzoo(be), dispose: () => {} }) });
  for (const name of TFJS) {
    if (!c.tfjs.default) continue; // no peer for this case (a zoo model)
    engines.push({ name, tf: name, make: c.tfjs.default });
    if (name === 'tfjs-wasm' && c.tfjs['pre-T']) engines.push({ name: 'tfjs-wasm pre-T', tf: name, make: c.tfjs['pre-T'] });
  }
  const result = {};
  for (const e of engines) {
    try {
      if (e.tf) await useTf(e.tf);
      e.inst = e.make();
      // Warm-up. A peer that needs seconds per run (tfjs-cpu's convolution gradients)
      // gets that first run as its only measurement: enough to show the gap.
      const t0 = performance.now();
      e.inst.run();
      const first = performance.now() - t0;
      e.times = [];
      if (first > SLOW_MS) {
        e.times.push(first);
        e.target = 1;
      } else {
        let n = 1;
        while (n < 2 || (performance.now() - t0 < 300 && n < 10)) { e.inst.run(); n++; }
        e.est = (performance.now() - t0) / n;
        e.target = Math.max(e.est > 1000 ? 2 : MIN_RUNS, Math.min(MAX_RUNS, Math.round(TARGET_MS / e.est)));
      }
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      result[e.name] = { unsupported: err.message };
      e.inst?.dispose();
      e.inst = null;
    }
  }
  const live = engines.filter((e) => e.inst);
  for (let round = 0; live.some((e) => e.times.length < e.target); round++) {
    for (const e of live) {
      if (e.times.length >= e.target) continue;
      if (e.tf) await useTf(e.tf);
      const t0 = performance.now();
      e.inst.run();
      e.times.push(performance.now() - t0);
    }
  }
  for (const e of live) {
    if (e.tf) await useTf(e.tf);
    e.inst.dispose();
    const ms = median(e.times);
    result[e.name] = { ms: +ms.toFixed(3), gflops: +(c.flops / ms / 1e6).toFixed(2), runs: e.times.length };
  }
  return result;
}

// ------------------------------------------------------------------ report

function cell(r, kind) {
  if (!r) return '—';
  if (r.unsupported) return 'unsupported';
  return kind === 'step' ? `${r.ms.toFixed(1)} ms` : r.gflops.toFixed(1);
}

function ratio(r, peer) {
  if (!r || !peer || r.unsupported) return '—';
  if (peer.unsupported) return 'peer unsupported';
  return `${(peer.ms / r.ms).toFixed(1)}×`;
}

function table(rows, kind) {
  const head = ['case', ...ENGINES, 'wasm 2T ÷ tfjs-wasm', 'wasm 2T ÷ tfjs-wasm pre-T', 'wasm 2T ÷ tfjs-cpu'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const { name, results: r } of rows.filter((x) => x.kind === kind)) {
    const best = r['genzoo wasm 2T'];
    lines.push(`| ${[name, ...ENGINES.map((e) => cell(r[e], kind)), ratio(best, r['tfjs-wasm']), r['tfjs-wasm pre-T'] ? ratio(best, r['tfjs-wasm pre-T']) : '—', ratio(best, r['tfjs-cpu'])].join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const info = await g.ready();
  const load0 = os.loadavg();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
  };
  console.log(`genzoo ${g.VERSION} · ${machine.cpu}, ${machine.cores} cores · Node ${machine.node}`);
  console.log(`genzoo backend: ${info.name} ${JSON.stringify(info.details)}; tfjs ${tf.version_core}`);
  console.log(`load average at start: ${load0.map((x) => x.toFixed(2)).join(' ')}; GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'}\n`);
  const rows = [];
  for (const c of cases) {
    if (ONLY && !c.name.includes(ONLY)) continue;
    const results = await runCase(c);
    rows.push({ name: c.name, kind: c.kind, flops: c.flops, results });
    const r = results['genzoo wasm 2T'];
    console.log(`${c.name}: ${ENGINES.filter((e) => results[e]).map((e) => `${e} ${cell(results[e], c.kind)}`).join(', ')}${r ? '' : ''}`);
  }
  // GPU.js modes that run on a CPU-only machine (webasm, cpu; headlessgl under a display):
  // correctness-path timings beside the js reference. Real-GPU figures: benchmarks/gpu.sh.
  const gpu = ONLY || NO_GPU ? { rows: [], markdown: '' } : await gpuBenchRows(g, { quick: QUICK });
  const load1 = os.loadavg();
  const report = [
    '### Kernels (median GFLOP/s; higher is better)',
    '',
    table(rows, 'kernel'),
    '',
    '### Training steps (median ms per step; lower is better; ratios are speed-ups)',
    '',
    table(rows, 'step'),
    ...(gpu.markdown ? ['', '### GPU.js modes on this machine (correctness path; see benchmarks/gpu.sh for real GPUs)', '', gpu.markdown] : []),
  ].join('\n');
  console.log(`\n${report}\n`);
  console.log(`load average at end: ${load1.map((x) => x.toFixed(2)).join(' ')}`);

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const json = JSON.stringify({ date: new Date().toISOString(), machine, loadAverage: { start: load0, end: load1 }, glibcTunables: process.env.GLIBC_TUNABLES ?? null, genzooBackend: info, tfjs: tf.version_core, quick: QUICK, cases: rows, gpuCases: gpu.rows, markdown: report }, null, 2);
  for (const name of [`${date}.json`, 'latest.json']) {
    const tmp = join(dir, `${name}.tmp`);
    writeFileSync(tmp, json);
    renameSync(tmp, join(dir, name));
  }
  console.log(`results: benchmarks/results/${date}.json`);
}

await main();
