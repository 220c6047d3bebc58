/**
 * Checks shared by the gpu backend's tests in Node (cpu, webasm), under
 * headless-gl and in Chromium (webgl2, webgl, webgpu). Each takes the genzoo
 * module as an argument (the source in Node, the browser bundle in the page),
 * so one file defines what "correct" means everywhere:
 *  - every kernel of the Backend interface against the js reference, within a
 *    float32 rounding bound, through the real storage path (upload, kernel on
 *    device storages, asynchronous readback — so WebGPU runs them too);
 *  - the ops and their gradients against the js backend;
 *  - training steps: the loss falls, nothing falls back to the CPU, nothing is
 *    uploaded or read back beyond the data and one loss, and the live GPU
 *    resource count stays flat;
 *  - the errors: a disposed tensor, disposing twice, two backends in one op.
 */
import type * as Genzoo from '../../src/index.js';

export type G = typeof Genzoo;
type Backend = Genzoo.Backend;
type Storage = Genzoo.Storage;
type K = Genzoo.Kernels;

export interface CheckResult {
  kernel: string;
  spec: string;
  /** Largest |gpu − reference| / allowed over all elements (≤ 1 passes). */
  worst: number;
  ok: boolean;
  detail: string;
}

function randomArray(G: G, size: number, seed: number, positive = false): Float32Array {
  const gen = new G.Generator(seed);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = positive ? 0.1 + gen.random() * 2 : gen.random() * 2 - 1;
  return a;
}

/**
 * Allowed error per element: a float32 sum of K products rounded at each step
 * is within about K·2^-24 of Σ|a·b| of the exact value, and so is the
 * reference, so the two differ by at most ~2K·2^-24·Σ|a·b| (plus a floor).
 * Transcendental ops (exp, log, …) get a few ulps (`ulps`) relative to the value.
 */
function compare(kernel: string, spec: unknown, got: ArrayLike<number>, ref: ArrayLike<number>, absRef: ArrayLike<number>, K: number, ulps = 0): CheckResult {
  let worst = 0;
  let at = -1;
  if (got.length !== ref.length) return { kernel, spec: JSON.stringify(spec), worst: Infinity, ok: false, detail: `length ${got.length} vs ${ref.length}` };
  for (let i = 0; i < ref.length; i++) {
    const tol = 2 * (K + 2) * 2 ** -24 * absRef[i] + ulps * 2 ** -23 * Math.abs(ref[i]) + 1e-6;
    const same = Object.is(got[i], ref[i]) || (Number.isNaN(got[i]) && Number.isNaN(ref[i]));
    const err = Math.abs(got[i] - ref[i]);
    const r = same ? 0 : Number.isFinite(err) ? err / tol : Infinity;
    if (r > worst) {
      worst = r;
      at = i;
    }
  }
  const detail = at < 0 ? 'exact' : `worst at ${at}: got ${got[at]}, reference ${ref[at]}`;
  return { kernel, spec: JSON.stringify(spec), worst, ok: worst <= 1, detail };
}

/** Runs `call` on the backend and on the js reference with the same inputs; reads both results. */
async function both(G: G, backend: Backend, inputs: Float32Array[], call: (k: K, s: Storage[]) => Storage | void, readIndex?: number): Promise<[Float32Array, Float32Array]> {
  const js = G.referenceBackend() as Backend & K;
  const run = async (b: Backend): Promise<Float32Array> => {
    const s = inputs.map((a) => b.upload(a));
    const out = call(b as Backend & K, s);
    const r = out ?? s[readIndex ?? 0];
    const values = Float32Array.from(await b.readAsync(r));
    if (b.ownsMemory) for (const x of out ? [...s, out] : s) b.free(x);
    return values;
  };
  return [await run(backend), await run(js)];
}

const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

// ---------------------------------------------------------------- specs

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

