/**
 * Texel-wise kernels in hand-written GLSL (webgl2, webgl, headlessgl): the
 * elementwise ops whose operands are all read at the output's own index (or
 * a single value), and the optimizers' updates.
 *
 * Why: GPU.js's generated code reads `x[i]` by turning the flat index into a
 * texel and a channel with an integer division and modulo (emulated, slow,
 * on SwiftShader) and fetches a whole texel for each scalar. Our storage keeps
 * 4 consecutive values per texel (native.ts), so output texel t of an
 * elementwise op needs exactly texel t of each operand: one fetch per operand
 * per 4 values, float addressing, no division. Measured on SwiftShader: Adam's
 * three updates over a CVAE's 1.3 M parameters were 1.5 s of a 2 s step.
 *
 * The arithmetic stays scalar where it has branches (each of the four values
 * goes through the same expression as the portable kernel, translated from
 * kernels.ts's JavaScript), so results match the portable kernels bit for bit
 * where GLSL's functions do. Lanes past the tensor's length (the last texel's
 * padding) compute garbage that no reader looks at.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import { isTexture, readers, type GLTextureLike } from './native.js';
import { binaryExpr, unaryExpr } from './kernels.js';
import type { NativeFunction } from './runner.js';

/** A native kernel: GPU.js source, its threads (texels), the GLSL, and how to rewrap the result. */
export interface TexelKernel {
  source: string;
  threads: number;
  functions: NativeFunction[];
}

/** A GLSL float literal. */
const lit = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

/** JavaScript math of kernels.ts as GLSL (the expressions use only these names, numbers with a point, ?: and operators). */
function toGlsl(js: string): string {
  return js.replace(/Math\.(exp|log|sqrt|abs|max|min|floor|pow)\(/g, '$1(');
}

/**
 * The kernel computing, for every texel t, `body` (GLSL statements ending in
 * `return <vec4>;`) over vec4 locals named like `textures` (texel t of each;
 * a one-value operand given as `scalars` is broadcast) and float `params`.
 * Null when an operand is not a GL texture.
 */
function texelKernel(
  name: string, length: number, glsl3: boolean,
  operands: Record<string, unknown>, scalars: readonly string[], params: readonly string[], helpers: string, body: string,
  customLoads: Record<string, string> = {},
): TexelKernel | null {
  const names = Object.keys(operands);
  if (!names.every((k) => isTexture(operands[k]))) return null;
  const fnName = `genzoo_${name}`;
  const loads = names.map((k) => customLoads[k] ?? (scalars.includes(k) ? `vec4 ${k} = vec4(${k}Texel(0.0).x);` : `vec4 ${k} = ${k}Texel(tf);`));
  const readerSrc = names.map((k) => {
    const t = operands[k] as GLTextureLike;
    return readers(glsl3, k, t.size[0], t.size[1]);
  });
  const sig = ['int t', ...params.map((p) => `float ${p}`)].join(', ');
  return {
    source: `function (${[...names, ...params].join(', ')}) { return ${fnName}(${['this.thread.x', ...params].join(', ')}); }`,
    threads: Math.ceil(length / 4),
    functions: [{
      name: fnName, returnType: 'Array(4)',
      // The prototype first: GPU.js reads the argument list of the first function in a native source.
      source: `vec4 ${fnName}(${sig});\n${readerSrc.join('\n')}\n${helpers}\nvec4 ${fnName}(${sig}) {\n  float tf = float(t);\n  ${loads.join('\n  ')}\n  ${body}\n}`,
    }],
  };
}

/** `f` applied to each lane of the vec4s `lanes`, with the floats `extra` as further arguments. */
const each = (f: string, lanes: string[], extra: string[] = []): string =>
  `vec4(${['x', 'y', 'z', 'w'].map((c) => `${f}(${[...lanes.map((a) => `${a}.${c}`), ...extra].join(', ')})`).join(', ')})`;

/** Unary ops whose GLSL is exactly the portable kernel's expression (gelu and pow keep GPU.js's kernel: long expressions, rare). */
const TEXEL_UNARY: ReadonlySet<UnaryOp> = new Set(['neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softplus', 'sign', 'square', 'clamp']);

/** An elementwise unary op, texel by texel; null where this op or operand has no texel kernel. */
export function unaryTexels(op: UnaryOp, x: unknown, length: number, glsl3: boolean): TexelKernel | null {
  if (!TEXEL_UNARY.has(op)) return null;
  const helper = `float genzoo_${op}1(float v, float p0, float p1) { return ${toGlsl(unaryExpr(op))}; }`;
  return texelKernel(`u_${op}`, length, glsl3, { x }, [], ['p0', 'p1'], helper, `return ${each(`genzoo_${op}1`, ['x'], ['p0', 'p1'])};`);
}

/**
 * How a broadcast operand is read at output element i: at i (`'i'`), one
 * value (`'0'`), or a block of `period` values repeated (`i mod period`: a
 * bias [n] added to rows [m, n]), where `period` is a multiple of 4 so that
 * blocks start on texels. Null: another pattern (the portable kernel).
 */
export type TexelRead = 'i' | '0' | { period: number };

/** The {@link TexelRead} of an operand with these broadcast strides into `shape`, or null. */
export function texelRead(strides: readonly number[], shape: readonly number[]): TexelRead | null {
  if (strides.every((s) => s === 0)) return '0';
  let contiguous = 1;
  let d = shape.length - 1;
  // Trailing dimensions read contiguously (size-1 ones do not matter) …
  for (; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== contiguous) break;
    contiguous *= shape[d];
  }
  if (d < 0) return 'i';
  // … and the leading ones not at all: a block repeated.
  for (let e = d; e >= 0; e--) if (strides[e] !== 0 && shape[e] !== 1) return null;
  return contiguous % 4 === 0 ? { period: contiguous } : null;
}

