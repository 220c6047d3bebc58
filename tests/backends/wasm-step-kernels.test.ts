/**
 * The wasm kernels a training step runs besides GEMM, convolutions and the
 * elementwise ops — the Adam update, `where`, sum reductions and strided
 * gathers — against the js reference, on random inputs (fast-check, seeded):
 * lengths 1, 3, 17 and others that are not multiples of a vector, broadcast
 * and strided layouts, special values. Each of them gives the same bits as
 * the reference (they do the reference's float operations in its order), so
 * the comparison is exact.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsBackend, type AdamHyper, type Backend, type FloatArray, type Kernels, type Storage } from '../../src/index.js';
import { createWasmBackend } from '../../src/tensor/backends/wasm/index.js';
import { WasmRuntime } from '../../src/tensor/backends/wasm/runtime.js';
import { wasmBinary, wasmGather, wasmUnary, wasmWhere } from '../../src/tensor/backends/wasm/elementwise.js';
import { broadcastStrides, type BinaryOp } from '../../src/tensor/index.js';

const wasm = createWasmBackend({ threads: 1 }) as Backend & Kernels;
const js = jsBackend as Backend & Kernels;

const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-40, 1e-30, 3.4e38, -3.4e38, 1e-8, 0.5];
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.float({ noDefaultInfinity: false }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL) },
);
const lengthArb = fc.oneof(fc.constantFrom(1, 3, 4, 17, 63), fc.integer({ min: 1, max: 200 }));
const arrayOf = (n: number): fc.Arbitrary<Float32Array> => fc.array(valueArb, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));

function sameBits(label: string, got: FloatArray, want: FloatArray): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      throw new Error(`${label}: element ${i} is ${got[i]}, js reference ${want[i]}`);
    }
  }
}

/** Runs `fn` on uploaded copies of the arrays; returns the storages' values afterwards, and frees them. */
function onBackend(be: Backend, arrays: Float32Array[], fn: (s: Storage[]) => Storage | void): { arrays: Float32Array[]; out: Float32Array | null } {
  const s = arrays.map((a) => be.upload(a));
  const r = fn(s);
  const result = { arrays: s.map((x) => Float32Array.from(be.read(x))), out: r ? Float32Array.from(be.read(r)) : null };
  if (be.ownsMemory) for (const x of r ? [...s, r] : s) be.free(x);
  return result;
}

describe('wasm adam vs js: same bits', () => {
  const hyperArb: fc.Arbitrary<AdamHyper & { amsgrad: boolean }> = fc.record({
    lr: fc.constantFrom(1e-3, 2e-4, 0.1, 1),
    beta1: fc.constantFrom(0.9, 0.5, 0, 0.99),
    beta2: fc.constantFrom(0.999, 0.99, 0.5),
    eps: fc.constantFrom(1e-8, 1e-6, 0),
    weightDecay: fc.constantFrom(0, 0, 0.01, 0.3),
    decoupled: fc.boolean(),
    step: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 1, max: 5000 })),
    amsgrad: fc.boolean(),
  });

  test('random parameters, gradients, moments and hyper-parameters (Adam, AdamW, amsgrad)', () => {
    const caseArb = lengthArb.chain((n) => fc.tuple(hyperArb, arrayOf(n), arrayOf(n), arrayOf(n), arrayOf(n).map((v) => v.map(Math.abs)), arrayOf(n).map((v) => v.map(Math.abs))));
    fc.assert(fc.property(caseArb, ([h, p, g, m, v, vmax]) => {
      const run = (be: Backend & Kernels) => onBackend(be, h.amsgrad ? [p, g, m, v, vmax] : [p, g, m, v], (s) => {
        be.adam(s[0], s[1], s[2], s[3], h.amsgrad ? s[4] : null, h);
      }).arrays;
      const got = run(wasm);
      const want = run(js);
      ['p', 'g', 'm', 'v', 'vmax'].slice(0, got.length).forEach((name, i) => sameBits(`adam ${name} ${JSON.stringify(h)}`, got[i], want[i]));
    }), { numRuns: 200, seed: 41 });
  });

  test('a known answer: one step from zero moments moves each weight by lr against its gradient sign', () => {
    // Step 1: m = (1 − β1)g, v = (1 − β2)g², m̂/√v̂ = sign(g) (ε = 0): p ← p − lr·sign(g).
    const { arrays } = onBackend(wasm, [Float32Array.from([1, 1, 1]), Float32Array.from([0.5, -2, 0]), new Float32Array(3), new Float32Array(3)], (s) => {
      wasm.adam(s[0], s[1], s[2], s[3], null, { lr: 0.25, beta1: 0.9, beta2: 0.999, eps: 0, weightDecay: 0, decoupled: false, step: 1 });
    });
    expect(Array.from(arrays[0])).toEqual([0.75, 1.25, NaN]); // 0/0 for a zero gradient with ε = 0, as the reference
    expect(Array.from(arrays[2])).toEqual([Math.fround(0.05), Math.fround(-0.2), 0]);
  });
});

