/**
 * 2-D transposed convolution ("deconvolution"), the adjoint of Conv2d: it maps
 * [N, in, H, W] to [N, out, H', W'] with H' = (H − 1)·stride − 2·padding +
 * dilation·(k − 1) + outputPadding + 1. Weight [in, out, kH, kW] as in PyTorch.
 */
import { convTranspose2d } from '../autograd/index.js';
import { pair, type Tensor } from '../tensor/index.js';
import { ConvNd, type Conv2dLayerOptions, type Size2 } from './conv-nd.js';
import { ValueError } from '../errors.js';

/** Options of {@link ConvTranspose2d}. */
export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  /** Extra rows/columns on one side of the output, to pick among the sizes a strided conv maps to the same input. */
  outputPadding?: Size2;
}

/** Transposed 2-D convolution (the gradient of a convolution with respect to its input, as PyTorch's ConvTranspose2d): upsamples [N, inChannels, H, W]; weight [in, out, kH, kW]. */
export class ConvTranspose2d extends ConvNd {
  /** Extra output rows/columns [height, width] on one side. */
  readonly outputPadding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: ConvTranspose2dLayerOptions = {}) {
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, opts);
    this.outputPadding = pair('ConvTranspose2d', 'outputPadding', opts.outputPadding, 0, 0);
    for (let i = 0; i < 2; i++) {
      if (this.outputPadding[i] >= Math.max(this.stride[i], this.dilation[i])) {
        throw new ValueError(`ConvTranspose2d: outputPadding [${this.outputPadding}] must be smaller than stride [${this.stride}] or dilation [${this.dilation}]`);
      }
    }
    // PyTorch's fans for this layout: fanIn = out·kH·kW (dimension 1), as in its reset_parameters.
    this.createParameters(true, opts);
  }

  override forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    return this.geometryRepr(this.outputPadding[0] || this.outputPadding[1] ? `, outputPadding=[${this.outputPadding}]` : '');
  }
}
