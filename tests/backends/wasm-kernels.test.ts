/**
 * Every wasm kernel against the js reference, on random shapes (fast-check):
 * sizes 1, 3, 17, 63 and others that are not multiples of the 2×16 tile, sizes
 * that cross the KC/MC/NC blocking, all four transpose layouts, batch strides
 * (including 0: one matrix broadcast over the batch), and convolutions with
 * stride, padding and dilation, in one image chunk and in many.
 *
 * Tolerance: float32 sums in a different order differ by a few ulps of the
 * sum of |terms|, so each element may differ by 1e-5 × (|A|·|B|) there (the
 * same kernel on absolute values gives that bound).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { jsBackend as jsStorageBackend, matmul, tensor, withBackend, type Conv2dParams, type MatmulParams } from '../../src/index.js';
import { arrayKernels, type ArrayKernels } from '../helpers/array-kernels.js';
import { createWasmBackend, splitRange, wasmTuning } from '../../src/tensor/backends/wasm/index.js';
import { ModuleBuilder, sleb, uleb, f32, f32x4 } from '../../src/tensor/backends/wasm/assembler.js';
import { buildKernelModule } from '../../src/tensor/backends/wasm/kernels.js';

const wasmBackend = createWasmBackend({ threads: 1 });
const wasm = arrayKernels(wasmBackend);
const jsBackend = arrayKernels(jsStorageBackend);
const saved = { ...wasmTuning };
afterEach(() => Object.assign(wasmTuning, saved));

/** Deterministic values in [-1, 1) from a seed (fast-check picks the seed, so failures replay). */
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

const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

function expectClose(label: string, got: Float32Array, want: Float32Array, bound: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = 1e-5 * bound[i] + 1e-7;
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`${label}: element ${i} is ${got[i]}, js reference ${want[i]} (tolerance ${tol})`);
    }
  }
}

const dim = (max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(1, 3, 17, 63), fc.integer({ min: 1, max }));

interface MatmulCase extends MatmulParams { seed: number; batchA: boolean; batchB: boolean }

const matmulCase = (maxDim: number, maxK: number): fc.Arbitrary<MatmulCase> =>
  fc.record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: dim(maxDim), n: dim(maxDim),
    k: fc.oneof(dim(maxDim), fc.constantFrom(255, 256, 257), fc.integer({ min: 1, max: maxK })),
    transA: fc.boolean(), transB: fc.boolean(),
    batchA: fc.boolean(), batchB: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  }).map((c) => ({ ...c, strideA: c.batchA ? c.m * c.k : 0, strideB: c.batchB ? c.k * c.n : 0 }));

function runMatmul(backend: ArrayKernels, c: MatmulCase, absolute = false): { out: Float32Array; a: Float32Array; b: Float32Array } {
  let a = randomArray(c.batchA ? c.batch * c.m * c.k : c.m * c.k, c.seed);
  let b = randomArray(c.batchB ? c.batch * c.k * c.n : c.k * c.n, c.seed ^ 0x5bd1e995);
  if (absolute) { a = abs(a); b = abs(b); }
  const out = new Float32Array(c.batch * c.m * c.n);
  backend.matmul(a, b, out, c);
  return { out, a, b };
}

function checkMatmul(c: MatmulCase): void {
  const got = runMatmul(wasm, c).out;
  const want = runMatmul(jsBackend, c).out;
  const bound = runMatmul(jsBackend, c, true).out;
  expectClose(`matmul ${JSON.stringify(c)}`, got, want, bound);
}

describe('wasm matmul vs js', () => {
  test('random shapes, all transpose layouts, batch strides (0 = broadcast)', () => {
    fc.assert(fc.property(matmulCase(70, 300), checkMatmul), { numRuns: 120, seed: 5 });
  });

  test('every layout on shapes crossing the MC, KC and NC blocks', () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        checkMatmul({ batch: 1, m: 131, n: 530, k: 517, transA, transB, strideA: 0, strideB: 0, batchA: false, batchB: false, seed: 11 });
      }
    }
  });

  test('an empty inner dimension gives zeros; empty outputs are fine', () => {
    const out = new Float32Array(6).fill(7);
    wasm.matmul(new Float32Array(0), new Float32Array(0), out, { batch: 1, m: 2, n: 3, k: 0, transA: false, transB: false, strideA: 0, strideB: 0 });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    wasm.matmul(new Float32Array(0), new Float32Array(6), new Float32Array(0), { batch: 1, m: 0, n: 3, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 });
  });

  test('float64 tensors are computed by the js reference (supportsFloat64 is false)', () => {
    expect(wasmBackend.supportsFloat64).toBe(false);
    expect(() => wasmBackend.upload(Float64Array.from([1]))).toThrow(/wasm backend: cannot hold float64/);
    const out = withBackend(wasmBackend, () => {
      const a = tensor(Float64Array.from([1, 2, 3, 4]), { shape: [2, 2] });
      return matmul(a, a);
    });
    expect(out.backend).toBe('js');
    expect(out.toList()).toEqual([7, 10, 15, 22]);
  });
});

