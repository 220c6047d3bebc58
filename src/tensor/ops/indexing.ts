/** Forward indexing kernels: gather slices along one axis by integer indices, and their adjoint (scatter-add). */
import { kernel, placement } from '../dispatch.js';
import { normalizeAxis, shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';
import { ShapeError, ValueError } from '../../errors.js';

/** Integer indices as an Int32Array, each checked to lie in [0, n). `op` names the caller in errors. */
export function checkIndices(op: string, indices: Tensor | ArrayLike<number>, n: number): Int32Array {
  const src: ArrayLike<number> = indices instanceof Tensor ? indices.data : indices;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const k = src[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) {
      throw new ValueError(`${op}: index ${k} at position ${i} is not an integer in [0, ${n})`);
    }
    out[i] = k;
  }
  return out;
}

function split(shape: readonly number[], axis: number): { outer: number; inner: number } {
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, inner };
}

/** out = x with axis `dim` replaced by the slices x[..., idx[j], ...] (PyTorch's index_select). */
export function indexSelectRaw(x: Tensor, dim: number, idx: Int32Array): Tensor {
  if (x.ndim === 0) throw new ShapeError(`indexSelect: needs at least 1 dimension, got shape ${shapeStr(x.shape)}`);
  const axis = normalizeAxis('indexSelect', dim, x.ndim);
  const { outer, inner } = split(x.shape, axis);
  const be = placement('indexSelect', [x]);
  const shape = x.shape.slice();
  shape[axis] = idx.length;
  return new Tensor(kernel(be, 'indexSelect')(x.storage, idx, outer, x.shape[axis], inner), shape);
}

/**
 * The adjoint of indexSelect: zeros of `shape`, then g's slice j added at idx[j]
 * (repeated indices accumulate — PyTorch's index_add).
 */
export function indexAddRaw(g: Tensor, shape: readonly number[], axis: number, idx: Int32Array): Tensor {
  const { outer, inner } = split(shape, axis);
  const be = placement('indexSelect', [g]);
  return new Tensor(kernel(be, 'indexAdd')(g.storage, idx, outer, shape[axis], inner), shape);
}
