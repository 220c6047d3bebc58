/**
 * The evaluation classifier's network: a small conv net that judges generated
 * digits. Its calibrated probabilities give the class-faithfulness metrics;
 * its penultimate-layer features give the Fréchet distance. It is independent
 * of every model it judges (none shares its weights or its architecture code).
 *
 *   x [N, 1, 28, 28]
 *   conv 5×5, 1 → 16, pad 2, ReLU, max-pool 2     → [N, 16, 14, 14]
 *   conv 5×5, 16 → 32, pad 2, ReLU, max-pool 2    → [N, 32, 7, 7]
 *   flatten, linear 1568 → 128, ReLU              → features [N, 128]
 *   dropout 0.3 (training only), linear 128 → 10  → logits
 *   probabilities = softmax(logits / T)            (T: the `temperature` buffer, calibration.ts)
 *
 * How it is trained (to hesitate where a reader would): train.ts.
 */
import { noGrad } from '../../autograd/index.js';
import { Module } from '../../nn/module.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv2d.js';
import { Linear } from '../../nn/linear.js';
import { Dropout } from '../../nn/dropout.js';
import { MaxPool2d } from '../../nn/pooling.js';
import { Flatten } from '../../nn/reshape.js';
import { ReLU } from '../../nn/activation.js';
import { fromArray, Generator, Tensor, tidy } from '../../tensor/index.js';
import { argmaxRows } from '../accuracy.js';
import { asRows, type RowSet } from '../rows.js';
import { softmaxRows } from './calibration.js';
import { ShapeError, ValueError } from '../../errors.js';

/**
 * Bumped whenever the architecture or the training recipe changes: weights of
 * another version are never used. v2: trained with ambiguous digits, calibrated.
 */
export const CLASSIFIER_VERSION = 2;
/** Length of the feature vector `features()` returns (the Fréchet distance's space). */
export const CLASSIFIER_FEATURES = 128;
/** The ten digit classes. */
export const DIGIT_CLASSES = 10;

/**
 * The digit classifier that judges generated samples (the architecture is in
 * the file comment): `call(x)` gives logits [N, 10] for images [N, 1, 28, 28].
 * Use {@link loadClassifier} for the shipped, calibrated weights and
 * {@link classify} to run it.
 */
export class DigitClassifier extends Module<[Tensor], Tensor> {
  /** Both convolution blocks and the 1568 → 128 layer: images → features [N, 128]. */
  readonly trunk: Sequential;
  /** Dropout 0.3 on the features (active in training mode only). */
  readonly dropout: Dropout;
  /** The last layer, features → logits [N, 10]. */
  readonly head: Linear;

  /** A fresh, untrained classifier; `opts.generator` seeds its initial weights (default: seed 0). */
  constructor(opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ?? new Generator(0);
    this.trunk = this.registerModule('trunk', new Sequential(
      new Conv2d(1, 16, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2),
      new Conv2d(16, 32, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(32 * 7 * 7, CLASSIFIER_FEATURES, { generator: g }), new ReLU(),
    ));
    this.dropout = this.registerModule('dropout', new Dropout(0.3, { generator: g.fork() }));
    this.head = this.registerModule('head', new Linear(CLASSIFIER_FEATURES, DIGIT_CLASSES, { generator: g }));
    // Saved with the weights, so a calibrated file needs nothing beside it.
    this.registerBuffer('temperature', fromArray(Float32Array.of(1), [1]));
  }

  /** The calibration temperature T (probabilities are softmax(logits / T)). */
  get temperature(): number {
    return this.buffer('temperature')!.item();
  }

  /** Sets T (a finite number > 0), replacing the buffer with a new tensor. */
  setTemperature(t: number): void {
    if (!(t > 0) || !Number.isFinite(t)) throw new ValueError(`DigitClassifier.setTemperature: temperature must be a finite number > 0, got ${t}`);
    this.registerBuffer('temperature', fromArray(Float32Array.of(t), [1]));
  }

  /** The penultimate layer: [N, 128] non-negative features. */
  features(x: Tensor): Tensor {
    return this.trunk.call(x);
  }

  /** Class logits [N, 10] (before the temperature). */
  override forward(x: Tensor): Tensor {
    return this.head.call(this.dropout.call(this.features(x)));
  }
}

/** What {@link classify} returns for N images. */
export interface ClassifierOutput {
  /** Predicted class of each image (the most probable digit). */
  labels: Int32Array;
  /** Calibrated class probabilities, N rows of 10: softmax(logits / T). */
  probabilities: Float32Array;
  /** Raw logits, N rows of 10 (before the temperature). */
  logits: Float32Array;
  /** Penultimate features, N rows of `CLASSIFIER_FEATURES`. */
  features: Float32Array;
  /** The length of a feature row (`CLASSIFIER_FEATURES`, 128). */
  featureDim: number;
}

/**
 * Runs the classifier (eval mode, no graph) on images — [N, 784] or
 * [N, 1, 28, 28] tensors, or plain arrays of 784-pixel rows — in batches.
 */
export function classify(model: DigitClassifier, images: RowSet, opts: { batchSize?: number } = {}): ClassifierOutput {
  const rows = asRows('classify', 'images', images, images instanceof Tensor ? undefined : 784);
  if (rows.dim !== 784) throw new ShapeError(`classify: expected 28×28 images (784 pixels), got rows of ${rows.dim}`);
  const batch = opts.batchSize ?? 250;
  const logits = new Float32Array(rows.count * DIGIT_CLASSES);
  const features = new Float32Array(rows.count * CLASSIFIER_FEATURES);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      // tidy: each batch's activations are freed at once rather than by the garbage collector (on wasm, a heap that fills evicts).
      for (let start = 0; start < rows.count; start += batch) tidy(() => {
        const end = Math.min(rows.count, start + batch);
        const x = fromArray(Float32Array.from(rows.data.subarray(start * 784, end * 784)), [end - start, 1, 28, 28]);
        const f = model.features(x);
        logits.set(model.head.call(f).data, start * DIGIT_CLASSES);
        features.set(f.data, start * CLASSIFIER_FEATURES);
      });
    });
  } finally {
    model.train(wasTraining);
  }
  return {
    labels: argmaxRows(logits, DIGIT_CLASSES),
    probabilities: Float32Array.from(softmaxRows(logits, DIGIT_CLASSES, model.temperature)),
    logits,
    features,
    featureDim: CLASSIFIER_FEATURES,
  };
}
