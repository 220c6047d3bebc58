/**
 * What the four models share: the Module plumbing (networks as children, so
 * `stateDict()` holds every network's weights under its name: `E.fc1.weight`,
 * `G.deconv2.weight`…), label handling, the prior draw, and sampling.
 */
import { concat, noGrad, reshape, sigmoid } from '../autograd/index.js';
import { Module } from '../nn/module.js';
import { Adam } from '../nn/optim/adam.js';
import { getBackend, oneHot, randn, tidy, Tensor, type Backend, type Generator } from '../tensor/index.js';
import type { Decoder } from './nets.js';
import type { ParamEMA } from './ema.js';
import {
  NUM_CLASSES, type Batch, type GenerativeModel, type ModelConfig, type ModelKind, type OptimizerLike,
} from './types.js';
import { ValueError } from '../errors.js';

/** Labels as an Int32Array, checked to be integers in [0, 10). */
export function checkLabels(op: string, labels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= NUM_CLASSES) throw new ValueError(`${op}: label ${k} at index ${i} is not a class in 0–${NUM_CLASSES - 1}`);
    out[i] = k;
  }
  return out;
}

/** What the four models share: networks registered as submodules, their optimizers, a config, sampling from the decoder (or its averaged weights). Each model adds its networks and its `trainStep`. */
export abstract class ZooModel extends Module<never, unknown> implements GenerativeModel {
  /** Which model: 'vae', 'cvae', 'cgan' or 'cvaegan'. */
  abstract readonly kind: ModelKind;
  abstract readonly conditional: boolean;
  abstract readonly lossNames: readonly string[];
  readonly optimizers: Record<string, OptimizerLike> = {};
  /** The configuration it was built from (architecture, latent size, width, optimizer settings, options). */
  readonly config: ModelConfig;
  /** When set, `sample` decodes with these averaged decoder weights (see ema.ts). */
  protected decoderAverage: ParamEMA | null = null;

  constructor(config: ModelConfig) {
    super();
    this.config = config;
  }

  /**
   * One optimisation step (the model's own losses and update order); returns
   * the step's loss terms as one-element tensors, still on the device.
   */
  protected abstract step(batch: Batch, generator: Generator): Record<string, Tensor>;

  /**
   * One optimisation step; the losses as numbers (one readback for all of
   * them). Runs in a tidy(): the step's temporaries are freed when it returns.
   * On WebGPU, which cannot read back synchronously, use `trainStepAsync`.
   */
  trainStep(batch: Batch, generator: Generator): Record<string, number> {
    return readScalars(tidy(() => this.step(batch, generator)), true);
  }

  /** `trainStep` with the losses read back asynchronously: works on every backend, WebGPU included. */
  async trainStepAsync(batch: Batch, generator: Generator): Promise<Record<string, number>> {
    const terms = tidy(() => this.step(batch, generator));
    const keys = Object.keys(terms);
    const joined = noGrad(() => concat(keys.map((k) => reshape(terms[k], [1]))));
    for (const t of Object.values(terms)) t.dispose();
    const values = await joined.read();
    joined.dispose();
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  }

  /**
   * A numeric option of the config. Defaults live in one place, the registry
   * (registry.ts), whose `createModel` completes every config: an absent option
   * here means the model was built around it, and is an error, not a fallback.
   */
  protected numberOption(name: string): number {
    const v = this.config.options[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(`${this.config.kind}: option '${name}' must be a finite number, got ${JSON.stringify(v)} (createModel fills in absent options from the defaults in models/registry.ts)`);
    }
    return v;
  }

  /** A boolean option of the config (see `numberOption`). */
  protected booleanOption(name: string): boolean {
    const v = this.config.options[name];
    if (typeof v !== 'boolean') throw new ValueError(`${this.config.kind}: option '${name}' must be true or false, got ${JSON.stringify(v)} (createModel fills in absent options from the defaults in models/registry.ts)`);
    return v;
  }

  /** A string option of the config that must be one of `choices` (see `numberOption`). */
  protected choiceOption<T extends string>(name: string, choices: readonly T[]): T {
    const v = this.config.options[name];
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      throw new ValueError(`${this.config.kind}: option '${name}' must be ${choices.map((x) => `'${x}'`).join(' or ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  /** The network that maps (z, y) to image logits: the VAEs' decoder, the GANs' generator. */
  protected abstract get decoder(): Decoder;

  /** An Adam optimizer over `module`'s parameters with the config's lr and betas. */
  protected adam(module: Module<never, unknown>, lr = this.config.lr): Adam {
    return new Adam(module.parameters(), { lr, betas: [this.config.beta1, this.config.beta2] });
  }

  /** Where the model's parameters live: per-step tensors (labels, noise) are made there. */
  get backend(): Backend {
    for (const p of this.parameters()) return p.storage.backend;
    return getBackend();
  }

  /** One-hot [B, 10] labels for conditional networks, or null for unconditional ones. */
  protected cond(y: Int32Array): Tensor | null {
    return this.conditional ? oneHot(y, NUM_CLASSES, { backend: this.backend }) : null;
  }

  /** z ~ N(0, I), [n, latent]. */
  protected prior(n: number, generator: Generator): Tensor {
    return randn([n, this.config.latent], { generator, backend: this.backend });
  }

  /** The latent codes `sample` decodes, one per label: N(0, I) unless a model learns a prior. */
  protected sampleLatent(y: Int32Array, generator: Generator): Tensor {
    return this.prior(y.length, generator);
  }

  sample(labels: ArrayLike<number> | number, generator: Generator): Tensor {
    let y: Int32Array;
    if (typeof labels === 'number') {
      if (this.conditional) throw new ValueError(`${this.kind}.sample: a conditional model samples per label: pass the class labels, not a count`);
      if (!Number.isInteger(labels) || labels < 1) throw new ValueError(`${this.kind}.sample: the number of samples must be a positive integer, got ${labels}`);
      y = new Int32Array(labels);
    } else {
      if (!this.conditional) throw new ValueError(`${this.kind}.sample: the VAE is unconditional: pass the number of samples, not labels`);
      y = checkLabels(`${this.kind}.sample`, labels);
      if (y.length === 0) throw new ValueError(`${this.kind}.sample: no labels given`);
    }
    const wasTraining = this.training;
    this.eval();
    try {
      const draw = (): Tensor => {
        const z = this.sampleLatent(y, generator);
        const logits = this.decoder.call(z, this.cond(y));
        return sigmoid(logits);
      };
      return this.decoderAverage ? this.decoderAverage.withAverage(draw) : noGrad(draw);
    } finally {
      this.train(wasTraining);
    }
  }
}

/**
 * Reads several one-element tensors (a step's loss terms) back to the host in
 * one transfer: on a GPU each readback is a stall, so a step does one.
 */
export function readScalars<K extends string>(terms: Record<K, Tensor>, dispose = false): Record<K, number> {
  const keys = Object.keys(terms) as K[];
  const joined = noGrad(() => concat(keys.map((k) => reshape(terms[k], [1]))));
  const values = joined.data;
  if (dispose) {
    joined.dispose();
    for (const k of keys) terms[k].dispose();
  }
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, number>;
}
