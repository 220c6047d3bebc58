/**
 * The inputs every metric takes: a set of N rows (images or feature vectors)
 * and, where classes matter, N integer labels.
 *
 * A set may be a genzoo `Tensor` of any rank (`[N, 784]`, `[N, 1, 28, 28]`:
 * everything after the first axis is one row) or a plain `Float32Array` /
 * `Float64Array` holding N rows back to back, whose row length is given by
 * the caller (784, one MNIST image, when omitted). Nothing is copied.
 */
import { Tensor, shapeStr, type FloatArray } from '../tensor/index.js';
import { ShapeError, ValueError } from '../errors.js';

/** A set of N rows: a tensor [N, …] (each sample flattened), or a flat array of N·dim values. */
export type RowSet = Tensor | FloatArray;
/** N class labels: a tensor, or any array of integers. */
export type LabelSet = Tensor | Int32Array | Uint8Array | ArrayLike<number>;

/** A read-only view of N rows of length `dim`, row-major in `data`. */
export interface Rows {
  /** The N·dim values, row after row. */
  readonly data: FloatArray;
  /** N, the number of rows. */
  readonly count: number;
  /** The length of one row. */
  readonly dim: number;
}

/** Pixels in one 28×28 MNIST digit: the default row length of a plain array. */
export const IMAGE_SIZE = 784;

function describe(x: RowSet): string {
  return x instanceof Tensor ? `a tensor of shape ${shapeStr(x.shape)}` : `a ${x.constructor.name} of length ${x.length}`;
}

/**
 * Views `x` as rows. `dim` fixes the row length for plain arrays and is checked
 * against tensors; `op` names the metric in error messages.
 */
export function asRows(op: string, name: string, x: RowSet, dim?: number): Rows {
  if (x instanceof Tensor) {
    if (x.ndim < 1) throw new ShapeError(`${op}: ${name} must have a leading sample axis, got ${describe(x)}`);
    const count = x.shape[0];
    const d = x.ndim === 1 ? 1 : x.size / Math.max(count, 1);
    if (x.ndim === 1 && dim !== undefined && dim !== 1) {
      throw new ShapeError(`${op}: ${name} is ${describe(x)}; expected [N, ${dim}] rows`);
    }
    if (dim !== undefined && x.ndim > 1 && d !== dim) {
      throw new ShapeError(`${op}: ${name} is ${describe(x)} (rows of ${d}); expected rows of ${dim}`);
    }
    return { data: x.data, count, dim: d };
  }
  if (!(x instanceof Float32Array || x instanceof Float64Array)) {
    throw new ValueError(`${op}: ${name} must be a Tensor, Float32Array or Float64Array, got ${x === null ? 'null' : typeof x}`);
  }
  const d = dim ?? IMAGE_SIZE;
  if (!Number.isInteger(d) || d < 1) throw new ValueError(`${op}: row length must be a positive integer, got ${d}`);
  if (x.length % d !== 0) throw new ShapeError(`${op}: ${name} is ${describe(x)}, not a whole number of rows of ${d}`);
  return { data: x, count: x.length / d, dim: d };
}

/** Labels as an Int32Array, checked to be integers in [0, numClasses) and `count` long. */
export function asLabels(op: string, name: string, y: LabelSet, count: number, numClasses: number): Int32Array {
  const values: ArrayLike<number> = y instanceof Tensor ? y.data : y;
  if (y instanceof Tensor && y.ndim !== 1) throw new ShapeError(`${op}: ${name} must be 1-D, got shape ${shapeStr(y.shape)}`);
  if (values.length !== count) throw new ShapeError(`${op}: ${name} has ${values.length} labels for ${count} samples`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new ValueError(`${op}: ${name}[${i}] = ${v} is not a class in 0..${numClasses - 1}`);
    }
    out[i] = v;
  }
  return out;
}

/** How many labels a label set holds. */
export function labelCount(y: LabelSet): number {
  return y instanceof Tensor ? y.size : y.length;
}

/** The row indices of each class: `groups[k]` lists the samples labelled k. */
export function groupByClass(labels: Int32Array, numClasses: number): Int32Array[] {
  const counts = new Int32Array(numClasses);
  for (const k of labels) counts[k]++;
  const groups = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) groups[labels[i]][fill[labels[i]]++] = i;
  return groups;
}

/** Throws, naming `op` and `name`, when `rows` holds no row. */
export function requireNonEmpty(op: string, name: string, rows: Rows): void {
  if (rows.count === 0) throw new ValueError(`${op}: ${name} is empty`);
}

/** The size of the images a set of rows holds: height·width pixels, one channel. */
export interface ImageGeometry {
  /** Image height in pixels (default 28). */
  height?: number;
  /** Image width in pixels (default 28). */
  width?: number;
}

/** [height, width] of `opts` (28×28 by default), checked to be positive integers whose product is the row length `dim`. */
export function imageGeometry(op: string, dim: number, opts: ImageGeometry): [number, number] {
  const h = opts.height ?? 28;
  const w = opts.width ?? 28;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new ValueError(`${op}: height and width must be positive integers, got ${h}×${w}`);
  if (h * w !== dim) throw new ShapeError(`${op}: rows of ${dim} pixels are not ${h}×${w} images`);
  return [h, w];
}
