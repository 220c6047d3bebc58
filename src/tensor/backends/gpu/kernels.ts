/**
 * The gpu backend's kernels, as GPU.js kernel sources generated per shape.
 *
 * GPU.js reads a kernel's JavaScript source and translates it to GLSL
 * (webgl2, webgl, headlessgl), WGSL (webgpu), WebAssembly (webasm) or plain
 * JavaScript (cpu). So each kernel here is a *source text*: one function,
 * using only what that translator understands (`this.thread.x`, numbers,
 * `for` with constant bounds, `if`, `Math.*`), with every shape baked in as a
 * number literal. Baking the shapes in is what makes loops have constant
 * bounds (WebGL 1 needs them) and lets the shader compiler fold the index
 * arithmetic; each distinct shape is one compiled kernel, cached (runner.ts).
 * Values that change between calls (Adam's step size, a fill value) are
 * kernel arguments instead, so they never cause a recompile.
 *
 * Every kernel writes one flat output: thread x = output element x. Inputs
 * are read as flat arrays `a[i]`: on the GL modes GPU.js reads the texture's
 * texel i/4, channel i%4 (our storage layout, see storage.ts), on WebGPU a
 * storage buffer, on cpu/webasm a Float32Array.
 *
 * Integer division in a shader is float division, exact only to a few ulps:
 * `Math.floor(r / d)` can land one below for r = q·d. Every division here
 * divides `r + 0.5`, at least 0.5/d away from an integer, which floors right
 * for every r below 2^22 (tensors are capped at 2^24 elements, runner.ts).
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '../../backend.js';
import { stridesOf } from '../../shape.js';

/** A number as a float literal every translator accepts (GLSL needs the decimal point). */
export function lit(v: number): string {
  if (Number.isNaN(v)) return '(0.0 / 0.0)';
  if (v === Infinity) return '(1.0 / 0.0)';
  if (v === -Infinity) return '(-1.0 / 0.0)';
  const s = String(v);
  return /[.e]/.test(s) ? (s.includes('e') && !s.includes('.') ? s.replace('e', '.0e') : s) : `${s}.0`;
}

/** `Math.floor((expr + 0.5) / d)`: the exact integer quotient (see the note above). */
const idiv = (expr: string, d: number): string => (d === 1 ? `(${expr})` : `Math.floor((${expr} + 0.5) / ${lit(d)})`);

/**
 * Statements that split the output index `i` into coordinates c0…c(r−1) of
 * `shape` (declared `let cK`), skipping dimensions of size 1 (their coordinate is 0).
 */
function coords(shape: readonly number[]): string {
  const strides = stridesOf(shape);
  const lines = ['let rem = i;'];
  shape.forEach((d, k) => {
    if (d === 1) lines.push(`let c${k} = 0.0;`);
    else if (k === shape.length - 1) lines.push(`let c${k} = rem;`);
    else lines.push(`let c${k} = ${idiv('rem', strides[k])};`, `rem = rem - c${k} * ${lit(strides[k])};`);
  });
  return lines.join('\n  ');
}

/** Σ cK·strides[K] as an expression (skipping zero strides). */
function offsetExpr(strides: readonly number[], base = 0): string {
  const terms = strides.map((s, k) => (s === 0 ? '' : s === 1 ? `c${k}` : `c${k} * ${lit(s)}`)).filter(Boolean);
  if (base) terms.unshift(lit(base));
  return terms.length ? terms.join(' + ') : '0.0';
}

const fn = (params: string[], body: string): string => `function (${params.join(', ')}) {\n  const i = this.thread.x;\n  ${body}\n}`;

// ---- elementwise --------------------------------------------------------------

