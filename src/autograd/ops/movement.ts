/** Movement ops: reshape (a view), permute/transpose, slice, concat/stack, expand, pad; each with its adjoint. */
import {
  checkPermutation, concatRaw, expandRaw, inversePermutation, normalizeAxis, normalizePad, padRaw, permuteRaw,
  reshapeRaw, resolveSlice, shapeStr, sliceRaw, sumToShape, unpadRaw, unsliceRaw, Tensor,
} from '../../tensor/index.js';
import { record } from '../engine.js';
import { ShapeError, ValueError } from '../../errors.js';

/** The same values with a new shape, sharing storage; one dimension may be -1 ({@link Tensor.reshape}). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = reshapeRaw(x, shape);
  return record(out, 'reshape', [x], (g) => [reshapeRaw(g, x.shape)]);
}

/** Flattens dimensions startDim..endDim into one (PyTorch's flatten). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.ndim);
  const e = normalizeAxis('flatten', endDim, x.ndim);
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/** Removes size-1 dimensions (all, or the given one). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis('squeeze', dim, x.ndim);
  if (x.shape[a] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** Inserts a size-1 dimension at `dim` (in the result's axes). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const a = normalizeAxis('unsqueeze', dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Reorders the dimensions, `out.shape[i] = x.shape[perm[i]]` (a copy; {@link Tensor.permute}). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = checkPermutation('permute', perm, x.ndim);
  const out = permuteRaw(x, p);
  return record(out, 'permute', [x], (g) => [permuteRaw(g, inversePermutation(p))]);
}

/** Swaps two axes (default: the last two). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2) throw new ShapeError(`transpose: needs at least 2 dimensions, got shape ${shapeStr(x.shape)}`);
  const a = normalizeAxis('transpose', dim0, x.ndim);
  const b = normalizeAxis('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Elements start..end−1 along `dim` (Python-style negative indices; end defaults to the axis length). */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  const s = resolveSlice(x, dim, start, end);
  const out = sliceRaw(x, s.axis, s.start, s.end);
  return record(out, 'slice', [x], (g) => [unsliceRaw(g, x.shape, s.axis, s.start)]);
}

/** `length` elements from `start` along `dim` (PyTorch's narrow). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const axis = normalizeAxis('narrow', dim, x.ndim);
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > x.shape[axis]) {
    throw new ShapeError(`narrow: [${start}, ${start + length}) is out of range for axis ${dim} of shape ${shapeStr(x.shape)}`);
  }
  return slice(x, axis, start, start + length);
}

/** Splits into pieces of `size` along `dim` (the last may be smaller). */
export function split(x: Tensor, size: number, dim = 0): Tensor[] {
  const axis = normalizeAxis('split', dim, x.ndim);
  if (!Number.isInteger(size) || size <= 0) throw new ValueError(`split: size must be a positive integer, got ${size}`);
  const out: Tensor[] = [];
  for (let s = 0; s < x.shape[axis]; s += size) out.push(slice(x, axis, s, Math.min(s + size, x.shape[axis])));
  return out;
}

/** Splits into `chunks` equal pieces along `dim` (the axis must divide evenly). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const axis = normalizeAxis('chunk', dim, x.ndim);
  if (!Number.isInteger(chunks) || chunks <= 0 || x.shape[axis] % chunks !== 0) {
    throw new ShapeError(`chunk: axis ${dim} of shape ${shapeStr(x.shape)} cannot be split into ${chunks} equal chunks`);
  }
  return split(x, x.shape[axis] / chunks, axis);
}

/**
 * Joins tensors along the existing dimension `dim` (default 0); every other
 * dimension, and the dtype, must match. Throws naming the first tensor that does not fit.
 *
 * ```ts
 * concat([zeros([2, 3]), ones([1, 3])]).shape;   // [3, 3]
 * ```
 */
export function concat(xs: readonly Tensor[], dim = 0): Tensor {
  const out = concatRaw(xs, dim);
  const axis = normalizeAxis('concat', dim, xs[0].ndim);
  return record(out, 'concat', xs, (g) => {
    let offset = 0;
    return xs.map((t) => {
      const piece = sliceRaw(g, axis, offset, offset + t.shape[axis]);
      offset += t.shape[axis];
      return piece;
    });
  });
}
/** {@link concat} under PyTorch's short name. */
export const cat = concat;

/** Joins same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new ValueError('stack: needs at least one tensor');
  const shape = xs[0].shape;
  xs.forEach((t, i) => {
    if (t.ndim !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw new ShapeError(`stack: tensor ${i} has shape ${shapeStr(t.shape)}, tensor 0 has ${shapeStr(shape)}`);
    }
  });
  const axis = normalizeAxis('stack', dim, shape.length + 1);
  return concat(xs.map((t) => unsqueeze(t, axis)), axis);
}

/** Broadcasts to `shape` (-1 keeps a dimension); the gradient sums back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const out = expandRaw(x, shape);
  return record(out, 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

/** Constant padding of the trailing dimensions: widths = [[before, after], ...]. */
export function pad(x: Tensor, widths: ReadonlyArray<readonly [number, number]>, value = 0): Tensor {
  const full = normalizePad(x, widths);
  const out = padRaw(x, widths, value);
  return record(out, 'pad', [x], (g) => [unpadRaw(g, full)]);
}

/** A copy that stays in the graph. */
export function clone(x: Tensor): Tensor {
  const out = new Tensor(x.storage.backend.copy(x.storage), x.shape);
  return record(out, 'clone', [x], (g) => [g]);
}
