/**
 * The wasm backend's kernels, written with the tiny assembler in
 * `assembler.ts` and emitted as bytes when the module is first needed.
 *
 * GEMM (C = op(A)·op(B)) follows the BLIS recipe:
 *
 *   for jc in columns, NC at a time          ─ B block [KC × NC] packed into 16-column panels (L2)
 *     for pc in k, KC at a time
 *       pack B[pc:pc+KC, jc:jc+NC]
 *       for ic in rows, MC at a time         ─ A block [MC × KC] packed into 2-row panels (L2)
 *         pack A[ic:ic+MC, pc:pc+KC]
 *         for each 16-column panel jr         ─ one B panel stays in L1
 *           for each 2-row panel ir
 *             2×16 micro-kernel: 8 f32x4 accumulators in registers, KC steps
 *
 * Transposes live entirely in the packing routines, so one micro-kernel
 * serves all four layouts and the backward pass never copies a transposed
 * operand. Edges are zero-padded in the packs; the micro-kernel writes only
 * the valid part of an edge tile. Each C element is always the same sequence
 * of operations (KC-blocks summed in order), whatever tile or thread computes
 * it: splitting the output between threads cannot change a single bit.
 *
 * Why 2×16: V8 gives wasm about 15 usable xmm registers. 2×16 needs 8
 * accumulators + 2 broadcast A values + 1 B vector; wider tiles (4×12, 6×8,
 * 8×8) spill and run at half speed.
 *
 * Convolutions are im2col/col2im around the same GEMM, over a whole chunk of
 * images at once so the GEMM is large (see `conv_fwd`, `conv_gin`, `conv_gw`).
 *
 * All pointers are byte offsets into the one memory; all sizes are elements.
 */
import {
  br_if, call, f32, f32x4, forRange, i32, i64, if_, label, loop, ModuleBuilder, select, set, tee, v128,
  type Code, type Func, type Local,
} from './assembler.js';
import { binaryKernels, unaryKernel, whereKernel } from './elementwise-kernels.js';
import { adamKernel } from './optim-kernels.js';
import { reduceSumKernel } from './reduce-kernels.js';
import { gatherKernel } from './movement-kernels.js';

export const MR = 2;
export const NR = 16;
export const KC = 256;
export const MC = 128;
export const NC = 512;
/** Per-thread scratch: packed A block, packed B block, one edge tile. */
export const SCRATCH_BYTES = (MC * KC + KC * NC + MR * NR) * 4;

/** The fields of the conv parameter block, in order: one i32 each, field k at byte offset 4·k. */
export const CONV_PARAM_FIELDS = ['n', 'c', 'h', 'w', 'o', 'kh', 'kw', 'ho', 'wo', 'strideH', 'strideW', 'padH', 'padW', 'dilationH', 'dilationW'] as const;

export interface KernelOptions {
  /** Use relaxed-SIMD fused multiply-add in the micro-kernel. */
  relaxed: boolean;
  /** Import a shared memory (threads) or a plain one. */
  shared: boolean;
  initialPages: number;
  maximumPages: number;
}

const c = i32.const;
const add = i32.add;
const mul = i32.mul;
const imin = (a: Code, b: Code): Code => select(a, b, i32.lt_s(a, b));
/** Byte address of element `index` of a float array at byte offset `base`. */
const at = (base: Code, index: Code): Code => add(base, i32.shl(index, c(2)));
const inc = (l: Local, by: Code): Code => set(l, add(l, by));

/** Copies n floats (v128 while 4 remain, then scalars). */
function copyFloats(f: Func, dst: Code, src: Code, n: Code): Code {
  const d = f.local('i32', 'cd');
  const s = f.local('i32', 'cs');
  const e = f.local('i32', 'ce');
  return [
    set(d, dst), set(s, src), set(e, at(d, n)),
    forRange(d, d, i32.sub(e, c(15)), c(16), v128.store(d, v128.load(s)), inc(s, c(16))),
    forRange(d, d, e, c(4), f32.store(d, f32.load(s)), inc(s, c(4))),
  ];
}

