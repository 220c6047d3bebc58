/**
 * The evaluation classifier: a small conv net, trained by genzoo itself on the
 * embedded training digits, that judges generated digits. Its labels give the
 * conditional accuracy; its penultimate-layer features give the Fréchet
 * distance. It is independent of every model it judges (none shares its
 * weights or its architecture code).
 *
 *   x [N, 1, 28, 28]
 *   conv 5×5, 1 → 16, pad 2, ReLU, max-pool 2     → [N, 16, 14, 14]
 *   conv 5×5, 16 → 32, pad 2, ReLU, max-pool 2    → [N, 32, 7, 7]
 *   flatten, linear 1568 → 128, ReLU              → features [N, 128]
 *   dropout 0.3 (training only), linear 128 → 10  → logits
 *
 * Training (the defaults of `trainClassifier`): Adam, lr 2e-3 with cosine
 * decay to 0 over the run, batch 64, 6 epochs over the 9,003 training digits,
 * each batch shifted by a random whole number of pixels in [−2, 2] on both
 * axes (so the judge does not depend on exact centring, as generated digits
 * may be off-centre by a pixel or two). Seed 0: the same weights on the same
 * backend every time.
 *
 * Cache: the trained weights are kept in `<cache>/classifier-v1.safetensors`,
 * where `<cache>` is $GENZOO_CACHE if set, else ~/.cache/genzoo. The file's
 * metadata records the architecture version, the training settings and the
 * held-out accuracy; a file of another version, or one that does not load,
 * is retrained (and reported), never silently used.
 */
import { noGrad } from '../autograd/index.js';
import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import { mnist } from '../data/mnist.js';
import { load, readSafetensors, save } from '../io/safetensors.js';
import { errorMessage, nodeModule, nodePath } from '../io/node.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import { Dropout } from '../nn/dropout.js';
import { MaxPool2d } from '../nn/pooling.js';
import { Flatten } from '../nn/reshape.js';
import { ReLU } from '../nn/activation.js';
import { crossEntropy } from '../nn/losses.js';
import { Adam } from '../nn/optim/adam.js';
import { CosineAnnealingLR } from '../nn/optim/lr-scheduler.js';
import { backendInfo, Generator, Tensor } from '../tensor/index.js';
import { argmaxRows } from './accuracy.js';
import { asRows, type RowSet } from './rows.js';
import { VERSION } from '../version.js';

/** Bumped whenever the architecture or the default training changes: older cached weights are retrained. */
export const CLASSIFIER_VERSION = 1;
export const CLASSIFIER_FILE = `classifier-v${CLASSIFIER_VERSION}.safetensors`;
/** Length of the feature vector `features()` returns (the Fréchet distance's space). */
export const CLASSIFIER_FEATURES = 128;

export class DigitClassifier extends Module<[Tensor], Tensor> {
  readonly trunk: Sequential;
  readonly dropout: Dropout;
  readonly head: Linear;

