/**
 * CGAN (Mirza & Osindero 2014) with a projection discriminator (Miyato &
 * Koyama 2018). See docs/models.md for the losses and the balancing choices.
 *
 *   G(z, y) → image logits → sigmoid → x̃ in [0, 1]   (Decoder, BatchNorm + ReLU)
 *   D(x, y) → logit = ψ(φ(x)) + ⟨embed(y), φ(x)⟩      (Discriminator)
 *   L_D = BCE(D(x, y), s) + BCE(D(x̃, y), 0)           s = 0.9: one-sided label smoothing
 *   L_G = BCE(D(x̃, y), 1)                             the non-saturating generator loss
 * One D step then one G step per batch, each with Adam(lr, β1 = 0.5). The fake
 * images are drawn for the batch's own labels, so real and fake halves of D's
 * input have the same classes.
 *
 * Keeping D from winning (the TensorFlow.js CGAN's failure: D loss 0.30, G
 * loss 4, samples of the requested class 15% of the time) — options (their
 * defaults, per architecture, are in registry.ts):
 *   realLabel  target for real images in L_D (0.9; 1 = no smoothing);
 *   dropout    dropout probability in D's hidden layers (0.3 mlp, 0 conv);
 *   dLr        D's learning rate (optional; absent: the config's lr);
 *   ema        decay of the moving average of G's weights that `sample` uses
 *              (0.999; 0 = sample from the live weights), see ema.ts;
 *   batchNorm  BatchNorm in G (true);
 *   conditionalNorm  per-class gain and shift after G's BatchNorms (false;
 *              measured: a lower Fréchet distance, no better class accuracy).
 */
import { mean, sigmoid } from '../autograd/index.js';
import { bceWithLogits } from '../nn/losses.js';
import { withFrozen } from '../nn/frozen.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { ZooModel } from './base.js';
import { Decoder, Discriminator } from './nets.js';
import { ParamEMA } from './ema.js';
import { NUM_CLASSES, type Batch, type ModelConfig } from './types.js';
import { ValueError } from '../errors.js';

/** Conditional GAN with a projection discriminator and averaged generator weights (docs/models.md#cgan-cgants). */
export class CGAN extends ZooModel {
  /** Always 'cgan'. */
  readonly kind = 'cgan' as const;
  readonly conditional = true;
  readonly lossNames = ['d', 'g', 'dReal', 'dFake'] as const;
  /** The generator G(z, y) → image logits. */
  readonly G: Decoder;
  /** The projection discriminator D(x, y) → logit. */
  readonly D: Discriminator;
  /** The target for real images in L_D (option realLabel). */
  private readonly realLabel: number;

  constructor(config: ModelConfig, generator: Generator) {
    super(config);
    if (config.kind !== 'cgan') throw new ValueError(`CGAN: config is for '${config.kind}'`);
    const dropout = this.numberOption('dropout');
    if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`cgan: option dropout must be in [0, 1), got ${dropout}`);
    this.realLabel = this.numberOption('realLabel');
    if (!(this.realLabel > 0 && this.realLabel <= 1)) throw new ValueError(`cgan: option realLabel must be in (0, 1], got ${this.realLabel}`);
    const net = { arch: config.arch, width: config.width, cond: NUM_CLASSES, generator };
    this.G = this.registerModule('G', new Decoder(config.latent, { ...net, batchNorm: this.booleanOption('batchNorm'), conditionalNorm: this.booleanOption('conditionalNorm') }));
    this.D = this.registerModule('D', new Discriminator({ ...net, dropout }));
    // dLr is the one option without a default: absent, D learns at the config's lr.
    this.optimizers.D = this.adam(this.D, config.options.dLr === undefined ? config.lr : this.numberOption('dLr'));
    this.optimizers.G = this.adam(this.G);
    const ema = this.numberOption('ema');
    if (ema > 0) this.decoderAverage = this.registerModule('Gema', new ParamEMA(this.G.parameters(), ema));
  }

  protected get decoder(): Decoder {
    return this.G;
  }

  protected override step(batch: Batch, generator: Generator): Record<string, Tensor> {
    const { x, y } = batch;
    const realLabel = this.realLabel;
    this.D.generator = generator; // dropout masks from the run's generator (resumable)
    const z = this.prior(y.length, generator);
    const fake = sigmoid(this.G.call(z, this.cond(y)));

    // D step: real → realLabel, fake (detached: no gradient into G) → 0.
    const dReal = this.D.call(x, y).logit;
    const dFake = this.D.call(fake.detach(), y).logit;
    const lossD = bceWithLogits(dReal, realLabel).add(bceWithLogits(dFake, 0));
    this.optimizers.D.zeroGrad();
    lossD.backward();
    this.optimizers.D.step();

    // G step: make the (updated) D call the fakes real. D's weights are frozen meanwhile.
    const lossG = withFrozen(this.D.parameters(), () => {
      const l = bceWithLogits(this.D.call(fake, y).logit, 1);
      this.optimizers.G.zeroGrad();
      l.backward();
      return l;
    });
    this.optimizers.G.step();
    this.decoderAverage?.update();
    return { d: lossD, g: lossG, dReal: mean(sigmoid(dReal.detach())), dFake: mean(sigmoid(dFake.detach())) };
  }
}
