/** 2-D convolution layer (cross-correlation, as in PyTorch): weight [out, in, kH, kW]. */
import { conv2d } from '../autograd/index.js';
import { pair, zeros, type Tensor } from '../tensor/index.js';
import { defaultLayerInit } from './init.js';
import { Module } from './module.js';
import { layerDType, positiveInt, type LayerOptions } from './options.js';

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

/** 2-D convolution (cross-correlation, as in PyTorch) of [N, inChannels, H, W] into [N, outChannels, H′, W′]; weight [out, in, kH, kW]. */
export class Conv2d extends Module {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Kernel [height, width]. */
  readonly kernelSize: [number, number];
  /** Stride [height, width]. */
  readonly stride: [number, number];
  /** Zero padding [height, width]. */
  readonly padding: [number, number];
  /** Dilation [height, width]. */
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dLayerOptions = {}) {
    super();
    this.inChannels = positiveInt('Conv2d', 'inChannels', inChannels);
    this.outChannels = positiveInt('Conv2d', 'outChannels', outChannels);
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1, 1);
    this.stride = pair('Conv2d', 'stride', opts.stride, 1, 1);
    this.padding = pair('Conv2d', 'padding', opts.padding, 0, 0);
    this.dilation = pair('Conv2d', 'dilation', opts.dilation, 1, 1);
    const dtype = layerDType('Conv2d', opts);
    const weight = zeros([outChannels, inChannels, ...this.kernelSize], { dtype });
    const bias = opts.bias === false ? null : zeros([outChannels], { dtype });
    defaultLayerInit(weight, bias, opts);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }

  /** [out, in, kH, kW]. */
  get weight(): Tensor {
    return this.param('weight')!;
  }

  /** [out], or null without bias. */
  get bias(): Tensor | null {
    return this.param('bias');
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]` +
      `${this.dilation[0] !== 1 || this.dilation[1] !== 1 ? `, dilation=[${this.dilation}]` : ''}, bias=${this.bias !== null}`;
  }
}