/** Zeroes n floats. */
function zeroFloats(f: Func, dst: Code, n: Code): Code {
  const d = f.local('i32', 'zd');
  const e = f.local('i32', 'ze');
  return [
    set(d, dst), set(e, at(d, n)),
    forRange(d, d, i32.sub(e, c(15)), c(16), v128.store(d, f32x4.splat(f32.const(0)))),
    forRange(d, d, e, c(4), f32.store(d, f32.const(0))),
  ];
}

function microKernel(mb: ModuleBuilder, relaxed: boolean): Func {
  return mb.func('kernel_2x16', [
    ['kc', 'i32'], ['pa', 'i32'], ['pb', 'i32'], ['cp', 'i32'], ['ldc4', 'i32'], ['acc', 'i32'], ['mr', 'i32'], ['nr', 'i32'], ['tile', 'i32'],
  ], null, (f) => {
    const { kc, pa, pb, cp, ldc4, acc, mr, nr, tile } = f.p;
    const row0 = [0, 1, 2, 3].map((q) => f.local('v128', `c0${q}`));
    const row1 = [0, 1, 2, 3].map((q) => f.local('v128', `c1${q}`));
    const a0 = f.local('v128', 'a0');
    const a1 = f.local('v128', 'a1');
    const bv = f.local('v128', 'b');
    const r = f.local('i32', 'r');
    const j = f.local('i32', 'j');
    const addr = f.local('i32', 'addr');
    const t = f.local('f32', 't');
    const madd = (accum: Local, a: Local, b: Local): Code => (relaxed ? f32x4.relaxed_madd(a, b, accum) : f32x4.add(accum, f32x4.mul(a, b)));
    const k = label('k');
    const fullRow = (rowAddr: Code, accs: Local[], accumulate: boolean): Code =>
      accs.map((v, q) => v128.store(rowAddr, accumulate ? f32x4.add(v128.load(rowAddr, 16 * q), v) : v, 16 * q));
    return [
      [...row0, ...row1].map((v) => set(v, f32x4.splat(f32.const(0)))),
      loop(k,
        set(a0, v128.load32_splat(pa, 0)),
        set(a1, v128.load32_splat(pa, 4)),
        [0, 1, 2, 3].map((q) => [set(bv, v128.load(pb, 16 * q)), set(row0[q], madd(row0[q], a0, bv)), set(row1[q], madd(row1[q], a1, bv))]),
        inc(pa, c(8)),
        inc(pb, c(64)),
        br_if(k, tee(kc, i32.sub(kc, c(1)))),
      ),
      if_(i32.and(i32.eq(mr, c(2)), i32.eq(nr, c(16))),
        if_(acc,
          [fullRow(cp, row0, true), fullRow(add(cp, ldc4), row1, true)],
          [fullRow(cp, row0, false), fullRow(add(cp, ldc4), row1, false)]),
        [
          // Edge tile: spill to the scratch tile, then write the valid part.
          row0.map((v, q) => v128.store(tile, v, 16 * q)),
          row1.map((v, q) => v128.store(tile, v, 64 + 16 * q)),
          forRange(r, c(0), mr, c(1),
            forRange(j, c(0), nr, c(1),
              set(addr, add(add(cp, mul(r, ldc4)), i32.shl(j, c(2)))),
              set(t, f32.load(add(tile, i32.shl(add(i32.shl(r, c(4)), j), c(2))))),
              if_(acc, set(t, f32.add(f32.load(addr), t))),
              f32.store(addr, t))),
        ]),
    ];
  });
}

