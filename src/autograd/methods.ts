/**
 * Tensor methods: `x.add(y)`, `x.matmul(w).relu().sum()`, `loss.backward()`.
 * Each is a one-line call to the functional op of the same name, installed on
 * the prototype here so the tensor layer stays free of gradient knowledge.
 */
import { Tensor, type Backend, type BackendName, type DType, type TensorLike, type Conv2dOptions, type ConvTranspose2dOptions } from '../tensor/index.js';
import { backward, detach, type BackwardOptions } from './engine.js';
import * as X from './ops/transfer.js';
import * as E from './ops/elementwise.js';
import * as R from './ops/reduce.js';
import * as M from './ops/movement.js';
import * as L from './ops/matmul.js';
import * as C from './ops/conv.js';
import * as P from './ops/pool.js';

type Axes = R.Axes;

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Elementwise `this + other`; shapes broadcast (NumPy rules), a number acts as a scalar.
     * Mixing float32 and float64 gives float64. Throws when the shapes cannot broadcast.
     */
    add(other: TensorLike): Tensor;
    /** Elementwise `this − other`, broadcasting like {@link Tensor.add}. */
    sub(other: TensorLike): Tensor;
    /** Elementwise `this · other`, broadcasting like {@link Tensor.add}. */
    mul(other: TensorLike): Tensor;
    /** Elementwise `this / other`, broadcasting like {@link Tensor.add} (division by 0 gives ±Infinity or NaN, as in IEEE arithmetic). */
    div(other: TensorLike): Tensor;
    /** Elementwise larger of `this` and `other` (broadcasting); where they tie, each gets half the gradient. */
    maximum(other: TensorLike): Tensor;
    /** Elementwise smaller of `this` and `other` (broadcasting); where they tie, each gets half the gradient. */
    minimum(other: TensorLike): Tensor;
    /** Elementwise `x^exponent` for a scalar exponent; throws unless it is a finite number. */
    pow(exponent: number): Tensor;
    /** Elementwise `−x`. */
    neg(): Tensor;
    /** Elementwise `eˣ`. */
    exp(): Tensor;
    /** Elementwise natural logarithm (`−Infinity` at 0, NaN below). */
    log(): Tensor;
    /** Elementwise square root (NaN below 0). */
    sqrt(): Tensor;
    /** Elementwise `|x|` (gradient 0 at 0). */
    abs(): Tensor;
    /** Elementwise `x²`. */
    square(): Tensor;
    /** Elementwise `max(x, 0)` (gradient 0 at 0, as PyTorch). */
    relu(): Tensor;
    /** Elementwise `x` where `x > 0`, else `negativeSlope · x` (default slope 0.01). */
    leakyRelu(negativeSlope?: number): Tensor;
    /** Elementwise logistic function `1 / (1 + e⁻ˣ)`. */
    sigmoid(): Tensor;
    /** Elementwise hyperbolic tangent. */
    tanh(): Tensor;
    /** Elementwise `log(1 + eˣ)`, computed without overflow for large x. */
    softplus(): Tensor;
    /** x·Φ(x), exact (PyTorch's GELU default). */
    gelu(): Tensor;
    /**
     * Limits every value to `[min, max]` (either bound may be left out); the
     * gradient passes where `min ≤ x ≤ max`. Throws when `min > max` or a bound is NaN.
     */
    clamp(min?: number, max?: number): Tensor;
    /** Elementwise `this > other` as 1 or 0 (broadcasting); not differentiable. */
    gt(other: TensorLike): Tensor;
    /** Elementwise `this ≥ other` as 1 or 0 (broadcasting); not differentiable. */
    ge(other: TensorLike): Tensor;
    /** Elementwise `this < other` as 1 or 0 (broadcasting); not differentiable. */
    lt(other: TensorLike): Tensor;
    /** Elementwise `this ≤ other` as 1 or 0 (broadcasting); not differentiable. */
    le(other: TensorLike): Tensor;
    /** Elementwise `this = other` as 1 or 0 (broadcasting); not differentiable. */
    eq(other: TensorLike): Tensor;

    /**
     * The sum over `axes` (one axis, a list, or all when omitted; negative axes
     * count from the end). The reduced dimensions are dropped, or kept as size 1
     * with `keepdim`. Throws on an axis out of range or given twice.
     *
     * ```ts
     * tensor([[1, 2], [3, 4]]).sum(0).toArray();        // [4, 6]
     * tensor([[1, 2], [3, 4]]).sum(-1, true).shape;     // [2, 1]
     * ```
     */
    sum(axes?: Axes, keepdim?: boolean): Tensor;
    /** The mean over `axes` (all when omitted); axes and `keepdim` as in {@link Tensor.sum}. */
    mean(axes?: Axes, keepdim?: boolean): Tensor;
    /** The largest value over `axes` (all when omitted; values only, like `torch.amax`); tied maxima share the gradient equally. */
    max(axes?: Axes, keepdim?: boolean): Tensor;
    /** The smallest value over `axes` (all when omitted; values only, like `torch.amin`); tied minima share the gradient equally. */
    min(axes?: Axes, keepdim?: boolean): Tensor;
    /**
     * The variance over `axes` (all when omitted). Unlike PyTorch, the default is
     * the population variance (divided by n); `unbiased: true` divides by n − 1.
     */
    var(axes?: Axes, keepdim?: boolean, unbiased?: boolean): Tensor;
    /** `log Σ exp(x)` over `axes` (all when omitted), computed stably (the maximum is subtracted first). */
    logsumexp(axes?: Axes, keepdim?: boolean): Tensor;
    /**
     * The index of the largest value along `axis` (the first one on ties), as a
     * float tensor; with no axis, the flat index over all elements. Not differentiable.
     * Throws on an empty axis.
     */
    argmax(axis?: number, keepdim?: boolean): Tensor;
    /** Softmax along `axis` (default: the last): values in (0, 1) that sum to 1, computed stably. */
    softmax(axis?: number): Tensor;
    /** `log(softmax(x))` along `axis` (default: the last), accurate for large logits. */
    logSoftmax(axis?: number): Tensor;

    /**
     * The same values with a new shape, sharing this tensor's storage (no copy).
     * One dimension may be -1: it is inferred. Takes an array or the sizes as arguments.
     * Throws when the element counts differ.
     *
     * ```ts
     * const x = arange(6);
     * x.reshape(2, 3).shape;      // [2, 3]
     * x.reshape([-1, 2]).shape;   // [3, 2]
     * ```
     */
    reshape(shape: readonly number[]): Tensor;
    /** {@link Tensor.reshape} with the sizes as arguments: `reshape(2, -1)`. */
    reshape(...shape: number[]): Tensor;
    /** {@link Tensor.reshape} under PyTorch's other name: `view(2, 3)` or `view([2, -1])`. */
    view(shape: readonly number[]): Tensor;
    /** {@link Tensor.view} with the sizes as arguments: `view(2, 3)`. */
    view(...shape: number[]): Tensor;
    /** Merges dimensions `startDim..endDim` (default: all) into one, a view (PyTorch's `flatten`); a 0-d tensor becomes `[1]`. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Removes size-1 dimensions: all of them, or only `dim` (unchanged when `dim` is not 1). A view. */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dimension at `dim` (an axis of the result; negative counts from the end). A view. */
    unsqueeze(dim: number): Tensor;
    /**
     * Reorders the dimensions: `out.shape[i] = this.shape[perm[i]]` (a copy:
     * tensors are always contiguous). Throws unless `perm` is a permutation of the axes.
     */
    permute(perm: readonly number[]): Tensor;
    /** Swaps two dimensions (default: the last two), as a copy. Needs at least 2 dimensions. */
    transpose(dim0?: number, dim1?: number): Tensor;
    /** The last two dimensions swapped (a copy): the matrix transpose of a 2-D tensor. */
    readonly T: Tensor;
    /**
     * Elements `start` to `end − 1` along `dim`, as a copy; negative indices count
     * from the end and out-of-range ones are clamped, as in Python slicing
     * (`end` defaults to the length of the axis).
     */
    slice(dim: number, start: number, end?: number): Tensor;
    /** `length` elements from `start` along `dim` (PyTorch's `narrow`); throws when they do not fit. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** Pieces of `size` elements along `dim` (default 0); the last may be smaller. */
    split(size: number, dim?: number): Tensor[];
    /** `chunks` equal pieces along `dim` (default 0); throws unless the axis divides evenly. */
    chunk(chunks: number, dim?: number): Tensor[];
    /**
     * Broadcasts to `shape` (a copy; -1 keeps a dimension); new dimensions are
     * added in front. The gradient sums back. Throws when the shapes do not broadcast.
     */
    expand(shape: readonly number[]): Tensor;
    /**
     * Pads the trailing `widths.length` dimensions with `value` (default 0):
     * `widths` holds one `[before, after]` pair per padded dimension, in
     * dimension order (NumPy's `np.pad` order, not PyTorch's `F.pad`, which lists the last dimension first).
     *
     * ```ts
     * tensor([[1, 2]]).pad([[0, 0], [1, 1]]).toArray();   // [[0, 1, 2, 0]]
     * ```
     */
    pad(widths: ReadonlyArray<readonly [number, number]>, value?: number): Tensor;
    /** A copy on the same backend that stays in the graph (gradients flow back to this tensor). */
    clone(): Tensor;

    /**
     * Matrix product with NumPy's `matmul` rules: `[m, k] · [k, n] → [m, n]`;
     * leading (batch) dimensions broadcast; a 1-D operand is treated as a row
     * (left) or column (right) vector and its dimension removed from the result.
     * `transA` / `transB` multiply by the transpose of a ≥ 2-D operand without
     * copying it. Throws when the inner dimensions differ.
     *
     * ```ts
     * tensor([[1, 2]]).matmul(tensor([[3], [4]])).item();   // 11
     * ```
     */
    matmul(other: Tensor, opts?: L.MatmulOptions): Tensor;
    /**
     * 2-D convolution (cross-correlation, as PyTorch): this `[N, C, H, W]`,
     * `weight` `[O, C, kH, kW]`, `bias` `[O]` → `[N, O, H', W']` with
     * `H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1`.
     * Only `groups: 1`. Throws naming the shapes when they do not fit.
     */
    conv2d(weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor;
    /**
     * Transposed 2-D convolution (the gradient of conv2d w.r.t. its input):
     * this `[N, Cin, H, W]`, `weight` `[Cin, Cout, kH, kW]` (PyTorch's layout),
     * `bias` `[Cout]` → `[N, Cout, H', W']` with
     * `H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1`.
     */
    convTranspose2d(weight: Tensor, bias?: Tensor | null, opts?: ConvTranspose2dOptions): Tensor;
    /**
     * Max pooling over `[N, C, H, W]`: windows of `kernelSize` every `stride`
     * (default: `kernelSize`), with `padding` (at most half the window) that
     * never wins. A number means the same along both axes. The gradient goes to each window's maximum.
     */
    maxPool2d(kernelSize: number | [number, number], stride?: number | [number, number], padding?: number | [number, number]): Tensor;
    /**
     * Average pooling over `[N, C, H, W]`; arguments as in {@link Tensor.maxPool2d}.
     * Padding counts as zeros and is included in the divisor (PyTorch's default).
     */
    avgPool2d(kernelSize: number | [number, number], stride?: number | [number, number], padding?: number | [number, number]): Tensor;

    /**
     * Computes the gradient of this tensor with respect to every leaf that has
     * `requiresGrad`, adding it into each leaf's `.grad`. `grad` (the gradient
     * of some final value w.r.t. this tensor) may be left out for a one-element
     * tensor. The graph is freed afterwards unless `retainGraph` is set.
     * Throws when this tensor does not require grad, when `grad` has another
     * shape, or when the graph was already freed.
     */
    backward(grad?: Tensor, opts?: BackwardOptions): void;
    /**
     * This tensor on another backend ('js', 'wasm', 'gpu', or a Backend) or as
     * another dtype ('float32', 'float64'); itself when nothing changes.
     * Differentiable: gradients flow back to the original. Throws for an
     * unknown backend and for float64 on a backend without it (cast first).
     */
    to(target: BackendName | Backend | DType): Tensor;
    /** `to('float32')`. */
    float(): Tensor;
    /** `to('float64')` (float64 lives on the js backend). */
    double(): Tensor;
    /** The same values (sharing storage), cut from the graph: no gradient flows through it. */
    detach(): Tensor;
    /** Clears `.grad` (sets it to null). */
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
