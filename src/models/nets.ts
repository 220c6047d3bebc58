/**
 * The networks the four models are built from, in two architectures:
 *
 *   mlp   fully connected layers (fast on CPU; the default for the VAEs);
 *   conv  DCGAN-style (Radford et al. 2016): strided 4×4 convolutions down
 *         (28 → 14 → 7), transposed 4×4 convolutions up (7 → 14 → 28),
 *         BatchNorm + ReLU in generators, LeakyReLU(0.2) in critics.
 *
 * Conditioning on the class y (a one-hot [B, 10] vector, or none for the
 * unconditional VAE) is concatenated to the input of EVERY layer of the
 * decoders / generators (as 10 constant feature maps in conv layers), not only
 * the first: a decoder that sees the label only once can learn to ignore it and
 * read the class from z instead — the failure the TensorFlow.js CVAE showed
 * (34% of samples of the requested class). Encoders get it at the input and
 * before the last layer.
 *
 * Discriminators are projection discriminators (Miyato & Koyama 2018):
 *   D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩
 * where φ(x) is the penultimate feature vector. The label enters as an inner
 * product with the features rather than as an input channel, which makes the
 * class a first-class part of D's judgement (a sample of the wrong class is
 * easy to reject), and D's features are also what CVAE-GAN's feature matching
 * uses. Without a label (CVAE-GAN's D(x)) the projection term is absent.
 *
 * Every network returns its features alongside its output where a model needs
 * them (f_D, f_C for CVAE-GAN's losses).
 */
import { add, concat, expand, reshape, leakyRelu, mul, relu } from '../autograd/index.js';
import { dropout } from '../nn/dropout.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv2d.js';
import { ConvTranspose2d } from '../nn/conv-transpose2d.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm.js';
import { Embedding } from '../nn/embedding.js';
import type { Generator, Tensor } from '../tensor/index.js';
import type { Arch } from './types.js';
import { zeros as zerosInit } from '../nn/init.js';
import { ValueError } from '../errors.js';

const SLOPE = 0.2;

/** The label as 10 constant feature maps [B, 10, h, w], to concatenate with conv features. */
function labelMaps(c: Tensor, h: number, w: number): Tensor {
  return expand(reshape(c, [c.shape[0], c.shape[1], 1, 1]), [c.shape[0], c.shape[1], h, w]);
}

/** Concatenates the condition (if any) to features along the channel axis. */
function withCond(h: Tensor, c: Tensor | null): Tensor {
  if (!c) return h;
  return h.ndim === 2 ? concat([h, c], 1) : concat([h, labelMaps(c, h.shape[2], h.shape[3])], 1);
}

/** What every network of the zoo is built from. */
export interface NetOptions {
  /** 'mlp' (fully connected) or 'conv' (DCGAN-style). */
  arch: Arch;
  /** Hidden units (mlp) or base channels (conv). */
  width: number;
  /** Size of the condition vector (10 for one-hot classes, 0 for none). */
  cond: number;
  /** Seeds the initial weights. */
  generator: Generator;
}

// ---- encoder: x (and y) → μ, log σ² ------------------------------------------------

/** What an {@link Encoder} returns: the Gaussian q(z|x[, c]). */
export interface EncoderOutput {
  /** Posterior means, [B, latent]. */
  mu: Tensor;
  /** Posterior log-variances, [B, latent]. */
  logvar: Tensor;
}

/** What a {@link Discriminator} returns. */
export interface DiscriminatorOutput {
  /** Real-vs-fake logits, [B]. */
  logit: Tensor;
  /** Penultimate features φ(x), [B, F]. */
  features: Tensor;
}

/** What a {@link Classifier} network returns. */
export interface ClassifierNetOutput {
  /** Class logits, [B, classes]. */
  logits: Tensor;
  /** Penultimate features, [B, F]. */
  features: Tensor;
}