/** Shapes of up to 6 dims, and up to three shapes that broadcast to each (leading dims dropped, some dims 1). */
const broadcastArb = (operands: number): fc.Arbitrary<{ shape: number[]; from: number[][] }> =>
  fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(5, 7, 10)), { minLength: 0, maxLength: 5 }).chain((shape) => {
    const from = fc.tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
      .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    return fc.array(from, { minLength: operands, maxLength: operands }).map((f) => ({ shape, from: f }));
  });
const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

describe('wasm where vs js: same bits', () => {
  test('random broadcast shapes; NaN conditions count as true, −0 as false', () => {
    const condValues = fc.constantFrom(0, -0, 1, NaN, 0.5, -2, Infinity);
    fc.assert(fc.property(broadcastArb(3), fc.array(condValues, { minLength: 64, maxLength: 64 }), fc.array(valueArb, { minLength: 256, maxLength: 256 }), ({ shape, from }, conds, pool) => {
      const [sc, sa, sb] = from;
      const c = Float32Array.from({ length: size(sc) }, (_, i) => conds[i % 64]);
      const a = Float32Array.from({ length: size(sa) }, (_, i) => pool[i % 256]);
      const b = Float32Array.from({ length: size(sb) }, (_, i) => pool[(i * 7 + 3) % 256]);
      const run = (be: Backend & Kernels) => onBackend(be, [c, a, b], (s) => be.where(s[0], broadcastStrides(sc, shape), s[1], broadcastStrides(sa, shape), s[2], broadcastStrides(sb, shape), shape)).out!;
      sameBits(`where ${JSON.stringify(from)} → [${shape}]`, run(wasm), run(js));
    }), { numRuns: 150, seed: 43 });
  });
});

describe('wasm sum reduction vs js: same bits', () => {
  const dimArb = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 17), fc.integer({ min: 0, max: 70 }));
  test('random [outer, r, inner], including an empty reduced axis', () => {
    fc.assert(fc.property(fc.tuple(dimArb, dimArb, dimArb), fc.array(valueArb, { minLength: 512, maxLength: 512 }), ([outer, r, inner], pool) => {
      if (outer * inner === 0) return;
      const x = Float32Array.from({ length: outer * r * inner }, (_, i) => pool[(i * 13) % 512]);
      const run = (be: Backend & Kernels) => onBackend(be, [x], (s) => be.reduce('sum', s[0], outer, r, inner)).out!;
      sameBits(`sum [${outer}, ${r}, ${inner}]`, run(wasm), run(js));
    }), { numRuns: 300, seed: 44 });
  });

  test('a known answer where the order of the float32 additions shows', () => {
    // (1e8 + 1) + … in float32: each +1 is lost; summing the 1s first would keep them.
    const x = Float32Array.from([1e8, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(onBackend(wasm, [x], (s) => wasm.reduce('sum', s[0], 1, 8, 1)).out!)).toEqual([1e8]);
    expect(Array.from(onBackend(wasm, [x], (s) => wasm.reduce('sum', s[0], 2, 4, 1)).out!)).toEqual([1e8, 4]);
    expect(Array.from(onBackend(wasm, [x], (s) => wasm.reduce('sum', s[0], 1, 2, 4)).out!)).toEqual([1e8, 2, 2, 2]); // 1e8 + 1 rounds to 1e8 (float32 spacing there is 8)
  });
});

describe('wasm gather vs js: same bits', () => {
  /** A walk of random shape and strides (negative, zero = broadcast, one = contiguous, larger) and the source it stays inside. */
  const gatherArb = fc.array(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(7, 17)), fc.integer({ min: -3, max: 6 })), { minLength: 0, maxLength: 6 })
    .map((dims) => {
      const shape = dims.map(([n]) => n);
      const strides = dims.map(([, s]) => s);
      const low = dims.reduce((t, [n, s]) => t + (n - 1) * Math.min(0, s), 0);
      const high = dims.reduce((t, [n, s]) => t + (n - 1) * Math.max(0, s), 0);
      return { shape, strides, offset: -low, length: high - low + 1 };
    });
  test('random shapes and strides (permutes, slices, broadcasts, flips)', () => {
    fc.assert(fc.property(gatherArb, fc.array(valueArb, { minLength: 300, maxLength: 300 }), (g, pool) => {
      const x = Float32Array.from({ length: g.length }, (_, i) => pool[i % 300]);
      const run = (be: Backend & Kernels) => onBackend(be, [x], (s) => be.gather(s[0], g)).out!;
      sameBits(`gather ${JSON.stringify(g)}`, run(wasm), run(js));
    }), { numRuns: 300, seed: 45 });
  });

  test('a known answer: the transpose of a 2×3 matrix, and a row broadcast', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(onBackend(wasm, [x], (s) => wasm.gather(s[0], { shape: [3, 2], strides: [1, 3], offset: 0 })).out!)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(onBackend(wasm, [x], (s) => wasm.gather(s[0], { shape: [2, 3], strides: [0, 1], offset: 3 })).out!)).toEqual([4, 5, 6, 4, 5, 6]);
  });
});

