/**
 * The Adam/AdamW update in wasm SIMD, in place on float32 parameters and
 * moments — the same bits as the js reference (backends/js/optim.ts).
 *
 * The reference computes each element in float64 (JavaScript numbers) and
 * rounds to float32 only where it stores into a Float32Array; later reads
 * of that element see the rounded value. This kernel does the same with
 * f64x2 lanes: four floats are loaded, promoted two at a time, every
 * arithmetic operation is the reference's float64 operation in the
 * reference's order (no fused multiply-add), and a value is demoted to
 * float32 exactly where the reference stores one and promoted back where it
 * reads one. IEEE float64 arithmetic is deterministic, so the results match
 * bit for bit — which the tests check on random and special values.
 *
 *   g ← grad (+ l2·p)                       (Adam's L2 term, float64)
 *   p ← f32(p·decay)                        (AdamW's decoupled decay)
 *   m ← f32(β1·m + (1 − β1)·g)
 *   v ← f32(β2·v + ((1 − β2)·g)·g)
 *   v̂ ← v,  or with amsgrad  vmax ← max(vmax, v), v̂ ← vmax
 *   p ← f32(p − (stepSize·m) / (√v̂ / √(1 − β2ᵗ) + ε)),   stepSize = lr / (1 − β1ᵗ)
 *
 * Blocks are whole 64-byte lines, so loops run whole vectors of 4; the lanes
 * past the end compute on padding that nothing reads.
 */
import { f64, f64x2, forRange, i32, if_, set, v128, type Code, type Func, type Local, type ModuleBuilder } from './assembler.js';

/** Flags of `adam`. */
export const ADAM_AMSGRAD = 1;
export const ADAM_L2 = 2;
export const ADAM_DECAY = 4;

const c = i32.const;

/**
 * adam(p, g, m, v, vmax, n, stepSize, bc2Sqrt, eps, beta1, beta2, l2, decay, flags):
 * one update of n elements (byte offsets; vmax is read only with ADAM_AMSGRAD).
 */
export function adamKernel(mb: ModuleBuilder): Func {
  const params = [
    ['p', 'i32'], ['g', 'i32'], ['m', 'i32'], ['v', 'i32'], ['vmax', 'i32'], ['n', 'i32'],
    ['stepSize', 'f64'], ['bc2Sqrt', 'f64'], ['eps', 'f64'], ['beta1', 'f64'], ['beta2', 'f64'], ['l2', 'f64'], ['decay', 'f64'], ['flags', 'i32'],
  ] as const;
  return mb.func('adam', params, null, (f) => {
    const { p, g, m, v, vmax, n, stepSize, bc2Sqrt, eps, beta1, beta2, l2, decay, flags } = f.p;
    const k = f.local('i32', 'k');
    const end = f.local('i32', 'end');
    const off = f.local('i32', 'off');
    // Splatted constants (float64 pairs).
    const S = (x: Local, name: string): [Local, Code] => {
      const l = f.local('v128', name);
      return [l, set(l, f64x2.splat(x))];
    };
    const [kStep, s1] = S(stepSize, 'kStep');
    const [kBc2, s2] = S(bc2Sqrt, 'kBc2');
    const [kEps, s3] = S(eps, 'kEps');
    const [kB1, s4] = S(beta1, 'kB1');
    const [kB2, s5] = S(beta2, 'kB2');
    const [kL2, s6] = S(l2, 'kL2');
    const [kDecay, s7] = S(decay, 'kDecay');
    const kOmb1 = f.local('v128', 'kOmb1');
    const kOmb2 = f.local('v128', 'kOmb2');
    // Four loaded vectors and the four results.
    const [vp, vg, vm, vv, vx] = ['vp', 'vg', 'vm', 'vv', 'vx'].map((name) => f.local('v128', name));
    const [op, om, ov, ox] = ['op', 'om', 'ov', 'ox'].map((name) => f.local('v128', name));
    // Per half: float64 pairs.
    const [P, G, M, V, X] = ['P', 'G', 'M', 'V', 'X'].map((name) => f.local('v128', name));
    const [rp, rm, rv, rx] = [0, 1, 2, 3].map((i) => [f.local('v128', `lo${i}`), f.local('v128', `hi${i}`)]);

    /** Lanes 0–1 (half 0) or 2–3 (half 1) of a float32 vector, as float64 pairs. */
    const promote = (x: Local, half: number): Code => f64x2.promote_low_f32x4(half === 0 ? x : v128.shuffle32(x, x, [2, 3, 0, 1]));
    /** Rounds a float64 pair to float32 and back: what a store and a later read of it give. */
    const round = (x: Code): Code => f64x2.promote_low_f32x4(f64x2.demote_to_f32x4_zero(x));
    const demote = f64x2.demote_to_f32x4_zero;

    const half = (h: number, amsgrad: boolean, useL2: boolean, useDecay: boolean): Code => [
      set(P, promote(vp, h)),
      set(G, promote(vg, h)),
      useL2 ? set(G, f64x2.add(G, f64x2.mul(kL2, P))) : [],
      useDecay ? set(P, round(f64x2.mul(P, kDecay))) : [],
      set(M, round(f64x2.add(f64x2.mul(kB1, promote(vm, h)), f64x2.mul(kOmb1, G)))),
      set(V, round(f64x2.add(f64x2.mul(kB2, promote(vv, h)), f64x2.mul(f64x2.mul(kOmb2, G), G)))),
      amsgrad ? set(X, f64x2.max(promote(vx, h), V)) : set(X, V),
      set(rm[h], demote(M)),
      set(rv[h], demote(V)),
      amsgrad ? set(rx[h], demote(X)) : [],
      set(rp[h], demote(f64x2.sub(P, f64x2.div(f64x2.mul(kStep, M), f64x2.add(f64x2.div(f64x2.sqrt(X), kBc2), kEps))))),
    ];
    const join = (r: Local[]): Code => v128.shuffle32(r[0], r[1], [0, 1, 4, 5]);

    const loopFor = (amsgrad: boolean, useL2: boolean, useDecay: boolean): Code =>
      forRange(k, c(0), end, c(16),
        set(off, k),
        set(vp, v128.load(i32.add(p, off))),
        set(vg, v128.load(i32.add(g, off))),
        set(vm, v128.load(i32.add(m, off))),
        set(vv, v128.load(i32.add(v, off))),
        amsgrad ? set(vx, v128.load(i32.add(vmax, off))) : [],
        half(0, amsgrad, useL2, useDecay),
        half(1, amsgrad, useL2, useDecay),
        set(op, join(rp)), set(om, join(rm)), set(ov, join(rv)),
        v128.store(i32.add(p, off), op),
        v128.store(i32.add(m, off), om),
        v128.store(i32.add(v, off), ov),
        amsgrad ? [set(ox, join(rx)), v128.store(i32.add(vmax, off), ox)] : []);

    const variants: Code[] = [];
    for (let fl = 0; fl < 8; fl++) {
      variants.push(if_(i32.eq(flags, c(fl)), loopFor((fl & ADAM_AMSGRAD) !== 0, (fl & ADAM_L2) !== 0, (fl & ADAM_DECAY) !== 0)));
    }
    return [
      s1, s2, s3, s4, s5, s6, s7,
      // 1 − β as the reference computes it: in float64.
      set(kOmb1, f64x2.sub(f64x2.splat(f64.const(1)), kB1)),
      set(kOmb2, f64x2.sub(f64x2.splat(f64.const(1)), kB2)),
      set(end, i32.shl(i32.and(i32.add(n, c(3)), c(-4)), c(2))),
      variants,
    ];
  });
}