/** E(x[, c]) → (μ, log σ²), each [B, latent]: the VAE family's encoder, mlp or conv. */
export class Encoder extends Module<[Tensor, Tensor | null], EncoderOutput> {
  /** 'mlp' or 'conv'. */
  readonly arch: Arch;
  private readonly latent: number;
  private readonly cond: number;
  private readonly fc1: Linear | null = null;
  private readonly conv1: Conv2d | null = null;
  private readonly conv2: Conv2d | null = null;
  private readonly bn2: BatchNorm2d | null = null;
  private readonly fc2: Linear;
  private readonly out: Linear;

  constructor(latent: number, o: NetOptions) {
    super();
    this.arch = o.arch;
    this.latent = latent;
    this.cond = o.cond;
    const g = { generator: o.generator };
    if (o.arch === 'mlp') {
      this.fc1 = this.registerModule('fc1', new Linear(784 + o.cond, o.width, g));
      this.fc2 = this.registerModule('fc2', new Linear(o.width + o.cond, o.width, g));
    } else {
      const w = o.width;
      this.conv1 = this.registerModule('conv1', new Conv2d(1 + o.cond, w, 4, { stride: 2, padding: 1, ...g }));
      this.conv2 = this.registerModule('conv2', new Conv2d(w + o.cond, 2 * w, 4, { stride: 2, padding: 1, ...g }));
      this.bn2 = this.registerModule('bn2', new BatchNorm2d(2 * w));
      this.fc2 = this.registerModule('fc2', new Linear(2 * w * 49 + o.cond, 4 * w, g));
    }
    const hidden = o.arch === 'mlp' ? o.width : 4 * o.width;
    this.out = this.registerModule('out', new Linear(hidden + o.cond, 2 * latent, g));
  }

  override forward(x: Tensor, c: Tensor | null): EncoderOutput {
    if (this.cond && !c) throw new ValueError('Encoder: this encoder is conditional: pass the one-hot labels');
    let h: Tensor;
    if (this.fc1) {
      h = reshape(x, [x.shape[0], 784]);
      h = leakyRelu(this.fc1.call(withCond(h, c)), SLOPE);
      h = leakyRelu(this.fc2.call(withCond(h, c)), SLOPE);
    } else {
      h = leakyRelu(this.conv1!.call(withCond(x, c)), SLOPE);
      h = leakyRelu(this.bn2!.call(this.conv2!.call(withCond(h, c))), SLOPE);
      h = reshape(h, [x.shape[0], -1]);
      h = leakyRelu(this.fc2.call(withCond(h, c)), SLOPE);
    }
    const out = this.out.call(withCond(h, c));
    return { mu: out.slice(1, 0, this.latent), logvar: out.slice(1, this.latent) };
  }
}

// ---- decoder / generator: z (and y) → image logits ------------------------------------

/**
 * Maps z (and the condition) to image LOGITS [B, 1, 28, 28]: the VAEs use them
 * in a BCE-with-logits likelihood, the GANs pass them through a sigmoid.
 * `batchNorm` adds BatchNorm after each hidden layer (DCGAN generators; the mlp
 * VAE decoder does without).
 */
export class Decoder extends Module<[Tensor, Tensor | null], Tensor> {
  private readonly cond: number;
  private readonly width: number;
  private readonly fc1: Linear;
  private readonly bn1: BatchNorm1d | null = null;
  private readonly fc2: Linear | null = null;
  private readonly bn2: BatchNorm1d | BatchNorm2d | null = null;
  private readonly out: Linear | null = null;
  private readonly deconv2: ConvTranspose2d | null = null;
  private readonly deconv3: ConvTranspose2d | null = null;
  /** Conditional BatchNorm: per-class gain and shift after each BatchNorm (zero-initialised). */
  private readonly gain1: Linear | null = null;
  private readonly shift1: Linear | null = null;
  private readonly gain2: Linear | null = null;
  private readonly shift2: Linear | null = null;

