/** Forward elementwise kernels on tensors (no gradient knowledge): unary, binary with broadcasting, where, casts. */
import { promote, type DType } from '../dtype.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { kernel, placement, storageOn } from '../dispatch.js';
import { getBackend, referenceBackend } from '../registry.js';
import { broadcastShapes, broadcastStrides, shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';
import { ShapeError, ValueError } from '../../errors.js';

/** A tensor, or a number that an op treats as a 0-d tensor of the other operand's dtype (`x.mul(2)`). */
export type TensorLike = Tensor | number;

/** Numbers become 0-d tensors of the given dtype, on `like`'s backend (else the active one). */
export function asTensor(op: string, x: TensorLike, dtype: DType = 'float32', like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new ValueError(`${op}: expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  let backend = like ? like.storage.backend : getBackend();
  if (dtype === 'float64' && !backend.supportsFloat64) backend = referenceBackend();
  return new Tensor(backend.full(dtype, 1, x), []);
}

/** x as `dtype` (a copy when it differs; float64 lives on the js backend). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const backend = placement('cast', [x], dtype);
  return new Tensor(storageOn(x, backend, dtype), x.shape);
}

export function unaryRaw(op: UnaryOp, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const be = placement(op, [x]);
  return new Tensor(kernel(be, 'unary')(op, storageOn(x, be), p0, p1), x.shape);
}

/** Two operands (numbers allowed) as tensors of one dtype, and the backend they meet on. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
  const hint = like?.dtype ?? 'float32';
  return [asTensor(op, a, hint, like), asTensor(op, b, hint, like)];
}

export function binaryRaw(op: BinaryOp, a: TensorLike, b: TensorLike, opName: string = op): Tensor {
  const [ta, tb] = operands(opName, a, b);
  const dtype = promote(ta.dtype, tb.dtype);
  const shape = broadcastShapes(opName, ta.shape, tb.shape);
  const be = placement(opName, [ta, tb], dtype);
  const out = kernel(be, 'binary')(op, storageOn(ta, be, dtype), broadcastStrides(ta.shape, shape), storageOn(tb, be, dtype), broadcastStrides(tb.shape, shape), shape);
  return new Tensor(out, shape);
}

/** out = cond ≠ 0 ? a : b, all three broadcast together. */
export function whereRaw(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new ValueError(`where: condition must be a Tensor, got ${cond === null ? 'null' : typeof cond}`);
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  const hint = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const ta = asTensor('where', a, hint, like);
  const tb = asTensor('where', b, hint, like);
  const dtype = promote(ta.dtype, tb.dtype);
  let shape: number[];
  try {
    shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  } catch {
    throw new ShapeError(`where: shapes ${shapeStr(cond.shape)} (condition), ${shapeStr(ta.shape)} and ${shapeStr(tb.shape)} cannot be broadcast together`);
  }
  const be = placement('where', [cond, ta, tb], dtype);
  const out = kernel(be, 'where')(
    storageOn(cond, be, dtype), broadcastStrides(cond.shape, shape),
    storageOn(ta, be, dtype), broadcastStrides(ta.shape, shape),
    storageOn(tb, be, dtype), broadcastStrides(tb.shape, shape), shape,
  );
  return new Tensor(out, shape);
}
