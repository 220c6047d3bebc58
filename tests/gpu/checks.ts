/**
 * Checks shared by the gpu backend's tests in Node, under headless-gl and in
 * Chromium. Each takes the genzoo module as an argument (the source in Node,
 * the browser bundle in the page), so one file defines what "correct" means
 * everywhere: a kernel's output against the js reference, within a float32
 * rounding bound, and a training run whose loss falls while the live GPU
 * resource count stays flat.
 */
import type * as Genzoo from '../../src/index.js';

export type G = typeof Genzoo;
type Backend = Genzoo.Backend;

export interface MatmulSpec {
  batch: number; m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  /** One A (or B) matrix read for every batch entry (stride 0). */
  shareA: boolean; shareB: boolean;
}

export interface ConvSpec {
  n: number; c: number; h: number; w: number; o: number; kh: number; kw: number;
  stride: [number, number]; padding: [number, number]; dilation: [number, number];
}

export type ConvKernel = 'conv2d' | 'conv2dGradInput' | 'conv2dGradWeight';

export interface CheckResult {
  kernel: string;
  spec: string;
  /** Largest |gpu − reference| / allowed over all elements (≤ 1 passes). */
  worst: number;
  ok: boolean;
  detail: string;
}

function randomArray(G: G, size: number, seed: number): Float32Array {
  const gen = new G.Generator(seed);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = gen.random() * 2 - 1;
  return a;
}

/**
 * Allowed error per element: a float32 sum of K products rounded at each step
 * is within about K·2^-24 of Σ|a·b| of the exact value, and so is the
 * reference, so the two differ by at most ~2K·2^-24·Σ|a·b| (plus a floor).
 */
function compare(kernel: string, spec: unknown, got: ArrayLike<number>, ref: ArrayLike<number>, absRef: ArrayLike<number>, K: number): CheckResult {
  let worst = 0;
  let at = -1;
  if (got.length !== ref.length) {
    return { kernel, spec: JSON.stringify(spec), worst: Infinity, ok: false, detail: `length ${got.length} vs ${ref.length}` };
  }
  for (let i = 0; i < ref.length; i++) {
    const tol = 2 * (K + 2) * 2 ** -24 * absRef[i] + 1e-6;
    const err = Math.abs(got[i] - ref[i]);
    const r = Number.isFinite(got[i]) ? err / tol : Infinity;
    if (r > worst) {
      worst = r;
      at = i;
    }
  }
  const detail = at < 0 ? 'exact' : `worst at ${at}: got ${got[at]}, reference ${ref[at]}`;
  return { kernel, spec: JSON.stringify(spec), worst, ok: worst <= 1, detail };
}

function matmulSetup(G: G, s: MatmulSpec, seed: number) {
  const sizeA = s.m * s.k;
  const sizeB = s.k * s.n;
  const a = randomArray(G, s.shareA ? sizeA : s.batch * sizeA, seed);
  const b = randomArray(G, s.shareB ? sizeB : s.batch * sizeB, seed + 1);
  const p: Genzoo.MatmulParams = {
    batch: s.batch, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB,
    strideA: s.shareA ? 0 : sizeA, strideB: s.shareB ? 0 : sizeB,
  };
  const ref = new Float32Array(s.batch * s.m * s.n);
  const absRef = new Float32Array(ref.length);
  const js = G.referenceBackend();
  js.matmul(a, b, ref, p);
  js.matmul(a.map(Math.abs), b.map(Math.abs), absRef, p);
  return { a, b, p, ref, absRef, out: new Float32Array(ref.length).fill(NaN) };
}

export function checkMatmul(G: G, backend: Backend, s: MatmulSpec, seed = 1): CheckResult {
  const { a, b, p, ref, absRef, out } = matmulSetup(G, s, seed);
  backend.matmul(a, b, out, p);
  return compare('matmul', s, out, ref, absRef, s.k);
}

export async function checkMatmulAsync(G: G, backend: Backend, s: MatmulSpec, seed = 1): Promise<CheckResult> {
  const { a, b, p, ref, absRef, out } = matmulSetup(G, s, seed);
  if (!backend.matmulAsync) throw new Error(`backend ${backend.name} has no matmulAsync`);
  await backend.matmulAsync(a, b, out, p);
  return compare('matmulAsync', s, out, ref, absRef, s.k);
}

/** Conv2dParams of a spec, or null where the kernel does not fit the input. */
export function convParams(s: ConvSpec): Genzoo.Conv2dParams | null {
  const ho = Math.floor((s.h + 2 * s.padding[0] - s.dilation[0] * (s.kh - 1) - 1) / s.stride[0]) + 1;
  const wo = Math.floor((s.w + 2 * s.padding[1] - s.dilation[1] * (s.kw - 1) - 1) / s.stride[1]) + 1;
  if (ho <= 0 || wo <= 0) return null;
  return {
    n: s.n, c: s.c, h: s.h, w: s.w, o: s.o, kh: s.kh, kw: s.kw, ho, wo,
    strideH: s.stride[0], strideW: s.stride[1], padH: s.padding[0], padW: s.padding[1],
    dilationH: s.dilation[0], dilationW: s.dilation[1],
  };
}