/** B[p0:p0+kc, j0:j0+nc] → 16-column panels, each kc rows of 16 floats, zero-padded. */
function packB(mb: ModuleBuilder): Func {
  return mb.func('pack_b', [
    ['b', 'i32'], ['ldb', 'i32'], ['trans', 'i32'], ['p0', 'i32'], ['kc', 'i32'], ['j0', 'i32'], ['nc', 'i32'], ['dst', 'i32'],
  ], null, (f) => {
    const { b, ldb, trans, p0, kc, j0, nc, dst } = f.p;
    const jp = f.local('i32', 'jp');
    const w = f.local('i32', 'w');
    const d = f.local('i32', 'd');
    const p = f.local('i32', 'p');
    const jj = f.local('i32', 'jj');
    const src = f.local('i32', 'src');
    const ld4 = f.local('i32', 'ld4');
    const rp = f.local('i32', 'rp');
    const rows = [0, 1, 2, 3].map((q) => f.local('v128', `r${q}`));
    const tr = [0, 1, 2, 3].map((q) => f.local('v128', `t${q}`));
    // One 4×4 transpose: rows jj = 4g..4g+3 (4 consecutive p each) → 4 rows of the panel.
    const transpose4 = (g: number): Code => [
      rows.map((rv) => [set(rv, v128.load(rp)), inc(rp, ld4)]),
      set(tr[0], v128.shuffle32(rows[0], rows[1], [0, 4, 1, 5])),
      set(tr[1], v128.shuffle32(rows[0], rows[1], [2, 6, 3, 7])),
      set(tr[2], v128.shuffle32(rows[2], rows[3], [0, 4, 1, 5])),
      set(tr[3], v128.shuffle32(rows[2], rows[3], [2, 6, 3, 7])),
      v128.store(add(d, i32.shl(p, c(6))), v128.shuffle32(tr[0], tr[2], [0, 1, 4, 5]), 16 * g),
      v128.store(add(d, i32.shl(p, c(6))), v128.shuffle32(tr[0], tr[2], [2, 3, 6, 7]), 64 + 16 * g),
      v128.store(add(d, i32.shl(p, c(6))), v128.shuffle32(tr[1], tr[3], [0, 1, 4, 5]), 128 + 16 * g),
      v128.store(add(d, i32.shl(p, c(6))), v128.shuffle32(tr[1], tr[3], [2, 3, 6, 7]), 192 + 16 * g),
    ];
    const dstAt = (pp: Code, col: Code): Code => add(d, i32.shl(add(i32.shl(pp, c(4)), col), c(2)));
    return [
      set(ld4, i32.shl(ldb, c(2))),
      forRange(jp, c(0), nc, c(16),
        set(w, imin(c(16), i32.sub(nc, jp))),
        set(d, add(dst, mul(mul(jp, kc), c(4)))),
        if_(i32.eqz(trans),
          [
            // B stored [k, n]: a panel row is 16 contiguous floats.
            set(src, at(b, add(mul(p0, ldb), add(j0, jp)))),
            if_(i32.eq(w, c(16)),
              forRange(p, c(0), kc, c(1),
                [0, 16, 32, 48].map((o) => v128.store(d, v128.load(src, o), o)),
                inc(d, c(64)), inc(src, ld4)),
              forRange(p, c(0), kc, c(1),
                forRange(jj, c(0), c(16), c(1),
                  if_(i32.lt_s(jj, w), f32.store(at(d, jj), f32.load(at(src, jj))), f32.store(at(d, jj), f32.const(0)))),
                inc(d, c(64)), inc(src, ld4))),
          ],
          [
            // B stored [n, k]: column j of op(B) is row j of storage; transpose 4×4 blocks.
            set(src, at(b, add(mul(add(j0, jp), ldb), p0))),
            if_(i32.eq(w, c(16)),
              [
                forRange(p, c(0), i32.sub(kc, c(3)), c(4),
                  [0, 1, 2, 3].map((g) => [set(rp, add(at(src, p), mul(ld4, c(4 * g)))), transpose4(g)])),
                forRange(p, i32.and(kc, c(-4)), kc, c(1),
                  forRange(jj, c(0), c(16), c(1), f32.store(dstAt(p, jj), f32.load(add(at(src, p), mul(jj, ld4)))))),
              ],
              forRange(p, c(0), kc, c(1),
                forRange(jj, c(0), c(16), c(1),
                  if_(i32.lt_s(jj, w),
                    f32.store(dstAt(p, jj), f32.load(add(at(src, p), mul(jj, ld4)))),
                    f32.store(dstAt(p, jj), f32.const(0)))))),
          ]),
      ),
    ];
  });
}

