/** What every layer constructor accepts, and the argument checks layers share. */
import { checkDType, type DType, type Generator } from '../tensor/index.js';
import { ValueError } from '../errors.js';

/** Options every layer constructor accepts. */
export interface LayerOptions {
  /** Seeds the layer's initial weights (default: the global generator, see `manualSeed`). */
  generator?: Generator;
  /** Element type of parameters and buffers (default float32). */
  dtype?: DType;
}

export function layerDType(op: string, opts: LayerOptions): DType {
  return checkDType(op, opts.dtype ?? 'float32');
}

/** A positive integer argument, or a clear error naming the layer and the argument. */
export function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}
