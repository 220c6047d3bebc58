/**
 * Elementwise drivers: one SIMD kernel on operands already in wasm memory
 * (byte offsets). Broadcasting is resolved here: dimensions of
 * size 1 are dropped and neighbouring dimensions that both operands walk
 * contiguously are merged, leaving at most four dimensions whose last one each
 * operand reads either contiguously or as one repeated value.
 */
import type { BinaryOp, GatherParams, UnaryOp } from '../../backend.js';
import { WASM_BINARY, WASM_UNARY } from './elementwise-kernels.js';
import type { WasmRuntime } from './runtime.js';

const UNARY_CODE = new Map<UnaryOp, number>(WASM_UNARY.map((op, i) => [op, i]));
const BINARY = new Set<BinaryOp>(WASM_BINARY);

/** Runs a unary op in wasm on n floats at px into po; false when this op has no wasm kernel. */
export function wasmUnary(rt: WasmRuntime, op: UnaryOp, px: number, po: number, n: number, p0: number, p1: number): boolean {
  const code = UNARY_CODE.get(op);
  if (code === undefined) return false;
  if (n > 0) rt.exports.unary(code, px, po, n, p0, p1);
  return true;
}

/**
 * Collapses a strided walk of several operands over `shape` to ≤ 4 dims: [dims, strides per operand],
 * or null when that is not possible (more than 4 irreducible dims, or an operand whose last dim is
 * neither contiguous nor broadcast).
 */
export function collapseStrides(shape: readonly number[], strides: ReadonlyArray<readonly number[]>, anyInnerStride = false): [number[], number[][]] | null {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    // Merge into the dimension inside it when every operand steps over it contiguously.
    if (dims.length > 0 && strides.every((s, j) => s[d] === out[j][0] * dims[0])) {
      dims[0] *= shape[d];
    } else {
      dims.unshift(shape[d]);
      strides.forEach((s, j) => out[j].unshift(s[d]));
    }
  }
  if (dims.length === 0) return [[1, 1, 1, 1], out.map(() => [0, 0, 0, 1])];
  if (dims.length > 4) return null;
  const inner = dims.length - 1;
  if (!anyInnerStride && out.some((s) => s[inner] !== 0 && s[inner] !== 1)) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    for (const s of out) s.unshift(0);
  }
  return [dims, out];
}

/** Collapses a broadcast of two operands to ≤ 4 dims: [shape, aStrides, bStrides], or null when that is not possible. */
export function collapseBroadcast(shape: readonly number[], as: readonly number[], bs: readonly number[]): [number[], number[], number[]] | null {
  const c = collapseStrides(shape, [as, bs]);
  return c && [c[0], c[1][0], c[1][1]];
}

/** Runs a broadcasting binary op in wasm (operands at pa, pb; result at po); false when it cannot (> 4 irreducible dims). */
export function wasmBinary(
  rt: WasmRuntime, op: BinaryOp,
  pa: number, aLength: number, aStrides: readonly number[], pb: number, bLength: number, bStrides: readonly number[], po: number, outShape: readonly number[],
): boolean {
  if (!BINARY.has(op)) return false;
  if (aLength === 0 || bLength === 0) return true;
  const c = collapseBroadcast(outShape, aStrides, bStrides);
  if (!c) return false;
  const [d, sa, sb] = c;
  rt.exports[`bin_${op}`](pa, pb, po, d[0], d[1], d[2], d[3], sa[0], sa[1], sa[2], sb[0], sb[1], sb[2], sa[3], sb[3]);
  return true;
}

/** Runs where(cond, a, b) in wasm (operands at pc, pa, pb; result at po); false when it cannot (> 4 irreducible dims). */
export function wasmWhere(
  rt: WasmRuntime, pc: number, cStrides: readonly number[], pa: number, aStrides: readonly number[], pb: number, bStrides: readonly number[],
  po: number, outShape: readonly number[],
): boolean {
  const c = collapseStrides(outShape, [cStrides, aStrides, bStrides]);
  if (!c) return false;
  const [d, [sc, sa, sb]] = c;
  rt.exports.where(pc, pa, pb, po, d[0], d[1], d[2], d[3], sc[0], sc[1], sc[2], sa[0], sa[1], sa[2], sb[0], sb[1], sb[2], sc[3], sa[3], sb[3]);
  return true;
}

/** Runs a gather without padding in wasm (source at px, result at po); false when it cannot (> 4 irreducible dims). */
export function wasmGather(rt: WasmRuntime, px: number, g: GatherParams, po: number): boolean {
  if (g.pad) return false;
  const c = collapseStrides(g.shape, [g.strides], true);
  if (!c) return false;
  const [d, [s]] = c;
  rt.exports.gather(px + 4 * g.offset, po, d[0], d[1], d[2], d[3], s[0], s[1], s[2], s[3]);
  return true;
}