/** A[i0:i0+mc, p0:p0+kc] → 2-row panels, each kc pairs (a[i,p], a[i+1,p]), zero-padded. */
function packA(mb: ModuleBuilder): Func {
  return mb.func('pack_a', [
    ['a', 'i32'], ['lda', 'i32'], ['trans', 'i32'], ['i0', 'i32'], ['mc', 'i32'], ['p0', 'i32'], ['kc', 'i32'], ['dst', 'i32'],
  ], null, (f) => {
    const { a, lda, trans, i0, mc, p0, kc, dst } = f.p;
    const ip = f.local('i32', 'ip');
    const d = f.local('i32', 'd');
    const p = f.local('i32', 'p');
    const s0 = f.local('i32', 's0');
    const s1 = f.local('i32', 's1');
    const ld4 = f.local('i32', 'ld4');
    const x = f.local('v128', 'x');
    const y = f.local('v128', 'y');
    const two = f.local('i32', 'two');
    return [
      set(ld4, i32.shl(lda, c(2))),
      forRange(ip, c(0), mc, c(2),
        set(d, add(dst, mul(mul(ip, kc), c(4)))),
        set(two, i32.ge_s(i32.sub(mc, ip), c(2))),
        if_(i32.eqz(trans),
          [
            // A stored [m, k]: interleave two contiguous rows.
            set(s0, at(a, add(mul(add(i0, ip), lda), p0))),
            set(s1, add(s0, ld4)),
            if_(two,
              [
                forRange(p, c(0), i32.sub(kc, c(3)), c(4),
                  set(x, v128.load(at(s0, p))),
                  set(y, v128.load(at(s1, p))),
                  v128.store(add(d, i32.shl(p, c(3))), v128.shuffle32(x, y, [0, 4, 1, 5])),
                  v128.store(add(d, i32.shl(p, c(3))), v128.shuffle32(x, y, [2, 6, 3, 7]), 16)),
                forRange(p, i32.and(kc, c(-4)), kc, c(1),
                  f32.store(add(d, i32.shl(p, c(3))), f32.load(at(s0, p))),
                  f32.store(add(d, i32.shl(p, c(3))), f32.load(at(s1, p)), 4)),
              ],
              forRange(p, c(0), kc, c(1),
                f32.store(add(d, i32.shl(p, c(3))), f32.load(at(s0, p))),
                f32.store(add(d, i32.shl(p, c(3))), f32.const(0), 4))),
          ],
          [
            // A stored [k, m]: the pair (a[i,p], a[i+1,p]) is 8 contiguous bytes.
            set(s0, at(a, add(mul(p0, lda), add(i0, ip)))),
            if_(two,
              forRange(p, c(0), kc, c(1), i64.store(add(d, i32.shl(p, c(3))), i64.load(s0)), inc(s0, ld4)),
              forRange(p, c(0), kc, c(1),
                f32.store(add(d, i32.shl(p, c(3))), f32.load(s0)),
                f32.store(add(d, i32.shl(p, c(3))), f32.const(0), 4),
                inc(s0, ld4))),
          ]),
      ),
    ];
  });
}

const GEMM_PARAMS = [
  ['a', 'i32'], ['b', 'i32'], ['cp', 'i32'], ['m', 'i32'], ['n', 'i32'], ['k', 'i32'], ['lda', 'i32'], ['ldb', 'i32'], ['ldc', 'i32'],
  ['flags', 'i32'], ['i0', 'i32'], ['i1', 'i32'], ['j0', 'i32'], ['j1', 'i32'], ['b0', 'i32'], ['b1', 'i32'],
  ['sa', 'i32'], ['sb', 'i32'], ['sc', 'i32'], ['scratch', 'i32'],
] as const;

/** Flags of `gemm`. */
export const TRANS_A = 1;
export const TRANS_B = 2;
/** Accumulate into C instead of overwriting it. */
export const BETA_ONE = 4;

/**
 * gemm(a, b, c, m, n, k, lda, ldb, ldc, flags, i0, i1, j0, j1, b0, b1, sa, sb, sc, scratch):
 * for batches b0..b1 (matrices sa/sb/sc elements apart), the block rows i0..i1 ×
 * columns j0..j1 of C = op(A)·op(B). Threads get disjoint blocks of C.
 */
