/**
 * 2-D transposed convolution ("deconvolution"), the adjoint of Conv2d: it maps
 * [N, in, H, W] to [N, out, H', W'] with H' = (H − 1)·stride − 2·padding +
 * dilation·(k − 1) + outputPadding + 1. Weight [in, out, kH, kW] as in PyTorch.
 */
import { convTranspose2d } from '../autograd/index.js';
import { pair, zeros, type Tensor } from '../tensor/index.js';
import type { Size2, Conv2dLayerOptions } from './conv2d.js';
import { defaultLayerInit } from './init.js';
import { Module } from './module.js';
import { layerDType, positiveInt } from './options.js';
import { ValueError } from '../errors.js';

/** Options of {@link ConvTranspose2d}. */
export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  /** Extra rows/columns on one side of the output, to pick among the sizes a strided conv maps to the same input. */
  outputPadding?: Size2;
}

/** Transposed 2-D convolution (the gradient of a convolution with respect to its input, as PyTorch's ConvTranspose2d): upsamples [N, inChannels, H, W]; weight [in, out, kH, kW]. */
export class ConvTranspose2d extends Module {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Kernel [height, width]. */
  readonly kernelSize: [number, number];
  /** Stride [height, width]. */
  readonly stride: [number, number];
  /** Padding [height, width] removed from the output. */
  readonly padding: [number, number];
  /** Extra output rows/columns [height, width] on one side. */
  readonly outputPadding: [number, number];
  /** Dilation [height, width]. */
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: ConvTranspose2dLayerOptions = {}) {
    super();
    this.inChannels = positiveInt('ConvTranspose2d', 'inChannels', inChannels);
    this.outChannels = positiveInt('ConvTranspose2d', 'outChannels', outChannels);
    this.kernelSize = pair('ConvTranspose2d', 'kernelSize', kernelSize, 1, 1);
    this.stride = pair('ConvTranspose2d', 'stride', opts.stride, 1, 1);
    this.padding = pair('ConvTranspose2d', 'padding', opts.padding, 0, 0);
    this.outputPadding = pair('ConvTranspose2d', 'outputPadding', opts.outputPadding, 0, 0);
    this.dilation = pair('ConvTranspose2d', 'dilation', opts.dilation, 1, 1);
    for (let i = 0; i < 2; i++) {
      if (this.outputPadding[i] >= Math.max(this.stride[i], this.dilation[i])) {
        throw new ValueError(`ConvTranspose2d: outputPadding [${this.outputPadding}] must be smaller than stride [${this.stride}] or dilation [${this.dilation}]`);
      }
    }
    const dtype = layerDType('ConvTranspose2d', opts);
    const weight = zeros([inChannels, outChannels, ...this.kernelSize], { dtype });
    const bias = opts.bias === false ? null : zeros([outChannels], { dtype });
    // PyTorch's fans for this layout: fanIn = out·kH·kW (dimension 1), as in its reset_parameters.
    defaultLayerInit(weight, bias, opts);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }

  /** [in, out, kH, kW]. */
  get weight(): Tensor {
    return this.param('weight')!;
  }

  /** [out], or null without bias. */
  get bias(): Tensor | null {
    return this.param('bias');
  }

  override forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]` +
      `${this.outputPadding[0] || this.outputPadding[1] ? `, outputPadding=[${this.outputPadding}]` : ''}, bias=${this.bias !== null}`;
  }
}
