/**
 * What Conv2d and ConvTranspose2d share (PyTorch's `_ConvNd`): the channel
 * counts, the window geometry (kernel size, stride, padding, dilation, each
 * checked and stored as [height, width]), the weight and bias, and the text
 * `toString()` shows.
 */
import { pair, type Tensor } from '../tensor/index.js';
import { positiveInt, type LayerOptions } from './options.js';
import { BiasedLayer } from './weighted.js';

/** A size in two dimensions: one number for both, or [height, width]. */
export type Size2 = number | [number, number];

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends LayerOptions {
  /** Step between output positions (default 1). */
  stride?: Size2;
  /** Zero padding on each side (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Learn a per-output-channel bias (default true). */
  bias?: boolean;
}

/** The base of {@link Conv2d} and {@link ConvTranspose2d}: channels, window geometry, weight and bias. */
export abstract class ConvNd extends BiasedLayer {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Kernel [height, width]. */
  readonly kernelSize: [number, number];
  /** Stride [height, width]. */
  readonly stride: [number, number];
  /** Zero padding [height, width] (for the transposed convolution: removed from the output). */
  readonly padding: [number, number];
  /** Dilation [height, width]. */
  readonly dilation: [number, number];
  /** The layer's name in error messages ('Conv2d', 'ConvTranspose2d'). */
  protected readonly op: string;

  /**
   * Checks and stores the geometry; the weight is [out, in, kH, kW], or
   * [in, out, kH, kW] when `transposed` (PyTorch's layouts). The subclass
   * calls {@link ConvNd.createParameters} once its own options are checked.
   */
  protected constructor(op: string, inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dLayerOptions) {
    super();
    this.op = op;
    this.inChannels = positiveInt(op, 'inChannels', inChannels);
    this.outChannels = positiveInt(op, 'outChannels', outChannels);
    this.kernelSize = pair(op, 'kernelSize', kernelSize, 1, 1);
    this.stride = pair(op, 'stride', opts.stride, 1, 1);
    this.padding = pair(op, 'padding', opts.padding, 0, 0);
    this.dilation = pair(op, 'dilation', opts.dilation, 1, 1);
  }

  /** Creates and registers the weight (layout per `transposed`) and the bias [outChannels]. */
  protected createParameters(transposed: boolean, opts: Conv2dLayerOptions): void {
    const channels = transposed ? [this.inChannels, this.outChannels] : [this.outChannels, this.inChannels];
    this.createWeightAndBias(this.op, [...channels, ...this.kernelSize], this.outChannels, opts);
  }

  /** `toString()`'s line: channels and geometry, with `extra` (a non-default option) before the bias flag. */
  protected geometryRepr(extra: string): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]` +
      `${extra}, bias=${this.bias !== null}`;
  }

  abstract override forward(x: Tensor): Tensor;
}
