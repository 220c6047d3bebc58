/**
 * CVAE-GAN (Bao, Chen, Wen, Li & Hua, ICCV 2017, "CVAE-GAN: Fine-Grained Image
 * Generation through Asymmetric Training"), following the paper's Algorithm 1.
 * docs/models.md gives each loss with the line below that computes it, and the
 * deviations from the paper.
 *
 * Four networks:  E(x, y) → (μ, log σ²)   G(z, y) → image   D(x) → real/fake, f_D   C(x) → class, f_C
 * For a batch (x, y):  z ~ q(z|x, y) (reparameterised),  x_f = G(z, y) (reconstructions),
 *                      z_p ~ N(0, I), y_p uniform,       x_p = G(z_p, y_p) (prior samples)
 *   L_C  = CE(C(x), y)                                                real images only
 *   L_D  = −log D(x) − log(1 − D(x_f)) − log(1 − D(x_p))              (as BCE-with-logits)
 *   L_KL = KL(q(z|x, y) ‖ N(0, I))
 *   L_G  = ½(‖x − x_f‖² + ‖f_D(x) − f_D(x_f)‖² + ‖f_C(x) − f_C(x_f)‖²)   pairwise feature matching
 *   L_GD = ½‖mean f_D(x) − mean f_D(x_p)‖²                            mean feature matching
 *   L_GC = ½ Σ_c ‖m_c − mean_{y_p = c} f_C(x_p)‖²                     per class; m_c = moving mean
 *                                                                      of f_C(x) over real class-c images
 * Updates, all from the losses of the same forward pass (Algorithm 1):
 *   C ← ∇L_C;  D ← ∇L_D;  E ← ∇(λ1·L_KL + λ2·L_G);  G ← ∇(λ2·L_G + λ3·L_GD + λ4·L_GC)
 * with λ1 = 3, λ2 = 1, λ3 = λ4 = 1e-3 (options lambda1…lambda4). The "asymmetric"
 * part: D and C are trained with cross-entropy, G only with mean-matching losses,
 * which do not vanish when D wins.
 *
 * Options (their defaults are in registry.ts): lambda1..lambda4; centreMomentum:
 * the moving-average weight of the per-class real feature means m_c (buffers
 * `centres` [10, F] and `centreSeen` [10]); and additions to the paper,
 * measured in docs/models.md —
 *   prior  'standard': L_KL against N(0, I) and z_p ~ N(0, I), as in the paper;
 *          'class': the CVAE's learned class prior p(z|y) = N(μ_y, diag σ²_y)
 *          (parameter `priorTable` [10, 2·latent], trained with E by λ1·L_KL):
 *          L_KL = KL(q(z|x, y) ‖ p(z|y)) and z_p ~ p(z|y_p), so the prior samples
 *          are drawn where the codes of their class are;
 *   ema    decay of a moving average of G's weights that `sample` uses, as in
 *          the CGAN (ema.ts; 0 = sample from the live weights);
 *   gradClip  the largest global norm of E's and of G's gradients (each scaled
 *          down to it when larger; 0 = no clipping). The feature-matching terms
 *          are unbounded: when x_f drifts off the digits, C's and D's features of
 *          it grow, so do E's and G's gradients, Adam's step follows the spike
 *          before its second moment does (up to 1/√(1 − β2) ≈ 32× the usual step)
 *          and x_f drifts further — with λ1 = 1 this ran away within 5 steps
 *          (gradient norms 30 → 3·10⁶). Clipping caps the spike;
 *   lambdaMs  weight of the mode-seeking term (`modeSeekingLoss`, below) in G's
 *          objective: the mean-matching losses do not see a class collapsed onto
 *          its mean image, this term does (with it, diversity rose above the
 *          CVAE's and the CGAN's: docs/models.md);
 *   lambdaAdv weight of a non-saturating adversarial loss −log D(x_p) in G's
 *          objective (the paper replaces it by L_GD; tried, no gain, 0 by default).
 */
