/**
 * Training the evaluation classifier so that it hesitates where a reader would.
 *
 * A classifier trained on clean digits alone labels anything digit-like with
 * near certainty: a smudge that is "most like a 3" comes out a 3, and a
 * blurry, half-formed sample counts as faithful. So beside each batch of real
 * digits it sees `ambiguous` × as many degraded digits (degrade.ts), whose
 * targets say how readable they are:
 *
 *   kind              how it is made (from the batch's digits)            target
 *   blend (½ of them) (1 − λ)·a + λ·b, labels of a ≠ b, λ ~ U(0.2, 0.8)  (1 − v)·((1 − λ)·e_a + λ·e_b) + v·(1/10)
 *   blur  (¼)         Gaussian blur, σ ~ U(0.5, 4) pixels                (1 − u)·e_y + u·(1/10)
 *   noise (¼)         x + s·ε clipped to [0, 1], s ~ U(0, 0.8)            (1 − u)·e_y + u·(1/10)
 *
 * u, the unreadable share, is 0 up to σ = 1 (s = 0.2) and rises linearly to 1
 * at σ = 3.5 (s = 0.8): a slightly soft digit stays itself, a smudge or a
 * digit lost in grain slides towards "any digit". v is 1 for an even 50/50
 * blend and falls linearly to 0 at 30/70: two digits at equal strength are no
 * digit a reader would sign, while a digit under a faint ghost of another is
 * mostly itself. Blends come twice as often as the others: they were the
 * hardest to learn (a 3 over an 8 reads as a 3 to a network that saw few).
 * Soft targets against an 11th "reject" class, and the blend share, were
 * measured (docs/evaluation.md): soft targets judge mild blur as a reader
 * does and keep the ten digits' probabilities a distribution, which is what
 * calibration and the metrics read.
 *
 * Recipe (CLASSIFIER_DEFAULTS): Adam, lr 2e-3 with cosine decay to 0, batch 64
 * real digits + 48 degraded ones, 8 epochs, every digit shifted by a random
 * whole number of pixels in [−2, 2] on both axes (generated digits may sit a
 * pixel or two off-centre), soft-target cross-entropy. Every 10th training
 * digit (900 of the 9,003) is held back from training to fit the temperature
 * on (calibration.ts). Seed 0: the same weights on the same backend every time.
 */
import { DataLoader } from '../../data/loader.js';
import { subset, type Dataset } from '../../data/dataset.js';
import { crossEntropy } from '../../nn/losses.js';
import { Adam } from '../../nn/optim/adam.js';
import { CosineAnnealingLR } from '../../nn/optim/lr-scheduler.js';
import { fromArray, Generator, Tensor } from '../../tensor/index.js';
import { addGaussianNoise, blendImages, gaussianBlur } from './degrade.js';
import { fitTemperature, type TemperatureFit } from './calibration.js';
import { classify, DigitClassifier, DIGIT_CLASSES } from './model.js';
import { ShapeError, ValueError } from '../../errors.js';

/** The degradations of the training recipe and where each becomes unreadable (see the file comment). */
export const AMBIGUITY = {
  /** The kinds of degraded digit, cycled in this order (blends twice as often: they are the hardest to learn). */
  cycle: ['blend', 'blur', 'blend', 'noise'] as readonly ('blend' | 'blur' | 'noise')[],
  /** Blends (1 − λ)·a + λ·b of two digits of different classes. */
  blend: {
    /** λ is drawn uniformly from this range. */
    lambda: [0.2, 0.8],
    /** The unreadable share v is 1 at λ = ½ and falls linearly to 0 at |λ − ½| = this. */
    even: 0.2,
  },
  /** Gaussian blurs of one digit. */
  blur: {
    /** σ in pixels is drawn uniformly from this range. */
    sigma: [0.5, 4],
    /** Up to this σ the digit stays fully readable (u = 0)… */
    readable: 1,
    /** …and from this σ on it is no digit at all (u = 1). */
    unreadable: 3.5,
  },
  /** Additive Gaussian noise on one digit, clipped to [0, 1]. */
  noise: {
    /** The noise's standard deviation s is drawn uniformly from this range. */
    std: [0, 0.8],
    /** Up to this s the digit stays fully readable (u = 0)… */
    readable: 0.2,
    /** …and from this s on it is no digit at all (u = 1). */
    unreadable: 0.8,
  },
} as const;

/** 0 at or below `readable`, 1 at or above `unreadable`, linear between. */
export function unreadableShare(v: number, readable: number, unreadable: number): number {
  return Math.min(1, Math.max(0, (v - readable) / (unreadable - readable)));
}

/**
 * Shifts each 28×28 image of a batch by (dy, dx) ∈ [−max, max]² pixels,
 * filling with black: the augmentation used in training.
 */
