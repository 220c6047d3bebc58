/** Forward matmul: 2-D and batched (batch dimensions broadcast), transpose flags passed to the kernel. */
import { promote } from '../dtype.js';
import type { MatmulParams } from '../backend.js';
import { kernel, placement, storageOn } from '../dispatch.js';
import { broadcastShapes, sameShape, shapeStr, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { expandRaw } from './movement.js';
import { ShapeError } from '../../errors.js';

/** A checked matmul, ready for a kernel: operands (batch-expanded where needed), kernel params, output shape. */
export interface MatmulPlan {
  a: Tensor;
  b: Tensor;
  params: MatmulParams;
  shape: number[];
}

/**
 * C = op(A) · op(B), op(X) = Xᵀ (last two axes) when its flag is set.
 * The transposed operand is read in place by the kernel, never copied.
 */
export function matmulRaw(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const plan = matmulPlan(a, b, transA, transB);
  const dtype = promote(a.dtype, b.dtype);
  const be = placement('matmul', [plan.a, plan.b], dtype);
  return new Tensor(kernel(be, 'matmul')(storageOn(plan.a, be, dtype), storageOn(plan.b, be, dtype), plan.params), plan.shape);
}

/** Checks shapes and resolves batch broadcasting for matmulRaw. */
export function matmulPlan(a: Tensor, b: Tensor, transA = false, transB = false): MatmulPlan {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(`matmul: expected operands with at least 2 dimensions, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    const desc = (s: readonly number[], t: boolean): string => `${shapeStr(s)}${t ? 'ᵀ' : ''}`;
    throw new ShapeError(`matmul: shapes ${desc(a.shape, transA)} and ${desc(b.shape, transB)} are not aligned (inner dimensions ${k} vs ${kb})`);
  }
  let ta = a;
  let tb = b;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new ShapeError(`matmul: batch dimensions of ${shapeStr(a.shape)} and ${shapeStr(b.shape)} cannot be broadcast together`);
  }
  const batch = sizeOf(batchShape);
  // A batch operand that is one matrix is read with stride 0; any other broadcast is materialised.
  const strideFor = (t: Tensor, tb: number[], rows: number, cols: number): [Tensor, number] => {
    if (sizeOf(tb) === 1) return [t, 0];
    if (sameShape(tb, batchShape)) return [t, rows * cols];
    return [expandRaw(t, [...batchShape, rows, cols]), rows * cols];
  };
  let strideA: number, strideB: number;
  [ta, strideA] = strideFor(ta, batchA, ar, ac);
  [tb, strideB] = strideFor(tb, batchB, br, bc);
  return { a: ta, b: tb, params: { batch, m, n, k, transA, transB, strideA, strideB }, shape: [...batchShape, m, n] };
}