import { abs, add, concat, div, mean, mul, noGrad, sigmoid, square, sub, sum } from '../autograd/index.js';
import { bceWithLogits, crossEntropy } from '../nn/losses.js';
import { oneHot, tensor, Tensor, zeros, type Generator } from '../tensor/index.js';
import { diagNormal, reparameterize, stdNormal } from '../kl/index.js';
import { HostMirror } from '../nn/mirror.js';
import { ZooModel } from './base.js';
import { withFrozen } from '../nn/frozen.js';
import { Adam } from '../nn/optim/adam.js';
import { clipGradNorm } from '../nn/optim/clip-grad.js';
import { Classifier, Decoder, Discriminator, Encoder } from './nets.js';
import { ParamEMA } from './ema.js';
import { CLASS_PRIOR_PARAM, classPrior, classPriorTable, latentFromPrior } from './class-prior.js';
import { NUM_CLASSES, type Batch, type LatentGaussian, type ModelConfig } from './types.js';
import { ValueError } from '../errors.js';

/** ‖a − b‖² per row, [B]. */
function rowSqDist(a: Tensor, b: Tensor): Tensor {
  return sum(square(sub(a, b)), a.ndim === 2 ? 1 : [1, 2, 3]);
}

/**
 * The mode-seeking term (Mao, Lee, Tseng, Ma & Yang, CVPR 2019, "Mode Seeking
 * Generative Adversarial Networks for Diverse Image Synthesis") on pairs
 * (i, i + h) of prior samples that share a class:
 *
 *   r_i  = mean_pixels |x_p[i] − x_p[i+h]|  /  mean_dims |n_i − n_{i+h}|
 *   L_ms = mean_i 1 / (r_i + 1e-5)
 *
 * with n the noise the latents were drawn from (a constant). Minimising it
 * makes G map distinct noise to distinct images: a generator that collapses a
 * class onto few images has small r and a large L_ms. The mean-matching losses
 * L_GD and L_GC do not see collapse (a batch of copies of the class mean
 * satisfies them), which is why this is added.
 */
export function modeSeekingLoss(xp: Tensor, noise: Tensor, h: number): Tensor {
  const pixelAxes = xp.ndim === 2 ? 1 : [1, 2, 3];
  const dx = mean(abs(sub(xp.slice(0, 0, h), xp.slice(0, h, 2 * h))), pixelAxes);                // [h]
  const dz = mean(abs(sub(noise.slice(0, 0, h), noise.slice(0, h, 2 * h))), 1);                  // [h], constant
  return mean(div(1, add(div(dx, dz), 1e-5)));
}

/** CVAE-GAN (Bao et al. 2017): encoder, generator, discriminator and classifier trained together (docs/models.md#cvae-gan-cvaegants). */
export class CVAEGAN extends ZooModel {
  /** Always 'cvaegan'. */
  readonly kind = 'cvaegan' as const;
  readonly conditional = true;
  /** c, d, kl, g, gd, gc; then adv and ms when their weights (options lambdaAdv, lambdaMs) are not 0. */
  readonly lossNames: readonly string[];
  /** The encoder E(x, y) → μ, log σ². */
  readonly E: Encoder;
  /** The generator G(z, y) → image logits. */
  readonly G: Decoder;
  /** The discriminator D(x) → logit and features. */
  readonly D: Discriminator;
  /** The classifier C(x) → class logits and features. */
  readonly C: Classifier;