/** The expression of a unary op on `v` (p0, p1 are kernel arguments). Stable forms as the js reference. */
export function unaryExpr(op: UnaryOp): string {
  switch (op) {
    case 'neg': return '-v';
    case 'exp': return 'Math.exp(v)';
    case 'log': return 'Math.log(v)';
    case 'sqrt': return 'Math.sqrt(v)';
    case 'abs': return 'Math.abs(v)';
    case 'relu': return '(v > 0.0 ? v : 0.0)';
    case 'leakyRelu': return '(v > 0.0 ? v : p0 * v)';
    // Never exp of a large positive number: σ(v) = 1/(1 + e^−v) for v ≥ 0, e^v/(1 + e^v) below.
    case 'sigmoid': return '(v >= 0.0 ? 1.0 / (1.0 + Math.exp(-v)) : Math.exp(v) / (1.0 + Math.exp(v)))';
    // tanh through e^(−2|v|) (≤ 1, no overflow), sign restored.
    case 'tanh': return '(v >= 0.0 ? (1.0 - Math.exp(-2.0 * v)) / (1.0 + Math.exp(-2.0 * v)) : (Math.exp(2.0 * v) - 1.0) / (Math.exp(2.0 * v) + 1.0))';
    // log(1 + e^v) = max(v, 0) + log(1 + e^−|v|).
    case 'softplus': return '(Math.max(v, 0.0) + Math.log(1.0 + Math.exp(-Math.abs(v))))';
    case 'sign': return '(v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : v))';
    case 'square': return '(v * v)';
    // x·Φ(x) with Φ from erfc(z), z = |x|/√2: erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), P a degree-10
    // polynomial in s = t − 7/12, least-squares fitted (by us, against 40-digit mpmath) to
    // log(erfc(z)/t) + z² on 0 ≤ z ≤ 10: relative error 2e-8, below float32's. Φ = 1 − ½erfc for x ≥ 0,
    // ½erfc below (the lower tail without cancellation).
    case 'gelu': {
      const z = '(Math.abs(v) * 0.7071067811865476)';
      const t = `(1.0 / (1.0 + 0.5 * ${z}))`;
      const s = `(${t} - 0.5833333333333334)`;
      const P = [-0.55859536, 1.3687371, 0.09069253, -0.40740236, -0.03473327, 0.29531435, -0.05198104, -0.24592092, 0.13773364, 0.14730105, -0.13237325];
      const poly = P.slice(0, -1).reduceRight((acc, c) => `(${acc} * ${s} + ${c.toFixed(8)})`, P[P.length - 1].toFixed(8));
      const erfc = `(${t} * Math.exp(${poly} - ${z} * ${z}))`;
      return `(v >= 0.0 ? v * (1.0 - 0.5 * ${erfc}) : 0.5 * v * ${erfc})`;
    }
    // JavaScript's pow: a negative base works for whole exponents (sign by parity), is NaN otherwise.
    case 'pow': return '(v < 0.0 ? (p0 == Math.floor(p0) ? (Math.floor(p0 * 0.5) * 2.0 == p0 ? 1.0 : -1.0) * Math.pow(-v, p0) : Math.sqrt(v)) : Math.pow(v, p0))'; // sqrt(v < 0): NaN, computed at run time (a constant 0/0 does not compile in WGSL)
    case 'clamp': return '(v < p0 ? p0 : (v > p1 ? p1 : v))';
  }
}

export function unarySource(op: UnaryOp): string {
  return fn(['x', 'p0', 'p1'], `const v = x[i];\n  return ${unaryExpr(op)};`);
}

/** The expression of a binary op on `u` and `w`. */
export function binaryExpr(op: BinaryOp): string {
  switch (op) {
    case 'add': return 'u + w';
    case 'sub': return 'u - w';
    case 'mul': return 'u * w';
    case 'div': return 'u / w';
    case 'maximum': return '(u > w ? u : w)';
    case 'minimum': return '(u < w ? u : w)';
    case 'gt': return '(u > w ? 1.0 : 0.0)';
    case 'ge': return '(u >= w ? 1.0 : 0.0)';
    case 'lt': return '(u < w ? 1.0 : 0.0)';
    case 'le': return '(u <= w ? 1.0 : 0.0)';
    case 'eq': return '(u == w ? 1.0 : 0.0)';
  }
}

/** Reads of broadcast operands: contiguous (i), a single value (0), or through strides. */
function operandIndex(strides: readonly number[], shape: readonly number[]): 'i' | '0' | null {
  if (strides.every((s) => s === 0)) return '0';
  const contiguous = stridesOf(shape);
  if (strides.every((s, k) => s === contiguous[k] || shape[k] === 1)) return 'i';
  return null;
}

