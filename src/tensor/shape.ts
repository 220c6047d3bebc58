/** Shape helpers shared by every op: validation, strides, broadcasting, axes. */
import { ShapeError } from '../errors.js';

export type Shape = readonly number[];

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Validates a user-supplied shape: finite non-negative integers only. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid dimension ${String(d)} in shape [${shape.map(String).join(', ')}] (dimensions must be non-negative integers)`);
    }
  }
  return shape.slice() as number[];
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * NumPy broadcasting: align shapes on the right; each pair of dimensions must be
 * equal or one of them 1; missing leading dimensions count as 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read `shape` as if it were broadcast to `outShape`:
 * broadcast dimensions get stride 0.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Resolves a possibly negative axis; throws naming the op when out of range. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ShapeError(`${op}: axis must be an integer, got ${String(axis)}`);
  if (axis < -ndim || axis >= ndim) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of ${ndim} dimension${ndim === 1 ? '' : 's'} (valid: ${-ndim}..${ndim - 1})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Sorted unique axes; `undefined` means all axes. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const set = new Set<number>();
  for (const a of list) {
    const n = normalizeAxis(op, a, ndim);
    if (set.has(n)) throw new ShapeError(`${op}: axis ${a} appears more than once`);
    set.add(n);
  }
  return [...set].sort((x, y) => x - y);
}

/** The shape after reducing `axes` (kept as 1s when `keepdim`). */
export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}
