/** Forward elementwise kernels on tensors (no gradient knowledge): unary, binary with broadcasting, where. */
import { allocate, promote, type DType } from '../dtype.js';
import { backendFor, type BinaryOp, type UnaryOp } from '../backend.js';
import { broadcastShapes, broadcastStrides, sizeOf, shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';

export type TensorLike = Tensor | number;

/** Numbers become 0-d tensors of the given dtype. */
export function asTensor(op: string, x: TensorLike, dtype: DType = 'float32'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`${op}: expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  const data = allocate(dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size);
  data.set(x.data);
  return new Tensor(data, x.shape);
}

export function unaryRaw(op: UnaryOp, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const out = allocate(x.dtype, x.size);
  backendFor(x.data).unary(op, x.data, out, p0, p1);
  return new Tensor(out, x.shape);
}

export function binaryRaw(op: BinaryOp, a: TensorLike, b: TensorLike, opName: string = op): Tensor {
  const dtypeHint = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  let ta = asTensor(opName, a, dtypeHint);
  let tb = asTensor(opName, b, dtypeHint);
  const dtype = promote(ta.dtype, tb.dtype);
  ta = cast(ta, dtype);
  tb = cast(tb, dtype);
  const shape = broadcastShapes(opName, ta.shape, tb.shape);
  const out = allocate(dtype, sizeOf(shape));
  backendFor(out).binary(op, ta.data, broadcastStrides(ta.shape, shape), tb.data, broadcastStrides(tb.shape, shape), out, shape);
  return new Tensor(out, shape);
}

/** out = cond ≠ 0 ? a : b, all three broadcast together. */
export function whereRaw(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtypeHint = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  let ta = asTensor('where', a, dtypeHint);
  let tb = asTensor('where', b, dtypeHint);
  const dtype = promote(ta.dtype, tb.dtype);
  ta = cast(ta, dtype);
  tb = cast(tb, dtype);
  let shape: number[];
  try {
    shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  } catch {
    throw new Error(`where: shapes ${shapeStr(cond.shape)} (condition), ${shapeStr(ta.shape)} and ${shapeStr(tb.shape)} cannot be broadcast together`);
  }
  const n = sizeOf(shape);
  const out = allocate(dtype, n);
  const cs = broadcastStrides(cond.shape, shape);
  const as = broadcastStrides(ta.shape, shape);
  const bs = broadcastStrides(tb.shape, shape);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let ci = 0, ai = 0, bi = 0;
  for (let o = 0; o < n; o++) {
    out[o] = cond.data[ci] !== 0 ? ta.data[ai] : tb.data[bi];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      ci += cs[d]; ai += as[d]; bi += bs[d];
      if (idx[d] < shape[d]) break;
      ci -= cs[d] * shape[d]; ai -= as[d] * shape[d]; bi -= bs[d] * shape[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape);
}