/** Index expressions for operands read through broadcast strides, and the coordinate code they need. */
function broadcastReads(shape: readonly number[], strides: ReadonlyArray<readonly number[]>): { pre: string; idx: string[] } {
  const fast = strides.map((s) => operandIndex(s, shape));
  if (fast.every((f) => f !== null)) return { pre: '', idx: fast as string[] };
  return { pre: coords(shape), idx: strides.map((s, k) => fast[k] ?? offsetExpr(s)) };
}

export function binarySource(op: BinaryOp, as: readonly number[], bs: readonly number[], shape: readonly number[]): string {
  const { pre, idx } = broadcastReads(shape, [as, bs]);
  return fn(['a', 'b'], `${pre}\n  const u = a[${idx[0]}];\n  const w = b[${idx[1]}];\n  return ${binaryExpr(op)};`);
}

export function whereSource(cs: readonly number[], as: readonly number[], bs: readonly number[], shape: readonly number[]): string {
  const { pre, idx } = broadcastReads(shape, [cs, as, bs]);
  return fn(['c', 'a', 'b'], `${pre}\n  return c[${idx[0]}] != 0.0 ? a[${idx[1]}] : b[${idx[2]}];`);
}

// ---- reductions -----------------------------------------------------------------

/**
 * out[o, ii] = op over j < r of x[(o·r + j)·inner + ii]. With `chunked`, the
 * first pass of a two-pass reduction: thread (o·chunks + c, ii) reduces the
 * c-th run of `chunk` values of row o (the last run may be shorter).
 */
export function reduceSource(op: ReduceOp, r: number, inner: number, chunked?: { chunk: number; chunks: number }): string {
  const combine = op === 'sum' ? 'acc = acc + v;' : op === 'max' ? 'if (v > acc || v != v) { acc = v; }' : 'if (v < acc || v != v) { acc = v; }';
  const head = [`const o = ${idiv('i', inner)};`, `const ii = i - o * ${lit(inner)};`];
  let len = r;
  if (chunked) {
    const { chunk, chunks } = chunked;
    head.push(`const oo = ${idiv('o', chunks)};`, `const ch = o - oo * ${lit(chunks)};`,
      `const base = oo * ${lit(r * inner)} + ch * ${lit(chunk * inner)} + ii;`, `const valid = ${lit(r)} - ch * ${lit(chunk)};`);
    len = chunk;
  } else head.push(`const base = o * ${lit(r * inner)} + ii;`);
  const loop = `for (let j = 1; j < ${len}; j++) {\n    ${chunked ? 'if (j < valid) {' : '{'}\n      const v = x[base + j * ${lit(inner)}];\n      ${combine}\n    }\n  }`;
  return fn(['x'], `${head.join('\n  ')}\n  let acc = x[base];\n  ${loop}\n  return acc;`);
}

/** Index (as a float) of the first maximum over the middle axis of [outer, r, inner]. */
export function argmaxSource(r: number, inner: number): string {
  return fn(['x'], `const o = ${idiv('i', inner)};\n  const ii = i - o * ${lit(inner)};\n  const base = o * ${lit(r * inner)} + ii;\n  let best = 0.0;\n  let bv = x[base];\n  for (let j = 1; j < ${r}; j++) {\n    const v = x[base + j * ${lit(inner)}];\n    if (v > bv) { bv = v; best = j; }\n  }\n  return best;`);
}

// ---- matmul ----------------------------------------------------------------------

export interface MatmulShape {
  batch: number; m: number; n: number; k: number;
  transA: boolean; transB: boolean; strideA: number; strideB: number;
}

/** out[b, i, j] = Σ_q A[b, i, q]·B[b, q, j], the operands read in place through their layouts (transposes, batch strides). */
export function matmulSource(p: MatmulShape): string {
  const { m, n, k, transA, transB, strideA, strideB } = p;
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  return fn(['a', 'b'], [
    `const bi = ${idiv('i', m * n)};`,
    `const r = i - bi * ${lit(m * n)};`,
    `const row = ${idiv('r', n)};`,
    `const col = r - row * ${lit(n)};`,
    `const ao = bi * ${lit(strideA)} + row * ${lit(aRow)};`,
    `const bo = bi * ${lit(strideB)} + col * ${lit(bCol)};`,
    'let s = 0.0;',
    `for (let q = 0; q < ${k}; q++) {`,
    `    s = s + a[ao + q * ${lit(aCol)}] * b[bo + q * ${lit(bRow)}];`,
    '  }',
    'return s;',
  ].join('\n  '));
}

