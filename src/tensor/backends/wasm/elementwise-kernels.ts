/**
 * Elementwise kernels in wasm SIMD, four floats at a time.
 *
 * Exact ops (add, sub, mul, div, sqrt, square, reciprocal, comparisons, relu,
 * max/min with the js reference's NaN rules, …) give the same bits as the js
 * backend: an f32 op is correctly rounded, and so is JavaScript's float64 op
 * rounded back to float32 for +, −, ×, ÷ and √.
 *
 * exp, log, sigmoid, softplus and tanh have no wasm instruction: they are the
 * Cephes single-precision algorithms (range reduction + a short polynomial),
 * within about 2 ulp of the float64 result. The js reference computes them in
 * float64 through Math.*, at 10–30 ns an element; these run at about 1 ns.
 *
 *   exp(x)   = 2ⁿ·eʳ, n = round(x/ln2), r = x − n·ln2 (ln2 in two parts, Cody–Waite)
 *   log(x)   = e·ln2 + log(m), x = m·2ᵉ with m ∈ [√½, √2), log(1+f) = f − f²/2 + f³·P(f)
 *   sigmoid  = 1/(1+e) for x ≥ 0, e/(1+e) otherwise, e = exp(−|x|)   (never exp of a large number)
 *   softplus = max(x, 0) + log1p(exp(−|x|)), log1p(e) = log(u)·e/(u−1), u = 1+e (exact for tiny e)
 *   tanh     = x + x³·P(x²) for |x| < 0.625, else sign(x)·(1−e)/(1+e), e = exp(−2|x|)
 *
 * Every heap block has a vector of slack past its end (heap.ts), so loops run
 * whole vectors and never need a scalar tail: the lanes past the end read and
 * write only slack.
 * `pow` stays in JavaScript.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import {
  br_if, f32, f32x4, f64x2, forRange, i32, i32x4, if_, label, loop, set, tee, v128, type Code, type Func, type Local, type ModuleBuilder,
} from './assembler.js';
import { BackendError } from '../../../errors.js';

const K = v128.f32;
const c = i32.const;

/** Unary ops done in wasm, by code (the `op` argument of `unary`). */
export const WASM_UNARY: readonly UnaryOp[] = [
  'neg', 'abs', 'sqrt', 'square', 'relu', 'leakyRelu', 'sign', 'clamp',
  'exp', 'log', 'sigmoid', 'softplus', 'tanh',
];
/** Binary ops done in wasm; each has its own exported function `bin_<op>`. */
export const WASM_BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'gt', 'ge', 'lt', 'le', 'eq'];

const horner = (x: Code, coeffs: readonly number[]): Code =>
  coeffs.slice(1).reduce<Code>((acc, k) => f32x4.add(f32x4.mul(acc, x), K(k)), K(coeffs[0]));

/** Lanes where mask is set take a, the others b. */
const pick = (mask: Code, a: Code, b: Code): Code => v128.bitselect(a, b, mask);

/** Scratch locals for the math routines of one function. */
class Vars {
  private n = 0;
  constructor(private readonly f: Func) {}
  v(): Local {
    return this.f.local('v128', `t${this.n++}`);
  }
}

/** out ← exp(x). */
function vexp(t: Vars, x: Code, out: Local): Code {
  const xc = t.v(), n = t.v(), r = t.v(), p = t.v(), ni = t.v(), h = t.v();
  return [
    // Below −104 the result rounds to 0; above 89 to +Inf (n = 128 overflows as it should).
    set(xc, f32x4.max(f32x4.min(x, K(89)), K(-104))),
    set(n, f32x4.nearest(f32x4.mul(xc, K(Math.LOG2E)))),
    set(r, f32x4.sub(f32x4.sub(xc, f32x4.mul(n, K(0.693359375))), f32x4.mul(n, K(-2.12194440e-4)))),
    set(p, horner(r, [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1])),
    set(p, f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), K(1))),
    // 2ⁿ as two factors 2^(n>>1)·2^(n−n>>1), so that subnormal results round once, at the end.
    set(ni, i32x4.trunc_sat_f32x4_s(n)),
    set(h, i32x4.shr_s(ni, c(1))),
    set(out, f32x4.mul(
      f32x4.mul(p, i32x4.shl(i32x4.add(h, v128.i32(127)), c(23))),
      i32x4.shl(i32x4.add(i32x4.sub(ni, h), v128.i32(127)), c(23)))),
  ];
}

