/**
 * Indexing: gathering slices by integer indices. The backward of a gather is a
 * scatter-add of the gradient into the positions it was read from: an index
 * that appears twice receives both gradients.
 */
import { checkIndices, indexAddRaw, indexSelectRaw, normalizeAxis, shapeStr, Tensor } from '../../tensor/index.js';
import { record } from '../engine.js';
import { reshape } from './movement.js';
import { ShapeError, ValueError } from '../../errors.js';

/** The slices of x at `indices` along `dim` (PyTorch's index_select); indices are integers in [0, x.shape[dim]). */
export function indexSelect(x: Tensor, dim: number, indices: Tensor | ArrayLike<number>): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('indexSelect: x must be a Tensor');
  if (x.ndim === 0) throw new ShapeError(`indexSelect: needs at least 1 dimension, got shape ${shapeStr(x.shape)}`);
  const axis = normalizeAxis('indexSelect', dim, x.ndim);
  const idx = checkIndices('indexSelect', indices, x.shape[axis]);
  const out = indexSelectRaw(x, axis, idx);
  return record(out, 'indexSelect', [x], (g) => [indexAddRaw(g, x.shape, axis, idx)]);
}

/**
 * Embedding lookup: rows of `weight` [num, dim] at integer `indices` of any
 * shape → [...indices.shape, dim]. Only `weight` is differentiable.
 */
export function embedding(indices: Tensor | ArrayLike<number>, weight: Tensor): Tensor {
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new ShapeError(`embedding: weight must be a 2-D Tensor [numEmbeddings, embeddingDim], got ${weight instanceof Tensor ? shapeStr(weight.shape) : typeof weight}`);
  }
  const shape = indices instanceof Tensor ? indices.shape : [indices.length];
  const rows = indexSelect(weight, 0, checkIndices('embedding', indices, weight.shape[0]));
  return reshape(rows, [...shape, weight.shape[1]]);
}