// ---- convolution -------------------------------------------------------------------

/** The Conv2dParams a kernel bakes in. */
export interface ConvShape {
  n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; ho: number; wo: number;
  strideH: number; strideW: number; padH: number; padW: number; dilationH: number; dilationW: number;
}

/**
 * y[n, oc, oy, ox] = Σ_{ci,ki,kj} x[n, ci, iy, ix]·w[oc, ci, ki, kj],
 * iy = oy·strideH − padH + ki·dilationH (likewise ix); taps outside the image are 0.
 */
export function conv2dSource(p: ConvShape): string {
  const { c, h, w, o, kh, kw, ho, wo } = p;
  return fn(['x', 'wt'], [
    `const ni = ${idiv('i', o * ho * wo)};`,
    `let r = i - ni * ${lit(o * ho * wo)};`,
    `const oc = ${idiv('r', ho * wo)};`,
    `r = r - oc * ${lit(ho * wo)};`,
    `const oy = ${idiv('r', wo)};`,
    `const ox = r - oy * ${lit(wo)};`,
    'let s = 0.0;',
    `for (let ci = 0; ci < ${c}; ci++) {`,
    `    for (let ki = 0; ki < ${kh}; ki++) {`,
    `      const iy = oy * ${lit(p.strideH)} - ${lit(p.padH)} + ki * ${lit(p.dilationH)};`,
    `      if (iy >= 0.0 && iy < ${lit(h)}) {`,
    `        for (let kj = 0; kj < ${kw}; kj++) {`,
    `          const ix = ox * ${lit(p.strideW)} - ${lit(p.padW)} + kj * ${lit(p.dilationW)};`,
    `          if (ix >= 0.0 && ix < ${lit(w)}) {`,
    `            s = s + x[((ni * ${lit(c)} + ci) * ${lit(h)} + iy) * ${lit(w)} + ix] * wt[((oc * ${lit(c)} + ci) * ${lit(kh)} + ki) * ${lit(kw)} + kj];`,
    '          }',
    '        }',
    '      }',
    '    }',
    '  }',
    'return s;',
  ].join('\n  '));
}

/**
 * dx[n, ci, iy, ix] = Σ_{ki,kj} Σ_oc dy[n, oc, oy, ox]·w[oc, ci, ki, kj] over the
 * taps whose output pixel exists: oy = (iy + padH − ki·dilationH)/strideH a
 * whole number in [0, ho) (likewise ox). Also convTranspose2d's forward.
 */
export function conv2dGradInputSource(p: ConvShape): string {
  const { c, h, w, o, kh, kw, ho, wo } = p;
  return fn(['dy', 'wt'], [
    `const ni = ${idiv('i', c * h * w)};`,
    `let r = i - ni * ${lit(c * h * w)};`,
    `const ci = ${idiv('r', h * w)};`,
    `r = r - ci * ${lit(h * w)};`,
    `const iy = ${idiv('r', w)};`,
    `const ix = r - iy * ${lit(w)};`,
    'let s = 0.0;',
    `for (let ki = 0; ki < ${kh}; ki++) {`,
    `    const ty = iy + ${lit(p.padH)} - ki * ${lit(p.dilationH)};`,
    `    const oy = ${idiv('ty', p.strideH)};`,
    `    if (ty >= 0.0 && oy * ${lit(p.strideH)} == ty && oy < ${lit(ho)}) {`,
    `      for (let kj = 0; kj < ${kw}; kj++) {`,
    `        const tx = ix + ${lit(p.padW)} - kj * ${lit(p.dilationW)};`,
    `        const ox = ${idiv('tx', p.strideW)};`,
    `        if (tx >= 0.0 && ox * ${lit(p.strideW)} == tx && ox < ${lit(wo)}) {`,
    `          for (let oc = 0; oc < ${o}; oc++) {`,
    `            s = s + dy[((ni * ${lit(o)} + oc) * ${lit(ho)} + oy) * ${lit(wo)} + ox] * wt[((oc * ${lit(c)} + ci) * ${lit(kh)} + ki) * ${lit(kw)} + kj];`,
    '          }',
    '        }',
    '      }',
    '    }',
    '  }',
    'return s;',
  ].join('\n  '));
}

