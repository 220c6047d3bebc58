/** Linear (fully connected) layer: y = x·Wᵀ + b, W stored [out, in] as in PyTorch. */
import { linear } from '../autograd/index.js';
import { zeros, type Tensor } from '../tensor/index.js';
import { defaultLayerInit } from './init.js';
import { Module } from './module.js';
import { layerDType, positiveInt, type LayerOptions } from './options.js';

/** Options of {@link Linear}. */
export interface LinearOptions extends LayerOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/** Fully connected layer y = x·Wᵀ + b over the last axis: [..., inFeatures] → [..., outFeatures]; W is [out, in] as in PyTorch. */
export class Linear extends Module {
  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    const dtype = layerDType('Linear', opts);
    const weight = zeros([outFeatures, inFeatures], { dtype });
    const bias = opts.bias === false ? null : zeros([outFeatures], { dtype });
    defaultLayerInit(weight, bias, opts);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }

  /** [out, in]. */
  get weight(): Tensor {
    return this.param('weight')!;
  }

  /** [out], or null without bias. */
  get bias(): Tensor | null {
    return this.param('bias');
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
