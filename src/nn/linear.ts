/** Linear (fully connected) layer: y = x·Wᵀ + b, W stored [out, in] as in PyTorch. */
import { linear } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import { positiveInt, type LayerOptions } from './options.js';
import { BiasedLayer } from './weighted.js';

/** Options of {@link Linear}. */
export interface LinearOptions extends LayerOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/** Fully connected layer y = x·Wᵀ + b over the last axis: [..., inFeatures] → [..., outFeatures]; W is [out, in] as in PyTorch. */
export class Linear extends BiasedLayer {
  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    this.createWeightAndBias('Linear', [outFeatures, inFeatures], outFeatures, opts);
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