/** dw[oc, ci, ki, kj] = Σ_{n, oy, ox} dy[n, oc, oy, ox]·x[n, ci, iy, ix]. */
export function conv2dGradWeightSource(p: ConvShape): string {
  const { n, c, h, w, o, kh, kw, ho, wo } = p;
  return fn(['x', 'dy'], [
    `const oc = ${idiv('i', c * kh * kw)};`,
    `let r = i - oc * ${lit(c * kh * kw)};`,
    `const ci = ${idiv('r', kh * kw)};`,
    `r = r - ci * ${lit(kh * kw)};`,
    `const ki = ${idiv('r', kw)};`,
    `const kj = r - ki * ${lit(kw)};`,
    'let s = 0.0;',
    `for (let ni = 0; ni < ${n}; ni++) {`,
    `    for (let oy = 0; oy < ${ho}; oy++) {`,
    `      const iy = oy * ${lit(p.strideH)} - ${lit(p.padH)} + ki * ${lit(p.dilationH)};`,
    `      if (iy >= 0.0 && iy < ${lit(h)}) {`,
    `        for (let ox = 0; ox < ${wo}; ox++) {`,
    `          const ix = ox * ${lit(p.strideW)} - ${lit(p.padW)} + kj * ${lit(p.dilationW)};`,
    `          if (ix >= 0.0 && ix < ${lit(w)}) {`,
    `            s = s + dy[((ni * ${lit(o)} + oc) * ${lit(ho)} + oy) * ${lit(wo)} + ox] * x[((ni * ${lit(c)} + ci) * ${lit(h)} + iy) * ${lit(w)} + ix];`,
    '          }',
    '        }',
    '      }',
    '    }',
    '  }',
    'return s;',
  ].join('\n  '));
}

/**
 * im2col: col[(ci, ki, kj), (n, oy, ox)] = x[n, ci, iy, ix] (0 outside the
 * image): a convolution becomes one matmul, W [o, c·kh·kw] · col.
 */
export function im2colSource(p: ConvShape): string {
  const { n, c, h, w, kh, kw, ho, wo } = p;
  const N = n * ho * wo;
  return fn(['x'], [
    `const r = ${idiv('i', N)};`,
    `const col = i - r * ${lit(N)};`,
    `const ci = ${idiv('r', kh * kw)};`,
    `let t = r - ci * ${lit(kh * kw)};`,
    `const ki = ${idiv('t', kw)};`,
    `const kj = t - ki * ${lit(kw)};`,
    `const ni = ${idiv('col', ho * wo)};`,
    `let u = col - ni * ${lit(ho * wo)};`,
    `const oy = ${idiv('u', wo)};`,
    `const ox = u - oy * ${lit(wo)};`,
    `const iy = oy * ${lit(p.strideH)} - ${lit(p.padH)} + ki * ${lit(p.dilationH)};`,
    `const ix = ox * ${lit(p.strideW)} - ${lit(p.padW)} + kj * ${lit(p.dilationW)};`,
    `if (iy >= 0.0 && iy < ${lit(h)} && ix >= 0.0 && ix < ${lit(w)}) {`,
    `    return x[((ni * ${lit(c)} + ci) * ${lit(h)} + iy) * ${lit(w)} + ix];`,
    '  }',
    'return 0.0;',
  ].join('\n  '));
}

