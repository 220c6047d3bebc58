/**
 * Activation functions as modules, for Sequential. Each calls the autograd op
 * of the same name (src/autograd/ops/elementwise.ts), where its derivative is.
 */
import { gelu, leakyRelu, relu, sigmoid, softplus, tanh, mul, div } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { ValueError } from '../errors.js';

/** max(x, 0), elementwise. */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** max(x, 0) + negativeSlope·min(x, 0). */
export class LeakyReLU extends Module {
  /** @param negativeSlope The slope for x < 0 (default 0.01). */
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new ValueError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }

  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** 1 / (1 + e^(−x)), elementwise. */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x), elementwise. */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** log(1 + e^(βx)) / β, computed stably for any x (β = 1 by default). */
export class Softplus extends Module {
  /** @param beta Sharpness β > 0 (default 1). */
  constructor(readonly beta = 1) {
    super();
    if (!(beta > 0) || !Number.isFinite(beta)) throw new ValueError(`Softplus: beta must be a positive finite number, got ${beta}`);
  }

  override forward(x: Tensor): Tensor {
    return this.beta === 1 ? softplus(x) : div(softplus(mul(x, this.beta)), this.beta);
  }

  override extraRepr(): string {
    return this.beta === 1 ? '' : `beta=${this.beta}`;
  }
}

/** x·Φ(x), Φ the standard normal CDF: the exact GELU (PyTorch's `nn.GELU()` default, not the tanh approximation). */
export class GELU extends Module {
  override forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

/** Passes its input through (a placeholder, e.g. an optional normalisation). */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}
