/**
 * matmul and linear. For C = op(A)·op(B) the gradients are again matmuls,
 * expressed with transpose flags so the kernel reads operands in place:
 *   dA = dC·op(B)ᵀ  (stored transposed when transA: op(B)·dCᵀ)
 *   dB = op(A)ᵀ·dC  (stored transposed when transB: dCᵀ·op(A))
 * Batch dimensions that were broadcast are summed back with sumToShape.
 */
import { matmulRaw, shapeStr, sumToShape, Tensor } from '../../tensor/index.js';
import { record } from '../engine.js';
import { add } from './elementwise.js';
import { reshape } from './movement.js';
import { checkLinear } from './shared.js';
import { ShapeError, ValueError } from '../../errors.js';

/** Options of {@link matmul}: multiply by an operand's transpose without copying it (both need ≥ 2 dimensions). */
export interface MatmulOptions {
  /** Use the transpose of the left operand's last two dimensions. */
  transA?: boolean;
  /** Use the transpose of the right operand's last two dimensions. */
  transB?: boolean;
}

function matmul2(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor {
  const out = matmulRaw(a, b, tA, tB);
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(tA ? matmulRaw(b, g, tB, true) : matmulRaw(g, b, false, !tB), a.shape) : null,
    b.requiresGrad ? sumToShape(tB ? matmulRaw(g, a, true, tA) : matmulRaw(a, g, !tA, false), b.shape) : null,
  ]);
}

/**
 * Matrix product with NumPy's matmul semantics: 2-D, batched (leading
 * dimensions broadcast), and 1-D operands promoted to a row/column and
 * squeezed back.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new ValueError('matmul: both operands must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must have at least 1 dimension, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const tA = opts.transA ?? false;
  const tB = opts.transB ?? false;
  if (a.ndim === 1 || b.ndim === 1) {
    if (tA || tB) throw new ShapeError('matmul: transpose flags need operands with at least 2 dimensions');
    // Checked here so the message shows the user's shapes, not the promoted [1, k] / [k, 1].
    const ka = a.shape[a.ndim - 1];
    const kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
    if (ka !== kb) throw new ShapeError(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} are not aligned (inner dimensions ${ka} vs ${kb})`);
    const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
    const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
    const out = matmul2(a2, b2, false, false);
    const shape = out.shape.slice();
    if (b.ndim === 1) shape.splice(shape.length - 1, 1);
    if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
    return reshape(out, shape);
  }
  return matmul2(a, b, tA, tB);
}

/** y = x·Wᵀ + b with W stored [out, in] (PyTorch's layout): no transposed copy of W. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkLinear('linear', x, weight, bias);
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : reshape(x, [-1, weight.shape[1]]);
  let y = matmul2(x2, weight, false, true);
  if (bias) y = add(y, bias);
  return x.ndim === 2 ? y : reshape(y, [...lead, weight.shape[0]]);
}
