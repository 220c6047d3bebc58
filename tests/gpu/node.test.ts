/**
 * The gpu backend in Node, modes 'webasm' and 'cpu' (GPU.js without a GPU):
 * every kernel against the js reference over random shapes (fast-check),
 * including forced small tiles so tile edges and partial tiles are hit, the
 * async kernels, mode selection and its errors, and resource accounting.
 * headless-gl and the browser modes have their own test files.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as G from '../../src/index.js';
import { checkAllKernels, checkAllKernelsAsync, checkConv, checkMatmul, checkMatmulAsync, checkOps, convParams, train, type ConvKernel, type ConvSpec, type MatmulSpec } from './checks.js';
import { runJob, type KernelJob } from '../../src/tensor/backends/gpu/runner.js';
import { runtimeFor } from '../../src/tensor/backends/gpu/modes.js';

const NODE_MODES = ['webasm', 'cpu'] as const;

const matmulSpec: fc.Arbitrary<MatmulSpec> = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 9 }),
  n: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 9 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  shareA: fc.boolean(),
  shareB: fc.boolean(),
});

const convSpec: fc.Arbitrary<ConvSpec> = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 7 }),
  w: fc.integer({ min: 1, max: 7 }),
  o: fc.integer({ min: 1, max: 3 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 3 }),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
}).filter((s) => convParams(s) !== null);

/** Forced tile sides: 1 and 2 cut every output into many tiles with ragged edges; 64 leaves them whole. */
const tileSize = fc.constantFrom(1, 2, 3, 5, 64);

afterAll(async () => {
  G.setBackend('js');
  await G.disposeGpu();
});

describe.each(NODE_MODES)('gpu backend, mode %s', (mode) => {
  const backend = (tile?: number): G.Backend => {
    G.setBackend('gpu', tile ? { mode, tileSize: tile } : { mode });
    const b = G.getBackend();
    G.setBackend('js');
    return b;
  };

  test('reports the mode it runs', () => {
    const info = G.setBackend('gpu', { mode });
    expect(info.name).toBe('gpu');
    expect(info.details.mode).toBe(mode);
    expect(info.details.synchronousKernels).toBe(true);
    G.setBackend('js');
  });

  test('matmul matches the js reference (random shapes, transposes, shared batch operands, tiles)', () => {
    fc.assert(fc.property(matmulSpec, tileSize, fc.integer({ min: 1, max: 1e6 }), (s, tile, seed) => {
      const r = checkMatmul(G, backend(tile), s, seed);
      expect(r.ok, `${r.spec} tile ${tile}: ${r.detail} (${r.worst.toFixed(2)}× the bound)`).toBe(true);
    }), { numRuns: 40 });
  });

  test.each(['conv2d', 'conv2dGradInput', 'conv2dGradWeight'] as ConvKernel[])('%s matches the js reference (random shapes, stride, padding, dilation, tiles)', (kind) => {
    fc.assert(fc.property(convSpec, tileSize, fc.integer({ min: 1, max: 1e6 }), (s, tile, seed) => {
      const r = checkConv(G, backend(tile), kind, s, seed);
      expect(r.ok, `${r.spec} tile ${tile}: ${r.detail} (${r.worst.toFixed(2)}× the bound)`).toBe(true);
    }), { numRuns: 25 });
  });

  test('the fixed cases and the ops built on the kernels (matmul, conv2d, convTranspose2d and gradients)', () => {
    for (const r of [...checkAllKernels(G, backend()), ...checkOps(G, backend())]) expect(r.ok, `${r.kernel} ${r.spec}: ${r.detail}`).toBe(true);
  });

  test('async kernels give the same results', async () => {
    for (const r of await checkAllKernelsAsync(G, backend(4))) expect(r.ok, `${r.kernel} ${r.spec}: ${r.detail}`).toBe(true);
  });
});

