/**
 * Elementwise ops, each forward beside its backward.
 * Binary ops broadcast (NumPy rules); their gradients are summed back to each
 * input's shape with `sumToShape`.
 */
import { asTensor, binaryRaw, sumToShape, unaryRaw, whereRaw, Tensor, type TensorLike, type UnaryOp } from '../../tensor/index.js';
import { record } from '../engine.js';
import { ValueError } from '../../errors.js';

const times = (a: Tensor, b: TensorLike): Tensor => binaryRaw('mul', a, b);

function unaryOp(op: UnaryOp, x: Tensor, grad: (g: Tensor, out: Tensor) => Tensor, p0 = 0, p1 = 0): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, got ${typeof x}`);
  const out = unaryRaw(op, x, p0, p1);
  return record(out, op, [x], (g) => [grad(g, out)]);
}

/** Elementwise `−x` ({@link Tensor.neg}). */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x, (g) => unaryRaw('neg', g));
/** Elementwise `eˣ` ({@link Tensor.exp}). */
// d eˣ = eˣ
export const exp = (x: Tensor): Tensor => unaryOp('exp', x, (g, out) => times(g, out));
/** Elementwise natural logarithm ({@link Tensor.log}). */
// d log x = 1/x
export const log = (x: Tensor): Tensor => unaryOp('log', x, (g) => binaryRaw('div', g, x));
/** Elementwise square root ({@link Tensor.sqrt}). */
// d √x = 1/(2√x)
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x, (g, out) => binaryRaw('div', g, times(out, 2)));
/** Elementwise `|x|` ({@link Tensor.abs}). */
// d |x| = sign(x) (0 at 0)
export const abs = (x: Tensor): Tensor => unaryOp('abs', x, (g) => times(g, unaryRaw('sign', x)));
/** Elementwise `max(x, 0)` ({@link Tensor.relu}). */
// d relu(x) = 1 where x > 0, else 0 (the subgradient 0 at 0, as PyTorch)
export const relu = (x: Tensor): Tensor => unaryOp('relu', x, (g) => times(g, binaryRaw('gt', x, 0)));
/** Elementwise `x` where `x > 0`, else `negativeSlope · x` (default 0.01; {@link Tensor.leakyRelu}). */
// d leakyRelu(x) = 1 where x > 0, else the slope
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor =>
  unaryOp('leakyRelu', x, (g) => whereRaw(binaryRaw('gt', x, 0), g, times(g, negativeSlope)), negativeSlope);
/** Elementwise logistic function `1 / (1 + e⁻ˣ)` ({@link Tensor.sigmoid}). */
// d σ(x) = σ(x)(1 − σ(x))
export const sigmoid = (x: Tensor): Tensor =>
  unaryOp('sigmoid', x, (g, out) => times(g, times(out, binaryRaw('sub', 1, out))));
/** Elementwise hyperbolic tangent ({@link Tensor.tanh}). */
// d tanh x = 1 − tanh² x
export const tanh = (x: Tensor): Tensor =>
  unaryOp('tanh', x, (g, out) => times(g, binaryRaw('sub', 1, unaryRaw('square', out))));
/** Elementwise `log(1 + eˣ)`, without overflow for large x ({@link Tensor.softplus}). */
// d log(1 + eˣ) = σ(x)
export const softplus = (x: Tensor): Tensor => unaryOp('softplus', x, (g) => times(g, unaryRaw('sigmoid', x)));
/**
 * GELU (Hendrycks & Gimpel 2016), exact: gelu(x) = x·Φ(x), Φ the standard
 * normal CDF — PyTorch's default (`approximate='none'`), not the tanh
 * approximation. d gelu = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π); Φ(x) is read
 * off the forward as gelu(x)/x (exact up to two roundings), and is ½ where
 * |x| < 1e-30, where that quotient would lose its bits (Φ(x) = ½ + x·φ(0) + …).
 */
export const gelu = (x: Tensor): Tensor =>
  unaryOp('gelu', x, (g, out) => {
    const cdf = whereRaw(binaryRaw('lt', unaryRaw('abs', x), 1e-30), 0.5, binaryRaw('div', out, x));
    const pdf = times(unaryRaw('exp', times(unaryRaw('square', x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return times(g, binaryRaw('add', cdf, times(x, pdf)));
  });
/** Elementwise `x²` ({@link Tensor.square}). */
export const square = (x: Tensor): Tensor => unaryOp('square', x, (g) => times(g, times(x, 2)));
/** x^p for a scalar exponent p; d xᵖ = p·xᵖ⁻¹. */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new ValueError(`pow: exponent must be a finite number, got ${String(p)}`);
  return unaryOp('pow', x, (g) => times(g, times(unaryRaw('pow', x, p - 1), p)), p);
}
/** Limits values to [min, max]; the gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) throw new ValueError(`clamp: need min ≤ max, got ${min}, ${max}`);
  return unaryOp('clamp', x, (g) => times(g, times(binaryRaw('ge', x, min), binaryRaw('le', x, max))), min, max);
}

function binaryOp(
  name: 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum',
  a: TensorLike, b: TensorLike,
  grads: (g: Tensor, ta: Tensor, tb: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
  const ta = asTensor(name, a, dtype, like);
  const tb = asTensor(name, b, dtype, like);
  const out = binaryRaw(name, ta, tb);
  return record(out, name, [ta, tb], (g) => {
    const [ga, gb] = grads(g, ta, tb, out);
    return [ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null, gb && tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
  });
}

/** Elementwise `a + b` with NumPy broadcasting; either may be a number ({@link Tensor.add}). */
export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b, (g) => [g, g]);
/** Elementwise `a − b` with broadcasting ({@link Tensor.sub}). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b, (g) => [g, unaryRaw('neg', g)]);
/** Elementwise `a · b` with broadcasting ({@link Tensor.mul}). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b, (g, ta, tb) => [times(g, tb), times(g, ta)]);
/** Elementwise `a / b` with broadcasting ({@link Tensor.div}). */
// d(a/b) = da/b − a·db/b² = da/b − out·db/b
export const div = (a: TensorLike, b: TensorLike): Tensor =>
  binaryOp('div', a, b, (g, _ta, tb, out) => {
    const gOverB = binaryRaw('div', g, tb);
    return [gOverB, unaryRaw('neg', times(gOverB, out))];
  });

/** Ties split the gradient equally, so the derivative is the average of the one-sided ones. */
function tieMasks(ta: Tensor, tb: Tensor, winner: 'gt' | 'lt'): [Tensor, Tensor] {
  const half = times(binaryRaw('eq', ta, tb), 0.5);
  return [binaryRaw('add', binaryRaw(winner, ta, tb), half), binaryRaw('add', binaryRaw(winner, tb, ta), half)];
}
/** Elementwise larger of `a` and `b` with broadcasting; ties split the gradient ({@link Tensor.maximum}). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor =>
  binaryOp('maximum', a, b, (g, ta, tb) => {
    const [ma, mb] = tieMasks(ta, tb, 'gt');
    return [times(g, ma), times(g, mb)];
  });
/** Elementwise smaller of `a` and `b` with broadcasting; ties split the gradient ({@link Tensor.minimum}). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor =>
  binaryOp('minimum', a, b, (g, ta, tb) => {
    const [ma, mb] = tieMasks(ta, tb, 'lt');
    return [times(g, ma), times(g, mb)];
  });

/** Picks a where cond ≠ 0, else b (broadcast together); cond gets no gradient. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  const ta = asTensor('where', a, dtype, like);
  const tb = asTensor('where', b, dtype, like);
  const out = whereRaw(cond, ta, tb);
  return record(out, 'where', [ta, tb], (g) => {
    const zero = asTensor('where', 0, g.dtype, g);
    return [
      ta.requiresGrad ? sumToShape(whereRaw(cond, g, zero), ta.shape) : null,
      tb.requiresGrad ? sumToShape(whereRaw(cond, zero, g), tb.shape) : null,
    ];
  });
}

// Comparisons: not differentiable, return 0/1 tensors.
/** Elementwise `a > b` as 1 or 0, with broadcasting (not differentiable). */
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('gt', a, b);
/** Elementwise `a ≥ b` as 1 or 0, with broadcasting (not differentiable). */
export const ge = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('ge', a, b);
/** Elementwise `a < b` as 1 or 0, with broadcasting (not differentiable). */
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('lt', a, b);
/** Elementwise `a ≤ b` as 1 or 0, with broadcasting (not differentiable). */
export const le = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('le', a, b);
/** Elementwise `a = b` as 1 or 0, with broadcasting (not differentiable). */
export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('eq', a, b);