function gemm(mb: ModuleBuilder, kernel: Func, pa: Func, pb: Func): Func {
  return mb.func('gemm', GEMM_PARAMS, null, (f) => {
    const { a, b, cp, k, lda, ldb, ldc, flags, i0, i1, j0, j1, b0, b1, sa, sb, sc, scratch } = f.p;
    const transA = f.local('i32', 'transA');
    const transB = f.local('i32', 'transB');
    const beta = f.local('i32', 'beta');
    const bufA = f.local('i32', 'bufA');
    const bufB = f.local('i32', 'bufB');
    const tile = f.local('i32', 'tile');
    const jc = f.local('i32', 'jc');
    const nc = f.local('i32', 'nc');
    const pc = f.local('i32', 'pc');
    const kc = f.local('i32', 'kc');
    const ic = f.local('i32', 'ic');
    const mc = f.local('i32', 'mc');
    const jr = f.local('i32', 'jr');
    const ir = f.local('i32', 'ir');
    const accum = f.local('i32', 'accum');
    const bi = f.local('i32', 'bi');
    const ab = f.local('i32', 'ab');
    const bb = f.local('i32', 'bb');
    const cb = f.local('i32', 'cb');
    const ldc4 = f.local('i32', 'ldc4');
    return [
      set(transA, i32.and(flags, c(TRANS_A))),
      set(transB, i32.ne(i32.and(flags, c(TRANS_B)), c(0))),
      set(beta, i32.ne(i32.and(flags, c(BETA_ONE)), c(0))),
      set(bufA, scratch),
      set(bufB, add(scratch, c(MC * KC * 4))),
      set(tile, add(bufB, c(KC * NC * 4))),
      set(ldc4, i32.shl(ldc, c(2))),
      forRange(bi, b0, b1, c(1),
        set(ab, at(a, mul(bi, sa))),
        set(bb, at(b, mul(bi, sb))),
        set(cb, at(cp, mul(bi, sc))),
        if_(i32.eqz(k),
          // An empty sum: C = 0 (or unchanged when accumulating).
          if_(i32.eqz(beta), forRange(ic, i0, i1, c(1), zeroFloats(f, at(cb, add(mul(ic, ldc), j0)), i32.sub(j1, j0)))),
          forRange(jc, j0, j1, c(NC),
            set(nc, imin(c(NC), i32.sub(j1, jc))),
            forRange(pc, c(0), k, c(KC),
              set(kc, imin(c(KC), i32.sub(k, pc))),
              call(pb, bb, ldb, transB, pc, kc, jc, nc, bufB),
              set(accum, i32.or(beta, i32.gt_s(pc, c(0)))),
              forRange(ic, i0, i1, c(MC),
                set(mc, imin(c(MC), i32.sub(i1, ic))),
                call(pa, ab, lda, transA, ic, mc, pc, kc, bufA),
                forRange(jr, c(0), nc, c(NR),
                  forRange(ir, c(0), mc, c(MR),
                    call(kernel, kc,
                      add(bufA, mul(mul(ir, kc), c(4))),
                      add(bufB, mul(mul(jr, kc), c(4))),
                      at(cb, add(mul(add(ic, ir), ldc), add(jc, jr))),
                      ldc4, accum,
                      imin(c(MR), i32.sub(mc, ir)),
                      imin(c(NR), i32.sub(nc, jr)),
                      tile)))))))),
    ];
  });
}

/** Reads conv parameters from the i32 block at `prm` into locals. */
function convLocals(f: Func, prm: Local): { code: Code; v: Record<(typeof CONV_PARAM_FIELDS)[number] | 'hw' | 'khw' | 'ckk' | 'chw', Local> } {
  const v = {} as Record<string, Local>;
  const code: Code[] = [];
  CONV_PARAM_FIELDS.forEach((name, i) => {
    v[name] = f.local('i32', name);
    code.push(set(v[name], i32.load(prm, 4 * i)));
  });
  for (const name of ['hw', 'khw', 'ckk', 'chw']) v[name] = f.local('i32', name);
  code.push(
    set(v.hw, mul(v.ho, v.wo)),
    set(v.khw, mul(v.kh, v.kw)),
    set(v.ckk, mul(v.c, v.khw)),
    set(v.chw, mul(mul(v.c, v.h), v.w)),
  );
  return { code, v };
}

/**
 * For one im2col row r = (ci, ki, kj): the output columns ox whose input
 * column ix = ox·strideW + xoff lies inside the image, as [oxlo, oxhi).
 */