/** out ← log(x) for positive normal finite x (no special cases). */
function vlogPositive(t: Vars, x: Code, out: Local): Code {
  const e = t.v(), m = t.v(), big = t.v(), f = t.v(), z = t.v(), y = t.v();
  return [
    set(e, f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(x, c(23)), v128.i32(127)))),
    set(m, v128.or(v128.and(x, v128.i32(0x007fffff)), v128.i32(0x3f800000))),
    set(big, f32x4.gt(m, K(Math.SQRT2))),
    set(m, pick(big, f32x4.mul(m, K(0.5)), m)),
    set(e, pick(big, f32x4.add(e, K(1)), e)),
    set(f, f32x4.sub(m, K(1))),
    set(z, f32x4.mul(f, f)),
    set(y, f32x4.mul(f32x4.mul(f, z), horner(f, [
      7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
      -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
    ]))),
    set(y, f32x4.add(y, f32x4.mul(e, K(-2.12194440e-4)))),
    set(y, f32x4.sub(y, f32x4.mul(z, K(0.5)))),
    set(out, f32x4.add(f32x4.add(f, y), f32x4.mul(e, K(0.693359375)))),
  ];
}

/** out ← log(x) with IEEE special cases (as Math.log). */
function vlog(t: Vars, x: Local, out: Local): Code {
  const sub = t.v(), xs = t.v();
  return [
    // Subnormals: scale by 2²³ first, take 23 back off the exponent.
    set(sub, f32x4.lt(x, K(1.17549435e-38))),
    set(xs, pick(sub, f32x4.mul(x, K(8388608)), x)),
    vlogPositive(t, xs, out),
    set(out, f32x4.sub(out, v128.and(sub, K(23 * Math.LN2)))),
    set(out, pick(f32x4.eq(x, K(0)), K(-Infinity), out)),
    set(out, pick(f32x4.eq(x, K(Infinity)), K(Infinity), out)),
    set(out, pick(f32x4.lt(x, K(0)), K(NaN), out)),
    set(out, pick(f32x4.ne(x, x), x, out)),
  ];
}

/** The code computing one vector of unary op `op` from x into out. */
/**
 * a·x with a float64 (as JavaScript multiplies a float32 element by a number):
 * the product is rounded to float64, then to float32, exactly as the reference.
 */
function scaleF64(t: Vars, x: Local, a64: Local, out: Local): Code {
  const lo = t.v(), hi = t.v();
  return [
    set(lo, f32x4_demote(f64x2.mul(f64x2.promote_low_f32x4(x), a64))),
    set(hi, f32x4_demote(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle32(x, x, [2, 3, 0, 1])), a64))),
    set(out, v128.shuffle32(lo, hi, [0, 1, 4, 5])),
  ];
}
const f32x4_demote = f64x2.demote_to_f32x4_zero;