describe('mode selection', () => {
  test.each(['webgl2', 'webgl', 'webgpu'])('an explicit mode that cannot run here (%s) throws, naming it and why', (mode) => {
    const prev = G.backendInfo().name;
    let err: unknown;
    try {
      G.setBackend('gpu', { mode });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(G.GpuModeUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain(`mode '${mode}' is unavailable`);
    expect(msg).toMatch(/browser|WebGPU/);
    expect(msg).toContain('GPU.js:'); // GPU.js's own words are kept
    expect(G.backendInfo().name).toBe(prev); // nothing changed
  });

  test("'auto' picks a working mode and says why it skipped the others", () => {
    const info = G.setBackend('gpu', { mode: 'auto' });
    G.setBackend('js');
    const skipped = info.details.skipped as Record<string, string>;
    expect(G.GPU_MODES).toContain(info.details.mode);
    expect(info.details.requestedMode).toBe('auto');
    expect(skipped.webgpu).toMatch(/asynchronous/);
    expect(skipped.webgl2).toMatch(/browser/);
    if (!process.env.DISPLAY) {
      expect(info.details.mode).toBe('webasm');
      expect(skipped.headlessgl).toMatch(/xvfb-run|gl/);
    }
  });

  test('bad options are rejected, not ignored', () => {
    expect(() => G.setBackend('gpu', { mode: 'metal' })).toThrow(/unknown mode "metal"/);
    expect(() => G.setBackend('gpu', { mode: 'cpu', tileSize: 0 })).toThrow(/tileSize must be a positive integer/);
    expect(() => G.setBackend('gpu', { mode: 'cpu', precision: 'unsigned' })).toThrow(/unknown option 'precision'/);
  });

  test('float64 stays on the js reference; float32 kernels refuse float64 arrays', () => {
    G.setBackend('gpu', { mode: 'cpu' });
    try {
      const a = G.randn([3, 3], { dtype: 'float64' });
      expect(G.matmul(a, a).dtype).toBe('float64');
      expect(() => G.getBackend().matmul(new Float64Array(4), new Float64Array(4), new Float64Array(4), {
        batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 0,
      })).toThrow(/float32/);
    } finally {
      G.setBackend('js');
    }
  });
});

describe('errors from GPU.js are not swallowed', () => {
  test('a kernel GPU.js cannot translate fails with its message, naming mode and kernel', () => {
    const rt = runtimeFor('webasm', 64);
    const job: KernelJob = {
      name: 'matmul',
      // Reading a property of a number: GPU.js cannot translate that.
      fn: function (this: { thread: { x: number } }, a: Float32Array, b: Float32Array, rowOff: number, colOff: number) {
        return (a[this.thread.x + rowOff + colOff] as unknown as { nope: number }).nope + b[0];
      } as never,
      constants: { m: 1 }, rows: 1, cols: 2, a: new Float32Array(2), b: new Float32Array(2), out: new Float32Array(2), outOffset: 0,
    };
    let err: Error | null = null;
    try {
      runJob(rt, job, 64);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^gpu backend \(webasm\): the matmul kernel failed in GPU.js: Unhandled getType MemberExpression/);
    expect((err?.cause as Error).message).toMatch(/^Unhandled getType MemberExpression/); // GPU.js's error, kept
  });
});

describe('resources', () => {
  test('compiled kernels are cached per shape and bounded by maxKernels (least recently used destroyed)', () => {
    G.setBackend('gpu', { mode: 'webasm', maxKernels: 3 });
    try {
      const before = G.gpuResources().byMode.webasm?.kernels ?? 0;
      expect(before).toBeLessThanOrEqual(3);
      const b = G.getBackend();
      for (let n = 1; n <= 6; n++) checkMatmul(G, b, { batch: 1, m: 2, n, k: 2, transA: false, transB: false, shareA: false, shareB: false });
      expect(G.gpuResources().byMode.webasm?.kernels).toBe(3);
      checkMatmul(G, b, { batch: 1, m: 2, n: 6, k: 2, transA: false, transB: false, shareA: false, shareB: false });
      expect(G.gpuResources().byMode.webasm?.kernels).toBe(3); // a cache hit compiles nothing
    } finally {
      G.setBackend('js');
    }
  });

  test('1,000 training steps (MLP + conv autoencoder) keep the live-resource count flat, and the loss falls', async () => {
    G.setBackend('gpu', { mode: 'webasm' });
    try {
      const r = await train(G, 1000, { lr: 0.05 });
      expect(r.resourcesAfterLast).toBe(r.resourcesAfterFirst);
      expect(r.losses[999]).toBeLessThan(r.losses[0] * 0.5);
    } finally {
      G.setBackend('js');
    }
  });

  test('disposeGpu releases everything; the backend restarts on next use', async () => {
    G.setBackend('gpu', { mode: 'cpu' });
    checkMatmul(G, G.getBackend(), { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, shareA: false, shareB: false });
    expect(G.gpuResources().total).toBeGreaterThan(0);
    await G.disposeGpu();
    expect(G.gpuResources().total).toBe(0);
    const r = checkMatmul(G, G.getBackend(), { batch: 2, m: 3, n: 2, k: 2, transA: false, transB: false, shareA: false, shareB: false });
    expect(r.ok).toBe(true);
    G.setBackend('js');
  });
});

describe('the async path', () => {
  test('async ops and backwardAsync give the same gradients as the synchronous ones', async () => {
    G.setBackend('gpu', { mode: 'webasm' });
    try {
      const sync = await train(G, 3);
      const async_ = await train(G, 3, { async: true });
      expect(async_.losses).toEqual(sync.losses);
    } finally {
      G.setBackend('js');
    }
  });

  test('on a backend without async kernels (js), the async ops run the synchronous kernels', async () => {
    G.setBackend('js');
    const r = await checkMatmulAsync(G, { ...G.referenceBackend(), matmulAsync: undefined } as G.Backend, { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, shareA: false, shareB: false }).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error); // the check helper insists on a real async kernel…
    G.manualSeed(1);
    const a = G.randn([3, 4], { requiresGrad: true });
    const w = G.randn([5, 4], { requiresGrad: true });
    const y = await G.linearAsync(a, w); // …while the op falls through to the sync kernel
    await y.sum().backwardAsync();
    const a2 = G.tensor(a.toArray(), { requiresGrad: true });
    G.linear(a2, w.detach()).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual(Array.from(a2.grad!.data));
  });
});
