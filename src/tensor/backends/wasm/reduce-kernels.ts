/**
 * The sum reduction in wasm SIMD — the same bits as the js reference
 * (backends/js/reduce.ts), which sums the middle axis of [outer, r, inner]
 * row by row into a float32 output: out[o, i] = ((x[o,0,i] + x[o,1,i]) + …)
 * with every partial sum rounded to float32. Each output element here sees
 * the same additions in the same order; only which elements are summed side
 * by side differs:
 *
 *   inner > 1   the output row is zeroed, then each of the r input rows is
 *               added into it, four elements a vector (rows overhang into the
 *               next output row, which is zeroed after, or into the slack);
 *   inner = 1   each output is a sum along a contiguous row: four rows are
 *               summed at once in four scalar accumulators (independent
 *               chains, so the adds overlap instead of waiting on each other).
 *
 * (A float64 add of two float32 values rounded to float32 equals the float32
 * add, so `out[i] += x` in JavaScript and f32.add agree.)
 */
import { f32, forRange, i32, if_, set, v128, f32x4, type Func, type ModuleBuilder } from './assembler.js';

const c = i32.const;

/** reduce_sum(x, out, outer, r, inner): out[o, i] = Σ_j x[o, j, i] (byte offsets). */
export function reduceSumKernel(mb: ModuleBuilder): Func {
  return mb.func('reduce_sum', [['x', 'i32'], ['out', 'i32'], ['outer', 'i32'], ['r', 'i32'], ['inner', 'i32']], null, (f) => {
    const { x, out, outer, r, inner } = f.p;
    const o = f.local('i32', 'o');
    const j = f.local('i32', 'j');
    const p = f.local('i32', 'p');
    const q = f.local('i32', 'q');
    const rowEnd = f.local('i32', 'rowEnd');
    const src = f.local('i32', 'src');
    const rb = f.local('i32', 'rb');
    const acc = [0, 1, 2, 3].map((k) => f.local('f32', `a${k}`));
    return if_(i32.eq(inner, c(1)),
      [
        // Contiguous rows of r values: four rows at a time, then the rest one by one.
        set(rb, i32.shl(r, c(2))),
        set(o, c(0)),
        forRange(o, c(0), i32.sub(outer, c(3)), c(4),
          acc.map((a) => set(a, f32.const(0))),
          set(src, i32.add(x, i32.mul(o, rb))),
          forRange(j, c(0), r, c(1),
            acc.map((a, k) => set(a, f32.add(a, f32.load(i32.add(src, i32.mul(c(k), rb)))))),
            set(src, i32.add(src, c(4)))),
          acc.map((a, k) => f32.store(i32.add(out, i32.shl(i32.add(o, c(k)), c(2))), a))),
        forRange(o, i32.and(outer, c(-4)), outer, c(1),
          set(acc[0], f32.const(0)),
          set(src, i32.add(x, i32.mul(o, rb))),
          forRange(j, c(0), r, c(1), set(acc[0], f32.add(acc[0], f32.load(src))), set(src, i32.add(src, c(4)))),
          f32.store(i32.add(out, i32.shl(o, c(2))), acc[0])),
      ],
      [
        // Rows of inner values: zero the output row, add the r input rows into it, a vector at a time.
        set(src, x),
        forRange(o, c(0), outer, c(1),
          set(p, i32.add(out, i32.shl(i32.mul(o, inner), c(2)))),
          set(rowEnd, i32.add(p, i32.shl(inner, c(2)))),
          forRange(q, p, rowEnd, c(16), v128.store(q, f32x4.splat(f32.const(0)))),
          forRange(j, c(0), r, c(1),
            forRange(q, p, rowEnd, c(16),
              v128.store(q, f32x4.add(v128.load(q), v128.load(i32.add(src, i32.sub(q, p)))))),
            set(src, i32.add(src, i32.shl(inner, c(2)))))),
      ]);
  });
}