// ---------------------------------------------------------------- convolutions

interface ConvCase { p: Conv2dParams; seed: number }

const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 5 }), o: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(17)),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
    padH: fc.integer({ min: 0, max: 2 }), padW: fc.integer({ min: 0, max: 2 }),
    dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
    extraH: fc.integer({ min: 0, max: 12 }), extraW: fc.integer({ min: 0, max: 12 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((r) => {
    // Smallest input the kernel fits, plus some.
    const h = Math.max(1, r.dilationH * (r.kh - 1) + 1 - 2 * r.padH) + r.extraH;
    const w = Math.max(1, r.dilationW * (r.kw - 1) + 1 - 2 * r.padW) + r.extraW;
    const ho = Math.floor((h + 2 * r.padH - r.dilationH * (r.kh - 1) - 1) / r.strideH) + 1;
    const wo = Math.floor((w + 2 * r.padW - r.dilationW * (r.kw - 1) - 1) / r.strideW) + 1;
    const { seed, extraH: _h, extraW: _w, ...rest } = r;
    return { p: { ...rest, h, w, ho, wo }, seed };
  });

type ConvKernel = 'conv2d' | 'conv2dGradInput' | 'conv2dGradWeight';

function runConv(backend: typeof wasm, kernel: ConvKernel, { p, seed }: ConvCase, absolute = false): Float32Array {
  const xs = p.n * p.c * p.h * p.w;
  const ws = p.o * p.c * p.kh * p.kw;
  const ys = p.n * p.o * p.ho * p.wo;
  const f = (n: number, s: number): Float32Array => (absolute ? abs(randomArray(n, s)) : randomArray(n, s));
  if (kernel === 'conv2d') {
    const out = new Float32Array(ys);
    backend.conv2d(f(xs, seed), f(ws, seed + 1), out, p);
    return out;
  }
  if (kernel === 'conv2dGradInput') {
    const out = new Float32Array(xs);
    backend.conv2dGradInput(f(ys, seed + 2), f(ws, seed + 1), out, p);
    return out;
  }
  const out = new Float32Array(ws);
  backend.conv2dGradWeight(f(xs, seed), f(ys, seed + 2), out, p);
  return out;
}

function checkConv(kernel: ConvKernel, c: ConvCase): void {
  expectClose(`${kernel} ${JSON.stringify(c.p)}`, runConv(wasm, kernel, c), runConv(jsBackend, kernel, c), runConv(jsBackend, kernel, c, true));
}

describe('wasm convolutions vs js', () => {
  for (const kernel of ['conv2d', 'conv2dGradInput', 'conv2dGradWeight'] as const) {
    test(`${kernel}: stride, padding, dilation, one image chunk`, () => {
      fc.assert(fc.property(convCase, (c) => checkConv(kernel, c)), { numRuns: 80, seed: 7 });
    });
    test(`${kernel}: many image chunks`, () => {
      wasmTuning.colFloats = 1; // one image per chunk
      fc.assert(fc.property(convCase, (c) => checkConv(kernel, c)), { numRuns: 30, seed: 8 });
    });
  }

  test('DCGAN-sized shapes (64 channels, 4×4, stride 2, padding 1)', () => {
    const p: Conv2dParams = { n: 3, c: 64, h: 14, w: 14, o: 32, kh: 4, kw: 4, ho: 7, wo: 7, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1 };
    for (const kernel of ['conv2d', 'conv2dGradInput', 'conv2dGradWeight'] as const) checkConv(kernel, { p, seed: 3 });
  });
});

describe('thread splitting', () => {
  test('splitRange covers the range with aligned inner boundaries', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(1, 2, 16), (total, parts, align) => {
      const r = splitRange(total, parts, align);
      expect(r.length).toBe(parts);
      expect(r[0][0]).toBe(0);
      expect(r[parts - 1][1]).toBe(total);
      for (let t = 0; t < parts; t++) {
        expect(r[t][0]).toBeLessThanOrEqual(r[t][1]);
        if (t > 0) expect(r[t][0]).toBe(r[t - 1][1]);
        if (t < parts - 1 && r[t][1] < total) expect(r[t][1] % align).toBe(0);
      }
    }));
  });
});