export function matmulParams(s: MatmulSpec): Genzoo.MatmulParams {
  return { batch: s.batch, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, strideA: s.shareA ? 0 : s.m * s.k, strideB: s.shareB ? 0 : s.k * s.n };
}

export async function checkMatmul(G: G, backend: Backend, s: MatmulSpec, seed = 1): Promise<CheckResult> {
  const p = matmulParams(s);
  const a = randomArray(G, (s.shareA ? 1 : s.batch) * s.m * s.k, seed);
  const b = randomArray(G, (s.shareB ? 1 : s.batch) * s.k * s.n, seed + 1);
  const [got, ref] = await both(G, backend, [a, b], (k, [x, y]) => k.matmul(x, y, p));
  const [, absRef] = await both(G, G.referenceBackend(), [abs(a), abs(b)], (k, [x, y]) => k.matmul(x, y, p));
  return compare('matmul', s, got, ref, absRef, s.k);
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

export async function checkConv(G: G, backend: Backend, kind: ConvKernel, s: ConvSpec, seed = 1): Promise<CheckResult> {
  const p = convParams(s);
  if (!p) throw new Error(`conv spec does not fit: ${JSON.stringify(s)}`);
  const xSize = p.n * p.c * p.h * p.w, wSize = p.o * p.c * p.kh * p.kw, ySize = p.n * p.o * p.ho * p.wo;
  const [s1, s2, K] = kind === 'conv2d' ? [xSize, wSize, p.c * p.kh * p.kw] : kind === 'conv2dGradInput' ? [ySize, wSize, p.o * p.kh * p.kw] : [xSize, ySize, p.n * p.ho * p.wo];
  const u = randomArray(G, s1, seed);
  const v = randomArray(G, s2, seed + 1);
  const [got, ref] = await both(G, backend, [u, v], (k, [x, y]) => k[kind](x, y, p));
  const [, absRef] = await both(G, G.referenceBackend(), [abs(u), abs(v)], (k, [x, y]) => k[kind](x, y, p));
  return compare(kind, s, got, ref, absRef, K);
}

/** Every unary op with its parameters and the ulps it may differ by (tests/autograd/coverage.test.ts holds the list complete). */
export const UNARY_CHECKS: Array<[Genzoo.UnaryOp, number, number, number]> = [
  // op, p0, p1, ulps allowed (the shader's exp/log are not correctly rounded)
  ['neg', 0, 0, 0], ['abs', 0, 0, 0], ['relu', 0, 0, 0], ['leakyRelu', 0.2, 0, 0], ['sign', 0, 0, 0], ['square', 0, 0, 0],
  ['clamp', -0.3, 0.5, 0], ['exp', 0, 0, 16], ['log', 0, 0, 16], ['sqrt', 0, 0, 4], ['sigmoid', 0, 0, 16], ['tanh', 0, 0, 64],
  ['softplus', 0, 0, 16], ['pow', 3, 0, 16], ['gelu', 0, 0, 64],
];

const BINARY: Genzoo.BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'gt', 'ge', 'lt', 'le', 'eq'];

/** Strides that read `shape` broadcast to `out` (0 on broadcast dimensions). */
function stridesFor(_G: G, shape: number[], out: number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + out.length - shape.length] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i];
  }
  return strides;
}