function convSetup(G: G, kind: ConvKernel, s: ConvSpec, seed: number) {
  const p = convParams(s);
  if (!p) throw new Error(`conv spec does not fit: ${JSON.stringify(s)}`);
  const xSize = p.n * p.c * p.h * p.w;
  const wSize = p.o * p.c * p.kh * p.kw;
  const ySize = p.n * p.o * p.ho * p.wo;
  // [first operand, second operand, output size, reduction length]
  const [s1, s2, outSize, K] =
    kind === 'conv2d' ? [xSize, wSize, ySize, p.c * p.kh * p.kw]
    : kind === 'conv2dGradInput' ? [ySize, wSize, xSize, p.o * p.kh * p.kw]
    : [xSize, ySize, wSize, p.n * p.ho * p.wo];
  const u = randomArray(G, s1, seed);
  const v = randomArray(G, s2, seed + 1);
  const ref = new Float32Array(outSize);
  const absRef = new Float32Array(outSize);
  const js = G.referenceBackend();
  js[kind](u, v, ref, p);
  js[kind](u.map(Math.abs), v.map(Math.abs), absRef, p);
  return { u, v, p, ref, absRef, K, out: new Float32Array(outSize).fill(NaN) };
}

export function checkConv(G: G, backend: Backend, kind: ConvKernel, s: ConvSpec, seed = 1): CheckResult {
  const { u, v, p, ref, absRef, K, out } = convSetup(G, kind, s, seed);
  backend[kind](u, v, out, p);
  return compare(kind, s, out, ref, absRef, K);
}

export async function checkConvAsync(G: G, backend: Backend, kind: ConvKernel, s: ConvSpec, seed = 1): Promise<CheckResult> {
  const { u, v, p, ref, absRef, K, out } = convSetup(G, kind, s, seed);
  const fn = backend[`${kind}Async`];
  if (!fn) throw new Error(`backend ${backend.name} has no ${kind}Async`);
  await fn.call(backend, u, v, out, p);
  return compare(`${kind}Async`, s, out, ref, absRef, K);
}

/** A few fixed cases that every mode runs: plain, transposed, batched, broadcast, padded, strided, dilated. */
export const MATMUL_CASES: MatmulSpec[] = [
  { batch: 1, m: 5, n: 7, k: 3, transA: false, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 6, n: 4, k: 9, transA: true, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 3, n: 8, k: 5, transA: false, transB: true, shareA: false, shareB: false },
  { batch: 3, m: 4, n: 5, k: 6, transA: true, transB: true, shareA: false, shareB: false },
  { batch: 4, m: 3, n: 5, k: 2, transA: false, transB: false, shareA: true, shareB: false },
  { batch: 2, m: 7, n: 3, k: 4, transA: false, transB: true, shareA: false, shareB: true },
  { batch: 1, m: 1, n: 1, k: 1, transA: false, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 33, n: 29, k: 17, transA: false, transB: false, shareA: false, shareB: false },
];

export const CONV_CASES: ConvSpec[] = [
  { n: 2, c: 3, h: 6, w: 5, o: 4, kh: 3, kw: 3, stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
  { n: 1, c: 2, h: 7, w: 7, o: 3, kh: 3, kw: 2, stride: [2, 2], padding: [1, 0], dilation: [1, 1] },
  { n: 2, c: 1, h: 8, w: 6, o: 2, kh: 2, kw: 3, stride: [1, 2], padding: [0, 2], dilation: [2, 1] },
  { n: 3, c: 2, h: 5, w: 5, o: 1, kh: 1, kw: 1, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { n: 1, c: 4, h: 9, w: 4, o: 5, kh: 4, kw: 3, stride: [3, 1], padding: [2, 1], dilation: [1, 2] },
];

export const CONV_KERNELS: ConvKernel[] = ['conv2d', 'conv2dGradInput', 'conv2dGradWeight'];

/** Every fixed case of every kernel on one backend; with `tileSizes`, the same again under each forced tile size. */
export function checkAllKernels(G: G, backend: Backend): CheckResult[] {
  const results: CheckResult[] = [];
  MATMUL_CASES.forEach((s, i) => results.push(checkMatmul(G, backend, s, 10 + i)));
  for (const kind of CONV_KERNELS) CONV_CASES.forEach((s, i) => results.push(checkConv(G, backend, kind, s, 20 + i)));
  return results;
}

export async function checkAllKernelsAsync(G: G, backend: Backend): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [i, s] of MATMUL_CASES.entries()) results.push(await checkMatmulAsync(G, backend, s, 10 + i));
  for (const kind of CONV_KERNELS) for (const [i, s] of CONV_CASES.entries()) results.push(await checkConvAsync(G, backend, kind, s, 20 + i));
  return results;
}