  /**
   * `conditionalNorm` (with `batchNorm` and a condition): each BatchNorm output h
   * becomes h·(1 + γ_y) + β_y with per-class γ, β (de Vries et al. 2017; the
   * conditional BatchNorm of Miyato & Koyama's projection-discriminator GAN):
   * the class scales features, not only shifts them.
   */
  constructor(latent: number, o: NetOptions & { batchNorm?: boolean; conditionalNorm?: boolean }) {
    super();
    this.cond = o.cond;
    this.width = o.width;
    const bn = o.batchNorm ?? o.arch === 'conv';
    const g = { generator: o.generator };
    if (bn && o.conditionalNorm && o.cond > 0) {
      const n1 = o.arch === 'mlp' ? o.width : 2 * o.width * 49;
      const zeroLinear = (n: number): Linear => {
        const l = new Linear(o.cond, n, { bias: false, ...g });
        zerosInit(l.weight);
        return l;
      };
      this.gain1 = this.registerModule('gain1', zeroLinear(n1));
      this.shift1 = this.registerModule('shift1', zeroLinear(n1));
      this.gain2 = this.registerModule('gain2', zeroLinear(o.width));
      this.shift2 = this.registerModule('shift2', zeroLinear(o.width));
    }
    if (o.arch === 'mlp') {
      this.fc1 = this.registerModule('fc1', new Linear(latent + o.cond, o.width, g));
      if (bn) this.bn1 = this.registerModule('bn1', new BatchNorm1d(o.width));
      this.fc2 = this.registerModule('fc2', new Linear(o.width + o.cond, o.width, g));
      if (bn) this.bn2 = this.registerModule('bn2', new BatchNorm1d(o.width));
      this.out = this.registerModule('out', new Linear(o.width + o.cond, 784, g));
    } else {
      const w = o.width;
      this.fc1 = this.registerModule('fc1', new Linear(latent + o.cond, 2 * w * 49, g));
      if (bn) this.bn1 = this.registerModule('bn1', new BatchNorm1d(2 * w * 49));
      this.deconv2 = this.registerModule('deconv2', new ConvTranspose2d(2 * w + o.cond, w, 4, { stride: 2, padding: 1, ...g }));
      if (bn) this.bn2 = this.registerModule('bn2', new BatchNorm2d(w));
      this.deconv3 = this.registerModule('deconv3', new ConvTranspose2d(w + o.cond, 1, 4, { stride: 2, padding: 1, ...g }));
    }
  }

  override forward(z: Tensor, c: Tensor | null): Tensor {
    if (this.cond && !c) throw new ValueError('Decoder: this decoder is conditional: pass the one-hot labels');
    const b = z.shape[0];
    const norm = (bn: BatchNorm1d | BatchNorm2d | null, h: Tensor, gain: Linear | null, shift: Linear | null): Tensor => {
      if (!bn) return h;
      const n = bn.call(h);
      if (!gain || !shift || !c) return n;
      const shape = n.ndim === 4 ? [b, n.shape[1], 1, 1] : [b, n.shape[1]];
      return add(mul(n, add(reshape(gain.call(c), shape), 1)), reshape(shift.call(c), shape));
    };
    let h = relu(norm(this.bn1, this.fc1.call(withCond(z, c)), this.gain1, this.shift1));
    if (this.out) {
      h = relu(norm(this.bn2, this.fc2!.call(withCond(h, c)), this.gain2, this.shift2));
      return reshape(this.out.call(withCond(h, c)), [b, 1, 28, 28]);
    }
    h = reshape(h, [b, 2 * this.width, 7, 7]);
    h = relu(norm(this.bn2, this.deconv2!.call(withCond(h, c)), this.gain2, this.shift2));
    return this.deconv3!.call(withCond(h, c));
  }
}

// ---- critics: discriminator and classifier --------------------------------------------

/**
 * The trunk shared by discriminators and classifiers: x → φ(x), a feature
 * vector of `featureSize` units (after LeakyReLU; dropout in training when p > 0).
 */
export class Trunk extends Module {
  /** 'mlp' or 'conv'. */
  readonly arch: Arch;
  /** Length of the feature vector φ(x). */
  readonly featureSize: number;
  /** Dropout probability after each hidden layer in training (0: none). */
  readonly dropout: number;
  /** The generator for dropout masks (set by the model before each step). */
  generator: Generator | undefined;
  private readonly fc1: Linear | null = null;
  private readonly fc2: Linear | null = null;
  private readonly conv1: Conv2d | null = null;
  private readonly conv2: Conv2d | null = null;
  private readonly fc3: Linear | null = null;

