/**
 * Threads: 1 and 2 threads give bit-identical results (work is split by output
 * blocks only), on random shapes with the size threshold removed so that
 * every shape is split; backendInfo reports what runs; option errors are clear;
 * worker threads never keep Node alive; without wasm SIMD the default falls
 * back to js and says why; relaxed SIMD is used where the engine has it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { backendInfo, getBackend, ready, setBackend, type BackendName, type Conv2dParams } from '../../src/index.js';
import { arrayKernels, type ArrayKernels } from '../helpers/array-kernels.js';
import { createWasmBackend, detectFeatures, wasmTuning } from '../../src/tensor/backends/wasm/index.js';
import { buildKernelModule } from '../../src/tensor/backends/wasm/kernels.js';
import { variantKey } from '../../src/tensor/backends/wasm/prebuilt.js';
import { WasmRuntime } from '../../src/tensor/backends/wasm/runtime.js';
import { pathToFileURL } from 'node:url';

const saved = { ...wasmTuning };
afterEach(() => Object.assign(wasmTuning, saved));

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Same bits (NaN-safe, −0-safe). */
function expectSameBits(label: string, a: Float32Array, b: Float32Array): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) throw new Error(`${label}: element ${i} differs between 1 and 2 threads (${a[i]} vs ${b[i]})`);
  }
}

let one: ArrayKernels;
let two: ArrayKernels;

beforeAll(async () => {
  one = arrayKernels(createWasmBackend({ threads: 1 }));
  two = arrayKernels(createWasmBackend({ threads: 2 }));
  const prev = backendInfo();
  setBackend('wasm', { threads: 2 });
  await ready();
  setBackend(prev.requested as BackendName);
});

const dim = (max: number): fc.Arbitrary<number> => fc.oneof(fc.constantFrom(1, 3, 17, 63), fc.integer({ min: 1, max }));

describe('1 vs 2 threads: bit-identical', () => {
  test('backendInfo reports two threads running after ready()', async () => {
    const prev = backendInfo().requested;
    try {
      setBackend('wasm', { threads: 2 });
      const info = await ready();
      expect(info.name).toBe('wasm');
      expect(info.details.threads).toBe(2);
      expect(info.details.threadsRunning).toBe(2);
    } finally {
      setBackend(prev);
    }
  });

  test('matmul on random shapes (split by batch, columns or rows)', () => {
    wasmTuning.threadMinFlops = 0;
    fc.assert(
      fc.property(
        // m up to 200: splits by rows need ≥ 128 of them.
        fc.integer({ min: 1, max: 5 }), fc.oneof(dim(90), fc.integer({ min: 128, max: 200 })), dim(90), dim(300),
        fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e9 }),
        (batch, m, n, k, transA, transB, bcast, seed) => {
          const p = { batch, m, n, k, transA, transB, strideA: m * k, strideB: bcast ? 0 : k * n };
          const a = randomArray(batch * m * k, seed);
          const b = randomArray((bcast ? 1 : batch) * k * n, seed + 1);
          const o1 = new Float32Array(batch * m * n);
          const o2 = new Float32Array(batch * m * n);
          one.matmul(a, b, o1, p);
          two.matmul(a, b, o2, p);
          expectSameBits(`matmul ${JSON.stringify(p)}`, o1, o2);
        },
      ),
      { numRuns: 80, seed: 21 },
    );
  });

  test('the large shapes of an MLP step, at the default threshold', () => {
    for (const [m, n, k, transA, transB] of [[64, 512, 784, false, false], [784, 512, 64, true, false], [64, 784, 512, false, true], [300, 20, 400, false, false], [200, 40, 300, true, true]] as const) {
      const p = { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 };
      const a = randomArray(m * k, 1);
      const b = randomArray(k * n, 2);
      const o1 = new Float32Array(m * n);
      const o2 = new Float32Array(m * n);
      one.matmul(a, b, o1, p);
      two.matmul(a, b, o2, p);
      expectSameBits(`matmul ${m}×${n}×${k}`, o1, o2);
    }
  });

  test('conv2d and both gradients on random shapes (split by images or weight blocks)', () => {
    wasmTuning.threadMinFlops = 0;
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }), o: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 128, max: 140 })),
          kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 2 }),
          pad: fc.integer({ min: 0, max: 1 }), extra: fc.integer({ min: 0, max: 10 }), chunks: fc.boolean(), seed: fc.integer({ min: 1, max: 1e9 }),
        }),
        (r) => {
          const h = Math.max(1, r.kh - 2 * r.pad) + r.extra;
          const w = Math.max(1, r.kw - 2 * r.pad) + r.extra;
          const ho = Math.floor((h + 2 * r.pad - r.kh) / r.s) + 1;
          const wo = Math.floor((w + 2 * r.pad - r.kw) / r.s) + 1;
          const p: Conv2dParams = { n: r.n, c: r.c, h, w, o: r.o, kh: r.kh, kw: r.kw, ho, wo, strideH: r.s, strideW: r.s, padH: r.pad, padW: r.pad, dilationH: 1, dilationW: 1 };
          wasmTuning.colFloats = r.chunks ? 1 : saved.colFloats;
          const x = randomArray(p.n * p.c * h * w, r.seed);
          const wt = randomArray(p.o * p.c * p.kh * p.kw, r.seed + 1);
          const dy = randomArray(p.n * p.o * ho * wo, r.seed + 2);
          const run = (be: ArrayKernels) => {
            const y = new Float32Array(dy.length);
            const dx = new Float32Array(x.length);
            const dw = new Float32Array(wt.length);
            be.conv2d(x, wt, y, p);
            be.conv2dGradInput(dy, wt, dx, p);
            be.conv2dGradWeight(x, dy, dw, p);
            return { y, dx, dw };
          };
          const a = run(one);
          const b = run(two);
          expectSameBits(`conv2d ${JSON.stringify(p)}`, a.y, b.y);
          expectSameBits(`conv2dGradInput ${JSON.stringify(p)}`, a.dx, b.dx);
          expectSameBits(`conv2dGradWeight ${JSON.stringify(p)}`, a.dw, b.dw);
        },
      ),
      { numRuns: 60, seed: 22 },
    );
  });
});