function tapRange(f: Func, v: Record<string, Local>, r: Local) {
  const ci = f.local('i32', 'ci');
  const ki = f.local('i32', 'ki');
  const kj = f.local('i32', 'kj');
  const rem = f.local('i32', 'rem');
  const xoff = f.local('i32', 'xoff');
  const oxlo = f.local('i32', 'oxlo');
  const oxhi = f.local('i32', 'oxhi');
  const t = f.local('i32', 't');
  const code: Code = [
    set(ci, i32.div_s(r, v.khw)),
    set(rem, i32.sub(r, mul(ci, v.khw))),
    set(ki, i32.div_s(rem, v.kw)),
    set(kj, i32.sub(rem, mul(ki, v.kw))),
    set(xoff, i32.sub(mul(kj, v.dilationW), v.padW)),
    // ix ≥ 0  ⇔  ox ≥ ceil(-xoff / sw)
    set(t, i32.sub(c(0), xoff)),
    set(oxlo, select(i32.div_s(add(t, i32.sub(v.strideW, c(1))), v.strideW), c(0), i32.gt_s(t, c(0)))),
    set(oxlo, imin(oxlo, v.wo)),
    // ix ≤ w-1  ⇔  ox ≤ floor((w-1-xoff) / sw)
    set(t, i32.sub(i32.sub(v.w, c(1)), xoff)),
    set(oxhi, select(imin(v.wo, add(i32.div_s(t, v.strideW), c(1))), c(0), i32.ge_s(t, c(0)))),
    set(oxhi, select(oxhi, oxlo, i32.gt_s(oxhi, oxlo))),
  ];
  return { code, ci, ki, kj, xoff, oxlo, oxhi };
}

/** im2col(prm, x, col, ldcol, r0, r1, n0, n1): rows r0..r1 of col for images n0..n1 (columns n·hw…). */
function im2col(mb: ModuleBuilder): Func {
  return mb.func('im2col', [['prm', 'i32'], ['x', 'i32'], ['col', 'i32'], ['ldcol', 'i32'], ['r0', 'i32'], ['r1', 'i32'], ['n0', 'i32'], ['n1', 'i32']], null, (f) => {
    const { prm, x, col, ldcol, r0, r1, n0, n1 } = f.p;
    const { code, v } = convLocals(f, prm);
    const r = f.local('i32', 'r');
    const nn = f.local('i32', 'nn');
    const oy = f.local('i32', 'oy');
    const ox = f.local('i32', 'ox');
    const iy = f.local('i32', 'iy');
    const dst = f.local('i32', 'dst');
    const src = f.local('i32', 'src');
    const tap = tapRange(f, v, r);
    return [
      code,
      forRange(r, r0, r1, c(1),
        tap.code,
        forRange(nn, n0, n1, c(1),
          forRange(oy, c(0), v.ho, c(1),
            set(iy, add(i32.sub(mul(oy, v.strideH), v.padH), mul(tap.ki, v.dilationH))),
            set(dst, at(col, add(add(mul(r, ldcol), mul(nn, v.hw)), mul(oy, v.wo)))),
            if_(i32.ge_u(iy, v.h),
              zeroFloats(f, dst, v.wo),
              [
                set(src, at(x, mul(add(mul(add(mul(nn, v.c), tap.ci), v.h), iy), v.w))),
                zeroFloats(f, dst, tap.oxlo),
                zeroFloats(f, at(dst, tap.oxhi), i32.sub(v.wo, tap.oxhi)),
                if_(i32.eq(v.strideW, c(1)),
                  copyFloats(f, at(dst, tap.oxlo), at(src, add(tap.oxlo, tap.xoff)), i32.sub(tap.oxhi, tap.oxlo)),
                  forRange(ox, tap.oxlo, tap.oxhi, c(1),
                    f32.store(at(dst, ox), f32.load(at(src, add(mul(ox, v.strideW), tap.xoff)))))),
              ])))),
    ];
  });
}