export function randomShift(x: Tensor, max: number, gen: Generator): Tensor {
  const n = x.shape[0];
  const out = new Float32Array(x.size);
  const src = x.data;
  for (let i = 0; i < n; i++) {
    const dy = gen.int(2 * max + 1) - max;
    const dx = gen.int(2 * max + 1) - max;
    const o = i * 784;
    for (let r = 0; r < 28; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= 28) continue;
      for (let c = 0; c < 28; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < 28) out[o + r * 28 + c] = src[o + sr * 28 + sc];
      }
    }
  }
  return fromArray(out, x.shape);
}

const uniformIn = (gen: Generator, [lo, hi]: readonly [number, number]): number => lo + (hi - lo) * gen.random();

/** What {@link degradedDigits} makes: degraded images and the soft targets that say how readable each is. */
export interface DegradedDigits {
  /** count rows of 784 pixels. */
  images: Float32Array;
  /** count rows of 10 target probabilities (each row sums to 1). */
  targets: Float32Array;
}

/**
 * `count` degraded digits made from the batch `x` (rows of 784) with labels
 * `y`, cycling through AMBIGUITY.cycle (the table of the file comment). The batch
 * needs at least two classes for blends.
 */
export function degradedDigits(x: ArrayLike<number>, y: Int32Array, count: number, gen: Generator): DegradedDigits {
  const n = y.length;
  if (x.length !== n * 784) throw new ShapeError(`degradedDigits: ${x.length} pixels for ${n} labels`);
  if (!y.some((v) => v !== y[0])) throw new ValueError('degradedDigits: the batch holds a single class, so no two digits can be blended');
  const images = new Float32Array(count * 784);
  const targets = new Float32Array(count * DIGIT_CLASSES);
  const row = (i: number): Float32Array => Float32Array.from({ length: 784 }, (_, d) => x[i * 784 + d]);
  for (let k = 0; k < count; k++) {
    const a = gen.int(n);
    const t = targets.subarray(k * DIGIT_CLASSES, (k + 1) * DIGIT_CLASSES);
    let img: Float32Array;
    const kind = AMBIGUITY.cycle[k % AMBIGUITY.cycle.length];
    if (kind === 'blend') {
      let b = gen.int(n);
      while (y[b] === y[a]) b = gen.int(n);
      const lambda = uniformIn(gen, AMBIGUITY.blend.lambda);
      img = blendImages(row(a), row(b), lambda);
      // Near 50/50 neither digit dominates: that share of the target goes to "any digit".
      const u = unreadableShare(-Math.abs(lambda - 0.5), -AMBIGUITY.blend.even, 0);
      t.fill(u / DIGIT_CLASSES);
      t[y[a]] += (1 - u) * (1 - lambda);
      t[y[b]] += (1 - u) * lambda;
    } else {
      let u: number;
      if (kind === 'blur') {
        const sigma = uniformIn(gen, AMBIGUITY.blur.sigma);
        img = gaussianBlur(row(a), sigma);
        u = unreadableShare(sigma, AMBIGUITY.blur.readable, AMBIGUITY.blur.unreadable);
      } else {
        const std = uniformIn(gen, AMBIGUITY.noise.std);
        img = addGaussianNoise(row(a), std, gen);
        u = unreadableShare(std, AMBIGUITY.noise.readable, AMBIGUITY.noise.unreadable);
      }
      t.fill(u / DIGIT_CLASSES);
      t[y[a]] += 1 - u;
    }
    images.set(img, k * 784);
  }
  return { images, targets };
}

/** Options of {@link trainClassifier}; each defaults to its value in {@link CLASSIFIER_DEFAULTS}. */
export interface ClassifierTrainOptions {
  /** Passes over the training digits. */
  epochs?: number;
  /** Real digits per batch (the degraded ones come on top). */
  batchSize?: number;
  /** Peak learning rate (cosine-decayed to 0). */
  lr?: number;
  /** Largest random shift in pixels (0 = no shifts). */
  maxShift?: number;
  /** Degraded digits per real digit in a batch (0 = clean digits only). */
  ambiguous?: number;
  /** Every n-th training digit is held back to fit the temperature (0 = no calibration: T = 1). */
  calibrationEvery?: number;
  /** Seed of the initial weights, the data order, the shifts and the degradations. */
  seed?: number;
  /** Called after every epoch (for progress output). */
  onEpoch?: (info: { epoch: number; epochs: number; loss: number; seconds: number }) => void;
}

/** The recipe the shipped classifier was trained with (see the file comment and {@link ClassifierTrainOptions}). */
export const CLASSIFIER_DEFAULTS = {
  /** 8 epochs. */
  epochs: 8,
  /** 64 real digits per batch. */
  batchSize: 64,
  /** Adam's peak learning rate, cosine-decayed to 0. */
  lr: 2e-3,
  /** Shifts of up to 2 pixels on each axis. */
  maxShift: 2,
  /** 0.75 degraded digits per real one (48 per batch of 64). */
  ambiguous: 0.75,
  /** Every 10th digit fits the temperature. */
  calibrationEvery: 10,
  /** Seed 0. */
  seed: 0,
} as const;

