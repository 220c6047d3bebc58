/**
 * The strided gather behind permute, slice and expand (without padding) in
 * wasm: out (contiguous) ← x read through element strides, collapsed to at
 * most four dimensions (elementwise.ts's collapse, with any inner stride).
 * Rows whose source is contiguous are copied a vector at a time (the output's
 * overhang goes to the next row or the block's slack, heap.ts), broadcast rows
 * are filled with one splatted value, other strides are copied one float at a
 * time. A copy: the same bits as the js reference (NaN payloads included).
 */
import { br_if, f32, forRange, i32, if_, label, loop, set, tee, v128, type Func, type ModuleBuilder } from './assembler.js';

const c = i32.const;

/** gather(x, out, d0, d1, d2, d3, s0, s1, s2, s3): out[i0, i1, i2, i3] = x[i0·s0 + i1·s1 + i2·s2 + i3·s3] (x a byte offset, strides in elements). */
export function gatherKernel(mb: ModuleBuilder): Func {
  const params = [['x', 'i32'], ['out', 'i32'], ['d0', 'i32'], ['d1', 'i32'], ['d2', 'i32'], ['d3', 'i32'], ['s0', 'i32'], ['s1', 'i32'], ['s2', 'i32'], ['s3', 'i32']] as const;
  return mb.func('gather', params, null, (f) => {
    const { x, out, d0, d1, d2, d3, s0, s1, s2, s3 } = f.p;
    const [i0, i1, i2] = [f.local('i32', 'i0'), f.local('i32', 'i1'), f.local('i32', 'i2')];
    const src = f.local('i32', 'src');
    const po = f.local('i32', 'po');
    const k = f.local('i32', 'k');
    const v = f.local('v128', 'v');
    const step = f.local('i32', 'step');
    const j = f.local('i32', 'j');
    const vec = label('vec');
    const fill = label('fill');
    return [
      set(step, i32.shl(s3, c(2))),
      set(po, out),
      forRange(i0, c(0), d0, c(1),
        forRange(i1, c(0), d1, c(1),
          forRange(i2, c(0), d2, c(1),
            set(src, i32.add(x, i32.shl(i32.add(i32.add(i32.mul(i0, s0), i32.mul(i1, s1)), i32.mul(i2, s2)), c(2)))),
            set(po, i32.add(out, i32.shl(i32.mul(i32.add(i32.mul(i32.add(i32.mul(i0, d1), i1), d2), i2), d3), c(2)))),
            if_(i32.eq(s3, c(1)),
              [
                set(k, i32.shr_s(i32.add(d3, c(3)), c(2))),
                loop(vec, v128.store(po, v128.load(src)), set(src, i32.add(src, c(16))), set(po, i32.add(po, c(16))), br_if(vec, tee(k, i32.sub(k, c(1))))),
              ],
              if_(i32.eqz(s3),
                [
                  set(v, v128.load32_splat(src)),
                  set(k, i32.shr_s(i32.add(d3, c(3)), c(2))),
                  loop(fill, v128.store(po, v), set(po, i32.add(po, c(16))), br_if(fill, tee(k, i32.sub(k, c(1))))),
                ],
                forRange(j, c(0), d3, c(1), f32.store(po, f32.load(src)), set(src, i32.add(src, step)), set(po, i32.add(po, c(4))))))))),
    ];
  });
}
