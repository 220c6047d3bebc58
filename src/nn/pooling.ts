/** Pooling layers over [N, C, H, W]; the stride defaults to the kernel size, as in PyTorch. */
import { avgPool2d, maxPool2d } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Size2 } from './conv2d.js';
import { Module } from './module.js';

/** Max pooling over windows of [N, C, H, W]. */
export class MaxPool2d extends Module {
  /**
   * @param kernelSize Window size (one number for a square window).
   * @param stride Step between windows (default: the kernel size).
   * @param padding Implicit −∞ padding on each side (default 0).
   */
  constructor(readonly kernelSize: Size2, readonly stride?: Size2, readonly padding: Size2 = 0) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `kernelSize=${String(this.kernelSize)}, stride=${String(this.stride ?? this.kernelSize)}, padding=${String(this.padding)}`;
  }
}

/** Average pooling; zero padding counts in the divisor (PyTorch's countIncludePad default). */
export class AvgPool2d extends Module {
  /**
   * @param kernelSize Window size (one number for a square window).
   * @param stride Step between windows (default: the kernel size).
   * @param padding Implicit zero padding on each side (default 0).
   */
  constructor(readonly kernelSize: Size2, readonly stride?: Size2, readonly padding: Size2 = 0) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `kernelSize=${String(this.kernelSize)}, stride=${String(this.stride ?? this.kernelSize)}, padding=${String(this.padding)}`;
  }
}