describe('assembler', () => {
  test('LEB128 encodings', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 1]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-128)).toEqual([0x80, 0x7f]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0]);
  });

  test('a SIMD function assembles, validates and runs', () => {
    const mb = new ModuleBuilder(null);
    mb.func('lane', [], 'f32', () => f32x4.extract_lane(f32x4.mul(f32x4.splat(f32.const(1.5)), f32x4.splat(f32.const(4))), 2));
    const bytes = mb.bytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect((inst.exports.lane as () => number)()).toBe(6);
  });

  test('both kernel module flavours validate', () => {
    for (const shared of [false, true]) {
      expect(WebAssembly.validate(buildKernelModule({ relaxed: false, shared, initialPages: 1, maximumPages: 16 }))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- elementwise

import { broadcastShapes, broadcastStrides, type BinaryOp, type UnaryOp } from '../../src/tensor/index.js';
import { WASM_BINARY } from '../../src/tensor/backends/wasm/elementwise-kernels.js';
import { UNARY } from '../../src/tensor/backends/js/elementwise.js';

/** Values with the edge cases every elementwise kernel must get right. */
const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1e-30, 88.7, 89, -87.5, -103, -110, 20, -20, 0.625, -0.625, 0.6249, 1e-8, 3.4e38];
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -10, max: 10, noNaN: true }) },
  { weight: 2, arbitrary: fc.float({ noDefaultInfinity: false }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
);
const lengthArb = fc.oneof(fc.constantFrom(1, 3, 17, 63), fc.integer({ min: 1, max: 300 }));

const APPROX = new Set<UnaryOp>(['exp', 'log', 'sigmoid', 'softplus', 'tanh']);
const PARAMS: Partial<Record<UnaryOp, [number, number]>> = { leakyRelu: [0.2, 0], clamp: [-0.5, 2], pow: [3, 0] };

function sameValue(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

describe('wasm elementwise vs js', () => {
  // Every unary op (the js table is the list): the SIMD kernels, and the js loop run on wasm memory for the others.
  for (const op of Object.keys(UNARY) as UnaryOp[]) {
    const exact = !APPROX.has(op);
    test(`unary ${op}: ${exact ? 'same bits' : 'within 4 ulp'} as js`, () => {
      const [p0, p1] = PARAMS[op] ?? [0, 0];
      fc.assert(fc.property(lengthArb.chain((n) => fc.array(valueArb, { minLength: n, maxLength: n })), (vals) => {
        const x = Float32Array.from(vals);
        const got = new Float32Array(x.length);
        const want = new Float32Array(x.length);
        wasm.unary(op, x, got, p0, p1);
        jsBackend.unary(op, x, want, p0, p1);
        for (let i = 0; i < x.length; i++) {
          const ok = exact || !Number.isFinite(want[i]) ? sameValue(got[i], want[i]) : Math.abs(got[i] - want[i]) <= 4.8e-7 * Math.abs(want[i]) + 1e-38;
          if (!ok) throw new Error(`${op}(${x[i]}) = ${got[i]}, js reference ${want[i]}`);
        }
      }), { numRuns: 60, seed: 31 });
    });
  }

  const shapesArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 6 }).chain((out) => {
    const from = fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
      .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    return fc.tuple(from, from);
  });

  for (const op of WASM_BINARY as BinaryOp[]) {
    test(`binary ${op} with broadcasting: same bits as js`, () => {
      fc.assert(fc.property(shapesArb, fc.array(valueArb, { minLength: 1024, maxLength: 1024 }), ([sa, sb], pool) => {
        const shape = broadcastShapes(op, sa, sb);
        const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
        const a = Float32Array.from({ length: size(sa) }, (_, i) => pool[i % 1024]);
        const b = Float32Array.from({ length: size(sb) }, (_, i) => pool[(i * 7 + 3) % 1024]);
        const got = new Float32Array(size(shape));
        const want = new Float32Array(size(shape));
        wasm.binary(op, a, broadcastStrides(sa, shape), b, broadcastStrides(sb, shape), got, shape);
        jsBackend.binary(op, a, broadcastStrides(sa, shape), b, broadcastStrides(sb, shape), want, shape);
        for (let i = 0; i < got.length; i++) {
          if (!sameValue(got[i], want[i])) throw new Error(`${op} ${JSON.stringify([sa, sb])}: element ${i} is ${got[i]}, js reference ${want[i]}`);
        }
      }), { numRuns: 80, seed: 32 });
    });
  }
});
