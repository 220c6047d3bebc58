/** Checks and steps shared by a synchronous op and its async twin (ops/async.ts); not public API. */
import { shapeStr, Tensor } from '../../tensor/index.js';
import { add } from './elementwise.js';
import { reshape } from './movement.js';
import { ShapeError } from '../../errors.js';

/** linear's shape checks: weight [out, in], input ending in `in` features, bias [out]. */
export function checkLinear(op: string, x: Tensor, weight: Tensor, bias?: Tensor | null): void {
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be 2-D [out, in], got ${shapeStr(weight.shape)}`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(`${op}: input ${shapeStr(x.shape)} does not end in ${weight.shape[1]} features (weight ${shapeStr(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError(`${op}: bias ${shapeStr(bias.shape)} does not match weight ${shapeStr(weight.shape)}`);
  }
}

/** y + bias over the channel axis (axis 1) of an NCHW result, checking the bias matches. */
export function addChannelBias(op: string, y: Tensor, bias: Tensor | null | undefined): Tensor {
  if (!bias) return y;
  if (bias.ndim !== 1 || bias.shape[0] !== y.shape[1]) throw new ShapeError(`${op}: bias ${shapeStr(bias.shape)} does not match ${y.shape[1]} output channels`);
  return add(y, reshape(bias, [1, bias.shape[0], 1, 1]));
}
