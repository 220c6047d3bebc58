/**
 * The gpu backend in Node, modes 'webasm' and 'cpu' (GPU.js without a GPU):
 * matmul and the convolutions against the js reference over random shapes
 * (fast-check), every other kernel on fixed cases, the ops and gradients,
 * training with nothing falling back or crossing to the host, mode selection
 * and its errors, and resource accounting. headless-gl and the browser modes
 * run the same checks (checks.ts) in their own test files.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as G from '../../src/index.js';
import { checkAllKernels, checkConv, checkErrors, checkMatmul, checkOps, convParams, train, type ConvKernel, type ConvSpec, type MatmulSpec } from './checks.js';
import { runKernel } from '../../src/tensor/backends/gpu/runner.js';
import { runtimeFor } from '../../src/tensor/backends/gpu/modes.js';

const NODE_MODES = ['webasm', 'cpu'] as const;

const matmulSpec: fc.Arbitrary<MatmulSpec> = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: fc.oneof(fc.constantFrom(1, 3, 17), fc.integer({ min: 1, max: 9 })),
  n: fc.oneof(fc.constantFrom(1, 4, 17), fc.integer({ min: 1, max: 9 })),
  k: fc.oneof(fc.constantFrom(1, 8, 17), fc.integer({ min: 1, max: 9 })),
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

afterAll(async () => {
  G.setBackend('js');
  await G.disposeGpu();
});

const expectOk = (results: Array<{ ok: boolean; kernel: string; spec: string; detail: string; worst: number }>): void => {
  for (const r of results) expect(r.ok, `${r.kernel} ${r.spec}: ${r.detail} (${r.worst.toFixed(2)}× the bound)`).toBe(true);
};

describe.each(NODE_MODES)('gpu backend, mode %s', (mode) => {
  const backend = (): G.Backend => G.createGpuBackend({ mode });

  test('reports the mode it runs', () => {
    const info = G.setBackend('gpu', { mode });
    expect(info.name).toBe('gpu');
    expect(info.details.mode).toBe(mode);
    G.setBackend('js');
  });

  test('matmul matches the js reference (random shapes, transposes, shared batch operands)', async () => {
    await fc.assert(fc.asyncProperty(matmulSpec, fc.integer({ min: 1, max: 1e6 }), async (s, seed) => {
      expectOk([await checkMatmul(G, backend(), s, seed)]);
    }), { numRuns: 30, seed: 41 });
  });

  test.each(['conv2d', 'conv2dGradInput', 'conv2dGradWeight'] as ConvKernel[])('%s matches the js reference (random shapes, stride, padding, dilation)', async (kind) => {
    await fc.assert(fc.asyncProperty(convSpec, fc.integer({ min: 1, max: 1e6 }), async (s, seed) => {
      expectOk([await checkConv(G, backend(), kind, s, seed)]);
    }), { numRuns: 20, seed: 42 });
  });

  test('every kernel of the backend interface, and the ops built on them with their gradients', async () => {
    const b = backend();
    expectOk(await checkAllKernels(G, b));
    expectOk(await checkOps(G, b));
  });
});

describe('mode selection', () => {
  test.each(['webgl2', 'webgl', 'webgpu'])('an explicit mode that cannot run here (%s) throws, naming it and why', (mode) => {
    const prev = G.backendInfo().name;
    let err: unknown;
    try {
      G.setBackend('gpu', { mode: mode as G.GpuMode });
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
    expect(() => G.setBackend('gpu', { mode: 'metal' } as never)).toThrow(/unknown mode "metal"/);
    expect(() => G.setBackend('gpu', { mode: 'cpu', maxKernels: 0 })).toThrow(/maxKernels must be a positive integer/);
    expect(() => G.setBackend('gpu', { mode: 'cpu', tileSize: 4 } as never)).toThrow(/unknown option 'tileSize'/);
  });

  test('float64 stays on the js reference; the gpu backend refuses float64 storage', () => {
    G.setBackend('gpu', { mode: 'cpu' });
    try {
      const a = G.randn([3, 3], { dtype: 'float64' });
      expect(a.backend).toBe('js');
      expect(G.matmul(a, a).dtype).toBe('float64');
      expect(() => G.getBackend().full('float64', 4, 0)).toThrow(/cannot hold float64/);
      expect(() => G.randn([2], { dtype: 'float64', backend: 'gpu' })).toThrow(/no float64/);
    } finally {
      G.setBackend('js');
    }
  });
});

describe('errors from GPU.js are not swallowed', () => {
  test('a kernel GPU.js cannot translate fails with its message, naming mode and kernel', () => {
    const rt = runtimeFor('webasm', 64);
    let err: Error | null = null;
    try {
      // Reading a property of a number: GPU.js cannot translate that.
      runKernel(rt, { name: 'broken', source: 'function (a) { return a[this.thread.x].nope; }', threads: 2 }, [new Float32Array(2)]);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^gpu backend \(webasm\): the broken kernel failed in GPU.js: /);
    expect(err?.cause).toBeInstanceOf(Error); // GPU.js's error, kept
  });

  test('a disposed tensor, disposing twice and two devices in one op each say what happened', async () => {
    G.setBackend('gpu', { mode: 'cpu' });
    try {
      const e = await checkErrors(G, 'cpu');
      expect(e.disposed).toMatch(/was disposed \(by dispose\(\) or at the end of a tidy\(\) scope\)/);
      expect(e.twice).toMatch(/Tensor.dispose: tensor #\d+ \[3\] was already disposed/);
      expect(e.mixed).toMatch(/^add: tensors on different devices: .*'gpu' \(GPU\).*'js'.*\.to\(/);
    } finally {
      G.setBackend('js');
    }
  });
});

describe('training on the device', () => {
  test('1,000 Adam steps (MLP + conv autoencoder): the loss falls, no fallback, no upload, one readback per step, a flat resource count', async () => {
    G.setBackend('gpu', { mode: 'webasm' });
    try {
      const r = await train(G, 1000);
      expect(r.losses[999]).toBeLessThan(r.losses[0] * 0.5);
      expect(r.perStep.fallbacks).toBe(0);
      expect(r.perStep.uploads).toBe(0);
      expect(r.perStep.readbacks).toBe(1);
      expect(r.perStep.readbackBytes).toBe(4);
      expect(r.resourcesAfterLast).toBeLessThanOrEqual(r.resourcesAfterFirst);
    } finally {
      G.setBackend('js');
    }
  });

  test('the same steps on the js backend give the same losses to float32 rounding', async () => {
    G.setBackend('gpu', { mode: 'webasm' });
    const gpu = await train(G, 5);
    G.setBackend('js');
    const js = await train(G, 5);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - js.losses[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(js.losses[i]))));
  });
});

describe('resources', () => {
  test('compiled kernels are cached per shape and bounded by maxKernels (least recently used destroyed)', async () => {
    G.setBackend('gpu', { mode: 'webasm', maxKernels: 3 });
    try {
      const b = G.getBackend();
      for (let n = 1; n <= 6; n++) await checkMatmul(G, b, { batch: 1, m: 2, n, k: 2, transA: false, transB: false, shareA: false, shareB: false });
      expect(G.gpuResources().byMode.webasm?.kernels).toBe(3);
      await checkMatmul(G, b, { batch: 1, m: 2, n: 6, k: 2, transA: false, transB: false, shareA: false, shareB: false });
      expect(G.gpuResources().byMode.webasm?.kernels).toBe(3); // a cache hit compiles nothing
    } finally {
      G.setBackend('js');
    }
  });

  test('disposeGpu releases everything; the backend restarts on next use', async () => {
    G.setBackend('gpu', { mode: 'cpu' });
    await checkMatmul(G, G.getBackend(), { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, shareA: false, shareB: false });
    expect(G.gpuResources().total).toBeGreaterThan(0);
    await G.disposeGpu();
    expect(G.gpuResources().total).toBe(0);
    const r = await checkMatmul(G, G.getBackend(), { batch: 2, m: 3, n: 2, k: 2, transA: false, transB: false, shareA: false, shareB: false });
    expect(r.ok).toBe(true);
    G.setBackend('js');
  });
});