  constructor(config: ModelConfig, generator: Generator) {
    super(config);
    if (config.kind !== 'cvaegan') throw new ValueError(`CVAEGAN: config is for '${config.kind}'`);
    const net = { arch: config.arch, width: config.width, generator };
    this.E = this.registerModule('E', new Encoder(config.latent, { ...net, cond: NUM_CLASSES }));
    this.G = this.registerModule('G', new Decoder(config.latent, { ...net, cond: NUM_CLASSES, batchNorm: true }));
    this.D = this.registerModule('D', new Discriminator({ ...net, cond: 0 }));
    this.C = this.registerModule('C', new Classifier(net));
    const f = this.C.trunk.featureSize;
    this.registerBuffer('centres', zeros([NUM_CLASSES, f]));
    this.registerBuffer('centreSeen', zeros([NUM_CLASSES]));
    this.lambdas = [0, 1, 2, 3, 4].map((k) => (k === 0 ? 0 : this.numberOption(`lambda${k}`)));
    if (this.lambdas.some((l) => !(l >= 0))) throw new ValueError(`cvaegan: options lambda1…lambda4 must be ≥ 0, got ${this.lambdas.slice(1).join(', ')}`);
    this.momentum = this.numberOption('centreMomentum');
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new ValueError(`cvaegan: option centreMomentum must be in [0, 1), got ${this.momentum}`);
    // The learned class prior: row k holds (μ_k, log σ²_k); zeros = N(0, I) at the start. E's optimizer trains it (λ1·L_KL).
    const prior = this.choiceOption('prior', ['standard', 'class']);
    const table = prior === 'class' ? this.registerParameter(CLASS_PRIOR_PARAM, classPriorTable(config.latent)) : null;
    this.optimizers.C = this.adam(this.C);
    this.optimizers.D = this.adam(this.D);
    this.optimizers.E = new Adam([...this.E.parameters(), ...(table ? [table] : [])], { lr: config.lr, betas: [config.beta1, config.beta2] });
    this.optimizers.G = this.adam(this.G);
    const ema = this.numberOption('ema');
    if (ema > 0) this.decoderAverage = this.registerModule('Gema', new ParamEMA(this.G.parameters(), ema));
    this.gradClip = this.numberOption('gradClip');
    if (!(this.gradClip >= 0)) throw new ValueError(`cvaegan: option gradClip must be ≥ 0 (0: no clipping), got ${this.gradClip}`);
    this.lambdaAdv = this.numberOption('lambdaAdv');
    this.lambdaMs = this.numberOption('lambdaMs');
    if (!(this.lambdaAdv >= 0) || !(this.lambdaMs >= 0)) throw new ValueError(`cvaegan: options lambdaAdv and lambdaMs must be ≥ 0, got ${this.lambdaAdv}, ${this.lambdaMs}`);
    this.lossNames = ['c', 'd', 'kl', 'g', 'gd', 'gc', ...(this.lambdaAdv > 0 ? ['adv'] : []), ...(this.lambdaMs > 0 ? ['ms'] : [])];
  }

  /** Weight of G's non-saturating adversarial loss on the prior samples (option lambdaAdv; 0 = the paper's G). */
  private readonly lambdaAdv: number;
  /** Weight of the mode-seeking term on pairs of prior samples (option lambdaMs; 0 = none). */
  private readonly lambdaMs: number;

  /** The largest global gradient norm of E and of G (option gradClip; 0 = none). */
  private readonly gradClip: number;

  /** λ1…λ4 at indices 1…4. */
  private readonly lambdas: number[];
  /** The moving-average weight of the class centres (option centreMomentum). */
  private readonly momentum: number;

  /** (μ_y, log σ²_y) of the learned class prior for each label, or null for N(0, I). */
  private classPrior(y: Int32Array): LatentGaussian | null {
    return classPrior(this.param(CLASS_PRIOR_PARAM), y, this.config.latent);
  }

  /** z = μ_y + σ_y·noise under the class prior (no gradient into the table), the noise itself under N(0, I). */
  protected override latentFromNoise(noise: Tensor, y: Int32Array): Tensor {
    return latentFromPrior(noGrad(() => this.classPrior(y)), noise);
  }

  protected get decoder(): Decoder {
    return this.G;
  }

  /** The encoder's posterior q(z | x, y): μ and log σ² [N, latent] of images [N, 1, 28, 28]; without a graph, in eval mode. */
  encode(x: Tensor, labels: ArrayLike<number>): LatentGaussian {
    return this.encodeWith(this.E, x, labels);
  }

  /** Reconstructions sigmoid(G(μ(x, y), y)): the posterior mean decoded; without a graph, in eval mode. */
  reconstruct(x: Tensor, labels: ArrayLike<number>): Tensor {
    return this.decode(this.encode(x, labels).mu, labels);
  }

