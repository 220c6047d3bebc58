/**
 * Async ops: matmul, linear, conv2d and convTranspose2d whose kernels are
 * awaited, for backends whose results come back asynchronously (the gpu
 * backend in 'webgpu' mode has no other kind). Each records both backward
 * rules: `backwardAsync` awaits the async one (its gradients are async
 * kernels too), plain `backward` runs the synchronous one. On backends
 * without async kernels they give exactly what the synchronous ops give.
 *
 * An async training step:
 *   const h = (await linearAsync(x, w1, b1)).relu();
 *   const loss = (await linearAsync(h, w2, b2)).sub(y).square().mean();
 *   await backwardAsync(loss);
 * Everything but the four kernel-backed ops stays synchronous (elementwise
 * and reductions run on the CPU in every gpu mode), so only these need `await`.
 *
 * The gradient rules are the synchronous ops' (ops/matmul.ts, ops/conv.ts).
 */
import {
  conv2dGradInputRaw, conv2dGradInputRawAsync, conv2dGradWeightRaw, conv2dGradWeightRawAsync, conv2dParams, conv2dRaw,
  conv2dRawAsync, convTranspose2dParams, matmulRaw, matmulRawAsync, shapeStr, sumToShape, Tensor,
  type Conv2dOptions, type Conv2dParams, type ConvTranspose2dOptions,
} from '../../tensor/index.js';
import { record } from '../engine.js';
import { addChannelBias, checkLinear } from './shared.js';
import { add } from './elementwise.js';
import type { MatmulOptions } from './matmul.js';
import { reshape } from './movement.js';

/** C = op(A)·op(B): dA = dC·op(B)ᵀ, dB = op(A)ᵀ·dC, each read through transpose flags (see ops/matmul.ts). */
async function matmul2Async(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Promise<Tensor> {
  const out = await matmulRawAsync(a, b, tA, tB);
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(tA ? matmulRaw(b, g, tB, true) : matmulRaw(g, b, false, !tB), a.shape) : null,
    b.requiresGrad ? sumToShape(tB ? matmulRaw(g, a, true, tA) : matmulRaw(a, g, !tA, false), b.shape) : null,
  ], async (g) => [
    a.requiresGrad ? sumToShape(await (tA ? matmulRawAsync(b, g, tB, true) : matmulRawAsync(g, b, false, !tB)), a.shape) : null,
    b.requiresGrad ? sumToShape(await (tB ? matmulRawAsync(g, a, true, tA) : matmulRawAsync(a, g, !tA, false)), b.shape) : null,
  ]);
}

/** `matmul` (NumPy semantics, transpose flags) with an awaited kernel. */
export async function matmulAsync(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Promise<Tensor> {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new Error('matmulAsync: both operands must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmulAsync: operands must have at least 1 dimension, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const tA = opts.transA ?? false;
  const tB = opts.transB ?? false;
  if (a.ndim === 1 || b.ndim === 1) {
    if (tA || tB) throw new Error('matmulAsync: transpose flags need operands with at least 2 dimensions');
    const out = await matmul2Async(a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a, b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b, false, false);
    const shape = out.shape.slice();
    if (b.ndim === 1) shape.splice(shape.length - 1, 1);
    if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
    return reshape(out, shape);
  }
  return matmul2Async(a, b, tA, tB);
}

/** `linear`: y = x·Wᵀ + b, W stored [out, in], with an awaited kernel. */
export async function linearAsync(x: Tensor, weight: Tensor, bias?: Tensor | null): Promise<Tensor> {
  checkLinear('linearAsync', x, weight, bias);
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : reshape(x, [-1, weight.shape[1]]);
  let y = await matmul2Async(x2, weight, false, true);
  if (bias) y = add(y, bias);
  return x.ndim === 2 ? y : reshape(y, [...lead, weight.shape[0]]);
}

/** y = conv(x, w): dx = conv2dGradInput(dy, w), dw = conv2dGradWeight(x, dy). */
async function conv2dCore(x: Tensor, weight: Tensor, p: Conv2dParams): Promise<Tensor> {
  const out = await conv2dRawAsync(x, weight, p);
  return record(out, 'conv2d', [x, weight], (g) => [
    x.requiresGrad ? conv2dGradInputRaw(g, weight, p) : null,
    weight.requiresGrad ? conv2dGradWeightRaw(x, g, p) : null,
  ], async (g) => [
    x.requiresGrad ? await conv2dGradInputRawAsync(g, weight, p) : null,
    weight.requiresGrad ? await conv2dGradWeightRawAsync(x, g, p) : null,
  ]);
}

/** `conv2d`: x [N, C, H, W], weight [O, C, kH, kW] → [N, O, H', W'], with awaited kernels. */
export async function conv2dAsync(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Promise<Tensor> {
  const p = conv2dParams('conv2dAsync', x.shape, weight.shape, opts);
  return addChannelBias('conv2dAsync', await conv2dCore(x, weight, p), bias);
}

/**
 * `convTranspose2d`: x [N, Cin, H, W], weight [Cin, Cout, kH, kW] → [N, Cout, H', W'].
 * It is conv2d's input gradient, so its gradients are conv2d (for x) and the
 * weight gradient with input and output swapped (for w).
 */
export async function convTranspose2dAsync(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Promise<Tensor> {
  const p = convTranspose2dParams('convTranspose2dAsync', x.shape, weight.shape, opts);
  const out = await conv2dGradInputRawAsync(x, weight, p);
  const y = record(out, 'convTranspose2d', [x, weight], (g) => [
    x.requiresGrad ? conv2dRaw(g, weight, p) : null,
    weight.requiresGrad ? conv2dGradWeightRaw(g, x, p) : null,
  ], async (g) => [
    x.requiresGrad ? await conv2dRawAsync(g, weight, p) : null,
    weight.requiresGrad ? await conv2dGradWeightRawAsync(g, x, p) : null,
  ]);
  return addChannelBias('convTranspose2dAsync', y, bias);
}