/** Elementwise, where, reductions, argmax, movement, indexing, pooling, optimizers: one case each, random values. */
export async function checkOtherKernels(G: G, backend: Backend, seed = 1): Promise<CheckResult[]> {
  const r: CheckResult[] = [];
  const n = 37;
  const x = randomArray(G, n, seed);
  for (const [op, p0, p1, ulps] of UNARY_CHECKS) {
    const input = op === 'log' || op === 'sqrt' ? randomArray(G, n, seed + 2, true) : x.map((v) => v * 4);
    const [got, ref] = await both(G, backend, [input], (k, [a]) => k.unary(op, a, p0, p1));
    r.push(compare(`unary ${op}`, n, got, ref, abs(ref), 0, ulps));
  }
  // Broadcasting [3, 1, 5] with [4, 1]: three kinds of operand reads at once.
  const sa = [3, 1, 5], sb = [4, 1], so = [3, 4, 5];
  const a = randomArray(G, 15, seed + 3), b = randomArray(G, 4, seed + 4);
  b[1] = a[2]; // one exact tie for eq/ge/le
  for (const op of BINARY) {
    const [got, ref] = await both(G, backend, [a, b], (k, [u, v]) => k.binary(op, u, stridesFor(G, sa, so), v, stridesFor(G, sb, so), so));
    r.push(compare(`binary ${op}`, so, got, ref, abs(ref), 0, op === 'div' ? 2 : 0));
  }
  const same = randomArray(G, 24, seed + 5);
  const [gsame, rsame] = await both(G, backend, [same, same.map((v) => -v)], (k, [u, v]) => k.binary('add', u, [6, 1], v, [6, 1], [4, 6]));
  r.push(compare('binary add (same shape)', [4, 6], gsame, rsame, abs(same), 0));
  // The GL texel kernels' reads (texelwise.ts): a row of 8 repeated (a bias) on either side, and a single value.
  const rows = randomArray(G, 24, seed + 6), bias = randomArray(G, 8, seed + 7), one = randomArray(G, 1, seed + 8);
  bias[2] = rows[10]; // one exact tie
  for (const op of BINARY) {
    const [g1, r1] = await both(G, backend, [rows, bias], (k, [u, v]) => k.binary(op, u, [8, 1], v, [0, 1], [3, 8]));
    r.push(compare(`binary ${op} (a row repeated, right)`, [3, 8], g1, r1, abs(r1), 0, op === 'div' ? 2 : 0));
    const [g2, r2] = await both(G, backend, [bias, rows], (k, [u, v]) => k.binary(op, u, [0, 1], v, [8, 1], [3, 8]));
    r.push(compare(`binary ${op} (a row repeated, left)`, [3, 8], g2, r2, abs(r2), 0, op === 'div' ? 2 : 0));
    const [g3, r3] = await both(G, backend, [one, rows], (k, [u, v]) => k.binary(op, u, [0, 0], v, [8, 1], [3, 8]));
    r.push(compare(`binary ${op} (one value, left)`, [3, 8], g3, r3, abs(r3), 0, op === 'div' ? 2 : 0));
  }
  const cond = Float32Array.from({ length: 5 }, (_, i) => i % 2);
  const [gw, rw] = await both(G, backend, [cond, a, b], (k, [c, u, v]) => k.where(c, stridesFor(G, [5], so), u, stridesFor(G, sa, so), v, stridesFor(G, sb, so), so));
  r.push(compare('where', so, gw, rw, abs(rw), 0));
  // Reductions over the middle axis, short and long enough for two passes.
  for (const [outer, len, inner] of [[3, 7, 5], [2, 2500, 3], [1, 5000, 1]]) {
    const v = randomArray(G, outer * len * inner, seed + 6);
    for (const op of ['sum', 'max', 'min'] as const) {
      const [got, ref] = await both(G, backend, [v], (k, [u]) => k.reduce(op, u, outer, len, inner));
      const bound = new Float32Array(outer * inner).fill(len);
      r.push(compare(`reduce ${op}`, [outer, len, inner], got, ref, bound, op === 'sum' ? len : 0));
    }
    const [ga, ra] = await both(G, backend, [v], (k, [u]) => k.argmax(u, outer, len, inner));
    r.push(compare('argmax', [outer, len, inner], ga, ra, ra, 0));
  }
  // Movement: permute, slice, expand, pad (gather), concat.
  const t = randomArray(G, 2 * 3 * 4, seed + 7);
  const gathers: Array<[string, Genzoo.GatherParams]> = [
    ['permute', { shape: [4, 2, 3], strides: [1, 12, 4], offset: 0 }],
    ['slice', { shape: [2, 2, 4], strides: [12, 4, 1], offset: 4 }],
    ['expand', { shape: [2, 2, 3, 4], strides: [0, 12, 4, 1], offset: 0 }],
    ['pad', { shape: [3, 5, 6], strides: [12, 4, 1], offset: 0, pad: { before: [1, 1, 2], extent: [2, 3, 4], value: 0.5 } }],
    ['unpad', { shape: [1, 1, 2], strides: [12, 4, 1], offset: 17 }],
  ];
  for (const [name, g] of gathers) {
    const [got, ref] = await both(G, backend, [t], (k, [u]) => k.gather(u, g));
    r.push(compare(`gather (${name})`, g.shape, got, ref, abs(ref), 0));
  }
  const c1 = randomArray(G, 6, seed + 8), c2 = randomArray(G, 9, seed + 9);
  const [gc, rc] = await both(G, backend, [c1, c2, t.subarray(0, 3)], (k, [u, v, w]) => k.concat([u, v, w], 3, [2, 3, 1]));
  r.push(compare('concat', [3, 6], gc, rc, abs(rc), 0));
  const idx = Int32Array.from([2, 0, 2, 1]);
  const [gi, ri] = await both(G, backend, [t], (k, [u]) => k.indexSelect(u, idx, 2, 3, 4));
  r.push(compare('indexSelect', [2, 4, 4], gi, ri, abs(ri), 0));
  const gsrc = randomArray(G, 2 * 4 * 4, seed + 10);
  const [ga2, ra2] = await both(G, backend, [gsrc], (k, [u]) => k.indexAdd(u, idx, 2, 3, 4));
  r.push(compare('indexAdd', [2, 3, 4], ga2, ra2, new Float32Array(ra2.length).fill(3), 2));
  // Pooling, with padding and overlapping windows.
  const pp: Genzoo.Pool2dParams = { n: 2, c: 2, h: 5, w: 6, kh: 3, kw: 2, ho: 3, wo: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  const img = randomArray(G, 2 * 2 * 5 * 6, seed + 11);
  const dy = randomArray(G, 2 * 2 * 3 * 4, seed + 12);
  const [gm, rm] = await both(G, backend, [img], (k, [u]) => k.maxPool2d(u, pp).out);
  r.push(compare('maxPool2d', pp, gm, rm, abs(rm), 0));
  const [gmg, rmg] = await both(G, backend, [img, dy], (k, [u, d]) => {
    const { out, argmax } = k.maxPool2d(u, pp);
    const back = k.maxPool2dGrad(d, argmax, pp);
    return back;
  });
  r.push(compare('maxPool2dGrad', pp, gmg, rmg, new Float32Array(rmg.length).fill(4), 4));
  const [gav, rav] = await both(G, backend, [img], (k, [u]) => k.avgPool2d(u, pp));
  r.push(compare('avgPool2d', pp, gav, rav, new Float32Array(rav.length).fill(1), 6));
  const [gag, rag] = await both(G, backend, [dy], (k, [d]) => k.avgPool2dGrad(d, pp));
  r.push(compare('avgPool2dGrad', pp, gag, rag, new Float32Array(rag.length).fill(1), 6));
  // Optimizers, in place: read the parameter (input 0) after one update.
  const m = 20;
  const [p0, g0, m0, v0] = [randomArray(G, m, seed + 13), randomArray(G, m, seed + 14), randomArray(G, m, seed + 15), randomArray(G, m, seed + 16, true)];
  for (const [label, h, amsgrad] of [
    ['adam', { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false, step: 3 }, false],
    ['adamw amsgrad', { lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: true, step: 7 }, true],
  ] as const) {
    for (const which of [0, 2, 3]) {
      const [got, ref] = await both(G, backend, [p0, g0, m0, v0, v0.map((q) => q * 1.5)], (k, [p, g, mm, vv, vm]) => {
        k.adam(p, g, mm, vv, amsgrad ? vm : null, h);
      }, which);
      r.push(compare(`${label} (${['p', '', 'm', 'v'][which]})`, m, got, ref, new Float32Array(m).fill(4), 4, 8));
    }
  }
  for (const [label, h] of [
    ['sgd', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false, first: true }],
    ['sgd momentum', { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0, nesterov: false, first: false }],
    ['sgd nesterov', { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true, first: false }],
  ] as const) {
    for (const which of h.momentum ? [0, 2] : [0]) {
      const [got, ref] = await both(G, backend, [p0, g0, m0], (k, [p, g, buf]) => {
        k.sgd(p, g, h.momentum ? buf : null, h);
      }, which);
      r.push(compare(`${label} (${which ? 'buffer' : 'p'})`, m, got, ref, new Float32Array(m).fill(2), 2));
    }
  }
  // Memory functions: full, copy, write, assign.
  const [gf, rf] = await both(G, backend, [], (k) => (k as unknown as Backend).full('float32', 9, -2.5));
  r.push(compare('full', 9, gf, rf, rf, 0));
  const [gwr, rwr] = await both(G, backend, [x], (k, [u]) => {
    const be = k as unknown as Backend;
    be.write(u, x.map((v) => v + 1));
    const c = be.copy(u);
    be.assign(u, c);
    return c;
  });
  r.push(compare('write, copy, assign', n, gwr, rwr, abs(rwr), 0));
  return r;
}