  /**
   * The prior samples' labels y_p, uniform. With the mode-seeking term the
   * second half repeats the first (y_p[i + h] = y_p[i], h = ⌊B/2⌋), so that
   * each pair it compares shares a class; without it, B independent draws (the
   * paper's, and the same random stream as before the option existed).
   */
  private priorLabels(b: number, generator: Generator): Int32Array {
    const paired = this.lambdaMs > 0 ? Math.floor(b / 2) : 0;
    const y = new Int32Array(b);
    for (let i = 0; i < b; i++) y[i] = i >= paired && i < 2 * paired ? y[i - paired] : generator.int(NUM_CLASSES);
    return y;
  }

  /** Which classes have a centre yet (the `centreSeen` buffer, mirrored on the host). */
  private readonly seen = new HostMirror(() => this.buffer('centreSeen')!);

  /**
   * Updates the moving per-class means of C's features on real images, on the
   * backend that holds them; returns them (detached) [10, F]. Per class c in
   * the batch: m_c ← keep·m_c + (1 − keep)·mean of its features, keep = momentum
   * (0 for the first batch with class c, which sets the mean); absent classes keep theirs.
   */
  private updateCentres(features: Tensor, y: Int32Array): Tensor {
    const centres = this.buffer('centres')!;
    const momentum = this.momentum;
    const counts = new Int32Array(NUM_CLASSES);
    for (const k of y) counts[k]++;
    const seen = this.seen.values();
    const keep = new Float32Array(NUM_CLASSES);
    const inv = new Float32Array(NUM_CLASSES);
    for (let c = 0; c < NUM_CLASSES; c++) {
      keep[c] = counts[c] ? (seen[c] ? momentum : 0) : 1;
      inv[c] = counts[c] ? 1 / counts[c] : 0;
    }
    const be = { backend: features.storage.backend };
    const sums = oneHot(y, NUM_CLASSES, be).matmul(features, { transA: true });                    // [10, F]
    const keepT = tensor(keep, { shape: [NUM_CLASSES, 1], ...be });
    const means = mul(sums, tensor(inv, { shape: [NUM_CLASSES, 1], ...be }));
    centres.copy_(add(mul(centres, keepT), mul(means, sub(1, keepT))));
    if (counts.some((n, c) => n > 0 && !seen[c])) this.seen.set(seen.map((v, c) => (counts[c] ? 1 : v)));
    return new Tensor(centres.storage.backend.copy(centres.storage), centres.shape);
  }

