/** Forward reductions over any set of axes, built from the backend's [outer, r, inner] kernel. */
import type { ReduceOp } from '../backend.js';
import { kernel, placement } from '../dispatch.js';
import { normalizeAxes, normalizeAxis, reducedShape, sameShape, shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';
import { ShapeError } from '../../errors.js';

/** Groups sorted axes into runs of consecutive axes: [0, 1, 3] → [[0, 1], [3]]. */
function runsOf(axes: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === a - 1) last.push(a);
    else runs.push([a]);
  }
  return runs;
}

export function reduceRaw(op: ReduceOp, x: Tensor, axes: number | readonly number[] | undefined, keepdim: boolean, opName: string = op): Tensor {
  const ax = normalizeAxes(opName, axes, x.ndim);
  if (op !== 'sum') {
    for (const a of ax) {
      if (x.shape[a] === 0) throw new ShapeError(`${opName}: cannot reduce over axis ${a} of size 0 (shape ${shapeStr(x.shape)})`);
    }
  }
  const be = placement(opName, [x]);
  const reduceKernel = kernel(be, 'reduce');
  let cur = x;
  const shape = x.shape.slice();
  for (const run of runsOf(ax)) {
    let outer = 1, r = 1, inner = 1;
    for (let d = 0; d < shape.length; d++) {
      if (d < run[0]) outer *= shape[d];
      else if (d <= run[run.length - 1]) r *= shape[d];
      else inner *= shape[d];
    }
    for (const d of run) shape[d] = 1;
    const next = new Tensor(reduceKernel(op, cur.storage, outer, r, inner), shape);
    if (cur !== x) cur.dispose(); // an intermediate of a multi-run reduction
    cur = next;
  }
  return new Tensor(cur === x ? be.copy(x.storage) : cur.storage, reducedShape(x.shape, ax, keepdim));
}

/** Index of the maximum along one axis (first one on ties), as floats; over all elements when `axis` is omitted. */
export function argmaxRaw(x: Tensor, axis?: number, keepdim = false): Tensor {
  const be = placement('argmax', [x]);
  if (axis === undefined) {
    if (x.size === 0) throw new ShapeError('argmax: empty tensor');
    const out = kernel(be, 'argmax')(x.storage, 1, x.size, 1);
    return new Tensor(out, keepdim ? x.shape.map(() => 1) : []);
  }
  const a = normalizeAxis('argmax', axis, x.ndim);
  const r = x.shape[a];
  if (r === 0) throw new ShapeError(`argmax: axis ${axis} has size 0 (shape ${shapeStr(x.shape)})`);
  let outer = 1, inner = 1;
  for (let d = 0; d < a; d++) outer *= x.shape[d];
  for (let d = a + 1; d < x.ndim; d++) inner *= x.shape[d];
  return new Tensor(kernel(be, 'argmax')(x.storage, outer, r, inner), reducedShape(x.shape, [a], keepdim));
}

/**
 * Sums a broadcast result back to `shape`: the gradient of broadcasting.
 * Leading extra dimensions and dimensions that were 1 are summed away.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumToShape: gradient shape ${shapeStr(g.shape)} has fewer dimensions than ${shapeStr(shape)}`);
  const axes: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead) axes.push(d);
    else if (shape[d - lead] === 1 && g.shape[d] !== 1) axes.push(d);
  }
  const summed = axes.length ? reduceRaw('sum', g, axes, true) : g;
  if (summed.shape.some((d, i) => i >= lead && d !== shape[i - lead])) {
    throw new ShapeError(`sumToShape: cannot reduce gradient of shape ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
  }
  return new Tensor(summed.storage, shape);
}