/** col2im(prm, col, ldcol, dx, n0, n1): dx images n0..n1 = Σ of their columns of col (the adjoint of im2col). */
function col2im(mb: ModuleBuilder): Func {
  return mb.func('col2im', [['prm', 'i32'], ['col', 'i32'], ['ldcol', 'i32'], ['dx', 'i32'], ['n0', 'i32'], ['n1', 'i32']], null, (f) => {
    const { prm, col, ldcol, dx, n0, n1 } = f.p;
    const { code, v } = convLocals(f, prm);
    const r = f.local('i32', 'r');
    const nn = f.local('i32', 'nn');
    const oy = f.local('i32', 'oy');
    const ox = f.local('i32', 'ox');
    const iy = f.local('i32', 'iy');
    const dst = f.local('i32', 'dst');
    const src = f.local('i32', 'src');
    const addr = f.local('i32', 'addr');
    const tap = tapRange(f, v, r);
    return [
      code,
      forRange(nn, n0, n1, c(1),
        zeroFloats(f, at(dx, mul(nn, v.chw)), v.chw),
        forRange(r, c(0), v.ckk, c(1),
          tap.code,
          forRange(oy, c(0), v.ho, c(1),
            set(iy, add(i32.sub(mul(oy, v.strideH), v.padH), mul(tap.ki, v.dilationH))),
            if_(i32.lt_u(iy, v.h), [
              set(src, at(col, add(add(mul(r, ldcol), mul(nn, v.hw)), mul(oy, v.wo)))),
              set(dst, at(dx, mul(add(mul(add(mul(nn, v.c), tap.ci), v.h), iy), v.w))),
              forRange(ox, tap.oxlo, tap.oxhi, c(1),
                set(addr, at(dst, add(mul(ox, v.strideW), tap.xoff))),
                f32.store(addr, f32.add(f32.load(addr), f32.load(at(src, ox))))),
            ])))),
    ];
  });
}

/** [N, C, HW] images n0..n1 → [C, ld] with image n at columns n·HW (and back). */
function layoutShuffles(mb: ModuleBuilder): { toCn: Func; toNc: Func } {
  const params = [['src', 'i32'], ['dst', 'i32'], ['ch', 'i32'], ['hw', 'i32'], ['ld', 'i32'], ['n0', 'i32'], ['n1', 'i32']] as const;
  const build = (toCn: boolean) => (f: Func): Code => {
    const { src, dst, ch, hw, ld, n0, n1 } = f.p;
    const nn = f.local('i32', 'nn');
    const ci = f.local('i32', 'ci');
    const nchw = mul(add(mul(nn, ch), ci), hw);
    const cn = add(mul(ci, ld), mul(nn, hw));
    return forRange(nn, n0, n1, c(1),
      forRange(ci, c(0), ch, c(1),
        toCn ? copyFloats(f, at(dst, cn), at(src, nchw), hw) : copyFloats(f, at(dst, nchw), at(src, cn), hw)));
  };
  return { toCn: mb.func('nchw_to_cn', params, null, build(true)), toNc: mb.func('cn_to_nchw', params, null, build(false)) };
}