  constructor(o: Omit<NetOptions, 'cond'> & { dropout?: number }) {
    super();
    this.arch = o.arch;
    this.dropout = o.dropout ?? 0;
    const g = { generator: o.generator };
    const w = o.width;
    if (o.arch === 'mlp') {
      this.fc1 = this.registerModule('fc1', new Linear(784, w, g));
      this.fc2 = this.registerModule('fc2', new Linear(w, w >> 1, g));
      this.featureSize = w >> 1;
    } else {
      this.conv1 = this.registerModule('conv1', new Conv2d(1, w, 4, { stride: 2, padding: 1, ...g }));
      this.conv2 = this.registerModule('conv2', new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1, ...g }));
      this.fc3 = this.registerModule('fc3', new Linear(2 * w * 49, 4 * w, g));
      this.featureSize = 4 * w;
    }
  }

  private drop(h: Tensor): Tensor {
    return this.dropout > 0 ? dropout(h, this.dropout, this.training, { generator: this.generator }) : h;
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0];
    if (this.fc1) {
      const h = this.drop(leakyRelu(this.fc1.call(reshape(x, [b, 784])), SLOPE));
      return this.drop(leakyRelu(this.fc2!.call(h), SLOPE));
    }
    let h = leakyRelu(this.conv1!.call(x), SLOPE);
    h = this.drop(leakyRelu(this.conv2!.call(h), SLOPE));
    return this.drop(leakyRelu(this.fc3!.call(reshape(h, [b, -1])), SLOPE));
  }
}

/** D(x[, y]) → (logit [B], features φ(x) [B, F]); with classes, a projection discriminator. */
export class Discriminator extends Module<[Tensor, Int32Array | null], DiscriminatorOutput> {
  /** x → φ(x). */
  readonly trunk: Trunk;
  private readonly out: Linear;
  private readonly embed: Embedding | null = null;

  constructor(o: NetOptions & { dropout?: number }) {
    super();
    this.trunk = this.registerModule('trunk', new Trunk(o));
    this.out = this.registerModule('out', new Linear(this.trunk.featureSize, 1, { generator: o.generator }));
    if (o.cond > 0) this.embed = this.registerModule('embed', new Embedding(o.cond, this.trunk.featureSize, { generator: o.generator }));
  }

  /** The generator for dropout masks (the trainer's, set by the model before each step). */
  set generator(g: Generator | undefined) {
    this.trunk.generator = g;
  }

  override forward(x: Tensor, y: Int32Array | null): DiscriminatorOutput {
    const features = this.trunk.call(x);
    let logit = this.out.call(features);
    if (this.embed) {
      if (!y) throw new ValueError('Discriminator: this discriminator is conditional: pass the labels');
      // Projection: ⟨embed(y), φ(x)⟩, one number per sample.
      const e = this.embed.call(y);
      logit = logit.add(e.mul(features).sum(1, true));
    }
    return { logit: reshape(logit, [x.shape[0]]), features };
  }
}

/** C(x) → (class logits [B, 10], features [B, F]). */
export class Classifier extends Module<[Tensor], ClassifierNetOutput> {
  /** x → φ(x). */
  readonly trunk: Trunk;
  private readonly out: Linear;

  constructor(o: Omit<NetOptions, 'cond'> & { dropout?: number; classes?: number }) {
    super();
    this.trunk = this.registerModule('trunk', new Trunk(o));
    this.out = this.registerModule('out', new Linear(this.trunk.featureSize, o.classes ?? 10, { generator: o.generator }));
  }

  /** The generator for dropout masks (the trainer's, set by the model before each step). */
  set generator(g: Generator | undefined) {
    this.trunk.generator = g;
  }

  override forward(x: Tensor): ClassifierNetOutput {
    const features = this.trunk.call(x);
    return { logits: this.out.call(features), features };
  }
}
