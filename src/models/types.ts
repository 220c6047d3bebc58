/**
 * What every generative model in the zoo looks like to the trainer, the CLI
 * and users.
 *
 * A model is an `nn.Module` whose children are its networks (E, G, D, C…),
 * so `stateDict()`, `loadStateDict()`, `train()`/`eval()` and `parameters()`
 * come from Module; model-level state (CVAE-GAN's moving per-class means) is a
 * registered buffer and travels in the state dict too. The optimizers live
 * beside the networks (one per network that trains separately) so a checkpoint
 * can save and restore them.
 *
 * All randomness a training step or a sample needs (reparameterisation noise,
 * prior draws, dropout masks) comes from the `Generator` passed in, never from
 * the global one: the trainer owns that generator and saves its state in every
 * checkpoint, which is what makes `--resume` reproduce an uninterrupted run.
 */
import type { Generator, Tensor } from '../tensor/index.js';
import type { Module } from '../nn/module.js';

/** The model kinds of the zoo. */
export const MODEL_KINDS = ['vae', 'cvae', 'cgan', 'cvaegan'] as const;
/** A model kind: 'vae', 'cvae', 'cgan' or 'cvaegan'. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The network architectures: fully connected or DCGAN-style convolutional. */
export const ARCHS = ['mlp', 'conv'] as const;
/** An architecture: 'mlp' or 'conv'. */
export type Arch = (typeof ARCHS)[number];

/** MNIST geometry: every model reads and writes [N, 1, 28, 28] images in [0, 1]. */
export const IMAGE_SHAPE = [1, 28, 28] as const;
/** Pixels in one 28×28 image. */
export const IMAGE_PIXELS = 784;
/** Digit classes. */
export const NUM_CLASSES = 10;

/**
 * A model's hyper-parameters: everything needed to rebuild it (with the seed
 * for its initial weights) and nothing about the training run. Saved in
 * `config.json` and in checkpoints.
 */
export interface ModelConfig {
  /** The model kind. */
  kind: ModelKind;
  /** The architecture. */
  arch: Arch;
  /** Dimension of z. */
  latent: number;
  /** Width of the networks: hidden units (mlp) or base channels (conv). */
  width: number;
  /** Adam learning rate, and its β1, β2. */
  lr: number;
  /** Adam's β1. */
  beta1: number;
  /** Adam's β2. */
  beta2: number;
  /** Model-specific settings (KL weight, λs, label smoothing…), documented by each model. */
  options: Record<string, number | boolean | string>;
}

/** One training batch: images [B, 1, 28, 28] in [0, 1] and their integer labels. */
export interface Batch {
  /** Images, [B, 1, 28, 28] in [0, 1]. */
  x: Tensor;
  /** Their class labels. */
  y: Int32Array;
}

/** What the trainer and checkpoints need from an optimizer (genzoo's nn.optim have it). */
export interface OptimizerLike {
  /** Updates the parameters from their gradients. */
  step(): void;
  /** Clears the parameters' gradients. */
  zeroGrad(): void;
  /** The optimizer's state, for a checkpoint. */
  stateDict(): unknown;
  /** Restores a state from `stateDict()`. */
  loadStateDict(state: never): void;
}

/** What every model of the zoo offers the trainer, the sampler and the evaluation. */
export interface GenerativeModel extends Module<never, unknown> {
  /** The model kind. */
  readonly kind: ModelKind;
  /** The configuration it was built from. */
  readonly config: ModelConfig;
  /** Whether `sample` takes class labels (false only for the VAE). */
  readonly conditional: boolean;
  /** The names of the numbers `trainStep` returns, in display order. */
  readonly lossNames: readonly string[];
  /** One optimizer per separately trained network, by name (saved in checkpoints under these names). */
  readonly optimizers: Record<string, OptimizerLike>;

  /**
   * One optimisation step on `batch` (all of this model's networks, in the
   * model's update order); returns the step's losses (plain numbers, per sample).
   */
  trainStep(batch: Batch, generator: Generator): Record<string, number>;

  /** `trainStep`, the losses read back asynchronously: works on every backend, WebGPU included. */
  trainStepAsync(batch: Batch, generator: Generator): Promise<Record<string, number>>;

  /**
   * Draws images [N, 1, 28, 28] in [0, 1]: for conditional models one per label
   * in `labels`; for the VAE, `labels` is the count N. Runs without recording
   * a graph and in eval mode, restoring the previous mode afterwards.
   */
  sample(labels: ArrayLike<number> | number, generator: Generator): Tensor;

  /**
   * Images from given standard-normal noise [N, latent] (one class label per
   * row for conditional models, none for the VAE): the noise mapped through
   * the model's prior and decoded, as `sample` does with noise it draws. Fixed
   * noise across labels shows style against class; moving one coordinate walks the prior.
   */
  generate(noise: Tensor, labels?: ArrayLike<number>): Tensor;

  /** Images decoded from latent codes z [N, latent] themselves (no prior mapping): e.g. an encoder's μ. */
  decode(z: Tensor, labels?: ArrayLike<number>): Tensor;
}

/**
 * A diagonal Gaussian over the latent code, one per image: an encoder's
 * posterior q(z | x[, y]), or a learned prior p(z | y).
 */
export interface LatentGaussian {
  /** Means, [N, latent]. */
  mu: Tensor;
  /** Log-variances log σ², [N, latent]. */
  logvar: Tensor;
}

/** The models with an encoder (VAE, CVAE, CVAE-GAN): q(z | x[, y]) and reconstructions. */
export interface EncodingModel extends GenerativeModel {
  /** μ and log σ² [N, latent] of images [N, 1, 28, 28] (labels: required by conditional models). */
  encode(x: Tensor, labels?: ArrayLike<number>): LatentGaussian;
  /** sigmoid(G(μ(x[, y])[, y])): the posterior mean decoded. */
  reconstruct(x: Tensor, labels?: ArrayLike<number>): Tensor;
}

/** Whether a model has an encoder (`encode`, `reconstruct`): the VAE family. */
export function hasEncoder(model: GenerativeModel): model is EncodingModel {
  const m = model as unknown as Partial<EncodingModel>;
  return typeof m.encode === 'function' && typeof m.reconstruct === 'function';
}

/** Whether `s` names a model kind. */
export function isModelKind(s: string): s is ModelKind {
  return (MODEL_KINDS as readonly string[]).includes(s);
}

/** Whether `s` names an architecture. */
export function isArch(s: string): s is Arch {
  return (ARCHS as readonly string[]).includes(s);
}