/**
 * The tensor ops that end in these kernels (matmul with transpose flags,
 * linear, conv2d, convTranspose2d, and their gradients) against the js
 * backend: the same numbers up to float32 rounding.
 */
export function checkOps(G: G, gpu: Backend): CheckResult[] {
  const run = (backend: Backend) => {
    G.manualSeed(5);
    const a = G.randn([3, 4, 5], { requiresGrad: true });
    const b = G.randn([6, 5], { requiresGrad: true });
    const x = G.randn([2, 3, 7, 6], { requiresGrad: true });
    const w = G.randn([4, 3, 3, 3], { requiresGrad: true });
    const wt = G.randn([3, 2, 3, 3], { requiresGrad: true });
    return G.withBackend(backend, () => {
      const y1 = G.matmul(a, b, { transB: true }).tanh().sum();
      const y2 = G.conv2d(x, w, null, { stride: 2, padding: 1 }).square().mean();
      const y3 = G.convTranspose2d(x, wt, null, { stride: 2, padding: 1, outputPadding: 1 }).sigmoid().sum();
      y1.add(y2).add(y3).backward();
      return [y1, y2, y3, a.grad!, b.grad!, x.grad!, w.grad!, wt.grad!].map((t) => Float32Array.from(t.data));
    });
  };
  const got = run(gpu);
  const ref = run(G.referenceBackend());
  const names = ['matmulᵀ', 'conv2d', 'convTranspose2d', 'd matmul/dA', 'd matmul/dB', 'dx (conv + convTranspose)', 'd conv2d/dW', 'd convTranspose2d/dW'];
  return names.map((name, i) => {
    let worst = 0;
    for (let j = 0; j < ref[i].length; j++) {
      worst = Math.max(worst, Math.abs(got[i][j] - ref[i][j]) / (1e-4 * Math.max(1, Math.abs(ref[i][j]))));
    }
    return { kernel: `op ${name}`, spec: '', worst, ok: worst <= 1, detail: '' };
  });
}

export interface TrainReport {
  losses: number[];
  /** gpuResources().total after the first step and after the last. */
  resourcesAfterFirst: number;
  resourcesAfterLast: number;
  kernelsAfterLast: number;
}

/**
 * A small MLP (8 → 16 → 4, tanh targets) and a small conv autoencoder
 * (conv2d 1→3, relu, convTranspose2d 3→1) trained together by plain SGD on
 * the active backend: every gpu kernel runs forward and backward each step.
 * With `async`, the forward uses the async ops and the gradient backwardAsync.
 */
export async function train(G: G, steps: number, opts: { async?: boolean; lr?: number } = {}): Promise<TrainReport> {
  const lr = opts.lr ?? 0.1;
  G.manualSeed(3);
  const x = G.randn([16, 8]);
  // Data set-up runs on the js reference (a synchronous matmul cannot run on webgpu).
  const target = G.withBackend(G.referenceBackend(), () => G.matmul(x, G.randn([8, 4])).tanh());
  const img = G.rand([2, 1, 6, 6]);
  const w1 = G.randn([16, 8]).mul(0.3).requiresGrad_();
  const b1 = G.zeros([16]).requiresGrad_();
  const w2 = G.randn([4, 16]).mul(0.3).requiresGrad_();
  const b2 = G.zeros([4]).requiresGrad_();
  const k1 = G.randn([3, 1, 3, 3]).mul(0.3).requiresGrad_();
  const k2 = G.randn([3, 1, 3, 3]).mul(0.3).requiresGrad_();
  const params = [w1, b1, w2, b2, k1, k2];
  const losses: number[] = [];
  let resourcesAfterFirst = 0;
  for (let step = 0; step < steps; step++) {
    let loss: Genzoo.Tensor;
    if (opts.async) {
      const h = (await G.linearAsync(x, w1, b1)).tanh();
      const mlp = (await G.linearAsync(h, w2, b2)).sub(target).square().mean();
      const z = (await G.conv2dAsync(img, k1, null, { padding: 1 })).relu();
      const ae = (await G.convTranspose2dAsync(z, k2, null, { padding: 1 })).sub(img).square().mean();
      loss = mlp.add(ae);
      await G.backwardAsync(loss);
    } else {
      const h = G.linear(x, w1, b1).tanh();
      const mlp = G.linear(h, w2, b2).sub(target).square().mean();
      const z = G.conv2d(img, k1, null, { padding: 1 }).relu();
      const ae = G.convTranspose2d(z, k2, null, { padding: 1 }).sub(img).square().mean();
      loss = mlp.add(ae);
      loss.backward();
    }
    losses.push(loss.item());
    for (const p of params) {
      const g = p.grad!.data;
      for (let i = 0; i < p.data.length; i++) p.data[i] -= lr * g[i];
      p.grad = null;
    }
    if (step === 0) resourcesAfterFirst = G.gpuResources().total;
  }
  const r = G.gpuResources();
  return { losses, resourcesAfterFirst, resourcesAfterLast: r.total, kernelsAfterLast: Object.values(r.byMode).reduce((s, c) => s + (c?.kernels ?? 0), 0) };
}