describe('no wasm kernel writes outside its output', () => {
  // A runtime of our own whose heap is never freed into: each allocation comes from the top, right
  // after the previous one, so a sentinel allocated after a kernel's output is its neighbour.
  const rt = WasmRuntime.createSync(false);
  const put = (values: Float32Array): number => {
    const ptr = rt.heap.allocate(values.length * 4, 'test').ptr;
    rt.f32(ptr, values.length).set(values);
    return ptr;
  };

  /** Runs `kernel` with an output of `outLength` floats directly followed by a sentinel; checks the sentinel. */
  function sentinelAfterOutput(label: string, outLength: number, kernel: (out: number) => void): void {
    const out = put(new Float32Array(outLength));
    const sentinel = put(new Float32Array(16).fill(42));
    kernel(out);
    const left = Array.from(rt.f32(sentinel, 16));
    if (left.some((v) => v !== 42)) throw new Error(`${label}: wrote past its ${outLength}-float output into the next block: ${left.join(' ')}`);
  }

  test('a broadcast op on rows of 10: the last row is written as 12 floats, into the block slack (it once overwrote the next tensor)', () => {
    // [16, 10] = 160 floats = 640 bytes, a whole number of cache lines: no padding without the slack.
    const a = put(Float32Array.from({ length: 160 }, (_, i) => i));
    const b = put(Float32Array.from({ length: 10 }, (_, i) => -i));
    const c = put(Float32Array.from({ length: 16 }, (_, i) => i));
    sentinelAfterOutput('add [16, 10] + [10]', 160, (out) => wasmBinary(rt, 'add', a, 160, [10, 1], b, 10, [0, 1], out, [16, 10]));
    sentinelAfterOutput('sub [16, 10] − [16, 1]', 160, (out) => wasmBinary(rt, 'sub', a, 160, [10, 1], c, 16, [1, 0], out, [16, 10]));
  });

  test('random broadcast shapes of binary ops, and unary ops', () => {
    const shapeArb = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 19 }), fc.boolean(), fc.boolean());
    fc.assert(fc.property(shapeArb, fc.constantFrom<BinaryOp>('add', 'mul', 'maximum', 'gt'), ([rows, cols, bRow, bCol], op) => {
      const a = put(new Float32Array(rows * cols).fill(1));
      const bShape = [bRow ? 1 : rows, bCol ? 1 : cols];
      const b = put(new Float32Array(bShape[0] * bShape[1]).fill(2));
      sentinelAfterOutput(`${op} [${rows}, ${cols}], [${bShape}]`, rows * cols, (out) =>
        wasmBinary(rt, op, a, rows * cols, [cols, 1], b, bShape[0] * bShape[1], [bRow ? 0 : bShape[1], bCol ? 0 : 1], out, [rows, cols]));
      sentinelAfterOutput(`exp of ${rows * cols}`, rows * cols, (out) => wasmUnary(rt, 'exp', a, out, rows * cols, 0, 0));
      sentinelAfterOutput(`sum over rows of [${rows}, ${cols}]`, cols, (out) => rt.exports.reduce_sum(a, out, 1, rows, cols));
      sentinelAfterOutput(`sum along rows of [${rows}, ${cols}]`, rows, (out) => rt.exports.reduce_sum(a, out, rows, cols, 1));
      sentinelAfterOutput(`gather [${rows}, ${cols}]`, rows * cols, (out) => wasmGather(rt, a, { shape: [rows, cols], strides: [cols, 1], offset: 0 }, out));
      sentinelAfterOutput(`broadcast gather [${rows}, ${cols}]`, rows * cols, (out) => wasmGather(rt, a, { shape: [rows, cols], strides: [1, 0], offset: 0 }, out));
      sentinelAfterOutput(`where [${rows}, ${cols}]`, rows * cols, (out) =>
        wasmWhere(rt, b, [bRow ? 0 : bShape[1], bCol ? 0 : 1], a, [cols, 1], b, [bRow ? 0 : bShape[1], bCol ? 0 : 1], out, [rows, cols]));
    }), { numRuns: 100, seed: 42 });
  });
});
