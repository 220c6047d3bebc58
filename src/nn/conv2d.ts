/** 2-D convolution layer (cross-correlation, as in PyTorch): weight [out, in, kH, kW]. */
import { conv2d } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import { ConvNd, type Conv2dLayerOptions, type Size2 } from './conv-nd.js';

export type { Conv2dLayerOptions, Size2 } from './conv-nd.js';

/** 2-D convolution (cross-correlation, as in PyTorch) of [N, inChannels, H, W] into [N, outChannels, H′, W′]; weight [out, in, kH, kW]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dLayerOptions = {}) {
    super('Conv2d', inChannels, outChannels, kernelSize, opts);
    this.createParameters(false, opts);
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    return this.geometryRepr(this.dilation[0] !== 1 || this.dilation[1] !== 1 ? `, dilation=[${this.dilation}]` : '');
  }
}