function convKernels(mb: ModuleBuilder, g: Func, i2c: Func, c2i: Func, toCn: Func, toNc: Func): void {
  const load = (prm: Local, field: (typeof CONV_PARAM_FIELDS)[number]): Code => i32.load(prm, 4 * CONV_PARAM_FIELDS.indexOf(field));
  // Forward: col = im2col(x); yT[o, nb·hw] = W[o, ckk]·col; y = yT in NCHW. One thread: images n0..n1.
  mb.func('conv_fwd', [['prm', 'i32'], ['x', 'i32'], ['w', 'i32'], ['col', 'i32'], ['yT', 'i32'], ['y', 'i32'], ['n0', 'i32'], ['n1', 'i32'], ['nb', 'i32'], ['scratch', 'i32']], null, (f) => {
    const { prm, x, w, col, yT, y, n0, n1, nb, scratch } = f.p;
    const hw = f.local('i32', 'hw');
    const ckk = f.local('i32', 'ckk');
    const ld = f.local('i32', 'ld');
    const o = f.local('i32', 'o');
    return [
      set(hw, mul(load(prm, 'ho'), load(prm, 'wo'))),
      set(ckk, mul(load(prm, 'c'), mul(load(prm, 'kh'), load(prm, 'kw')))),
      set(o, load(prm, 'o')),
      set(ld, mul(nb, hw)),
      call(i2c, prm, x, col, ld, c(0), ckk, n0, n1),
      call(g, w, col, yT, o, ld, ckk, ckk, ld, ld, c(0), c(0), o, mul(n0, hw), mul(n1, hw), c(0), c(1), c(0), c(0), c(0), scratch),
      call(toNc, yT, y, o, hw, ld, n0, n1),
    ];
  });
  // Input gradient: dyT = dy in [o, nb·hw]; dcol = Wᵀ·dyT; dx = col2im(dcol). One thread: images n0..n1.
  mb.func('conv_gin', [['prm', 'i32'], ['dy', 'i32'], ['w', 'i32'], ['dyT', 'i32'], ['dcol', 'i32'], ['dx', 'i32'], ['n0', 'i32'], ['n1', 'i32'], ['nb', 'i32'], ['scratch', 'i32']], null, (f) => {
    const { prm, dy, w, dyT, dcol, dx, n0, n1, nb, scratch } = f.p;
    const hw = f.local('i32', 'hw');
    const ckk = f.local('i32', 'ckk');
    const ld = f.local('i32', 'ld');
    const o = f.local('i32', 'o');
    return [
      set(hw, mul(load(prm, 'ho'), load(prm, 'wo'))),
      set(ckk, mul(load(prm, 'c'), mul(load(prm, 'kh'), load(prm, 'kw')))),
      set(o, load(prm, 'o')),
      set(ld, mul(nb, hw)),
      call(toCn, dy, dyT, o, hw, ld, n0, n1),
      call(g, w, dyT, dcol, ckk, ld, o, ckk, ld, ld, c(TRANS_A), c(0), ckk, mul(n0, hw), mul(n1, hw), c(0), c(1), c(0), c(0), c(0), scratch),
      call(c2i, prm, dcol, ld, dx, n0, n1),
    ];
  });
  // Weight gradient: dW[o, ckk] (+)= dyT[o, nb·hw]·colᵀ. One thread: the block i0..i1 × r0..r1 of dW;
  // with flag 8 it first fills its own rows r0..r1 of col (the rows its columns of dW read).
  mb.func('conv_gw', [['prm', 'i32'], ['x', 'i32'], ['dyT', 'i32'], ['col', 'i32'], ['dw', 'i32'], ['i0', 'i32'], ['i1', 'i32'], ['r0', 'i32'], ['r1', 'i32'], ['nb', 'i32'], ['flags', 'i32'], ['scratch', 'i32']], null, (f) => {
    const { prm, x, dyT, col, dw, i0, i1, r0, r1, nb, flags, scratch } = f.p;
    const hw = f.local('i32', 'hw');
    const ckk = f.local('i32', 'ckk');
    const ld = f.local('i32', 'ld');
    const o = f.local('i32', 'o');
    return [
      set(hw, mul(load(prm, 'ho'), load(prm, 'wo'))),
      set(ckk, mul(load(prm, 'c'), mul(load(prm, 'kh'), load(prm, 'kw')))),
      set(o, load(prm, 'o')),
      set(ld, mul(nb, hw)),
      if_(i32.and(flags, c(8)), call(i2c, prm, x, col, ld, r0, r1, c(0), nb)),
      call(g, dyT, col, dw, o, ckk, ld, ld, ld, ckk, i32.or(c(TRANS_B), i32.and(flags, c(BETA_ONE))), i0, i1, r0, r1, c(0), c(1), c(0), c(0), c(0), scratch),
    ];
  });
}

/** Builds the kernel module's bytes. */
export function buildKernelModule(opts: KernelOptions): Uint8Array<ArrayBuffer> {
  const mb = new ModuleBuilder({ initialPages: opts.initialPages, maximumPages: opts.maximumPages, shared: opts.shared });
  const kernel = microKernel(mb, opts.relaxed);
  const pb = packB(mb);
  const pa = packA(mb);
  const g = gemm(mb, kernel, pa, pb);
  const i2c = im2col(mb);
  const c2i = col2im(mb);
  const { toCn, toNc } = layoutShuffles(mb);
  convKernels(mb, g, i2c, c2i, toCn, toNc);
  unaryKernel(mb);
  binaryKernels(mb);
  whereKernel(mb);
  adamKernel(mb);
  reduceSumKernel(mb);
  gatherKernel(mb);
  return mb.bytes();
}
