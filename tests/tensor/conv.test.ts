/** conv2d, convTranspose2d, maxPool2d, avgPool2d against direct loops from the definitions. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as gz from '../../src/index.js';
import { tensor, type Tensor } from '../../src/index.js';
import { arrArb, expectClose, refConv2d, refConvTranspose2d, refPool2d, type Arr } from '../helpers/reference.js';

const t64 = (a: Arr): Tensor => tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64' });
const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const hw = (a: number, b: number): number | [number, number] => (a === b ? a : [a, b]);

describe('conv2d', () => {
  test('equals direct convolution with stride, padding and dilation (property)', () => {
    fc.assert(fc.property(
      fc.record({ n: int(1, 2), c: int(1, 3), o: int(1, 3), kh: int(1, 3), kw: int(1, 3), sh: int(1, 3), sw: int(1, 3), ph: int(0, 2), pw: int(0, 2), dh: int(1, 3), dw: int(1, 2), eh: int(0, 4), ew: int(0, 4), bias: fc.boolean() })
        .chain((p) => {
          const h = Math.max(1, p.dh * (p.kh - 1) + 1 - 2 * p.ph) + p.eh;
          const w = Math.max(1, p.dw * (p.kw - 1) + 1 - 2 * p.pw) + p.ew;
          return fc.tuple(fc.constant(p), arrArb([p.n, p.c, h, w]), arrArb([p.o, p.c, p.kh, p.kw]), arrArb([p.o]));
        }),
      ([p, x, w, b]) => {
        const opts = { stride: hw(p.sh, p.sw), padding: hw(p.ph, p.pw), dilation: hw(p.dh, p.dw) };
        const ref = refConv2d(x, w, { stride: [p.sh, p.sw], padding: [p.ph, p.pw], dilation: [p.dh, p.dw] });
        if (p.bias) {
          const plane = ref.shape[2] * ref.shape[3];
          ref.data = ref.data.map((v, i) => v + b.data[Math.floor(i / plane) % p.o]);
        }
        expectClose(gz.conv2d(t64(x), t64(w), p.bias ? t64(b) : null, opts), ref, 1e-12);
      },
    ), { numRuns: 80 });
  });

  test('by hand: a 3×3 image, 2×2 kernel', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
    const w = tensor([1, 0, 0, -1], { shape: [1, 1, 2, 2] });
    expect(x.conv2d(w).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
    expect(x.conv2d(w, tensor([10])).toArray()).toEqual([[[[6, 6], [6, 6]]]]);
    // zero-padded to 5×5, windows at rows/cols 0 and 2: 0−1, 0−3, 0−7, 5−9
    expect(x.conv2d(w, null, { padding: 1, stride: 2 }).toArray()).toEqual([[[[-1, -3], [-7, -4]]]]);
  });

  test('float32 (js backend) agrees with the float64 reference', () => {
    const g = new gz.Generator(1);
    const x = gz.randn([2, 3, 9, 9], { generator: g });
    const w = gz.randn([4, 3, 3, 3], { generator: g });
    const ref = refConv2d({ shape: x.shape, data: x.toList() }, { shape: w.shape, data: w.toList() }, { stride: [2, 1], padding: [1, 1], dilation: [1, 2] });
    const y = gz.withBackend(gz.referenceBackend(), () => x.conv2d(w, null, { stride: [2, 1], padding: 1, dilation: [1, 2] }));
    expectClose(y, ref, 1e-5);
  });
});

describe('convTranspose2d', () => {
  test('equals the scatter definition with stride, padding, outputPadding and dilation (property)', () => {
    fc.assert(fc.property(
      fc.record({ n: int(1, 2), cin: int(1, 3), cout: int(1, 3), kh: int(1, 3), kw: int(1, 3), sh: int(1, 3), sw: int(1, 3), ph: int(0, 2), pw: int(0, 2), dh: int(1, 3), dw: int(1, 2), oph: int(0, 2), opw: int(0, 2), h: int(1, 4), w: int(1, 4) })
        .map((p) => ({
          ...p,
          ph: Math.min(p.ph, Math.floor(((p.h - 1) * p.sh + p.dh * (p.kh - 1)) / 2)),
          pw: Math.min(p.pw, Math.floor(((p.w - 1) * p.sw + p.dw * (p.kw - 1)) / 2)),
          oph: Math.min(p.oph, Math.max(p.sh, p.dh) - 1),
          opw: Math.min(p.opw, Math.max(p.sw, p.dw) - 1),
        }))
        .chain((p) => fc.tuple(fc.constant(p), arrArb([p.n, p.cin, p.h, p.w]), arrArb([p.cin, p.cout, p.kh, p.kw]))),
      ([p, x, w]) => {
        const y = gz.convTranspose2d(t64(x), t64(w), null, { stride: hw(p.sh, p.sw), padding: hw(p.ph, p.pw), dilation: hw(p.dh, p.dw), outputPadding: hw(p.oph, p.opw) });
        const ref = refConvTranspose2d(x, w, { stride: [p.sh, p.sw], padding: [p.ph, p.pw], dilation: [p.dh, p.dw], outputPadding: [p.oph, p.opw] });
        expectClose(y, ref, 1e-12);
      },
    ), { numRuns: 80 });
  });

  test('by hand: stride 2 upsampling of a 2×2 image with a 2×2 kernel, plus bias', () => {
    const x = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    const w = tensor([1, 10, 100, 1000], { shape: [1, 1, 2, 2] });
    const y = x.convTranspose2d(w, tensor([0.5]), { stride: 2 });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(y.toArray()).toEqual([[[
      [1.5, 10.5, 2.5, 20.5],
      [100.5, 1000.5, 200.5, 2000.5],
      [3.5, 30.5, 4.5, 40.5],
      [300.5, 3000.5, 400.5, 4000.5],
    ]]]);
  });

  test('output size formula, and outputPadding needs stride or dilation above it', () => {
    const x = gz.zeros([1, 2, 5, 7]);
    const w = gz.zeros([2, 3, 3, 3]);
    expect(x.convTranspose2d(w, null, { stride: 2, padding: 1, outputPadding: 1 }).shape).toEqual([1, 3, 10, 14]);
    expect(x.convTranspose2d(w, null, { dilation: 2, outputPadding: 1 }).shape).toEqual([1, 3, 10, 12]);
    expect(() => x.convTranspose2d(w, null, { outputPadding: 1 })).toThrow(/outputPadding \(1, 1\) must be smaller than stride or dilation/);
  });
});

describe('pooling', () => {
  const poolArb = fc
    .record({ n: int(1, 2), c: int(1, 2), kh: int(1, 3), kw: int(1, 3), sh: int(1, 3), sw: int(1, 3), ph: int(0, 1), pw: int(0, 1), eh: int(0, 4), ew: int(0, 4), defaultStride: fc.boolean() })
    .map((p) => {
      const ph = Math.min(p.ph, Math.floor(p.kh / 2));
      const pw = Math.min(p.pw, Math.floor(p.kw / 2));
      const [sh, sw] = p.defaultStride ? [p.kh, p.kw] : [p.sh, p.sw];
      return { ...p, ph, pw, sh, sw, h: Math.max(1, p.kh - 2 * ph) + p.eh, w: Math.max(1, p.kw - 2 * pw) + p.ew };
    })
    .chain((p) => fc.tuple(fc.constant(p), arrArb([p.n, p.c, p.h, p.w])));

  test.each(['max', 'avg'] as const)('%sPool2d equals the window definition (property)', (kind) => {
    fc.assert(fc.property(poolArb, ([p, x]) => {
      const f = kind === 'max' ? gz.maxPool2d : gz.avgPool2d;
      const y = f(t64(x), hw(p.kh, p.kw), p.defaultStride ? undefined : hw(p.sh, p.sw), hw(p.ph, p.pw));
      expectClose(y, refPool2d(kind, x, { kernel: [p.kh, p.kw], stride: [p.sh, p.sw], padding: [p.ph, p.pw] }), 1e-12);
    }), { numRuns: 80 });
  });

  test('by hand: 2×2 windows, and padding counted in the average (PyTorch default)', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], { shape: [1, 1, 4, 4] });
    expect(x.maxPool2d(2).toArray()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(x.avgPool2d(2).toArray()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    expect(tensor([4], { shape: [1, 1, 1, 1] }).avgPool2d(3, 1, 1).item()).toBeCloseTo(4 / 9, 6);
    expect(tensor([-4], { shape: [1, 1, 1, 1] }).maxPool2d(3, 1, 1).item()).toBe(-4); // padding is -Inf, never the max
    expect(gz.maxPool2d(x, { kernelSize: [1, 2], stride: [2, 2] }).toArray()).toEqual([[[[2, 4], [10, 12]]]]);
  });

  test('maxPool2d 2×2 (its own fast loop): values and the winner that receives the gradient, with ties, −∞ and NaN (property)', () => {
    const cell = fc.oneof(fc.constantFrom(0, 1, -1, -Infinity, NaN), fc.double({ min: -3, max: 3, noNaN: true }));
    const arb = fc.record({ n: int(1, 2), c: int(1, 2), ho: int(1, 3), wo: int(1, 3), sh: int(1, 3), sw: int(1, 3), eh: int(0, 1), ew: int(0, 1) }).chain((p) => {
      // A leftover row/column narrower than the stride (so still ho × wo windows), which no window reads.
      const h = (p.ho - 1) * p.sh + 2 + (p.eh % p.sh);
      const w = (p.wo - 1) * p.sw + 2 + (p.ew % p.sw);
      return fc.tuple(fc.constant({ ...p, h, w }), fc.array(cell, { minLength: p.n * p.c * h * w, maxLength: p.n * p.c * h * w }));
    });
    fc.assert(fc.property(arb, ([p, xs]) => {
      const x = tensor(xs, { shape: [p.n, p.c, p.h, p.w], dtype: 'float64', requiresGrad: true });
      const y = gz.maxPool2d(x, hw(2, 2), hw(p.sh, p.sw));
      y.backward(gz.onesLike(y));
      // By hand: taps in row-major order, the first of equal maxima wins, a NaN wins at once.
      const want: number[] = [];
      const grad = new Array(xs.length).fill(0);
      for (let pl = 0; pl < p.n * p.c; pl++) {
        for (let oy = 0; oy < p.ho; oy++) {
          for (let ox = 0; ox < p.wo; ox++) {
            const taps = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([a, b]) => pl * p.h * p.w + (oy * p.sh + a) * p.w + ox * p.sw + b);
            let best = taps[0];
            for (const t of taps.slice(1)) {
              if (Number.isNaN(xs[best])) break;
              if (xs[t] > xs[best] || Number.isNaN(xs[t])) best = t;
            }
            want.push(xs[best]);
            grad[best] += 1;
          }
        }
      }
      expect(Array.from(y.data)).toEqual(want);
      expect(Array.from(x.grad!.data)).toEqual(grad);
    }), { numRuns: 150, seed: 22 });
  });

  test('maxPool2d propagates NaN', () => {
    expect(tensor([1, NaN, 3, 4], { shape: [1, 1, 2, 2] }).maxPool2d(2).item()).toBeNaN();
  });
});
