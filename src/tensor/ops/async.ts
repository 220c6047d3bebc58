/**
 * Asynchronous twins of the kernel-backed forward ops (matmulRaw, conv2dRaw,
 * conv2dGradInputRaw, conv2dGradWeightRaw). Same checks, same results; the
 * kernel runs through the backend's optional `…Async` member when it has one
 * (the gpu backend: WebGPU's mapAsync readback, WebGL2's fenced readback),
 * and synchronously otherwise, so code written with them runs on every backend.
 */
import { allocate, promote } from '../dtype.js';
import { backendFor, type Conv2dParams } from '../backend.js';
import { Tensor } from '../tensor.js';
import { cast } from './elementwise.js';
import { matmulPlan } from './matmul.js';

export async function matmulRawAsync(a: Tensor, b: Tensor, transA = false, transB = false): Promise<Tensor> {
  const plan = matmulPlan(a, b, transA, transB);
  const be = backendFor(plan.out);
  if (be.matmulAsync) await be.matmulAsync(plan.a, plan.b, plan.out, plan.params);
  else be.matmul(plan.a, plan.b, plan.out, plan.params);
  return new Tensor(plan.out, plan.shape);
}

function operands(x: Tensor, w: Tensor): [Tensor, Tensor] {
  const dtype = promote(x.dtype, w.dtype);
  return [cast(x, dtype), cast(w, dtype)];
}

export async function conv2dRawAsync(x: Tensor, w: Tensor, p: Conv2dParams): Promise<Tensor> {
  const [tx, tw] = operands(x, w);
  const out = allocate(tx.dtype, p.n * p.o * p.ho * p.wo);
  const be = backendFor(out);
  if (be.conv2dAsync) await be.conv2dAsync(tx.data, tw.data, out, p);
  else be.conv2d(tx.data, tw.data, out, p);
  return new Tensor(out, [p.n, p.o, p.ho, p.wo]);
}

export async function conv2dGradInputRawAsync(dy: Tensor, w: Tensor, p: Conv2dParams): Promise<Tensor> {
  const [tdy, tw] = operands(dy, w);
  const out = allocate(tdy.dtype, p.n * p.c * p.h * p.w);
  const be = backendFor(out);
  if (be.conv2dGradInputAsync) await be.conv2dGradInputAsync(tdy.data, tw.data, out, p);
  else be.conv2dGradInput(tdy.data, tw.data, out, p);
  return new Tensor(out, [p.n, p.c, p.h, p.w]);
}

export async function conv2dGradWeightRawAsync(x: Tensor, dy: Tensor, p: Conv2dParams): Promise<Tensor> {
  const [tx, tdy] = operands(x, dy);
  const out = allocate(tx.dtype, p.o * p.c * p.kh * p.kw);
  const be = backendFor(out);
  if (be.conv2dGradWeightAsync) await be.conv2dGradWeightAsync(tx.data, tdy.data, out, p);
  else be.conv2dGradWeight(tx.data, tdy.data, out, p);
  return new Tensor(out, [p.o, p.c, p.kh, p.kw]);
}
