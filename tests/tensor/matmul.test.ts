/** matmul (2-D, batched with broadcast batch dims, 1-D, transpose flags) and linear against a naive triple loop. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as gz from '../../src/index.js';
import { tensor, type Tensor } from '../../src/index.js';
import { arrArb, expectClose, refMatmul, refPermute, type Arr } from '../helpers/reference.js';

const t64 = (a: Arr): Tensor => tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64' });
const dim = fc.integer({ min: 1, max: 5 });

/** The last two axes swapped: how a transposed operand is stored. */
const swapLast = (a: Arr): Arr => {
  const perm = a.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return refPermute(a, perm);
};

const batchPairArb = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 })
  .chain((out) => {
    const derive = fc
      .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
      .map(([drop, one]) => out.slice(drop).map((d, i) => (one[i + drop] ? 1 : d)));
    return fc.tuple(derive, derive);
  });

describe('matmul', () => {
  test('2-D by hand', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(a.matmul(a).toArray()).toEqual([[7, 10], [15, 22]]);
    expect(tensor([[1, 2, 3]]).matmul(tensor([[1], [1], [1]])).toArray()).toEqual([[6]]);
  });

  test('batched with broadcast batch dims equals the triple loop (property, float64)', () => {
    fc.assert(fc.property(
      fc.tuple(batchPairArb, dim, dim, dim).chain(([[ba, bb], m, k, n]) => fc.tuple(arrArb([...ba, m, k]), arrArb([...bb, k, n]))),
      ([a, b]) => expectClose(gz.matmul(t64(a), t64(b)), refMatmul(a, b), 1e-12),
    ), { numRuns: 80 });
  });

  test('[2,1,3,4] × [5,4,6] → [2,5,3,6]', () => {
    const g = new gz.Generator(3);
    const a = gz.randn([2, 1, 3, 4], { generator: g, dtype: 'float64' });
    const b = gz.randn([5, 4, 6], { generator: g, dtype: 'float64' });
    const c = a.matmul(b);
    expect(c.shape).toEqual([2, 5, 3, 6]);
    expectClose(c, refMatmul({ shape: a.shape, data: a.toList() }, { shape: b.shape, data: b.toList() }), 1e-12);
  });

  test('transpose flags read the stored operand as transposed (property)', () => {
    fc.assert(fc.property(
      fc.tuple(batchPairArb, dim, dim, dim, fc.boolean(), fc.boolean())
        .chain(([[ba, bb], m, k, n, tA, tB]) => fc.tuple(arrArb([...ba, m, k]), arrArb([...bb, k, n]), fc.constant(tA), fc.constant(tB))),
      ([a, b, transA, transB]) => {
        const sa = transA ? swapLast(a) : a;
        const sb = transB ? swapLast(b) : b;
        expectClose(gz.matmul(t64(sa), t64(sb), { transA, transB }), refMatmul(a, b), 1e-12);
      },
    ), { numRuns: 80 });
  });

  test('1-D operands are promoted and squeezed back, as in NumPy', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 2]]);
    expect(v.matmul(v).shape).toEqual([]);
    expect(v.matmul(v).item()).toBe(14);
    expect(m.matmul(v).toList()).toEqual([1, 2, 6]);
    expect(v.matmul(m).toList()).toEqual([1, 2, 6]);
    const batch = gz.stack([m, m.mul(2)]); // [2, 3, 3]
    expect(batch.matmul(v).toArray()).toEqual([[1, 2, 6], [2, 4, 12]]);
    expect(v.matmul(batch).toArray()).toEqual([[1, 2, 6], [2, 4, 12]]);
  });

  test('float32 (js backend) stays within the rounding bound of a length-k dot product', () => {
    fc.assert(fc.property(
      fc.tuple(dim, fc.integer({ min: 1, max: 40 }), dim).chain(([m, k, n]) => fc.tuple(arrArb([m, k]), arrArb([k, n]))),
      ([a, b]) => {
        const a32 = a.data.map(Math.fround);
        const b32 = b.data.map(Math.fround);
        const out = gz.withBackend(gz.referenceBackend(), () => gz.matmul(tensor(a32, { shape: a.shape }), tensor(b32, { shape: b.shape }))).toList();
        const [m, k] = a.shape;
        const n = b.shape[1];
        // |fl(Σ aᵢbᵢ) − Σ aᵢbᵢ| ≤ γ_k Σ|aᵢbᵢ|, γ_k ≈ k·2⁻²⁴ (recursive summation; any order)
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let exact = 0;
            let mag = 0;
            for (let q = 0; q < k; q++) {
              exact += a32[i * k + q] * b32[q * n + j];
              mag += Math.abs(a32[i * k + q] * b32[q * n + j]);
            }
            expect(Math.abs(out[i * n + j] - exact)).toBeLessThanOrEqual((k + 1) * 2 ** -24 * mag + 1e-30);
          }
        }
      },
    ), { numRuns: 40 });
  });

  test('an empty inner dimension gives zeros', () => {
    expect(gz.matmul(gz.zeros([2, 0]), gz.zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});

describe('linear', () => {
  test('y = x·Wᵀ + b for any leading dims', () => {
    fc.assert(fc.property(
      fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), dim, dim, fc.boolean())
        .chain(([lead, inF, outF, bias]) => fc.tuple(arrArb([...lead, inF]), arrArb([outF, inF]), bias ? arrArb([outF]) : fc.constant(null))),
      ([x, w, b]) => {
        const y = gz.linear(t64(x), t64(w), b && t64(b));
        const x2: Arr = { shape: [x.data.length / x.shape[x.shape.length - 1], x.shape[x.shape.length - 1]], data: x.data };
        const ref = refMatmul(x2, swapLast(w));
        const out = w.shape[0];
        const data = ref.data.map((v, i) => v + (b ? b.data[i % out] : 0));
        expectClose(y, { shape: [...x.shape.slice(0, -1), out], data }, 1e-12);
      },
    ), { numRuns: 60 });
  });
});