describe('selection and options', () => {
  test("the default is 'auto', which picks wasm where SIMD validates", () => {
    const info = backendInfo();
    if (detectFeatures().simd) {
      expect(['wasm', 'js']).toContain(getBackend().name);
      const auto = setBackend('auto');
      expect(auto.name).toBe('wasm');
      expect(auto.requested).toBe('auto');
      expect(auto.details.simd === 'simd128' || auto.details.simd === 'relaxed-simd').toBe(true);
    }
    setBackend(info.requested);
  });

  test('bad options throw, naming the option', () => {
    expect(() => createWasmBackend({ threads: 0 })).toThrow(/threads must be an integer from 1 to 8, got 0/);
    expect(() => createWasmBackend({ threads: 2.5 })).toThrow(/threads must be an integer/);
    expect(() => createWasmBackend({ thread: 2 })).toThrow(/unknown option 'thread'/);
    if (!detectFeatures().relaxedSimd) {
      expect(() => createWasmBackend({ relaxed: true })).toThrow(/relaxed SIMD was requested but this engine does not validate it/);
    }
  });

  test('the same options give the same backend object', () => {
    expect(createWasmBackend({ threads: 2 })).toBe(two.backend);
  });
});

// ---------------------------------------------------------------- separate Node processes (the built package)

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

function node(args: string[], code: string): { out: string; ms: number } {
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does) before these tests');
  const t = Date.now();
  const out = execFileSync(process.execPath, [...args, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, GENZOO_DIST: dist } });
  return { out, ms: Date.now() - t };
}

describe('in a fresh Node process', () => {
  test('the build ships the kernel modules prebuilt, identical to what the assembler makes now', async () => {
    const prebuilt = fileURLToPath(new URL('../../dist/tensor/backends/wasm/prebuilt.js', import.meta.url));
    if (!existsSync(prebuilt)) throw new Error('dist is missing: run `npm run build` (npm test does) before these tests');
    const { PREBUILT } = (await import(pathToFileURL(prebuilt).href)) as { PREBUILT: Record<string, string> | null };
    if (!PREBUILT) throw new Error('dist/tensor/backends/wasm/prebuilt.js has no modules: run `npm run build` (it runs scripts/build-wasm.mjs)');
    for (const relaxed of [false, true]) {
      for (const shared of [false, true]) {
        const fresh = Buffer.from(buildKernelModule(WasmRuntime.options(relaxed, shared))).toString('base64');
        expect(PREBUILT[variantKey(relaxed, shared)], `${variantKey(relaxed, shared)} is stale: run npm run build`).toBe(fresh);
      }
    }
  });

  test('worker threads do not keep the process alive', () => {
    const { out } = node([], `
      const g = await import(process.env.GENZOO_DIST);
      g.setBackend('wasm', { threads: 2 });
      const info = await g.ready();
      const a = g.randn([256, 256]);
      const s = a.matmul(a).sum().item();
      console.log(JSON.stringify({ name: info.name, running: info.details.threadsRunning, module: info.details.module, finite: Number.isFinite(s) }));
    `);
    // execFileSync returning at all (before its 30 s timeout) means the process exited by itself.
    expect(JSON.parse(out)).toEqual({ name: 'wasm', running: 2, module: 'prebuilt', finite: true });
  });

  test('without wasm SIMD, auto runs js and says why; explicit wasm throws naming why', () => {
    const { out } = node([], `
      WebAssembly.validate = () => false;
      const g = await import(process.env.GENZOO_DIST);
      const info = g.backendInfo();
      let error = '';
      try { g.setBackend('wasm'); } catch (e) { error = e.message; }
      console.log(JSON.stringify({ name: info.name, requested: info.requested, skipped: info.skipped, error }));
    `);
    const r = JSON.parse(out);
    expect(r.name).toBe('js');
    expect(r.requested).toBe('auto');
    expect(r.skipped[0].name).toBe('wasm');
    expect(r.skipped[0].reason).toMatch(/SIMD/);
    expect(r.error).toMatch(/wasm backend unavailable: .*SIMD/);
  });

  test('relaxed SIMD, where the engine has it, matches js', () => {
    const { out } = node(['--experimental-wasm-relaxed-simd'], `
      const g = await import(process.env.GENZOO_DIST);
      const info = g.setBackend('wasm', { threads: 1 });
      const a = g.randn([70, 300]), b = g.randn([300, 50]);
      const y = a.matmul(b);
      g.setBackend('js');
      const r = a.matmul(b);
      let err = 0;
      for (let i = 0; i < y.size; i++) err = Math.max(err, Math.abs(y.data[i] - r.data[i]));
      console.log(JSON.stringify({ simd: info.details.simd, available: info.details.relaxedSimdAvailable, err }));
    `);
    const r = JSON.parse(out);
    if (r.available) expect(r.simd).toBe('relaxed-simd');
    expect(r.err).toBeLessThan(1e-4);
  });
});