/**
 * An elementwise binary op whose operands are each read as their {@link TexelRead} says; null
 * where one is not a texture.
 */
export function binaryTexels(op: BinaryOp, a: unknown, ar: TexelRead, b: unknown, br: TexelRead, length: number, glsl3: boolean): TexelKernel | null {
  const helper = `float genzoo_${op}2(float u, float w) { return ${toGlsl(binaryExpr(op))}; }`;
  const reads: Record<string, TexelRead> = { a: ar, b: br };
  const loads: Record<string, string> = {};
  for (const [k, r] of Object.entries(reads)) {
    // A repeated block: texel t mod period/4 of the operand.
    if (typeof r === 'object') loads[k] = `vec4 ${k} = ${k}Texel(tf - floor((tf + 0.5) * ${lit(4 / r.period)}) * ${lit(r.period / 4)});`;
  }
  const scalars = Object.keys(reads).filter((k) => reads[k] === '0');
  return texelKernel(`b_${op}`, length, glsl3, { a, b }, scalars, [], helper, `return ${each(`genzoo_${op}2`, ['a', 'b'])};`, loads);
}

/** A texel-wise copy (a storage duplicated on the device). */
export function copyTexels(x: unknown, length: number, glsl3: boolean): TexelKernel | null {
  return texelKernel('copy', length, glsl3, { x }, [], [], '', 'return x;');
}

/** Adam's moment updates (kernels.ts ADAM_M/V_SOURCE): m ← β₁m + (1 − β₁)g̃ and v ← β₂v + (1 − β₂)g̃², g̃ = g + λp. */
export function adamMomentTexels(second: boolean, p: unknown, g: unknown, m: unknown, length: number, glsl3: boolean): TexelKernel | null {
  const update = second ? 'beta * m + (1.0 - beta) * gi * gi' : 'beta * m + (1.0 - beta) * gi';
  return texelKernel(second ? 'adam_v' : 'adam_m', length, glsl3, { p, g, m }, [], ['beta', 'l2'], '', `vec4 gi = g + l2 * p;\n  return ${update};`);
}

/** Adam's parameter update (ADAM_P_SOURCE): p ← p·decay − stepSize·m / (√v̂ / √(1 − β₂ᵗ) + ε). */
export function adamParamTexels(p: unknown, m: unknown, vhat: unknown, length: number, glsl3: boolean): TexelKernel | null {
  return texelKernel('adam_p', length, glsl3, { p, m, vhat }, [], ['stepSize', 'bc2', 'eps', 'decay'], '', 'return p * decay - (stepSize * m) / (sqrt(vhat) / bc2 + eps);');
}

/** The elementwise maximum (AMSGrad's v̂ ← max(v̂, v)). */
export function maximumTexels(a: unknown, b: unknown, length: number, glsl3: boolean): TexelKernel | null {
  return binaryTexels('maximum', a, 'i', b, 'i', length, glsl3);
}


/** How {@link repackTexels} reads each matrix. */
export interface Repack {
  /** Matrices (1 when `stride` is 0: one shared matrix). */
  batch: number;
  /** Elements between the source's matrices (0: one, shared). */
  stride: number;
  /** The result's rows and columns per matrix. */
  rows: number;
  cols: number;
  /** The source region: result elements at row ≥ validRows or column ≥ validCols are 0. */
  validRows: number;
  validCols: number;
  /** Source elements between result rows and between result columns (a transpose swaps them). */
  rowStep: number;
  colStep: number;
}

/**
 * Copies matrices into a new layout: transposed, and/or zero-padded to a
 * multiple of 4 along the summed dimension (so that the matmul can read whole
 * texels). Each output lane finds its (matrix, row, column) with float floors
 * (exact below 2^24) and reads one value — no integer division, which GPU.js's
 * generic gather pays per element.
 */
export function repackTexels(x: unknown, r: Repack, glsl3: boolean): TexelKernel | null {
  const b = r.stride === 0 ? 1 : r.batch;
  const size = r.rows * r.cols;
  const padded = r.validRows < r.rows || r.validCols < r.cols;
  const lane = (c: number): string => [
    `{ float o = tf * 4.0 + ${lit(c)};`,
    `  float bi = floor((o + 0.5) * ${lit(1 / size)}); float rem = o - bi * ${lit(size)};`,
    `  float i = floor((rem + 0.5) * ${lit(1 / r.cols)}); float j = rem - i * ${lit(r.cols)};`,
    padded
      ? `  acc[${c}] = (i < ${lit(r.validRows)} && j < ${lit(r.validCols)}) ? xAt(bi * ${lit(r.stride)} + i * ${lit(r.rowStep)} + j * ${lit(r.colStep)}) : 0.0; }`
      : `  acc[${c}] = xAt(bi * ${lit(r.stride)} + i * ${lit(r.rowStep)} + j * ${lit(r.colStep)}); }`,
  ].join('\n  ');
  return texelKernel('repack', b * size, glsl3, { x }, [], [], '', `vec4 acc = vec4(0.0);\n  ${[0, 1, 2, 3].map(lane).join('\n  ')}\n  return acc;`);
}
