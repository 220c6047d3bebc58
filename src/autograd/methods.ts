/**
 * Tensor methods: `x.add(y)`, `x.matmul(w).relu().sum()`, `loss.backward()`.
 * Each is a one-line call to the functional op of the same name, installed on
 * the prototype here so the tensor layer stays free of gradient knowledge.
 */
import { Tensor, type Backend, type DType, type TensorLike, type Conv2dOptions, type ConvTranspose2dOptions } from '../tensor/index.js';
import { backward, detach, type BackwardOptions } from './engine.js';
import * as X from './ops/transfer.js';
import * as E from './ops/elementwise.js';
import * as R from './ops/reduce.js';
import * as M from './ops/movement.js';
import * as L from './ops/matmul.js';
import * as C from './ops/conv.js';
import * as P from './ops/pool.js';

type Axes = R.Axes;
type Size2 = number | [number, number];

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    pow(exponent: number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softplus(): Tensor;
    /** x·Φ(x), exact (PyTorch's GELU default). */
    gelu(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;

    sum(axes?: Axes, keepdim?: boolean): Tensor;
    mean(axes?: Axes, keepdim?: boolean): Tensor;
    max(axes?: Axes, keepdim?: boolean): Tensor;
    min(axes?: Axes, keepdim?: boolean): Tensor;
    var(axes?: Axes, keepdim?: boolean, unbiased?: boolean): Tensor;
    logsumexp(axes?: Axes, keepdim?: boolean): Tensor;
    argmax(axis?: number, keepdim?: boolean): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;

    /** Same data, new shape (a view): `reshape([2, -1])` or `reshape(2, -1)`; one dimension may be -1. */
    reshape(shape: readonly number[]): Tensor;
    reshape(...shape: number[]): Tensor;
    /** `reshape` (PyTorch's view): `view(2, 3)` or `view([2, 3])`. */
    view(shape: readonly number[]): Tensor;
    view(...shape: number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** The transpose of a 2-D tensor (a copy). */
    readonly T: Tensor;
    slice(dim: number, start: number, end?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    split(size: number, dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    expand(shape: readonly number[]): Tensor;
    pad(widths: ReadonlyArray<readonly [number, number]>, value?: number): Tensor;
    clone(): Tensor;

    matmul(other: Tensor, opts?: L.MatmulOptions): Tensor;
    conv2d(weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor;
    convTranspose2d(weight: Tensor, bias?: Tensor | null, opts?: ConvTranspose2dOptions): Tensor;
    maxPool2d(kernelSize: Size2, stride?: Size2, padding?: Size2): Tensor;
    avgPool2d(kernelSize: Size2, stride?: Size2, padding?: Size2): Tensor;

    /** Reverse-mode gradient of this tensor w.r.t. every leaf that requires grad. */
    backward(grad?: Tensor, opts?: BackwardOptions): void;
    /**
     * This tensor on another backend ('js', 'wasm', 'gpu', or a Backend) or as
     * another dtype ('float32', 'float64'); itself when nothing changes.
     * Differentiable: gradients flow back to the original.
     */
    to(target: string | Backend | DType): Tensor;
    /** `to('float32')`. */
    float(): Tensor;
    /** `to('float64')` (float64 lives on the js backend). */
    double(): Tensor;
    /** Same data, cut from the graph. */
    detach(): Tensor;
    /** Clears `.grad`. */
    zeroGrad(): void;
  }
}

const proto = Tensor.prototype;
proto.add = function (o) { return E.add(this, o); };
proto.sub = function (o) { return E.sub(this, o); };
proto.mul = function (o) { return E.mul(this, o); };
proto.div = function (o) { return E.div(this, o); };
proto.maximum = function (o) { return E.maximum(this, o); };
proto.minimum = function (o) { return E.minimum(this, o); };
proto.pow = function (p) { return E.pow(this, p); };
proto.neg = function () { return E.neg(this); };
proto.exp = function () { return E.exp(this); };
proto.log = function () { return E.log(this); };
proto.sqrt = function () { return E.sqrt(this); };
proto.abs = function () { return E.abs(this); };
proto.square = function () { return E.square(this); };
proto.relu = function () { return E.relu(this); };
proto.leakyRelu = function (s) { return E.leakyRelu(this, s); };
proto.sigmoid = function () { return E.sigmoid(this); };
proto.tanh = function () { return E.tanh(this); };
proto.softplus = function () { return E.softplus(this); };
proto.gelu = function () { return E.gelu(this); };
proto.clamp = function (lo, hi) { return E.clamp(this, lo, hi); };
proto.gt = function (o) { return E.gt(this, o); };
proto.ge = function (o) { return E.ge(this, o); };
proto.lt = function (o) { return E.lt(this, o); };
proto.le = function (o) { return E.le(this, o); };
proto.eq = function (o) { return E.eq(this, o); };

proto.sum = function (a, k) { return R.sum(this, a, k); };
proto.mean = function (a, k) { return R.mean(this, a, k); };
proto.max = function (a, k) { return R.max(this, a, k); };
proto.min = function (a, k) { return R.min(this, a, k); };
proto.var = function (a, k, u) { return R.variance(this, a, k, u); };
proto.logsumexp = function (a, k) { return R.logsumexp(this, a, k); };
proto.argmax = function (a, k) { return R.argmax(this, a, k); };
proto.softmax = function (a) { return R.softmax(this, a); };
proto.logSoftmax = function (a) { return R.logSoftmax(this, a); };

/** Accepts reshape([2, 3]) and reshape(2, 3). */
const shapeArgs = (args: unknown[]): readonly number[] =>
  args.length === 1 && typeof args[0] !== 'number' ? (args[0] as number[]) : (args as number[]); // anything else: reshape's own check names it
proto.reshape = function (this: Tensor, ...s: unknown[]) { return M.reshape(this, shapeArgs(s)); } as Tensor['reshape'];
proto.view = function (this: Tensor, ...s: unknown[]) { return M.reshape(this, shapeArgs(s)); } as Tensor['view'];
proto.flatten = function (s, e) { return M.flatten(this, s, e); };
proto.squeeze = function (d) { return M.squeeze(this, d); };
proto.unsqueeze = function (d) { return M.unsqueeze(this, d); };
proto.permute = function (p) { return M.permute(this, p); };
proto.transpose = function (a, b) { return M.transpose(this, a, b); };
Object.defineProperty(proto, 'T', { get(this: Tensor) { return M.transpose(this); }, configurable: true });
proto.slice = function (d, s, e) { return M.slice(this, d, s, e); };
proto.narrow = function (d, s, l) { return M.narrow(this, d, s, l); };
proto.split = function (s, d) { return M.split(this, s, d); };
proto.chunk = function (c, d) { return M.chunk(this, c, d); };
proto.expand = function (s) { return M.expand(this, s); };
proto.pad = function (w, v) { return M.pad(this, w, v); };
proto.clone = function () { return M.clone(this); };

proto.matmul = function (o, opts) { return L.matmul(this, o, opts); };
proto.conv2d = function (w, b, opts) { return C.conv2d(this, w, b, opts); };
proto.convTranspose2d = function (w, b, opts) { return C.convTranspose2d(this, w, b, opts); };
proto.maxPool2d = function (k, s, p) { return P.maxPool2d(this, k, s, p); };
proto.avgPool2d = function (k, s, p) { return P.avgPool2d(this, k, s, p); };

proto.backward = function (g, opts) { backward(this, g, opts); };
proto.to = function (target) { return X.to(this, target); };
proto.float = function () { return X.to(this, 'float32'); };
proto.double = function () { return X.to(this, 'float64'); };
proto.detach = function () { return detach(this); };
proto.zeroGrad = function () { this.grad = null; };