function unaryBody(op: UnaryOp, t: Vars, x: Local, out: Local, p0: Local, p1: Local, a64: Local): Code {
  const zero = K(0);
  const one = K(1);
  switch (op) {
    case 'neg': return set(out, f32x4.neg(x));
    case 'abs': return set(out, f32x4.abs(x));
    case 'sqrt': return set(out, f32x4.sqrt(x));
    case 'square': return set(out, f32x4.mul(x, x));
    case 'relu': return set(out, pick(f32x4.gt(x, zero), x, zero));
    case 'leakyRelu': {
      const ax = t.v();
      return [scaleF64(t, x, a64, ax), set(out, pick(f32x4.gt(x, zero), x, ax))];
    }
    // sign(±0) = ±0 and sign(NaN) = NaN, as the reference.
    case 'sign': return set(out, pick(f32x4.gt(x, zero), one, pick(f32x4.lt(x, zero), K(-1), x)));
    case 'clamp': return set(out, pick(f32x4.lt(x, p0), p0, pick(f32x4.gt(x, p1), p1, x)));
    case 'exp': return vexp(t, x, out);
    case 'log': return vlog(t, x, out);
    case 'sigmoid': {
      const e = t.v(), s = t.v();
      return [
        vexp(t, f32x4.neg(f32x4.abs(x)), e),
        set(s, f32x4.div(one, f32x4.add(one, e))),
        set(out, pick(f32x4.ge(x, zero), s, f32x4.mul(e, s))),
      ];
    }
    case 'softplus': {
      const e = t.v(), u = t.v(), lg = t.v(), d = t.v();
      return [
        vexp(t, f32x4.neg(f32x4.abs(x)), e),
        set(u, f32x4.add(one, e)),
        vlogPositive(t, u, lg),
        set(d, f32x4.sub(u, one)),
        set(out, f32x4.add(f32x4.max(x, zero), pick(f32x4.eq(d, zero), e, f32x4.div(f32x4.mul(lg, e), d)))),
      ];
    }
    case 'tanh': {
      const ax = t.v(), z = t.v(), small = t.v(), e = t.v(), large = t.v();
      return [
        set(ax, f32x4.abs(x)),
        set(z, f32x4.mul(x, x)),
        set(small, f32x4.add(x, f32x4.mul(f32x4.mul(z, x), horner(z, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1])))),
        vexp(t, f32x4.mul(ax, K(-2)), e),
        set(large, f32x4.div(f32x4.sub(one, e), f32x4.add(one, e))),
        set(large, v128.or(large, v128.and(x, v128.i32(-0x80000000)))), // copy the sign of x
        set(out, pick(f32x4.lt(ax, K(0.625)), small, large)),
      ];
    }
    default:
      throw new BackendError(`wasm backend: no wasm kernel for unary '${op}'`);
  }
}

/** The value of binary op `op` on vectors a, b. */
function binaryExpr(op: BinaryOp, a: Code, b: Code): Code {
  const one = K(1);
  switch (op) {
    case 'add': return f32x4.add(a, b);
    case 'sub': return f32x4.sub(a, b);
    case 'mul': return f32x4.mul(a, b);
    case 'div': return f32x4.div(a, b);
    // The reference: a > b || isNaN(a) ? a : b (a NaN on either side wins; ties keep b).
    case 'maximum': return pick(v128.or(f32x4.gt(a, b), f32x4.ne(a, a)), a, b);
    case 'minimum': return pick(v128.or(f32x4.lt(a, b), f32x4.ne(a, a)), a, b);
    case 'gt': return v128.and(f32x4.gt(a, b), one);
    case 'ge': return v128.and(f32x4.ge(a, b), one);
    case 'lt': return v128.and(f32x4.lt(a, b), one);
    case 'le': return v128.and(f32x4.le(a, b), one);
    case 'eq': return v128.and(f32x4.eq(a, b), one);
    default:
      throw new BackendError(`wasm backend: no wasm kernel for binary '${op}'`);
  }
}

/** unary(op, x, out, n, p0, p1): out[i] = op(x[i]) for ⌈n/4⌉ vectors; op is an index into WASM_UNARY. */
export function unaryKernel(mb: ModuleBuilder): Func {
  return mb.func('unary', [['op', 'i32'], ['x', 'i32'], ['out', 'i32'], ['n', 'i32'], ['a', 'f64'], ['b', 'f64']], null, (f) => {
    const { op, x, out, n, a, b } = f.p;
    const p = f.local('i32', 'p');
    const o = f.local('i32', 'o');
    const end = f.local('i32', 'end');
    const v = f.local('v128', 'v');
    const r = f.local('v128', 'r');
    const p0 = f.local('v128', 'p0');
    const p1 = f.local('v128', 'p1');
    const a64 = f.local('v128', 'a64');
    const t = new Vars(f);
    return [
      set(p0, f32x4.splat(f32.demote_f64(a))),
      set(p1, f32x4.splat(f32.demote_f64(b))),
      set(a64, f64x2.splat(a)),
      set(end, i32.add(x, i32.shl(i32.and(i32.add(n, c(3)), c(-4)), c(2)))),
      WASM_UNARY.map((name, code) =>
        if_(i32.eq(op, c(code)), [
          set(o, out),
          forRange(p, x, end, c(16),
            set(v, v128.load(p)),
            unaryBody(name, t, v, r, p0, p1, a64),
            v128.store(o, r),
            set(o, i32.add(o, c(16)))),
        ])),
    ];
  });
}