/** Outputs wider and taller than the largest texture: they only work if tiled. */
export function limitCases(maxTextureSize: number): MatmulSpec[] {
  return [
    { batch: 1, m: 2, n: maxTextureSize + 3, k: 3, transA: false, transB: true, shareA: false, shareB: false },
    { batch: 1, m: maxTextureSize + 5, n: 2, k: 3, transA: true, transB: false, shareA: false, shareB: false },
  ];
}

export interface ModeReport {
  mode: string;
  info: Genzoo.BackendInfo;
  /** Synchronous kernels: fixed cases, forced small tiles, past the texture limit, the ops. Empty on webgpu. */
  kernels: CheckResult[];
  asyncKernels: CheckResult[];
  /** webgpu: what calling a synchronous kernel said. */
  syncError: string | null;
  /** Training through the synchronous ops (webgpu: the async ops). */
  train: TrainReport;
  /** A short run through the async ops and backwardAsync (GPU.js's asyncMode kernels). */
  trainAsync: TrainReport;
  seconds: number;
  /** Seconds per part: sync kernels, async kernels, limit cases, training. */
  timings: Record<string, number>;
}

/**
 * Everything one gpu mode must pass, as data (the caller asserts). `limits`:
 * also outputs past MAX_TEXTURE_SIZE (slow on software GL: GPU.js grows the
 * context's drawing buffer to the largest tile, 4096² here).
 */
export async function runModeSuite(G: G, mode: string, trainSteps: number, limits = true): Promise<ModeReport> {
  const t0 = Date.now();
  G.setBackend('gpu', { mode });
  try {
    await G.ready();
    const backend = G.getBackend();
    const maxTex = Number(G.backendInfo().details.maxTextureSize);
    const kernels: CheckResult[] = [];
    const asyncKernels: CheckResult[] = [];
    let syncError: string | null = null;
    G.setBackend('gpu', { mode, tileSize: 3 });
    const tiled = G.getBackend();
    G.setBackend('gpu', { mode });
    const tiledMatmul = MATMUL_CASES[7];
    const timings: Record<string, number> = {};
    let lap = Date.now();
    const time = (part: string): void => {
      const now = Date.now();
      timings[part] = (timings[part] ?? 0) + (now - lap) / 1000;
      lap = now;
    };
    if (mode === 'webgpu') {
      try {
        backend.matmul(new Float32Array(1), new Float32Array(1), new Float32Array(1), { batch: 1, m: 1, n: 1, k: 1, transA: false, transB: false, strideA: 0, strideB: 0 });
      } catch (e) {
        syncError = (e as Error).message;
      }
    } else {
      kernels.push(...checkAllKernels(G, backend), ...checkOps(G, backend));
      kernels.push(checkMatmul(G, tiled, tiledMatmul, 7));
      for (const kind of CONV_KERNELS) kernels.push(checkConv(G, tiled, kind, CONV_CASES[0], 8));
      time('sync');
      if (limits) for (const s of limitCases(maxTex)) kernels.push(checkMatmul(G, backend, s, 9));
      time('limits');
    }
    asyncKernels.push(...(await checkAllKernelsAsync(G, backend)));
    asyncKernels.push(await checkMatmulAsync(G, tiled, tiledMatmul, 7));
    for (const kind of CONV_KERNELS) asyncKernels.push(await checkConvAsync(G, tiled, kind, CONV_CASES[0], 8));
    time('async');
    if (limits) for (const s of limitCases(maxTex)) asyncKernels.push(await checkMatmulAsync(G, backend, s, 9));
    time('limits');
    const trainReport = await train(G, trainSteps, { async: mode === 'webgpu' });
    time('train');
    const trainAsync = mode === 'webgpu' ? trainReport : await train(G, Math.min(trainSteps, 10), { async: true });
    time('trainAsync');
    return { mode, info: G.backendInfo(), kernels, asyncKernels, syncError, train: trainReport, trainAsync, seconds: (Date.now() - t0) / 1000, timings };
  } finally {
    G.setBackend('js');
  }
}
