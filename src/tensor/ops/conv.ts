/** Forward convolution ops: argument checking, output sizes, and dispatch to the backend. */
import { promote } from '../dtype.js';
import type { Conv2dParams, KernelName, Pool2dParams } from '../backend.js';
import { kernel, placement, storageOn } from '../dispatch.js';
import { shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';
import { ShapeError, ValueError } from '../../errors.js';

/** Options of `conv2d` (and `nn.Conv2d`); a number applies to both height and width, a pair is [height, width]. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: number | [number, number];
  /** Zeros added on each side of the input (default 0). */
  padding?: number | [number, number];
  /** Spacing between kernel elements (default 1). */
  dilation?: number | [number, number];
  /** Only 1 (the default) is supported; any other value throws. */
  groups?: number;
}

/** Options of `convTranspose2d`: those of conv2d, describing the convolution it inverts, plus `outputPadding`. */
export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra rows/columns on one side of the output (default 0; less than stride or dilation), to pick among the output sizes a strided conv2d maps to the same input size. */
  outputPadding?: number | [number, number];
}

export function pair(op: string, name: string, v: number | readonly number[] | undefined, dflt: number, min: number): [number, number] {
  const p = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    // String(), not JSON.stringify: NaN and Infinity must not print as null.
    const shown = Array.isArray(v) ? `[${v.map(String).join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${shown}`);
  }
  return [p[0], p[1]];
}

function checkGroups(op: string, groups: number | undefined): void {
  if (groups !== undefined && groups !== 1) throw new ValueError(`${op}: groups=${groups} is not supported (only groups=1)`);
}