/**
 * bin_<op>(a, b, out, d0, d1, d2, d3, as0, as1, as2, bs0, bs1, bs2, ai, bi): out (contiguous,
 * shape [d0, d1, d2, d3]) = op(a, b) read through element strides; along the last axis a and
 * b step by ai, bi ∈ {0, 1} (broadcast or contiguous), so every row is vectorised.
 */
export function binaryKernels(mb: ModuleBuilder): void {
  const params = [
    ['a', 'i32'], ['b', 'i32'], ['out', 'i32'], ['d0', 'i32'], ['d1', 'i32'], ['d2', 'i32'], ['d3', 'i32'],
    ['as0', 'i32'], ['as1', 'i32'], ['as2', 'i32'], ['bs0', 'i32'], ['bs1', 'i32'], ['bs2', 'i32'], ['ai', 'i32'], ['bi', 'i32'],
  ] as const;
  for (const op of WASM_BINARY) {
    mb.func(`bin_${op}`, params, null, (f) => {
      const { a, b, out, d0, d1, d2, d3, as0, as1, as2, bs0, bs1, bs2, ai, bi } = f.p;
      const [i0, i1, i2] = [f.local('i32', 'i0'), f.local('i32', 'i1'), f.local('i32', 'i2')];
      const pa = f.local('i32', 'pa');
      const pb = f.local('i32', 'pb');
      const po = f.local('i32', 'po');
      const k = f.local('i32', 'k');
      const va = f.local('v128', 'va');
      const vb = f.local('v128', 'vb');
      const rowA = (n0: Local, n1: Local, n2: Local): Code =>
        i32.add(a, i32.shl(i32.add(i32.add(i32.mul(n0, as0), i32.mul(n1, as1)), i32.mul(n2, as2)), c(2)));
      const rowB = (n0: Local, n1: Local, n2: Local): Code =>
        i32.add(b, i32.shl(i32.add(i32.add(i32.mul(n0, bs0), i32.mul(n1, bs1)), i32.mul(n2, bs2)), c(2)));
      // One row of d3 elements, ⌈d3/4⌉ vectors; a broadcast operand is splat once per row.
      const row = (aStep: boolean, bStep: boolean): Code => {
        const lp = label('row');
        return [
          aStep ? [] : set(va, v128.load32_splat(pa)),
          bStep ? [] : set(vb, v128.load32_splat(pb)),
          set(k, i32.shr_s(i32.add(d3, c(3)), c(2))),
          loop(lp,
            aStep ? set(va, v128.load(pa)) : [],
            bStep ? set(vb, v128.load(pb)) : [],
            v128.store(po, binaryExpr(op, va, vb)),
            aStep ? set(pa, i32.add(pa, c(16))) : [],
            bStep ? set(pb, i32.add(pb, c(16))) : [],
            set(po, i32.add(po, c(16))),
            br_if(lp, tee(k, i32.sub(k, c(1))))),
        ];
      };
      return [
        set(po, out),
        forRange(i0, c(0), d0, c(1),
          forRange(i1, c(0), d1, c(1),
            forRange(i2, c(0), d2, c(1),
              set(pa, rowA(i0, i1, i2)),
              set(pb, rowB(i0, i1, i2)),
              // Rows are written whole vectors at a time: the next row, or for the last row the
              // block's slack (heap.ts), absorbs the overhang of up to 3 floats.
              if_(ai,
                if_(bi, row(true, true), row(true, false)),
                if_(bi, row(false, true), row(false, false))),
              set(po, i32.add(out, i32.shl(i32.mul(i32.add(i32.mul(i32.add(i32.mul(i0, d1), i1), d2), i2), d3), c(2)))),
              set(po, i32.add(po, i32.shl(d3, c(2))))))),
      ];
    });
  }
}