/** A few fixed cases that every mode runs: plain, transposed, batched, broadcast, padded, strided, dilated, and the fast paths' shapes. */
export const MATMUL_CASES: MatmulSpec[] = [
  { batch: 1, m: 5, n: 7, k: 3, transA: false, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 6, n: 4, k: 9, transA: true, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 3, n: 8, k: 5, transA: false, transB: true, shareA: false, shareB: false },
  { batch: 3, m: 4, n: 5, k: 6, transA: true, transB: true, shareA: false, shareB: false },
  { batch: 4, m: 3, n: 5, k: 2, transA: false, transB: false, shareA: true, shareB: false },
  { batch: 2, m: 7, n: 3, k: 4, transA: false, transB: true, shareA: false, shareB: true },
  { batch: 1, m: 1, n: 1, k: 1, transA: false, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 33, n: 28, k: 16, transA: false, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 17, n: 12, k: 20, transA: false, transB: true, shareA: false, shareB: false },
  { batch: 1, m: 12, n: 16, k: 9, transA: true, transB: false, shareA: false, shareB: false },
  { batch: 1, m: 64, n: 512, k: 784, transA: false, transB: true, shareA: false, shareB: false },
  // The GL planner's layout changes (gpu-backend.ts matmulGL): n % 4 ≠ 0 with m % 4 = 0 (Cᵀ, transposed back),
  // B transposed with k % 4 ≠ 0 or both transposed (B transposed first), A transposed with k % 4 = 0 (A first);
  // batched and shared operands through each; and the CVAE's shapes (784 pixels + 10 classes).
  { batch: 2, m: 8, n: 5, k: 6, transA: true, transB: false, shareA: true, shareB: false },
  { batch: 3, m: 5, n: 8, k: 7, transA: false, transB: true, shareA: false, shareB: true },
  { batch: 2, m: 3, n: 4, k: 8, transA: true, transB: true, shareA: false, shareB: false },
  { batch: 2, m: 5, n: 8, k: 12, transA: true, transB: false, shareA: true, shareB: false },
  { batch: 2, m: 4, n: 3, k: 5, transA: false, transB: true, shareA: false, shareB: true },
  { batch: 1, m: 64, n: 512, k: 794, transA: false, transB: true, shareA: false, shareB: false },
  { batch: 1, m: 512, n: 794, k: 64, transA: true, transB: false, shareA: false, shareB: false },
];

