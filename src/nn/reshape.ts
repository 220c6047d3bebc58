/** Shape layers: Flatten (many axes into one), Unflatten (one axis into many), Reshape (each sample). */
import { flatten, reshape } from '../autograd/index.js';
import { normalizeAxis, shapeStr, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { ShapeError } from '../errors.js';

/** Flattens axes startDim..endDim into one; by default everything after the batch axis ([N, C, H, W] → [N, C·H·W]). */
export class Flatten extends Module {
  /**
   * @param startDim First axis flattened (default 1: keep the batch axis).
   * @param endDim Last axis flattened (default −1: the last).
   */
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Splits axis `dim` into `sizes` ([N, 784] with dim 1, sizes [1, 28, 28] → [N, 1, 28, 28]). */
export class Unflatten extends Module {
  /** The sizes axis `dim` is split into. */
  readonly sizes: number[];

  /**
   * @param dim The axis split.
   * @param sizes What it becomes; their product must equal its size.
   */
  constructor(readonly dim: number, sizes: readonly number[]) {
    super();
    if (!Array.isArray(sizes) || sizes.length === 0 || !sizes.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
      throw new ShapeError(`Unflatten: sizes must be positive integers (one may be -1), got ${JSON.stringify(sizes)}`);
    }
    this.sizes = sizes.slice();
  }

  override forward(x: Tensor): Tensor {
    const a = normalizeAxis('Unflatten', this.dim, x.ndim);
    const known = this.sizes.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const fits = this.sizes.includes(-1) ? x.shape[a] % known === 0 : x.shape[a] === known;
    if (!fits) throw new ShapeError(`Unflatten: cannot split axis ${this.dim} of size ${x.shape[a]} (input ${shapeStr(x.shape)}) into ${shapeStr(this.sizes)}`);
    return reshape(x, [...x.shape.slice(0, a), ...this.sizes, ...x.shape.slice(a + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, sizes=${shapeStr(this.sizes)}`;
  }
}

/**
 * Reshapes each sample, keeping the batch axis: Reshape([64, 7, 7]) maps
 * [N, 3136] to [N, 64, 7, 7] (one entry may be -1).
 */
export class Reshape extends Module {
  /** The shape of one sample after the layer (the batch axis is kept). */
  readonly shape: number[];

  constructor(shape: readonly number[]) {
    super();
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d >= 0 || d === -1)) || shape.filter((d) => d === -1).length > 1) {
      throw new ShapeError(`Reshape: shape must be non-negative integers with at most one -1, got ${JSON.stringify(shape)}`);
    }
    this.shape = shape.slice();
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim < 1) throw new ShapeError(`Reshape: input needs a batch axis, got shape ${shapeStr(x.shape)}`);
    return reshape(x, [x.shape[0], ...this.shape]);
  }

  override extraRepr(): string {
    return shapeStr(this.shape);
  }
}
