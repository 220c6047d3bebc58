/**
 * Elementwise drivers: one SIMD kernel on operands already in wasm memory
 * (byte offsets). Broadcasting is resolved here: dimensions of
 * size 1 are dropped and neighbouring dimensions that both operands walk
 * contiguously are merged, leaving at most four dimensions whose last one each
 * operand reads either contiguously or as one repeated value.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
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

/** Collapses a broadcast to ≤ 4 dims: [shape, aStrides, bStrides], or null when that is not possible. */
export function collapseBroadcast(shape: readonly number[], as: readonly number[], bs: readonly number[]): [number[], number[], number[]] | null {
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    // Merge into the dimension inside it when both operands step over it contiguously.
    if (dims.length > 0 && as[d] === sa[0] * dims[0] && bs[d] === sb[0] * dims[0]) {
      dims[0] *= shape[d];
    } else {
      dims.unshift(shape[d]);
      sa.unshift(as[d]);
      sb.unshift(bs[d]);
    }
  }
  if (dims.length === 0) return [[1, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1]];
  if (dims.length > 4) return null;
  const inner = dims.length - 1;
  if ((sa[inner] !== 0 && sa[inner] !== 1) || (sb[inner] !== 0 && sb[inner] !== 1)) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    sa.unshift(0);
    sb.unshift(0);
  }
  return [dims, sa, sb];
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
