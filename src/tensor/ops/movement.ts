/**
 * Forward movement ops: reshape (a view), and permute, slice, concat, expand,
 * pad (copies). All but concat are one backend kernel, `gather`: a strided,
 * optionally padded read (see GatherParams in backend.ts).
 */
import type { GatherParams } from '../backend.js';
import { kernel, placement, storageOn } from '../dispatch.js';
import { broadcastShapes, broadcastStrides, normalizeAxis, sameShape, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';

function gatherRaw(op: string, x: Tensor, g: GatherParams): Tensor {
  const be = placement(op, [x]);
  return new Tensor(kernel(be, 'gather')(x.storage, g), g.shape);
}

/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshapeRaw(x: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: shape must be an array, got ${String(shape)}`);
  const out = shape.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`reshape: only one dimension can be -1, got ${shapeStr(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`reshape: invalid dimension ${String(d)} in ${shapeStr(shape)}`);
    } else known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape tensor of shape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
    out[infer] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape tensor of shape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)} (${sizeOf(out)} elements)`);
  }
  return new Tensor(x.storage, out);
}

export function checkPermutation(op: string, perm: readonly number[], ndim: number): number[] {
  if (perm.length !== ndim) throw new ShapeError(`${op}: permutation [${perm.join(', ')}] has ${perm.length} entries, tensor has ${ndim} dimensions`);
  const p = perm.map((a) => normalizeAxis(op, a, ndim));
  if (new Set(p).size !== ndim) throw new ValueError(`${op}: [${perm.join(', ')}] is not a permutation of the axes`);
  return p;
}

/** out.shape[i] = x.shape[perm[i]]. */
export function permuteRaw(x: Tensor, perm: readonly number[]): Tensor {
  const p = checkPermutation('permute', perm, x.ndim);
  const shape = p.map((a) => x.shape[a]);
  const inStrides = stridesOf(x.shape);
  return gatherRaw('permute', x, { shape, strides: p.map((a) => inStrides[a]), offset: 0 });
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((a, i) => (inv[a] = i));
  return inv;
}

/** Elements start..end-1 along `dim` (negative indices count from the end, as in Python). */
export function resolveSlice(x: Tensor, dim: number, start: number, end: number | undefined): { axis: number; start: number; end: number } {
  const axis = normalizeAxis('slice', dim, x.ndim);
  const n = x.shape[axis];
  const fix = (v: number, name: string): number => {
    if (!Number.isInteger(v)) throw new ValueError(`slice: ${name} must be an integer, got ${v}`);
    const r = v < 0 ? v + n : v;
    return Math.min(Math.max(r, 0), n);
  };
  const s = fix(start, 'start');
  const e = end === undefined ? n : fix(end, 'end');
  return { axis, start: s, end: Math.max(s, e) };
}

export function sliceRaw(x: Tensor, axis: number, start: number, end: number): Tensor {
  const shape = x.shape.slice();
  shape[axis] = end - start;
  const strides = stridesOf(x.shape);
  return gatherRaw('slice', x, { shape, strides, offset: start * strides[axis] });
}

/** Places `g` (a slice's gradient) at start..end of `axis` in zeros of `shape`: the adjoint of slice. */
export function unsliceRaw(g: Tensor, shape: readonly number[], axis: number, start: number): Tensor {
  const before = shape.map((_, d) => (d === axis ? start : 0));
  return gatherRaw('slice', g, { shape: shape.slice(), strides: stridesOf(g.shape), offset: 0, pad: { before, extent: g.shape, value: 0 } });
}

/** Joins tensors along an existing axis; all other dimensions must match. */
export function concatRaw(xs: readonly Tensor[], dim: number): Tensor {
  if (xs.length === 0) throw new ValueError('concat: needs at least one tensor');
  const first = xs[0];
  const axis = normalizeAxis('concat', dim, first.ndim);
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const t = xs[i];
    const ok = t.ndim === first.ndim && t.shape.every((d, j) => j === axis || d === first.shape[j]);
    if (!ok) throw new ShapeError(`concat: tensor ${i} has shape ${shapeStr(t.shape)}, incompatible with tensor 0's ${shapeStr(first.shape)} along axis ${axis}`);
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    total += t.shape[axis];
  }
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= first.shape[d];
  for (let d = axis + 1; d < first.ndim; d++) inner *= first.shape[d];
  const shape = first.shape.slice();
  shape[axis] = total;
  const be = placement('concat', xs);
  const out = kernel(be, 'concat')(xs.map((t) => storageOn(t, be)), outer, xs.map((t) => t.shape[axis] * inner));
  return new Tensor(out, shape);
}

/** Broadcasts x to `shape` (materialised: genzoo tensors are always contiguous). */
export function expandRaw(x: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape)) throw new ShapeError(`expand: shape must be an array, got ${String(shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => {
    if (d === -1 && i >= lead) return x.shape[i - lead];
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`expand: invalid dimension ${String(d)} in ${shapeStr(shape)} (-1 keeps one of the input's dimensions; others must be non-negative integers)`);
    }
    return d;
  });
  let result: number[];
  try {
    result = broadcastShapes('expand', x.shape, target);
  } catch {
    throw new ShapeError(`expand: cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  if (!sameShape(result, target)) throw new ShapeError(`expand: cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return gatherRaw('expand', x, { shape: target, strides: broadcastStrides(x.shape, target), offset: 0 });
}

/**
 * Constant padding. `widths` holds [before, after] pairs for the trailing
 * `widths.length` dimensions (NumPy's np.pad order; leading dimensions unpadded).
 */
export function normalizePad(x: Tensor, widths: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  if (widths.length > x.ndim) throw new ShapeError(`pad: ${widths.length} [before, after] pairs for a tensor of shape ${shapeStr(x.shape)}`);
  const full: Array<[number, number]> = x.shape.map(() => [0, 0]);
  widths.forEach((w, i) => {
    if (!Array.isArray(w) || w.length !== 2 || !w.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ValueError(`pad: widths must be [before, after] pairs of non-negative integers, got ${JSON.stringify(w)}`);
    }
    full[x.ndim - widths.length + i] = [w[0], w[1]];
  });
  return full;
}

export function padRaw(x: Tensor, widths: ReadonlyArray<readonly [number, number]>, value = 0): Tensor {
  const full = normalizePad(x, widths);
  const shape = x.shape.map((d, i) => d + full[i][0] + full[i][1]);
  return gatherRaw('pad', x, { shape, strides: stridesOf(x.shape), offset: 0, pad: { before: full.map((w) => w[0]), extent: x.shape, value } });
}

/** The adjoint of pad: the interior of a padded gradient (one strided read). */
export function unpadRaw(g: Tensor, full: ReadonlyArray<readonly [number, number]>): Tensor {
  if (full.every(([b, a]) => b === 0 && a === 0)) return new Tensor(g.storage, g.shape);
  const strides = stridesOf(g.shape);
  const shape = g.shape.map((d, i) => d - full[i][0] - full[i][1]);
  const offset = full.reduce((s, [b], i) => s + b * strides[i], 0);
  return gatherRaw('pad', g, { shape, strides, offset });
}