export const CONV_CASES: ConvSpec[] = [
  { n: 2, c: 3, h: 6, w: 5, o: 4, kh: 3, kw: 3, stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
  { n: 1, c: 2, h: 7, w: 7, o: 3, kh: 3, kw: 2, stride: [2, 2], padding: [1, 0], dilation: [1, 1] },
  { n: 2, c: 1, h: 8, w: 6, o: 2, kh: 2, kw: 3, stride: [1, 2], padding: [0, 2], dilation: [2, 1] },
  { n: 3, c: 2, h: 5, w: 5, o: 1, kh: 1, kw: 1, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { n: 1, c: 4, h: 9, w: 4, o: 5, kh: 4, kw: 3, stride: [3, 1], padding: [2, 1], dilation: [1, 2] },
  { n: 2, c: 8, h: 14, w: 14, o: 16, kh: 4, kw: 4, stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
];

export const CONV_KERNELS: ConvKernel[] = ['conv2d', 'conv2dGradInput', 'conv2dGradWeight'];

/** Every kernel of the Backend interface on the fixed cases. */
export async function checkAllKernels(G: G, backend: Backend): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [i, s] of MATMUL_CASES.entries()) results.push(await checkMatmul(G, backend, s, 10 + i));
  for (const kind of CONV_KERNELS) for (const [i, s] of CONV_CASES.entries()) results.push(await checkConv(G, backend, kind, s, 20 + i));
  results.push(...(await checkOtherKernels(G, backend)));
  return results;
}

/**
 * The tensor ops (matmul with transpose flags, linear, conv2d,
 * convTranspose2d, pooling, softmax, and their gradients) on the gpu backend
 * against the js backend: the same numbers up to float32 rounding.
 */
export async function checkOps(G: G, gpu: Backend): Promise<CheckResult[]> {
  const run = async (backend: Backend): Promise<Float32Array[]> => {
    return G.withBackend(backend, async () => {
      const gen = new G.Generator(5);
      const a = G.randn([3, 4, 5], { requiresGrad: true, generator: gen });
      const b = G.randn([6, 5], { requiresGrad: true, generator: gen });
      const x = G.randn([2, 3, 7, 6], { requiresGrad: true, generator: gen });
      const w = G.randn([4, 3, 3, 3], { requiresGrad: true, generator: gen });
      const wt = G.randn([3, 2, 3, 3], { requiresGrad: true, generator: gen });
      const y1 = G.matmul(a, b, { transB: true }).tanh().sum();
      const y2 = G.conv2d(x, w, null, { stride: 2, padding: 1 }).square().mean();
      const y3 = G.convTranspose2d(x, wt, null, { stride: 2, padding: 1, outputPadding: 1 }).sigmoid().sum();
      const y4 = G.maxPool2d(x, 2).logSoftmax(1).mean().add(G.avgPool2d(x, 3, 2, 1).var());
      y1.add(y2).add(y3).add(y4).backward();
      return Promise.all([y1, y2, y3, y4, a.grad!, b.grad!, x.grad!, w.grad!, wt.grad!].map(async (t) => Float32Array.from(await t.read())));
    });
  };
  const got = await run(gpu);
  const ref = await run(G.referenceBackend());
  const names = ['matmulᵀ', 'conv2d', 'convTranspose2d', 'pools and logSoftmax', 'd matmul/dA', 'd matmul/dB', 'dx (conv, convTranspose, pools)', 'd conv2d/dW', 'd convTranspose2d/dW'];
  return names.map((name, i) => {
    let worst = 0;
    for (let j = 0; j < ref[i].length; j++) worst = Math.max(worst, Math.abs(got[i][j] - ref[i][j]) / (1e-4 * Math.max(1, Math.abs(ref[i][j]))));
    return { kernel: `op ${name}`, spec: '', worst, ok: worst <= 1, detail: `${got[i][0]} vs ${ref[i][0]}` };
  });
}

export interface TrainReport {
  losses: number[];
  /** gpuResources().total after the second step (the first makes the optimizer's state and the first gradients) and after the last. */
  resourcesAfterFirst: number;
  resourcesAfterLast: number;
  /** backendCounters() differences over the steps after the first, per step. */
  perStep: { kernels: number; fallbacks: number; uploads: number; uploadBytes: number; readbacks: number; readbackBytes: number };
}

/**
 * A small MLP (8 → 16 → 4, BCE-with-logits on 0/1 targets) and a small conv
 * autoencoder (conv2d 1→3, leakyReLU, maxPool, convTranspose2d 3→1) trained
 * with Adam on the active backend, each step in a tidy(): every kernel runs
 * on the device, and only the loss is read back (asynchronously, so WebGPU
 * runs it too).
 */
export async function train(G: G, steps: number): Promise<TrainReport> {
  const gen = new G.Generator(3);
  const x = G.randn([16, 8], { generator: gen });
  const target = G.tensor(Float32Array.from({ length: 64 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), { shape: [16, 4] });
  const img = G.rand([2, 1, 6, 6], { generator: gen });
  const mlp = new G.nn.Sequential(new G.nn.Linear(8, 16, { generator: gen }), new G.nn.Tanh(), new G.nn.Linear(16, 4, { generator: gen }));
  const enc = new G.nn.Conv2d(1, 3, 3, { padding: 1, generator: gen });
  const dec = new G.nn.ConvTranspose2d(3, 1, 2, { stride: 2, generator: gen });
  const params = [...mlp.parameters(), ...enc.parameters(), ...dec.parameters()];
  const opt = new G.optim.Adam(params, { lr: 0.02 });
  const losses: number[] = [];
  let resourcesAfterFirst = 0;
  let before = G.backendCounters();
  for (let step = 0; step < steps; step++) {
    const loss = G.tidy(() => {
      opt.zeroGrad();
      const l1 = G.nn.bceWithLogits(mlp.call(x), target);
      const z = G.maxPool2d(enc.call(img).leakyRelu(0.2), 2);
      const l2 = dec.call(z).sigmoid().sub(img).square().mean();
      const l = l1.add(l2);
      l.backward();
      opt.step();
      return l;
    });
    losses.push((await loss.read())[0]);
    loss.dispose();
    if (step === 1) {
      await settle();
      resourcesAfterFirst = G.gpuResources().total;
      before = G.backendCounters();
    }
  }
  await settle();
  const after = G.backendCounters();
  const k = Math.max(1, steps - 2);
  const per = (key: keyof Genzoo.BackendCounters): number => (after[key] - before[key]) / k;
  return {
    losses, resourcesAfterFirst, resourcesAfterLast: G.gpuResources().total,
    perStep: { kernels: per('kernels'), fallbacks: per('fallbacks'), uploads: per('uploads'), uploadBytes: per('uploadBytes'), readbacks: per('readbacks'), readbackBytes: per('readbackBytes') },
  };
}

/** What {@link trainZoo} reports: the losses of every step, and per-step counts after the first two. */
export interface ZooTrainReport {
  losses: Record<string, number>[];
  perStep: { kernels: number; fallbacks: number; uploads: number; uploadBytes: number; readbacks: number };
  /** The model's parameters and buffers, in bytes. */
  paramBytes: number;
  /** model.safetensors from `training.modelFileBytesAsync` (the playground's download): tensors in it, and values differing from the model's own. */
  exported: { tensors: number; values: number; mismatches: number };
}

/**
 * A zoo model, small (mlp, width 32, latent 4, batch 16 of seeded random
 * images), trained `steps` steps with `trainStepAsync` on the active backend
 * (`backend`: setBackend's arguments), from the same seeds every time: runs on
 * two backends must give the same losses up to float32 rounding.
 */
export async function trainZoo(G: G, backend: [string, Record<string, unknown>?], kind: 'cvae' | 'cgan', steps: number): Promise<ZooTrainReport> {
  G.setBackend(backend[0] as 'js', backend[1] as undefined);
  const config = { ...G.models.defaultConfig(kind), width: 32, latent: 4 };
  const model = G.models.createModel(config, 5);
  const gen = new G.Generator(7);
  const x = G.rand([16, 1, 28, 28], { generator: new G.Generator(9) });
  const y = Int32Array.from({ length: 16 }, (_, i) => i % 10);
  const losses: Record<string, number>[] = [];
  let before = G.backendCounters();
  for (let step = 0; step < steps; step++) {
    losses.push(await model.trainStepAsync({ x, y }, gen));
    if (step === 1) {
      await settle();
      before = G.backendCounters();
    }
  }
  await settle();
  const after = G.backendCounters();
  const k = Math.max(1, steps - 2);
  const per = (key: keyof Genzoo.BackendCounters): number => (after[key] - before[key]) / k;
  // The model file as the playground downloads it, read back from the device asynchronously (WebGPU has no
  // synchronous read): it must hold exactly the model's values.
  const file = G.io.deserialize(await G.training.modelFileBytesAsync(model));
  const exported = { tensors: 0, values: 0, mismatches: 0 };
  for (const [name, t] of Object.entries(model.stateDict())) {
    const want = await t.read();
    const got = file.tensors[name]?.data;
    exported.tensors++;
    exported.values += want.length;
    if (!got || got.length !== want.length) exported.mismatches += want.length;
    else for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) exported.mismatches++;
  }
  G.setBackend('js');
  const paramBytes = [...model.parameters(), ...model.buffers()].reduce((s, t) => s + 4 * t.numel(), 0);
  return { losses, paramBytes, exported, perStep: { kernels: per('kernels'), fallbacks: per('fallbacks'), uploads: per('uploads'), uploadBytes: per('uploadBytes'), readbacks: per('readbacks') } };
}

/** Lets pending releases finish (WebGPU deletes a buffer once the kernels reading it were submitted). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((ok) => setTimeout(ok, 0));
}

/** The errors a user meets: a disposed tensor, disposing twice, tensors on two devices, a sync read on WebGPU. */
export async function checkErrors(G: G, mode: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const capture = async (name: string, fn: () => unknown): Promise<void> => {
    try {
      await fn();
      out[name] = 'no error';
    } catch (e) {
      out[name] = (e as Error).message;
    }
  };
  const t = G.tensor([1, 2, 3]);
  t.dispose();
  await capture('disposed', () => t.add(1));
  await capture('twice', () => t.dispose());
  const cpu = G.tensor([1, 2, 3], { backend: 'js' });
  await capture('mixed', () => G.tensor([1, 2, 3]).add(cpu));
  // A computed tensor (a small one made from host values keeps that copy: its .data needs no readback).
  if (mode === 'webgpu') {
    await capture('syncRead', () => G.tensor([1, 2]).add(1).data);
    await capture('hostCopy', () => G.tensor([1, 2]).data.join(','));
  }
  return out;
}

export interface ModeReport {
  mode: string;
  info: Genzoo.BackendInfo;
  kernels: CheckResult[];
  ops: CheckResult[];
  train: TrainReport;
  errors: Record<string, string>;
  seconds: number;
}

/** Everything one gpu mode must pass, as data (the caller asserts). */
export async function runModeSuite(G: G, mode: string, trainSteps: number): Promise<ModeReport> {
  const t0 = Date.now();
  const previous = G.backendInfo().requested;
  G.setBackend('gpu', { mode } as never);
  try {
    await G.ready();
    const backend = G.getBackend();
    const kernels = await checkAllKernels(G, backend);
    const ops = await checkOps(G, backend);
    const trainReport = await train(G, trainSteps);
    const errors = await checkErrors(G, mode);
    return { mode, info: G.backendInfo(), kernels, ops, train: trainReport, errors, seconds: (Date.now() - t0) / 1000 };
  } finally {
    G.setBackend(previous as never);
  }
}