/**
 * where(c, a, b, out, d0, d1, d2, d3, cs0, cs1, cs2, as0, as1, as2, bs0, bs1, bs2, ci, ai, bi):
 * out (contiguous, shape [d0, d1, d2, d3]) = c ≠ 0 ? a : b, each operand read through its element
 * strides; along the last axis each steps by 0 or 1 (its inner flag), so every row is vectorised
 * (NaN counts as ≠ 0 and −0 as 0, as in the reference). The bits of a or b are copied unchanged.
 */
export function whereKernel(mb: ModuleBuilder): void {
  const names = ['c', 'a', 'b'] as const;
  const params = [
    ...names.map((n) => [n, 'i32'] as const), ['out', 'i32'], ['d0', 'i32'], ['d1', 'i32'], ['d2', 'i32'], ['d3', 'i32'],
    ...names.flatMap((n) => [[`${n}s0`, 'i32'], [`${n}s1`, 'i32'], [`${n}s2`, 'i32']] as const),
    ...names.map((n) => [`${n}i`, 'i32'] as const),
  ] as const;
  mb.func('where', params, null, (f) => {
    const P = f.p;
    const [i0, i1, i2] = [f.local('i32', 'i0'), f.local('i32', 'i1'), f.local('i32', 'i2')];
    const ptr = names.map((n) => f.local('i32', `p${n}`));
    const vec = names.map((n) => f.local('v128', `v${n}`));
    const po = f.local('i32', 'po');
    const k = f.local('i32', 'k');
    const rowStart = (j: number): Code =>
      i32.add(P[names[j]], i32.shl(i32.add(i32.add(i32.mul(i0, P[`${names[j]}s0`]), i32.mul(i1, P[`${names[j]}s1`])), i32.mul(i2, P[`${names[j]}s2`])), c(2)));
    // One row of d3 elements in ⌈d3/4⌉ vectors; a broadcast operand is splat once per row.
    const row = (steps: boolean[]): Code => {
      const lp = label('row');
      return [
        steps.map((st, j) => (st ? [] : set(vec[j], v128.load32_splat(ptr[j])))),
        set(k, i32.shr_s(i32.add(P.d3, c(3)), c(2))),
        loop(lp,
          steps.map((st, j) => (st ? set(vec[j], v128.load(ptr[j])) : [])),
          v128.store(po, pick(f32x4.ne(vec[0], K(0)), vec[1], vec[2])),
          steps.map((st, j) => (st ? set(ptr[j], i32.add(ptr[j], c(16))) : [])),
          set(po, i32.add(po, c(16))),
          br_if(lp, tee(k, i32.sub(k, c(1))))),
      ];
    };
    // The 8 combinations of contiguous / broadcast rows, chosen per row by the inner flags.
    const dispatch = (j: number, steps: boolean[]): Code =>
      j === names.length ? row(steps) : if_(P[`${names[j]}i`], dispatch(j + 1, [...steps, true]), dispatch(j + 1, [...steps, false]));
    return forRange(i0, c(0), P.d0, c(1),
      forRange(i1, c(0), P.d1, c(1),
        forRange(i2, c(0), P.d2, c(1),
          names.map((_, j) => set(ptr[j], rowStart(j))),
          set(po, i32.add(P.out, i32.shl(i32.mul(i32.add(i32.mul(i32.add(i32.mul(i0, P.d1), i1), P.d2), i2), P.d3), c(2)))),
          // Whole vectors: the next row, or the block's slack after the last row, absorbs the overhang.
          dispatch(0, []))));
  });
}