/** col2im, the adjoint of im2col as a gather: dx[n, ci, iy, ix] = Σ over taps that read it of dcol. */
export function col2imSource(p: ConvShape): string {
  const { n, c, h, w, kh, kw, ho, wo } = p;
  const N = n * ho * wo;
  return fn(['dcol'], [
    `const ni = ${idiv('i', c * h * w)};`,
    `let r = i - ni * ${lit(c * h * w)};`,
    `const ci = ${idiv('r', h * w)};`,
    `r = r - ci * ${lit(h * w)};`,
    `const iy = ${idiv('r', w)};`,
    `const ix = r - iy * ${lit(w)};`,
    'let s = 0.0;',
    `for (let ki = 0; ki < ${kh}; ki++) {`,
    `    const ty = iy + ${lit(p.padH)} - ki * ${lit(p.dilationH)};`,
    `    const oy = ${idiv('ty', p.strideH)};`,
    `    if (ty >= 0.0 && oy * ${lit(p.strideH)} == ty && oy < ${lit(ho)}) {`,
    `      for (let kj = 0; kj < ${kw}; kj++) {`,
    `        const tx = ix + ${lit(p.padW)} - kj * ${lit(p.dilationW)};`,
    `        const ox = ${idiv('tx', p.strideW)};`,
    `        if (tx >= 0.0 && ox * ${lit(p.strideW)} == tx && ox < ${lit(wo)}) {`,
    `          s = s + dcol[((ci * ${lit(kh)} + ki) * ${lit(kw)} + kj) * ${lit(N)} + (ni * ${lit(ho)} + oy) * ${lit(wo)} + ox];`,
    '        }',
    '      }',
    '    }',
    '  }',
    'return s;',
  ].join('\n  '));
}

// ---- pooling ------------------------------------------------------------------------

export interface PoolShape {
  n: number; c: number; h: number; w: number; kh: number; kw: number; ho: number; wo: number;
  strideH: number; strideW: number; padH: number; padW: number;
}

/** The window of output pixel (plane, oy, ox): loops over its taps inside the image. */
function poolHead(p: PoolShape): string {
  return [
    `const plane = ${idiv('i', p.ho * p.wo)};`,
    `const r = i - plane * ${lit(p.ho * p.wo)};`,
    `const oy = ${idiv('r', p.wo)};`,
    `const ox = r - oy * ${lit(p.wo)};`,
    `const base = plane * ${lit(p.h * p.w)};`,
  ].join('\n  ');
}

/**
 * Max pooling: the value (`index` false) or the flat input index of the
 * window's first maximum (`index` true; −1 for an all-padding window), the
 * same winner as the js reference.
 */
export function maxPoolSource(p: PoolShape, index: boolean): string {
  return fn(['x'], [
    poolHead(p),
    'let best = 0.0;', // the first tap in the image always wins (at < 0)
    'let at = -1.0;',
    `for (let ki = 0; ki < ${p.kh}; ki++) {`,
    `    const iy = oy * ${lit(p.strideH)} - ${lit(p.padH)} + ki;`,
    `    if (iy >= 0.0 && iy < ${lit(p.h)}) {`,
    `      for (let kj = 0; kj < ${p.kw}; kj++) {`,
    `        const ix = ox * ${lit(p.strideW)} - ${lit(p.padW)} + kj;`,
    `        if (ix >= 0.0 && ix < ${lit(p.w)}) {`,
    `          const v = x[base + iy * ${lit(p.w)} + ix];`,
    '          if (v > best || at < 0.0) { best = v; at = base + iy * ' + lit(p.w) + ' + ix; }',
    '        }',
    '      }',
    '    }',
    '  }',
    `return ${index ? 'at' : 'best'};`,
  ].join('\n  '));
}

/**
 * The adjoint of max pooling as a gather: dx[p] = Σ dy over the windows that
 * contain input pixel p and whose winner is p.
 */
export function maxPoolGradSource(p: PoolShape): string {
  return windowsOfInput(p, ['dy', 'am'], 'if (am[o] == i) { s = s + dy[o]; }');
}

export function avgPoolSource(p: PoolShape): string {
  return fn(['x'], [
    poolHead(p),
    'let s = 0.0;',
    `for (let ki = 0; ki < ${p.kh}; ki++) {`,
    `    const iy = oy * ${lit(p.strideH)} - ${lit(p.padH)} + ki;`,
    `    if (iy >= 0.0 && iy < ${lit(p.h)}) {`,
    `      for (let kj = 0; kj < ${p.kw}; kj++) {`,
    `        const ix = ox * ${lit(p.strideW)} - ${lit(p.padW)} + kj;`,
    `        if (ix >= 0.0 && ix < ${lit(p.w)}) { s = s + x[base + iy * ${lit(p.w)} + ix]; }`,
    '      }',
    '    }',
    '  }',
    `return s * ${lit(1 / (p.kh * p.kw))};`,
  ].join('\n  '));
}

