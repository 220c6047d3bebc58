/**
 * Parameter initialisation, as torch.nn.init. Each function fills a tensor in
 * place (outside the graph) and returns it. Randomness comes from
 * `opts.generator` or the global generator (`manualSeed`), so initial weights
 * are reproducible.
 *
 * Fans: for a weight of shape [a, b, ...k], fanIn = b·∏k and fanOut = a·∏k
 * (PyTorch's convention; for ConvTranspose2d's [in, out, kh, kw] layout this
 * makes "fanIn" the output channels, which is what PyTorch does too).
 *
 * Why these scales (for a layer y = W·x with n inputs of unit variance):
 *   Var(y) = n·Var(W), so Var(W) = gain²/fanIn keeps activations at unit scale
 *   (Kaiming/He, gain² = 2 for ReLU which zeroes half the signal); Xavier/Glorot
 *   balances forward and backward: Var(W) = gain²·2/(fanIn + fanOut).
 *   A uniform U(−b, b) has variance b²/3, so b = √3·std.
 */
import { allocate, defaultGenerator, shapeStr, type Generator, type Tensor } from '../tensor/index.js';
import { ShapeError, ValueError } from '../errors.js';

/** Options of every initialiser that draws random numbers. */
export interface InitOptions {
  /** Draws the values (default: the global generator, see `manualSeed`). */
  generator?: Generator;
}

/** The nonlinearities {@link calculateGain} knows. */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'convTranspose2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';
/** Which fan a Kaiming initialiser scales by. */
export type FanMode = 'fanIn' | 'fanOut';

/** Options of {@link kaimingUniform} and {@link kaimingNormal}. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (0 = ReLU); √5 gives PyTorch's default layer init. */
  a?: number;
  /** 'fanIn' (default) preserves the forward pass's scale, 'fanOut' the backward pass's. */
  mode?: FanMode;
  /** The nonlinearity that follows (default 'leakyRelu'). */
  nonlinearity?: Nonlinearity;
}

/** Options of {@link xavierUniform} and {@link xavierNormal}. */
export interface XavierOptions extends InitOptions {
  /** Scale factor (default 1). */
  gain?: number;
}

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'convTranspose2d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new ValueError(`calculateGain: negative slope must be a finite number, got ${slope}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/** [fanIn, fanOut] of a weight of shape [a, b, ...kernel]. */
export function fanInAndFanOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2) throw new ShapeError(`init: fan in and fan out need a tensor with at least 2 dimensions, got shape ${shapeStr(shape)}`);
  let receptive = 1;
  for (let d = 2; d < shape.length; d++) receptive *= shape[d];
  return [shape[1] * receptive, shape[0] * receptive];
}

/** Draws every element on the host (so every backend gets the same numbers), then writes them in place. */
function fill(t: Tensor, draw: () => number): Tensor {
  const values = allocate(t.dtype, t.size);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return t.copy_(values);
}

/** U(a, b). */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  if (!(a <= b)) throw new ValueError(`init.uniform: need a ≤ b, got ${a}, ${b}`);
  const g = opts.generator ?? defaultGenerator();
  return fill(t, () => a + (b - a) * g.random());
}

/** N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new ValueError(`init.normal: std must be ≥ 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator();
  return fill(t, () => mean + std * g.normal());
}

/** Fills `t` with `value`, in place; returns it. */
export function constant(t: Tensor, value: number): Tensor {
  return t.copy_(allocate(t.dtype, t.size).fill(value));
}

/** Fills `t` with 0, in place; returns it. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills `t` with 1, in place; returns it. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ValueError(`init.kaiming: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const [fanIn, fanOut] = fanInAndFanOut(t.shape);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) throw new ShapeError(`init.kaiming: cannot initialise a tensor with zero elements (shape ${shapeStr(t.shape)})`);
  return calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0) / Math.sqrt(fan);
}

/** Kaiming/He uniform: U(−b, b), b = gain·√(3 / fan). Defaults as PyTorch: a = 0, fanIn, leakyRelu. */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -bound, bound, opts);
}

/** Kaiming/He normal: N(0, gain² / fan). */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts), opts);
}

function xavierStd(t: Tensor, gain: number): number {
  const [fanIn, fanOut] = fanInAndFanOut(t.shape);
  if (fanIn + fanOut === 0) throw new ShapeError(`init.xavier: cannot initialise a tensor with zero elements (shape ${shapeStr(t.shape)})`);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Xavier/Glorot uniform: U(−b, b), b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, opts: XavierOptions = {}): Tensor {
  const bound = Math.sqrt(3) * xavierStd(t, opts.gain ?? 1);
  return uniform(t, -bound, bound, opts);
}

/** Xavier/Glorot normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, opts: XavierOptions = {}): Tensor {
  return normal(t, 0, xavierStd(t, opts.gain ?? 1), opts);
}

/**
 * PyTorch's default for Linear and Conv layers (reset_parameters): weight by
 * kaimingUniform with a = √5, i.e. U(±1/√fanIn), and bias U(±1/√fanIn).
 */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null, opts: InitOptions = {}): void {
  kaimingUniform(weight, { a: Math.sqrt(5), generator: opts.generator });
  if (bias) {
    const [fanIn] = fanInAndFanOut(weight.shape);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound, opts);
  }
}
