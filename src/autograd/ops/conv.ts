/**
 * Convolutions. conv2d's two gradients are backend kernels; convTranspose2d
 * is conv2d's input-gradient, so its gradients are conv2d forward and the
 * weight-gradient with the roles of input and output swapped.
 */
import {
  conv2dGradInputRaw, conv2dGradWeightRaw, conv2dParams, conv2dRaw, convTranspose2dParams, Tensor,
  type Conv2dOptions, type ConvTranspose2dOptions,
} from '../../tensor/index.js';
import { record } from '../engine.js';
import { addChannelBias } from './shared.js';

/** x [N, C, H, W], weight [O, C, kH, kW] → [N, O, H', W'] (cross-correlation, as in PyTorch). */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const p = conv2dParams('conv2d', x.shape, weight.shape, opts);
  const out = conv2dRaw(x, weight, p);
  const y = record(out, 'conv2d', [x, weight], (g) => [
    x.requiresGrad ? conv2dGradInputRaw(g, weight, p) : null,
    weight.requiresGrad ? conv2dGradWeightRaw(x, g, p) : null,
  ]);
  return addChannelBias('conv2d', y, bias);
}

/** x [N, Cin, H, W], weight [Cin, Cout, kH, kW] (PyTorch's layout) → [N, Cout, H', W']. */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const p = convTranspose2dParams('convTranspose2d', x.shape, weight.shape, opts);
  const out = conv2dGradInputRaw(x, weight, p);
  const y = record(out, 'convTranspose2d', [x, weight], (g) => [
    x.requiresGrad ? conv2dRaw(g, weight, p) : null,
    weight.requiresGrad ? conv2dGradWeightRaw(g, x, p) : null,
  ]);
  return addChannelBias('convTranspose2d', y, bias);
}