/** dx[p] = Σ over windows containing p of dy/(kh·kw) (padding counted in the divisor, as the forward). */
export function avgPoolGradSource(p: PoolShape): string {
  return windowsOfInput(p, ['dy'], `s = s + dy[o] * ${lit(1 / (p.kh * p.kw))};`);
}

/**
 * A kernel over input pixels (plane, iy, ix) that visits every output window
 * containing it — oy with oy·strideH − padH ≤ iy < oy·strideH − padH + kh —
 * running `body` with `o` = that window's flat output index.
 */
function windowsOfInput(p: PoolShape, params: string[], body: string): string {
  // At most ⌈kh/strideH⌉ windows cover a row: loop that many candidates from the last one that starts at or before iy.
  const cy = Math.ceil(p.kh / p.strideH);
  const cx = Math.ceil(p.kw / p.strideW);
  return fn(params, [
    `const plane = ${idiv('i', p.h * p.w)};`,
    `const r = i - plane * ${lit(p.h * p.w)};`,
    `const iy = ${idiv('r', p.w)};`,
    `const ix = r - iy * ${lit(p.w)};`,
    `const oyHi = ${idiv(`iy + ${lit(p.padH)}`, p.strideH)};`,
    `const oxHi = ${idiv(`ix + ${lit(p.padW)}`, p.strideW)};`,
    'let s = 0.0;',
    `for (let dyi = 0; dyi < ${cy}; dyi++) {`,
    '    const oy = oyHi - dyi;',
    `    if (oy >= 0.0 && oy < ${lit(p.ho)} && iy < oy * ${lit(p.strideH)} - ${lit(p.padH)} + ${lit(p.kh)}) {`,
    `      for (let dxi = 0; dxi < ${cx}; dxi++) {`,
    '        const ox = oxHi - dxi;',
    `        if (ox >= 0.0 && ox < ${lit(p.wo)} && ix < ox * ${lit(p.strideW)} - ${lit(p.padW)} + ${lit(p.kw)}) {`,
    `          const o = (plane * ${lit(p.ho)} + oy) * ${lit(p.wo)} + ox;`,
    `          ${body}`,
    '        }',
    '      }',
    '    }',
    '  }',
    'return s;',
  ].join('\n  '));
}

// ---- movement ---------------------------------------------------------------------

export interface GatherShape {
  shape: readonly number[]; strides: readonly number[]; offset: number;
  pad?: { before: readonly number[]; extent: readonly number[]; value: number };
}

/** out[c] = x[offset + Σ (c_d − before_d)·strides_d] when every source coordinate is in range, else the pad value. */
export function gatherSource(g: GatherShape): string {
  const { shape, strides, offset, pad } = g;
  if (shape.length === 0) return fn(['x', 'fill'], `return x[${lit(offset)}];`);
  if (!pad) return fn(['x', 'fill'], `${coords(shape)}\n  return x[${offsetExpr(strides, offset)}];`);
  const checks: string[] = [];
  let base = offset;
  shape.forEach((_, k) => {
    base -= pad.before[k] * strides[k];
    if (pad.before[k] > 0 || pad.extent[k] + pad.before[k] < shape[k]) {
      checks.push(`c${k} >= ${lit(pad.before[k])} && c${k} < ${lit(pad.before[k] + pad.extent[k])}`);
    }
  });
  const inside = checks.length ? checks.join(' && ') : 'true';
  // The read is guarded: its index may be out of range where the pad value is used.
  return fn(['x', 'fill'], `${coords(shape)}\n  if (${inside}) {\n    return x[${offsetExpr(strides, base)}];\n  }\n  return fill;`);
}

/** Each input viewed [outer, widths[k]], joined along the second axis. */
export function concatSource(widths: readonly number[]): string {
  const total = widths.reduce((s, w) => s + w, 0);
  const params = widths.map((_, k) => `x${k}`);
  const lines = [`const o = ${idiv('i', total)};`, `const col = i - o * ${lit(total)};`];
  let start = 0;
  widths.forEach((w, k) => {
    const last = k === widths.length - 1;
    const cond = last ? '' : `if (col < ${lit(start + w)}) `;
    lines.push(`${cond}{ return x${k}[o * ${lit(w)} + col - ${lit(start)}]; }`);
    start += w;
  });
  return fn(params, lines.join('\n  '));
}