/** Parameters of y = conv2d(x, w): x [n, c, h, w], w [o, c, kh, kw]. */
export function conv2dParams(op: string, xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions): Conv2dParams {
  checkGroups(op, opts.groups);
  if (xShape.length !== 4) throw new ShapeError(`${op}: input must be 4-D [N, C, H, W], got ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(`${op}: weight must be 4-D [outC, inC, kH, kW], got ${shapeStr(wShape)}`);
  const [n, c, h, w] = xShape;
  const [o, wc, kh, kw] = wShape;
  if (c !== wc) throw new ShapeError(`${op}: input ${shapeStr(xShape)} has ${c} channels but weight ${shapeStr(wShape)} expects ${wc}`);
  const [strideH, strideW] = pair(op, 'stride', opts.stride, 1, 1);
  const [padH, padW] = pair(op, 'padding', opts.padding, 0, 0);
  const [dilationH, dilationW] = pair(op, 'dilation', opts.dilation, 1, 1);
  const ho = Math.floor((h + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1;
  const wo = Math.floor((w + 2 * padW - dilationW * (kw - 1) - 1) / strideW) + 1;
  if (ho <= 0 || wo <= 0) {
    throw new ShapeError(`${op}: kernel ${kh}×${kw} (dilation ${dilationH}×${dilationW}) does not fit input ${h}×${w} with padding ${padH}×${padW}`);
  }
  return { n, c, h, w, o, kh, kw, ho, wo, strideH, strideW, padH, padW, dilationH, dilationW };
}

/**
 * Parameters of y = convTranspose2d(x, w): x [n, cin, h, w], w [cin, cout, kh, kw] (PyTorch's layout).
 * It is the input-gradient of the conv2d that maps y back to x, so the returned
 * params describe that conv: its input is y (c = cout), its output is x (o = cin).
 */
export function convTranspose2dParams(op: string, xShape: readonly number[], wShape: readonly number[], opts: ConvTranspose2dOptions): Conv2dParams {
  checkGroups(op, opts.groups);
  if (xShape.length !== 4) throw new ShapeError(`${op}: input must be 4-D [N, C, H, W], got ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(`${op}: weight must be 4-D [inC, outC, kH, kW], got ${shapeStr(wShape)}`);
  const [n, cin, hin, win] = xShape;
  const [wcin, cout, kh, kw] = wShape;
  if (cin !== wcin) throw new ShapeError(`${op}: input ${shapeStr(xShape)} has ${cin} channels but weight ${shapeStr(wShape)} expects ${wcin}`);
  const [strideH, strideW] = pair(op, 'stride', opts.stride, 1, 1);
  const [padH, padW] = pair(op, 'padding', opts.padding, 0, 0);
  const [dilationH, dilationW] = pair(op, 'dilation', opts.dilation, 1, 1);
  const [opH, opW] = pair(op, 'outputPadding', opts.outputPadding, 0, 0);
  if (opH >= Math.max(strideH, dilationH) || opW >= Math.max(strideW, dilationW)) {
    throw new ValueError(`${op}: outputPadding (${opH}, ${opW}) must be smaller than stride or dilation`);
  }
  const h = (hin - 1) * strideH - 2 * padH + dilationH * (kh - 1) + opH + 1;
  const w = (win - 1) * strideW - 2 * padW + dilationW * (kw - 1) + opW + 1;
  if (h <= 0 || w <= 0) throw new ShapeError(`${op}: output size ${h}×${w} is not positive for input ${shapeStr(xShape)}`);
  return { n, c: cout, h, w, o: cin, kh, kw, ho: hin, wo: win, strideH, strideW, padH, padW, dilationH, dilationW };
}

/** Runs one of the three convolution kernels on two operands promoted to one dtype. */
function convKernel(name: Extract<KernelName, 'conv2d' | 'conv2dGradInput' | 'conv2dGradWeight'>, a: Tensor, b: Tensor, p: Conv2dParams, shape: number[]): Tensor {
  const dtype = promote(a.dtype, b.dtype);
  const be = placement(name, [a, b], dtype);
  return new Tensor(kernel(be, name)(storageOn(a, be, dtype), storageOn(b, be, dtype), p), shape);
}

export function conv2dRaw(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  return convKernel('conv2d', x, w, p, [p.n, p.o, p.ho, p.wo]);
}

export function conv2dGradInputRaw(dy: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  return convKernel('conv2dGradInput', dy, w, p, [p.n, p.c, p.h, p.w]);
}

export function conv2dGradWeightRaw(x: Tensor, dy: Tensor, p: Conv2dParams): Tensor {
  return convKernel('conv2dGradWeight', x, dy, p, [p.o, p.c, p.kh, p.kw]);
}

/** The pooling window of `maxPool2d` / `avgPool2d`; a number applies to both height and width. */
export interface Pool2dOptions {
  /** The window's size. */
  kernelSize: number | [number, number];
  /** Step between windows (default: the window's size). */
  stride?: number | [number, number];
  /** Padding on each side (default 0; at most half the window). */
  padding?: number | [number, number];
}

export function pool2dParams(op: string, xShape: readonly number[], opts: Pool2dOptions): Pool2dParams {
  if (xShape.length !== 4) throw new ShapeError(`${op}: input must be 4-D [N, C, H, W], got ${shapeStr(xShape)}`);
  const [n, c, h, w] = xShape;
  if (opts.kernelSize === undefined) throw new ValueError(`${op}: kernelSize is required`);
  const [kh, kw] = pair(op, 'kernelSize', opts.kernelSize, 1, 1);
  const [strideH, strideW] = opts.stride === undefined ? [kh, kw] : pair(op, 'stride', opts.stride, 1, 1);
  const [padH, padW] = pair(op, 'padding', opts.padding, 0, 0);
  if (padH * 2 > kh || padW * 2 > kw) throw new ValueError(`${op}: padding (${padH}, ${padW}) must be at most half the kernel (${kh}, ${kw})`);
  const ho = Math.floor((h + 2 * padH - kh) / strideH) + 1;
  const wo = Math.floor((w + 2 * padW - kw) / strideW) + 1;
  if (ho <= 0 || wo <= 0) throw new ShapeError(`${op}: kernel ${kh}×${kw} does not fit input ${h}×${w} with padding ${padH}×${padW}`);
  return { n, c, h, w, kh, kw, ho, wo, strideH, strideW, padH, padW };
}

/**
 * Max pooling: the pooled tensor, and each output's winning position — a
 * tensor whose storage is opaque (in whatever form the backend's
 * maxPool2dGrad reads), kept as a tensor so it is freed like any other.
 */
export function maxPool2dRaw(x: Tensor, p: Pool2dParams): { out: Tensor; argmax: Tensor } {
  const be = placement('maxPool2d', [x]);
  const r = kernel(be, 'maxPool2d')(x.storage, p);
  const shape = [p.n, p.c, p.ho, p.wo];
  return { out: new Tensor(r.out, shape), argmax: new Tensor(r.argmax, shape) };
}

/** Routes pooled gradients back to the input positions that won the max. */
export function maxPool2dGradRaw(dy: Tensor, argmax: Tensor, p: Pool2dParams): Tensor {
  const be = placement('maxPool2d', [dy]);
  return new Tensor(kernel(be, 'maxPool2dGrad')(dy.storage, argmax.storage, p), [p.n, p.c, p.h, p.w]);
}

export function avgPool2dRaw(x: Tensor, p: Pool2dParams): Tensor {
  const be = placement('avgPool2d', [x]);
  return new Tensor(kernel(be, 'avgPool2d')(x.storage, p), [p.n, p.c, p.ho, p.wo]);
}

export function avgPool2dGradRaw(dy: Tensor, p: Pool2dParams): Tensor {
  const be = placement('avgPool2d', [dy]);
  return new Tensor(kernel(be, 'avgPool2dGrad')(dy.storage, p), [p.n, p.c, p.h, p.w]);
}