/** What {@link trainClassifier} returns. */
export interface TrainedClassifier {
  /** The trained network, its temperature set, in eval mode. */
  model: DigitClassifier;
  /** The temperature fit (null when calibrationEvery is 0). */
  calibration: (TemperatureFit & {
    /** How many held-back digits the temperature was fitted on. */
    digits: number;
  }) | null;
  /** The settings used (the defaults with the options applied). */
  settings: Required<Omit<ClassifierTrainOptions, 'onEpoch'>>;
}

function checkOptions(o: Required<Omit<ClassifierTrainOptions, 'onEpoch'>>): void {
  const op = 'trainClassifier';
  for (const k of ['epochs', 'batchSize'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new ValueError(`${op}: ${k} must be a positive integer, got ${o[k]}`);
  for (const k of ['maxShift', 'calibrationEvery', 'seed'] as const) if (!Number.isInteger(o[k]) || o[k] < 0) throw new ValueError(`${op}: ${k} must be a non-negative integer, got ${o[k]}`);
  if (o.calibrationEvery === 1) throw new ValueError(`${op}: calibrationEvery 1 would hold back every digit`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) throw new ValueError(`${op}: lr must be a finite number > 0, got ${o.lr}`);
  if (!(o.ambiguous >= 0) || !Number.isFinite(o.ambiguous)) throw new ValueError(`${op}: ambiguous must be a finite number ≥ 0, got ${o.ambiguous}`);
}

/** Trains and calibrates a fresh classifier on `train` (see the file comment for the recipe). */
export function trainClassifier(train: Dataset, opts: ClassifierTrainOptions = {}): TrainedClassifier {
  const { onEpoch, ...given } = opts;
  const o = { ...CLASSIFIER_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as TrainedClassifier['settings'];
  checkOptions(o);
  if (train.height !== 28 || train.width !== 28 || train.classes !== DIGIT_CLASSES) throw new ValueError(`trainClassifier: expected 28×28 digits of 10 classes, got ${train.name} (${train.height}×${train.width}, ${train.classes} classes)`);
  const held = o.calibrationEvery > 0 ? (i: number): boolean => i % o.calibrationEvery === o.calibrationEvery - 1 : (): boolean => false;
  const all = Array.from({ length: train.n }, (_, i) => i);
  const fitOn = subset(train, all.filter((i) => !held(i)), `${train.name}[classifier training]`);
  const calibrateOn = o.calibrationEvery > 0 ? subset(train, all.filter(held), `${train.name}[calibration]`) : null;

  const gen = new Generator(o.seed);
  const model = new DigitClassifier({ generator: gen.fork() });
  const shiftGen = gen.fork();
  const degradeGen = gen.fork();
  const loader = new DataLoader(fitOn, { batchSize: o.batchSize, seed: o.seed });
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const schedule = new CosineAnnealingLR(opt, { tMax: o.epochs * loader.length });
  model.train();
  const t0 = Date.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    let lossSum = 0;
    let count = 0;
    for (const batch of loader) {
      const b = batch.y.length;
      const x = o.maxShift > 0 ? randomShift(batch.x, o.maxShift, shiftGen) : batch.x;
      const extra = Math.round(o.ambiguous * b);
      let input = x;
      let target: Tensor | Int32Array = batch.y;
      if (extra > 0 && batch.y.some((v) => v !== batch.y[0])) {
        const d = degradedDigits(x.data, batch.y, extra, degradeGen);
        const pixels = new Float32Array((b + extra) * 784);
        pixels.set(x.data);
        pixels.set(d.images, b * 784);
        const t = new Float32Array((b + extra) * DIGIT_CLASSES);
        for (let i = 0; i < b; i++) t[i * DIGIT_CLASSES + batch.y[i]] = 1;
        t.set(d.targets, b * DIGIT_CLASSES);
        input = fromArray(pixels, [b + extra, 1, 28, 28]);
        target = fromArray(t, [b + extra, DIGIT_CLASSES]);
      }
      const loss = crossEntropy(model.call(input), target);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      const v = loss.item();
      if (!Number.isFinite(v)) throw new ValueError(`trainClassifier: loss became ${v} at epoch ${epoch + 1}`);
      lossSum += v * b;
      count += b;
    }
    onEpoch?.({ epoch: epoch + 1, epochs: o.epochs, loss: lossSum / count, seconds: (Date.now() - t0) / 1000 });
  }
  model.eval();
  let calibration: TrainedClassifier['calibration'] = null;
  if (calibrateOn) {
    const fit = fitTemperature(classify(model, calibrateOn.images).logits, calibrateOn.labels, DIGIT_CLASSES);
    model.setTemperature(fit.temperature);
    calibration = { ...fit, digits: calibrateOn.n };
  }
  return { model, calibration, settings: o };
}
