/**
 * Input checks shared by src/kl: every error names the function, the argument,
 * and (for tensors) the offending element and the shapes involved.
 */
import { broadcastShapes, shapeStr, Tensor } from '../tensor/index.js';
import { ShapeError, ValueError } from '../errors.js';

/** A distribution parameter: a tensor (broadcast, differentiable, float32 or float64) or a plain number (float64; then the KL is a number too). */
export type Param = Tensor | number;

/** Whether every argument is a plain number (then the float64 number path runs). */
export function allNumbers(args: readonly Param[]): args is number[] {
  return args.every((a) => typeof a === 'number');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with tensor(...))';
  return typeof x;
}

/** Throws unless x is a finite number (or, with `positive`, a finite number > 0). */
function checkValue(fn: string, name: string, v: number, positive: boolean, where: string): void {
  if (!Number.isFinite(v)) {
    throw new ValueError(`${fn}: ${name} must be finite, got ${v}${where}`);
  }
  if (positive && !(v > 0)) {
    throw new ValueError(`${fn}: ${name} must be > 0 (a standard deviation), got ${v}${where}`);
  }
}

/**
 * Checks one parameter: a Tensor or a number, every element finite, and > 0
 * when `positive` (standard deviations).
 */
export function checkParam(fn: string, name: string, x: unknown, positive = false): void {
  if (typeof x === 'number') {
    checkValue(fn, name, x, positive, '');
    return;
  }
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${fn}: ${name} must be a Tensor or a number, got ${describe(x)}`);
  }
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // The fast test first: almost every element passes it.
    if (v - v === 0 && (!positive || v > 0)) continue;
    checkValue(fn, name, v, positive, ` at element ${i} of a tensor of shape ${shapeStr(x.shape)}`);
  }
}

/** The broadcast shape of all tensor arguments; the error lists every argument's shape. */
export function broadcastAll(fn: string, names: readonly string[], args: readonly Param[]): number[] {
  let shape: number[] = [];
  try {
    for (const a of args) if (a instanceof Tensor) shape = broadcastShapes(fn, shape, a.shape);
  } catch {
    const list = names.map((n, i) => `${n} ${args[i] instanceof Tensor ? shapeStr((args[i] as Tensor).shape) : '(number)'}`).join(', ');
    throw new ShapeError(`${fn}: shapes cannot be broadcast together: ${list}`);
  }
  return shape;
}