/** x [outer, n, inner] → [outer, m, inner] with rows idx[j]; `idx` holds the m indices as floats. */
export function indexSelectSource(m: number, n: number, inner: number): string {
  return fn(['x', 'idx'], [
    `const o = ${idiv('i', m * inner)};`,
    `let r = i - o * ${lit(m * inner)};`,
    `const j = ${idiv('r', inner)};`,
    `const ii = r - j * ${lit(inner)};`,
    `return x[(o * ${lit(n)} + idx[j]) * ${lit(inner)} + ii];`,
  ].join('\n  '));
}

/** The adjoint of indexSelect as a gather: out[o, row, ii] = Σ_{j: idx[j] = row} g[o, j, ii]. */
export function indexAddSource(m: number, n: number, inner: number): string {
  return fn(['g', 'idx'], [
    `const o = ${idiv('i', n * inner)};`,
    `let r = i - o * ${lit(n * inner)};`,
    `const row = ${idiv('r', inner)};`,
    `const ii = r - row * ${lit(inner)};`,
    'let s = 0.0;',
    `for (let j = 0; j < ${m}; j++) {`,
    `    if (idx[j] == row) { s = s + g[(o * ${lit(m)} + j) * ${lit(inner)} + ii]; }`,
    '  }',
    'return s;',
  ].join('\n  '));
}

// ---- memory and optimizers ----------------------------------------------------------

/** A copy of x (also the upload kernel: x is then a host array). */
export const COPY_SOURCE = fn(['x'], 'return x[i];');
/** `length` copies of a value (an argument, so one compiled kernel serves every value). */
export const FILL_SOURCE = fn(['value'], 'return value;');

/**
 * Adam's three updates (see nn/optim/adam.ts); each is one kernel, because a
 * GPU.js kernel writes one output. `h` = [lr, β₁, β₂, ε, weightDecay, stepSize,
 * √(1 − β₂ᵗ), decay] as arguments, so a new step never recompiles.
 *   m ← β₁m + (1 − β₁)g̃     v ← β₂v + (1 − β₂)g̃²     g̃ = g + λp (Adam) or g (AdamW)
 *   p ← p·decay − stepSize·m / (√v̂ / √(1 − β₂ᵗ) + ε)
 */
export const ADAM_M_SOURCE = fn(['p', 'g', 'm', 'b1', 'l2'], 'const gi = g[i] + l2 * p[i];\n  return b1 * m[i] + (1.0 - b1) * gi;');
export const ADAM_V_SOURCE = fn(['p', 'g', 'v', 'b2', 'l2'], 'const gi = g[i] + l2 * p[i];\n  return b2 * v[i] + (1.0 - b2) * gi * gi;');
export const MAXIMUM_SOURCE = fn(['a', 'b'], 'return a[i] > b[i] ? a[i] : b[i];');
export const ADAM_P_SOURCE = fn(['p', 'm', 'vhat', 'stepSize', 'bc2', 'eps', 'decay'], 'return p[i] * decay - (stepSize * m[i]) / (Math.sqrt(vhat[i]) / bc2 + eps);');
/** SGD: buf ← g̃ (first step) or μ·buf + (1 − τ)g̃; p ← p − lr·(g̃ + μ·buf if Nesterov, else buf). */
export const SGD_BUF_SOURCE = fn(['p', 'g', 'buf', 'wd', 'mom', 'damp', 'first'], 'const d = g[i] + wd * p[i];\n  return first > 0.5 ? d : mom * buf[i] + (1.0 - damp) * d;');
export const SGD_P_SOURCE = fn(['p', 'g', 'buf', 'lr', 'wd', 'mom', 'mode'], 'const d = g[i] + wd * p[i];\n  const step = mode > 1.5 ? d + mom * buf[i] : (mode > 0.5 ? buf[i] : d);\n  return p[i] - lr * step;');
