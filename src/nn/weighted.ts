/**
 * The scaffolding of layers whose learned state is a weight and perhaps a
 * bias — Linear, Conv2d, ConvTranspose2d, Embedding: creating the parameters
 * with the layer's dtype and initialiser, registering them, and reading them
 * back. PyTorch repeats this per layer (its `_ConvNd` shares it among the
 * convolutions); here every such layer inherits it.
 */
import { zeros, type Tensor } from '../tensor/index.js';
import { defaultLayerInit } from './init.js';
import { Module } from './module.js';
import { layerDType, type LayerOptions } from './options.js';

/** A layer with one learned `weight` (Embedding; the base of {@link BiasedLayer}). */
export abstract class WeightedLayer<Args extends unknown[] = [Tensor]> extends Module<Args, Tensor> {
  /** The learned weight; its layout is given by each layer. */
  get weight(): Tensor {
    return this.param('weight')!;
  }

  /**
   * Creates the weight as zeros of `shape` in the layer's dtype, lets `init`
   * fill it (drawing from `opts.generator`), and registers it as 'weight'.
   */
  protected createWeight(op: string, shape: readonly number[], opts: LayerOptions, init: (weight: Tensor) => void): void {
    const weight = zeros(shape, { dtype: layerDType(op, opts) });
    init(weight);
    this.registerParameter('weight', weight);
  }
}

/** A layer with a learned `weight` and an optional per-output `bias` (Linear and the convolutions). */
export abstract class BiasedLayer<Args extends unknown[] = [Tensor]> extends WeightedLayer<Args> {
  /** The learned bias [out], or null for a layer built with `bias: false`. */
  get bias(): Tensor | null {
    return this.param('bias');
  }

  /**
   * Creates the weight [weightShape] and, unless `bias` is false, the bias
   * [biasLength], initialised as PyTorch's layers are (Kaiming-uniform weight,
   * bias uniform in ±1/√fanIn), and registers them as 'weight' and 'bias'.
   */
  protected createWeightAndBias(op: string, weightShape: readonly number[], biasLength: number, opts: LayerOptions & { bias?: boolean }): void {
    const dtype = layerDType(op, opts);
    const weight = zeros(weightShape, { dtype });
    const bias = opts.bias === false ? null : zeros([biasLength], { dtype });
    defaultLayerInit(weight, bias, opts);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }
}
