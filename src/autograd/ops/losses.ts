/**
 * Binary cross-entropy on probabilities, fused, because composing it from
 * `log` breaks at p ∈ {0, 1}, which float32 reaches easily (sigmoid(17) is
 * exactly 1): log(0) = −Inf and its backward 1/p = Inf, times a zero weight, is NaN.
 *
 * Forward (elementwise, PyTorch's clamped logs):
 *   ℓ(p, y) = −( y·max(log p, −100) + (1 − y)·max(log(1 − p), −100) )
 * Backward (PyTorch's binary_cross_entropy_backward; ε = 1e-12 keeps it finite):
 *   ∂ℓ/∂p = (p − y) / max(p(1 − p), ε)
 *   ∂ℓ/∂y = max(log(1 − p), −100) − max(log p, −100)
 */
import { binaryRaw, shapeStr, unaryRaw, Tensor } from '../../tensor/index.js';
import { record } from '../engine.js';
import { ShapeError, ValueError } from '../../errors.js';

const LOG_FLOOR = -100;
const EPS = 1e-12;

const clampedLog = (x: Tensor): Tensor => unaryRaw('clamp', unaryRaw('log', x), LOG_FLOOR, Infinity);

/** Elementwise binary cross-entropy of probabilities `p` in [0, 1] against targets `y` (same shape). */
export function binaryCrossEntropy(p: Tensor, y: Tensor): Tensor {
  if (!(p instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError('binaryCrossEntropy: input and target must be Tensors');
  if (p.ndim !== y.ndim || p.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(`binaryCrossEntropy: input ${shapeStr(p.shape)} and target ${shapeStr(y.shape)} must have the same shape`);
  }
  for (let i = 0; i < p.size; i++) {
    const v = p.data[i];
    if (!(v >= 0 && v <= 1)) {
      throw new ValueError(`binaryCrossEntropy: input must be probabilities in [0, 1], got ${v} at index ${i} (use bceWithLogits for logits)`);
    }
  }
  const logP = clampedLog(p);
  const log1mP = clampedLog(binaryRaw('sub', 1, p));
  const out = binaryRaw('sub', 0, binaryRaw('add', binaryRaw('mul', y, logP), binaryRaw('mul', binaryRaw('sub', 1, y), log1mP)));
  return record(out, 'binaryCrossEntropy', [p, y], (g) => [
    p.requiresGrad
      ? binaryRaw('mul', g, binaryRaw('div', binaryRaw('sub', p, y), binaryRaw('maximum', binaryRaw('mul', p, binaryRaw('sub', 1, p)), EPS)))
      : null,
    y.requiresGrad ? binaryRaw('mul', g, binaryRaw('sub', log1mP, logP)) : null,
  ]);
}
