/** 2-D pooling. Max pooling routes the gradient to each window's winner; average pooling spreads it evenly. */
import { avgPool2dGradRaw, avgPool2dRaw, maxPool2dGradRaw, maxPool2dRaw, pool2dParams, Tensor, type Pool2dOptions } from '../../tensor/index.js';
import { record } from '../engine.js';

export type { Pool2dOptions };

function options(kernelSize: number | [number, number] | Pool2dOptions, stride?: number | [number, number], padding?: number | [number, number]): Pool2dOptions {
  return typeof kernelSize === 'object' && !Array.isArray(kernelSize) ? kernelSize : { kernelSize, stride, padding };
}

/**
 * Max pooling over `[N, C, H, W]` ({@link Tensor.maxPool2d}); the window may
 * also be given as options, `maxPool2d(x, { kernelSize: 2, stride: 2 })`.
 */
export function maxPool2d(x: Tensor, kernelSize: number | [number, number] | Pool2dOptions, stride?: number | [number, number], padding?: number | [number, number]): Tensor {
  const p = pool2dParams('maxPool2d', x.shape, options(kernelSize, stride, padding));
  const { out, argmax } = maxPool2dRaw(x, p);
  return record(out, 'maxPool2d', [x], (g) => [maxPool2dGradRaw(g, argmax, p)]);
}

/**
 * Average pooling over `[N, C, H, W]` (padding counted as zeros in the
 * divisor; {@link Tensor.avgPool2d}); the window may also be given as options.
 */
export function avgPool2d(x: Tensor, kernelSize: number | [number, number] | Pool2dOptions, stride?: number | [number, number], padding?: number | [number, number]): Tensor {
  const p = pool2dParams('avgPool2d', x.shape, options(kernelSize, stride, padding));
  const out = avgPool2dRaw(x, p);
  return record(out, 'avgPool2d', [x], (g) => [avgPool2dGradRaw(g, p)]);
}