  protected override step(batch: Batch, generator: Generator): Record<string, Tensor> {
    const { x, y } = batch;
    const b = y.length;
    const c = oneHot(y, NUM_CLASSES, { backend: this.backend });
    this.D.generator = generator;
    this.C.generator = generator;

    // ---- one forward pass: encoder, reconstructions x_f and prior samples x_p ----
    const { mu, logvar } = this.E.call(x, c);
    const z = reparameterize(mu, logvar, generator);
    // Drawn on the host, as randint would (low + g.int(high − low)), so nothing is read back.
    const yp = this.param(CLASS_PRIOR_PARAM) ? this.priorLabels(b, generator) : null;
    // (The paper's draw order, z_p before y_p, is kept for the standard prior; the class prior needs y_p first.)
    const noiseP = this.prior(b, generator);
    const zp = yp ? this.latentFromNoise(noiseP, yp) : noiseP;
    const ypLabels = yp ?? this.priorLabels(b, generator);
    // Two G calls, not one on [z; z_p]: G's BatchNorm would otherwise mix the two batches'
    // statistics and make x_p (hence L_GD, L_GC) depend on E.
    const xf = sigmoid(this.G.call(z, c));
    const xp = sigmoid(this.G.call(zp, oneHot(ypLabels, NUM_CLASSES, { backend: this.backend })));
    const both = concat([xf, xp], 0);

    // ---- C and D on real images and detached fakes: their own losses ----
    const cReal = this.C.call(x);
    const lossC = crossEntropy(cReal.logits, y);                                                  // L_C
    const dAll = this.D.call(concat([x, xf.detach(), xp.detach()], 0), null);
    const dReal = dAll.logit.slice(0, 0, b);
    const dFakes = dAll.logit.slice(0, b);
    // L_D; the fakes' BCE is a mean over 2B images, hence ×2: −E log D(x) − E log(1 − D(x_f)) − E log(1 − D(x_p)).
    const lossD = add(bceWithLogits(dReal, 1), mul(bceWithLogits(dFakes, 0), 2));                 // L_D
    // Real-image features are targets for G and E: constants (no gradient).
    const fDReal = dAll.features.slice(0, 0, b).detach();
    const fCReal = cReal.features.detach();
    const centres = noGrad(() => this.updateCentres(fCReal, y));

    // ---- E and G: features of the fakes with the graph kept (D, C frozen: no weight gradients) ----
    const lambda = this.lambdas;
    const p = this.classPrior(y);
    const frozen = [...this.D.parameters(), ...this.C.parameters()];
    const terms = withFrozen(frozen, () => {
      const dOut = this.D.call(both, null);
      const dF = dOut.features;
      const cF = this.C.call(both).features;
      const fDf = dF.slice(0, 0, b), fDp = dF.slice(0, b);
      const fCf = cF.slice(0, 0, b), fCp = cF.slice(0, b);
      const lossKL = mean(p ? diagNormal(mu, logvar, p.mu, p.logvar) : stdNormal(mu, logvar));    // L_KL
      const lossG = mul(mean(add(add(rowSqDist(x, xf), rowSqDist(fDReal, fDf)), rowSqDist(fCReal, fCf))), 0.5); // L_G
      const lossGD = mul(sum(square(sub(mean(fDReal, 0), mean(fDp, 0)))), 0.5);                  // L_GD
      // L_GC: per class present among y_p, the batch mean of f_C(x_p) against the moving real mean m_c.
      const onehotP = oneHot(ypLabels, NUM_CLASSES, { backend: this.backend });                                                     // [B, 10]
      const counts = sum(onehotP, 0);                                                               // [10]
      const present = counts.gt(0);
      const classMeans = onehotP.matmul(fCp, { transA: true }).div(counts.maximum(1).reshape([NUM_CLASSES, 1])); // [10, F]
      const lossGC = mul(sum(mul(sum(square(sub(centres, classMeans)), 1), present)), 0.5);       // L_GC
      // One backward gives each network exactly its objective: L_KL does not depend on G, and
      // L_GD, L_GC depend on x_p only, which E does not produce.
      // Additions to the paper (options; 0 = off): G's non-saturating adversarial loss on x_p, and the mode-seeking term.
      const extra: Record<string, Tensor> = {};
      if (this.lambdaAdv > 0) extra.adv = bceWithLogits(dOut.logit.slice(0, b), 1);               // −E log D(x_p)
      if (this.lambdaMs > 0) extra.ms = modeSeekingLoss(xp, noiseP, Math.floor(b / 2));            // L_ms
      let total = add(add(mul(lossKL, lambda[1]), mul(lossG, lambda[2])), add(mul(lossGD, lambda[3]), mul(lossGC, lambda[4])));
      if (extra.adv) total = add(total, mul(extra.adv, this.lambdaAdv));
      if (extra.ms) total = add(total, mul(extra.ms, this.lambdaMs));
      this.optimizers.E.zeroGrad();
      this.optimizers.G.zeroGrad();
      total.backward();
      if (this.gradClip > 0) {
        clipGradNorm(this.E.parameters(), this.gradClip);
        clipGradNorm(this.G.parameters(), this.gradClip);
      }
      return { kl: lossKL, g: lossG, gd: lossGD, gc: lossGC, ...extra };
    });

    this.optimizers.C.zeroGrad();
    lossC.backward();
    this.optimizers.D.zeroGrad();
    lossD.backward();
    // Update order of Algorithm 1: C, D, E, G (all gradients taken at the same point).
    this.optimizers.C.step();
    this.optimizers.D.step();
    this.optimizers.E.step();
    this.optimizers.G.step();
    this.decoderAverage?.update();
    return { c: lossC, d: lossD, ...terms };
  }
}
