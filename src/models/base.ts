/**
 * What the four models share: the Module plumbing (networks as children, so
 * `stateDict()` holds every network's weights under its name: `E.fc1.weight`,
 * `G.deconv2.weight`…), label handling, the prior draw, and sampling.
 */
import { concat, noGrad, reshape, sigmoid } from '../autograd/index.js';
import { Module, moduleBackend } from '../nn/module.js';
import { Adam } from '../nn/optim/adam.js';
import { getBackend, oneHot, randn, tidy, Tensor, type Backend, type Generator } from '../tensor/index.js';
import type { Decoder, Encoder } from './nets.js';
import type { ParamEMA } from './ema.js';
import {
  NUM_CLASSES, type Batch, type GenerativeModel, type LatentGaussian, type ModelConfig, type ModelKind, type OptimizerLike,
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
    const joined = joinScalars(terms);
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
    return moduleBackend(this) ?? getBackend();
  }

  /** One-hot [B, 10] labels for conditional networks, or null for unconditional ones. */
  protected cond(y: Int32Array): Tensor | null {
    return this.conditional ? oneHot(y, NUM_CLASSES, { backend: this.backend }) : null;
  }

  /** z ~ N(0, I), [n, latent]. */
  protected prior(n: number, generator: Generator): Tensor {
    return randn([n, this.config.latent], { generator, backend: this.backend });
  }

  /**
   * The latent codes for standard-normal noise [N, latent], one row per
   * label: the noise itself under the N(0, I) prior; a model that learns its
   * prior overrides this (the CVAE's class prior: μ_y + σ_y·noise).
   */
  protected latentFromNoise(noise: Tensor, _y: Int32Array): Tensor {
    return noise;
  }

  /**
   * The labels of a decode or generate call, checked: one class per row for a
   * conditional model (required), none for the VAE (it is unconditional).
   */
  private rowLabels(op: string, rows: Tensor, labels: ArrayLike<number> | undefined): Int32Array {
    const fn = `${this.kind}.${op}`;
    const latent = this.config.latent;
    if (rows.ndim !== 2 || rows.shape[1] !== latent || rows.shape[0] < 1) {
      throw new ValueError(`${fn}: expected [N, ${latent}] (one row of ${latent} latent values per image), got [${rows.shape.join(', ')}]`);
    }
    const n = rows.shape[0];
    if (!this.conditional) {
      if (labels !== undefined) throw new ValueError(`${fn}: the VAE is unconditional: pass no labels`);
      return new Int32Array(n);
    }
    if (labels === undefined) throw new ValueError(`${fn}: a conditional model needs one class label per row (${n})`);
    const y = checkLabels(fn, labels);
    if (y.length !== n) throw new ValueError(`${fn}: ${n} rows but ${y.length} labels`);
    return y;
  }

  /** Runs `fn` in eval mode without a graph, with the decoder's averaged weights where the model keeps them. */
  private decoding<T>(fn: () => T): T {
    const wasTraining = this.training;
    this.eval();
    try {
      return this.decoderAverage ? this.decoderAverage.withAverage(fn) : noGrad(fn);
    } finally {
      this.train(wasTraining);
    }
  }

  /**
   * Images [N, 1, 28, 28] in [0, 1] decoded from latent codes z [N, latent]
   * (for conditional models, with one class label per row): the decoder in
   * eval mode, without a graph, with its averaged weights where the model
   * keeps them (the CGAN's), as `sample` decodes. A VAE's reconstruction is
   * `decode(μ)` of its encoder's μ.
   */
  decode(z: Tensor, labels?: ArrayLike<number>): Tensor {
    const y = this.rowLabels('decode', z, labels);
    return this.decoding(() => sigmoid(this.decoder.call(z, this.cond(y))));
  }

  /**
   * Images from standard-normal noise [N, latent]: the noise is mapped to a
   * latent code by the model's prior (the identity for N(0, I); μ_y + σ_y·ε
   * for the CVAE's learned class prior) and decoded. `sample(labels, g)` is
   * `generate` of noise drawn from `g`, so fixed noise shows the same "style"
   * across classes, and moving one coordinate walks the prior.
   */
  generate(noise: Tensor, labels?: ArrayLike<number>): Tensor {
    const y = this.rowLabels('generate', noise, labels);
    return this.decoding(() => sigmoid(this.decoder.call(this.latentFromNoise(noise, y), this.cond(y))));
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
    const noise = this.prior(y.length, generator);
    return this.generate(noise, this.conditional ? y : undefined);
  }

  /**
   * The posterior q(z | x[, y]) = N(μ, diag σ²) of images [N, 1, 28, 28]
   * under `encoder` (the VAE family's E), in eval mode, without a graph.
   */
  protected encodeWith(encoder: Encoder, x: Tensor, labels: ArrayLike<number> | undefined): LatentGaussian {
    const fn = `${this.kind}.encode`;
    if (x.ndim !== 4 || x.shape[1] !== 1 || x.shape[2] !== 28 || x.shape[3] !== 28) {
      throw new ValueError(`${fn}: expected images [N, 1, 28, 28], got [${x.shape.join(', ')}]`);
    }
    if (this.conditional && labels === undefined) throw new ValueError(`${fn}: pass the labels of the images`);
    const y = this.conditional ? checkLabels(fn, labels!) : new Int32Array(x.shape[0]);
    if (y.length !== x.shape[0]) throw new ValueError(`${fn}: ${x.shape[0]} images but ${y.length} labels`);
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => {
        const { mu, logvar } = encoder.call(x, this.cond(y));
        return { mu, logvar };
      });
    } finally {
      this.train(wasTraining);
    }
  }
}

/**
 * One-element tensors joined into one [n] tensor (in key order), so they come
 * back in one transfer. In a tidy: the reshaped views would otherwise hold the
 * terms' storage until they were collected.
 */
function joinScalars(terms: Record<string, Tensor>): Tensor {
  return tidy(() => noGrad(() => concat(Object.keys(terms).map((k) => reshape(terms[k], [1])))));
}

/**
 * Reads several one-element tensors (a step's loss terms) back to the host in
 * one transfer: on a GPU each readback is a stall, so a step does one.
 */
export function readScalars<K extends string>(terms: Record<K, Tensor>, dispose = false): Record<K, number> {
  const keys = Object.keys(terms) as K[];
  const joined = joinScalars(terms);
  const values = joined.data;
  if (dispose) {
    joined.dispose();
    for (const k of keys) terms[k].dispose();
  }
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, number>;
}