  constructor(opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ?? new Generator(0);
    this.trunk = this.registerModule('trunk', new Sequential(
      new Conv2d(1, 16, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2),
      new Conv2d(16, 32, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(32 * 7 * 7, CLASSIFIER_FEATURES, { generator: g }), new ReLU(),
    ));
    this.dropout = this.registerModule('dropout', new Dropout(0.3, { generator: g.fork() }));
    this.head = this.registerModule('head', new Linear(CLASSIFIER_FEATURES, 10, { generator: g }));
  }

  /** The penultimate layer: [N, 128] non-negative features. */
  features(x: Tensor): Tensor {
    return this.trunk.call(x);
  }

  /** Class logits [N, 10]. */
  override forward(x: Tensor): Tensor {
    return this.head.call(this.dropout.call(this.features(x)));
  }
}

export interface ClassifierOutput {
  /** Predicted class of each image. */
  labels: Int32Array;
  /** Penultimate features, N rows of `CLASSIFIER_FEATURES`. */
  features: Float32Array;
  featureDim: number;
}

/**
 * Runs the classifier (eval mode, no graph) on images — [N, 784] or
 * [N, 1, 28, 28] tensors, or plain arrays of 784-pixel rows — in batches.
 */
export function classify(model: DigitClassifier, images: RowSet, opts: { batchSize?: number } = {}): ClassifierOutput {
  const rows = asRows('classify', 'images', images, images instanceof Tensor ? undefined : 784);
  if (rows.dim !== 784) throw new Error(`classify: expected 28×28 images (784 pixels), got rows of ${rows.dim}`);
  const batch = opts.batchSize ?? 250;
  const labels = new Int32Array(rows.count);
  const features = new Float32Array(rows.count * CLASSIFIER_FEATURES);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < rows.count; start += batch) {
        const end = Math.min(rows.count, start + batch);
        const x = new Tensor(Float32Array.from(rows.data.subarray(start * 784, end * 784)), [end - start, 1, 28, 28]);
        const f = model.features(x);
        const logits = model.head.call(f);
        labels.set(argmaxRows(logits.data, 10), start);
        features.set(f.data, start * CLASSIFIER_FEATURES);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { labels, features, featureDim: CLASSIFIER_FEATURES };
}

/** Share of `ds` the classifier labels correctly. */
export function classifierAccuracy(model: DigitClassifier, ds: Dataset): number {
  const { labels } = classify(model, ds.images);
  let right = 0;
  for (let i = 0; i < ds.n; i++) if (labels[i] === ds.labels[i]) right++;
  return right / ds.n;
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
  return new Tensor(out, x.shape);
}

export interface ClassifierTrainOptions {
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate (cosine-decayed to 0). */
  lr?: number;
  /** Largest random shift in pixels (0 = no augmentation). */
  maxShift?: number;
  seed?: number;
  /** Called after every epoch (for progress output). */
  onEpoch?: (info: { epoch: number; epochs: number; loss: number; seconds: number }) => void;
}

export const CLASSIFIER_DEFAULTS = { epochs: 6, batchSize: 64, lr: 2e-3, maxShift: 2, seed: 0 } as const;

/** Trains a fresh classifier on `train` (see the file comment for the recipe). */
export function trainClassifier(train: Dataset, opts: ClassifierTrainOptions = {}): DigitClassifier {
  const o = { ...CLASSIFIER_DEFAULTS, ...opts };
  if (train.height !== 28 || train.width !== 28 || train.classes !== 10) throw new Error(`trainClassifier: expected 28×28 digits of 10 classes, got ${train.name} (${train.height}×${train.width}, ${train.classes} classes)`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`trainClassifier: epochs must be a positive integer, got ${o.epochs}`);
  const gen = new Generator(o.seed);
  const model = new DigitClassifier({ generator: gen.fork() });
  const shiftGen = gen.fork();
  const loader = new DataLoader(train, { batchSize: o.batchSize, seed: o.seed });
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const schedule = new CosineAnnealingLR(opt, { tMax: o.epochs * loader.length });
  model.train();
  const t0 = Date.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    let lossSum = 0;
    let count = 0;
    for (const batch of loader) {
      const x = o.maxShift > 0 ? randomShift(batch.x, o.maxShift, shiftGen) : batch.x;
      const loss = crossEntropy(model.call(x), batch.y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      const v = loss.item();
      if (!Number.isFinite(v)) throw new Error(`trainClassifier: loss became ${v} at epoch ${epoch + 1}`);
      lossSum += v * batch.y.length;
      count += batch.y.length;
    }
    o.onEpoch?.({ epoch: epoch + 1, epochs: o.epochs, loss: lossSum / count, seconds: (Date.now() - t0) / 1000 });
  }
  model.eval();
  return model;
}

/** The cache directory: $GENZOO_CACHE, else ~/.cache/genzoo. Node-only. */
export async function cacheDir(): Promise<string> {
  const path = await nodePath('cacheDir');
  const fromEnv = process.env.GENZOO_CACHE;
  if (fromEnv) return path.resolve(fromEnv);
  const os = await nodeModule<typeof import('node:os')>('node:os', 'cacheDir');
  return path.join(os.homedir(), '.cache', 'genzoo');
}

export interface LoadedClassifier {
  model: DigitClassifier;
  /** Accuracy on the 997 held-out digits (measured when trained, stored in the file). */
  heldOutAccuracy: number;
  path: string;
  /** True when it was trained by this call (no usable cached file). */
  trained: boolean;
}

export interface LoadClassifierOptions {
  /** Directory for the weights (default: `cacheDir()`). */
  dir?: string;
  /** Train anew even if a cached file exists. */
  retrain?: boolean;
  /** Progress and decisions, one line each (default: none). */
  log?: (line: string) => void;
  /** Training options (tests use a small budget); the defaults are the documented recipe. */
  train?: ClassifierTrainOptions;
  /** Training digits (default: the embedded MNIST training split). */
  trainData?: Dataset;
  /** Held-out digits to score it on (default: the embedded test split). */
  testData?: Dataset;
}

/**
 * The evaluation classifier: loaded from the cache, or trained (and cached,
 * atomically) when there is no usable file. Node-only.
 */
export async function loadOrTrainClassifier(opts: LoadClassifierOptions = {}): Promise<LoadedClassifier> {
  const path = await nodePath('loadOrTrainClassifier');
  const dir = opts.dir ?? (await cacheDir());
  const file = path.join(dir, CLASSIFIER_FILE);
  const log = opts.log ?? (() => {});
  if (!opts.retrain) {
    const cached = await tryLoad(file, log);
    if (cached) return { ...cached, path: file, trained: false };
  }
  const trainData = opts.trainData ?? (await mnist({ split: 'train' }));
  const testData = opts.testData ?? (await mnist({ split: 'test' }));
  const settings = { ...CLASSIFIER_DEFAULTS, ...opts.train };
  log(`classifier: training on ${trainData.n} digits (${settings.epochs} epochs, backend ${backendInfo().name}); cached afterwards in ${file}`);
  const t0 = Date.now();
  const model = trainClassifier(trainData, {
    ...settings,
    onEpoch: (e) => {
      log(`classifier: epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(0)} s`);
      opts.train?.onEpoch?.(e);
    },
  });
  const heldOutAccuracy = classifierAccuracy(model, testData);
  log(`classifier: ${(100 * heldOutAccuracy).toFixed(1)}% on ${testData.n} held-out digits (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises', 'loadOrTrainClassifier');
  await fs.mkdir(dir, { recursive: true });
  await save(model, file, {
    metadata: {
      format: 'genzoo-classifier',
      classifierVersion: String(CLASSIFIER_VERSION),
      heldOutAccuracy: String(heldOutAccuracy),
      heldOutDigits: String(testData.n),
      trainData: trainData.name,
      testData: testData.name,
      training: JSON.stringify({ epochs: settings.epochs, batchSize: settings.batchSize, lr: settings.lr, maxShift: settings.maxShift, seed: settings.seed }),
      backend: backendInfo().name,
      genzoo: VERSION,
    },
  });
  return { model, heldOutAccuracy, path: file, trained: true };
}

async function tryLoad(file: string, log: (line: string) => void): Promise<Omit<LoadedClassifier, 'path' | 'trained'> | null> {
  const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises', 'loadOrTrainClassifier');
  try {
    await fs.access(file);
  } catch {
    return null;
  }
  try {
    const { metadata } = await readSafetensors(file);
    if (metadata?.format !== 'genzoo-classifier' || metadata.classifierVersion !== String(CLASSIFIER_VERSION)) {
      log(`classifier: ${file} is not a version-${CLASSIFIER_VERSION} genzoo classifier; retraining`);
      return null;
    }
    const heldOutAccuracy = Number(metadata.heldOutAccuracy);
    if (!(heldOutAccuracy >= 0 && heldOutAccuracy <= 1)) throw new Error(`heldOutAccuracy ${JSON.stringify(metadata.heldOutAccuracy)} is not a share`);
    const model = new DigitClassifier();
    await load(model, file);
    model.eval();
    log(`classifier: loaded ${file} (${(100 * heldOutAccuracy).toFixed(1)}% on held-out digits)`);
    return { model, heldOutAccuracy };
  } catch (err) {
    log(`classifier: cannot use ${file} (${errorMessage(err)}); retraining`);
    return null;
  }
}
