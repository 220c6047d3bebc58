/**
 * Evaluating a trained model end to end: what `genzoo eval` and
 * `genzoo compare` run, usable from code.
 *
 *   const ctx = await evaluation.prepareEvaluation();                 // the shipped classifier + reference digits, once
 *   const { row } = evaluation.evaluateModel(ctx, model, { perClass: 100, seed: 0 });
 *   const { report } = await evaluation.evaluateCheckpoint('runs/cvae-mlp');   // also writes eval.json
 *
 * Recipe (every step seeded by `seed`, so the same seed on the same backend
 * gives the same numbers):
 *   1. draw M samples per class, class-major (the unconditional VAE: 10·M samples);
 *   2. the digit classifier (eval/classifier/) gives their calibrated class
 *      probabilities, labels and 128 penultimate features;
 *   3. sample metrics against the held-out digits (evaluateSamples): class
 *      faithfulness — the mean probability of the requested class, the share
 *      the judge is ≥ 90% sure of, and plain accuracy (not for the VAE, which cannot
 *      be asked for a class: its class balance stands in), Fréchet distance of
 *      features, sharpness, diversity
 *      (the VAE's samples grouped by the classifier's labels), novelty against
 *      the training digits; and the class balance (entropy of the labels);
 *   4. VAE/CVAE only: negative ELBO (10 Monte Carlo draws per image) and the
 *      importance-weighted NLL (k draws per image, default 100) on the held-out
 *      digits, or an evenly spaced subset of them (they are stored class by
 *      class, so every k-th digit keeps the classes balanced).
 *
 * The reference row "real digits" answers "what would a perfect generator
 * score?": M training digits per class (a seeded draw) are scored exactly as
 * samples are — Fréchet distance, sharpness, diversity, class entropy — which
 * gives the floor the Fréchet distance cannot go below with this many samples;
 * its faithfulness numbers are the classifier's on the held-out digits (the
 * ceiling a generator can reach by this judge), and its novelty is 1 by definition
 * (held-out digits are the reference for novelty).
 */
import type { Dataset } from '../data/dataset.js';
import { checkDatasetSpec, loadDataset } from '../data/source.js';
import { subset } from '../data/dataset.js';
import { writeFileAtomic } from '../io/atomic.js';
import { errorMessage, nodeModule, nodePath } from '../io/node.js';
import type { GenerativeModel } from '../models/types.js';
import { backendInfo, Generator, tidy } from '../tensor/index.js';
import { classFaithfulness, type ClassFaithfulness } from './faithfulness.js';
import { likelihoodModel } from './adapter.js';
import { classBalance } from './class-balance.js';
import { classify, DigitClassifier, type ClassifierOutput } from './classifier/model.js';
import { loadClassifier, type LoadClassifierOptions, type LoadedClassifier } from './classifier/load.js';
import { expectedCalibrationError } from './classifier/calibration.js';
import { diversity } from './diversity.js';
import { evaluateSamples } from './evaluate.js';
import { frechetDistance, gaussianStats, type GaussianStats } from './frechet.js';
import { importanceWeightedNll, negativeElbo } from './likelihood.js';
import { nearestNeighbours } from './memorisation.js';
import { homeRelative, makeEvalReport, type ClassifierSummary, type EvalReport, type EvalSettings, type MetricsRow } from './report.js';
import { loadRun, type LoadedRun } from '../train/load-run.js';
import { sharpness } from './sharpness.js';
import { IOError, ShapeError, ValueError } from '../errors.js';

/** Defaults of `genzoo eval` (documented in docs/cli.md). */
export const EVAL_DEFAULTS = {
  /** Samples per class. */
  perClass: 100,
  /** Seed of every random draw. */
  seed: 0,
  /** Importance samples per image for the IW-NLL. */
  iwK: 100,
  /** Monte Carlo draws per image for the negative ELBO. */
  elboSamples: 10,
  /** Held-out digits for the likelihood metrics (all 997 embedded ones). */
  likelihoodDigits: 1000,
} as const;

/** The file `genzoo eval` writes into a run folder. */
export const EVAL_FILE = 'eval.json';

/** Options of {@link prepareEvaluation}. */
export interface EvalContextOptions {
  /** The judge: a classifier object, or the result of loadClassifier (default: loadClassifier(classifierOptions), i.e. the shipped weights). */
  classifier?: DigitClassifier | LoadedClassifier;
  /** Options for loadClassifier when no classifier is given (source, cache folder, progress log…). */
  classifierOptions?: LoadClassifierOptions;
  /** The reference digits, as a `--data` value: its test split is held out, its training split is the novelty reference (default 'mnist'). */
  data?: string;
  /** Progress, one line each. */
  log?: (line: string) => void;
}

/** Everything that depends only on the data and the judge, computed once and shared by every model. */
export interface EvalContext {
  /** The judge. */
  classifier: DigitClassifier;
  /** Where the judge's weights came from and how it scores the held-out digits (eval.json's `classifier`). */
  classifierInfo: ClassifierSummary;
  /** The reference data, as a `--data` value ('mnist' or 'idx:DIR'). */
  data: string;
  /** The training split: the novelty reference. */
  training: Dataset;
  /** The held-out split: the reference for every other metric. */
  heldOut: Dataset;
  /** The classifier on the held-out digits: labels and features. */
  heldOutJudged: ClassifierOutput;
  /** The judge's faithfulness on the held-out digits' true labels (what a perfect generator would score). */
  heldOutAccuracy: ClassFaithfulness;
  /** Gaussian fitted to the held-out digits' features: the Fréchet reference. */
  heldOutStats: GaussianStats;
  /** Mean distance from a held-out digit to its nearest training digit: the novelty reference. */
  heldOutNearest: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

/** Loads the reference digits and the classifier, and measures what every evaluation reuses. */
export async function prepareEvaluation(opts: EvalContextOptions = {}): Promise<EvalContext> {
  const log = opts.log ?? (() => {});
  const spec = opts.data ?? 'mnist';
  const problem = checkDatasetSpec(spec);
  if (problem) throw new ValueError(`reference data: ${problem}`);
  let training: Dataset;
  let heldOut: Dataset;
  try {
    training = await loadDataset(spec, { split: 'train' });
    heldOut = await loadDataset(spec, { split: 'test' });
  } catch (err) {
    throw new IOError(`cannot load the reference digits from '${spec}': ${errorMessage(err)}${spec === 'mnist' ? '' : " (the embedded digits, 'mnist', need no files)"}`);
  }
  for (const ds of [training, heldOut]) {
    if (ds.height !== 28 || ds.width !== 28 || ds.classes !== 10) throw new ValueError(`reference data ${ds.name}: expected 28×28 digits of 10 classes, got ${ds.height}×${ds.width} in ${ds.classes} classes`);
  }
  let classifier: DigitClassifier;
  let loaded: LoadedClassifier | null = null;
  if (opts.classifier instanceof DigitClassifier) {
    classifier = opts.classifier;
  } else {
    loaded = opts.classifier ?? (await loadClassifier({ log, ...opts.classifierOptions }));
    classifier = loaded.model;
  }
  classifier.eval();
  const heldOutJudged = classify(classifier, heldOut.images);
  const heldOutAccuracy = classFaithfulness(heldOut.labels, heldOutJudged.probabilities);
  const classifierInfo = await summariseClassifier(loaded, heldOutAccuracy, expectedCalibrationError(heldOutJudged.probabilities, heldOut.labels).ece, classifier.temperature);
  const heldOutStats = gaussianStats(heldOutJudged.features, heldOutJudged.featureDim);
  const nn = nearestNeighbours(heldOut.images, training.images);
  let s = 0;
  for (const d of nn.distance) s += d;
  const heldOutNearest = s / nn.distance.length;
  log(`reference: ${heldOut.n} held-out and ${training.n} training digits (${spec}); classifier (${classifierInfo.origin}): faithful ${(100 * heldOutAccuracy.meanProbability).toFixed(1)}% on the held-out digits`);
  return {
    classifier, classifierInfo, data: spec, training, heldOut,
    heldOutJudged, heldOutAccuracy, heldOutStats, heldOutNearest, log,
  };
}

async function summariseClassifier(loaded: LoadedClassifier | null, held: ClassFaithfulness, ece: number, temperature: number): Promise<ClassifierSummary> {
  let file: string | null = null;
  if (loaded?.path && loaded.origin !== 'shipped') {
    const os = await nodeModule<typeof import('node:os')>('node:os', 'prepareEvaluation');
    file = homeRelative(loaded.path, os.homedir());
  }
  return {
    origin: loaded?.origin ?? 'given',
    file,
    sha256: loaded?.info.sha256 || null,
    heldOutDigits: held.counts.reduce((a, b) => a + b, 0),
    heldOutAccuracy: held.accuracy,
    heldOutConfidentAccuracy: held.confidentAccuracy,
    heldOutMeanProbability: held.meanProbability,
    temperature,
    ece,
  };
}

function faithfulnessDetails(f: ClassFaithfulness): Record<string, unknown> {
  return { threshold: f.threshold, perClassConfident: f.perClassConfident, perClassProbability: f.perClassProbability, perClass: f.perClass, confusion: f.confusion };
}

/** Options of {@link evaluateModel}. */
export interface ModelEvalOptions {
  /** Samples per class (the VAE: 10 × this many in all). Default 100. */
  perClass?: number;
  /** Seed of every random draw of the evaluation. Default 0. */
  seed?: number;
  /** Importance samples per image for the IW-NLL. Default 100. */
  iwK?: number;
  /** Monte Carlo draws per image for the negative ELBO. Default 10. */
  elboSamples?: number;
  /** Held-out digits for the likelihood metrics (capped at all of them). Default 1000, i.e. all 997 embedded ones. */
  likelihoodDigits?: number;
}

function resolved(opts: ModelEvalOptions): Required<ModelEvalOptions> {
  const o = { ...EVAL_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<ModelEvalOptions>;
  for (const k of ['perClass', 'iwK', 'elboSamples', 'likelihoodDigits'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new ValueError(`evaluateModel: ${k} must be a positive integer, got ${o[k]}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new ValueError(`evaluateModel: seed must be a non-negative integer, got ${o.seed}`);
  if (o.perClass < 2) throw new ValueError('evaluateModel: perClass must be at least 2 (diversity needs pairs)');
  return o;
}

/** What {@link evaluateModel} returns. */
export interface ModelEvaluation {
  /** The model's row of the table (trainSeconds is left to the caller, who knows the run). */
  row: MetricsRow;
  /** Breakdowns for eval.json. */
  details: Record<string, unknown>;
  /** The scored samples, [N·784] in [0, 1], class-major for conditional models. */
  samples: Float32Array;
  /** Their requested classes (null for the VAE) and the classifier's labels. */
  requested: Int32Array | null;
  /** The classifier's labels of the samples. */
  predicted: Int32Array;
  /** Seconds spent per stage. */
  seconds: Record<string, number>;
}

const SAMPLE_CHUNK = 500;

/** Draws the evaluation samples: class-major labels (M per class), or 10·M for the VAE. */
function drawSamples(model: GenerativeModel, perClass: number, seed: number): { images: Float32Array; requested: Int32Array | null } {
  const n = 10 * perClass;
  const requested = model.conditional ? Int32Array.from({ length: n }, (_, i) => Math.floor(i / perClass)) : null;
  const generator = new Generator(`${seed}/eval`);
  const images = new Float32Array(n * 784);
  for (let start = 0; start < n; start += SAMPLE_CHUNK) tidy(() => {
    const end = Math.min(n, start + SAMPLE_CHUNK);
    const x = model.sample(requested ? requested.subarray(start, end) : end - start, generator);
    if (x.size !== (end - start) * 784) throw new ShapeError(`${model.kind}.sample returned ${x.shape.join('×')} for ${end - start} samples`);
    for (let i = 0; i < x.size; i++) {
      if (!Number.isFinite(x.data[i])) throw new ValueError(`${model.kind} produced a non-finite pixel (${x.data[i]}) in sample ${start + Math.floor(i / 784)}: the weights are broken`);
    }
    images.set(x.data, start * 784);
  });
  return { images, requested };
}

/** Every `n/count`-th index of n (evenly spaced; with class-major storage, a class-balanced subset). */
export function evenlySpaced(n: number, count: number): Int32Array {
  const m = Math.min(n, count);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Scores one model (see the file comment for the recipe). */
export function evaluateModel(ctx: EvalContext, model: GenerativeModel, opts: ModelEvalOptions = {}): ModelEvaluation {
  const o = resolved(opts);
  const timing: Record<string, number> = {};
  const wasTraining = model.training;
  model.eval();
  try {
    let t = performance.now();
    const { images, requested } = drawSamples(model, o.perClass, o.seed);
    timing.sampling = seconds(t);
    t = performance.now();
    const judged = classify(ctx.classifier, images);
    timing.classifier = seconds(t);
    t = performance.now();
    const m = evaluateSamples({
      samples: images, requested, real: ctx.heldOut.images, realLabels: ctx.heldOut.labels,
      training: ctx.training.images, heldOutNearest: ctx.heldOutNearest,
      predicted: judged.labels, probabilities: judged.probabilities, sampleFeatures: judged.features, realFeatures: ctx.heldOutStats, featureDim: judged.featureDim,
      seed: o.seed,
    });
    const balance = classBalance(judged.labels);
    timing.metrics = seconds(t);
    const row: MetricsRow = { model: model.kind, arch: model.config.arch, ...m.metrics, classEntropy: balance.normalisedEntropy };
    const details: Record<string, unknown> = {
      samples: images.length / 784,
      accuracy: m.details.accuracy && faithfulnessDetails(m.details.accuracy as ClassFaithfulness),
      classBalance: balance,
      frechet: m.details.frechet && { meanTerm: m.details.frechet.meanTerm, covarianceTerm: m.details.frechet.covarianceTerm },
      sharpness: { samples: m.details.sharpness.samples, real: m.details.sharpness.real },
      diversity: { samples: m.details.diversity.samples.mean, real: m.details.diversity.real.mean, perClassRatio: m.details.diversity.perClassRatio },
      memorisation: m.details.memorisation && { samples: m.details.memorisation.samples, heldOut: m.details.memorisation.heldOut },
    };
    const lv = likelihoodModel(model);
    if (lv) {
      t = performance.now();
      const idx = evenlySpaced(ctx.heldOut.n, o.likelihoodDigits);
      const digits = subset(ctx.heldOut, idx, `${ctx.heldOut.name}[${idx.length} evenly spaced]`);
      const common = { labels: model.conditional ? digits.labels : undefined, inputShape: [1, 28, 28] };
      ctx.log(`${model.kind}: likelihood on ${digits.n} held-out digits (−ELBO with ${o.elboSamples} draws, IW-NLL with k = ${o.iwK})`);
      const elbo = negativeElbo(lv, digits.images, { ...common, samples: o.elboSamples, generator: new Generator(`${o.seed}/elbo`) });
      const iw = importanceWeightedNll(lv, digits.images, { ...common, k: o.iwK, generator: new Generator(`${o.seed}/iwnll`) });
      row.negativeElbo = elbo.mean;
      row.iwNll = iw.mean;
      details.likelihood = {
        digits: digits.n,
        negativeElbo: { mean: elbo.mean, standardError: elbo.standardError, reconstruction: elbo.reconstruction, kl: elbo.kl, samples: o.elboSamples },
        iwNll: { mean: iw.mean, standardError: iw.standardError, k: iw.k },
      };
      timing.likelihood = seconds(t);
    }
    return { row, details, samples: images, requested, predicted: judged.labels, seconds: timing };
  } finally {
    model.train(wasTraining);
  }
}

/** The "real digits" reference row (see the file comment), with M training digits per class. */
export function realDigitsRow(ctx: EvalContext, opts: Pick<ModelEvalOptions, 'perClass' | 'seed'> = {}): {
  /** The reference row of the table. */
  row: MetricsRow;
  /** Its breakdowns for eval.json. */
  details: Record<string, unknown>;
} {
  const o = resolved(opts);
  const gen = new Generator(`${o.seed}/real`);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < ctx.training.n; i++) byClass[ctx.training.labels[i]].push(i);
  const picked: number[] = [];
  for (const members of byClass) {
    const order = gen.permutation(members.length);
    for (let j = 0; j < Math.min(o.perClass, members.length); j++) picked.push(members[order[j]]);
  }
  const draw = subset(ctx.training, picked, `${ctx.training.name}[reference draw]`);
  const judged = classify(ctx.classifier, draw.images);
  const fd = frechetDistance(judged.features, ctx.heldOutStats, judged.featureDim);
  const sharp = sharpness(draw.images, ctx.heldOut.images);
  const div = diversity(draw.images, draw.labels, ctx.heldOut.images, ctx.heldOut.labels, { seed: o.seed });
  const row: MetricsRow = {
    model: 'real digits',
    classProbability: ctx.heldOutAccuracy.meanProbability,
    confidentAccuracy: ctx.heldOutAccuracy.confidentAccuracy,
    conditionalAccuracy: ctx.heldOutAccuracy.accuracy,
    classEntropy: classBalance(ctx.heldOutJudged.labels).normalisedEntropy,
    frechet: fd.distance,
    sharpness: sharp.ratio,
    diversity: div.ratio,
    memorisation: 1,
  };
  return {
    row,
    details: {
      accuracy: `the classifier on the ${ctx.heldOut.n} held-out digits (faithful, p ≥ 0.9, accuracy)`,
      frechet: `${draw.n} training digits (up to ${o.perClass} per class) scored as samples`,
      sharpness: 'the same training digits', diversity: 'the same training digits',
      classEntropy: "the classifier's labels of the held-out digits",
      memorisation: 'held-out digits: 1 by definition',
      digits: draw.n,
    },
  };
}

/** Options of {@link evaluateCheckpoint}: a model's options and the context's together. */
export interface CheckpointEvalOptions extends ModelEvalOptions, EvalContextOptions {
  /** A context already prepared (compare shares one); `data`, `classifier`… are then ignored. */
  context?: EvalContext;
  /** Write DIR/eval.json (default true). */
  write?: boolean;
  /** The real-digits row when already computed with the same context and options (compare shares one). */
  reference?: {
    /** The reference row. */
    row: MetricsRow;
    /** Its breakdowns. */
    details: Record<string, unknown>;
  };
}

/** What {@link evaluateCheckpoint} returns. */
export interface CheckpointEvaluation {
  /** The content of eval.json. */
  report: EvalReport;
  /** The real-digits reference row (also in report.details.reference). */
  reference: MetricsRow;
  /** The run folder, loaded. */
  run: LoadedRun;
  /** The model's evaluation, in full. */
  evaluation: ModelEvaluation;
  /** Where eval.json was written (null with write: false). */
  path: string | null;
}

/**
 * Evaluates the run in `dir` (a folder written by `genzoo train`) and writes
 * `dir/eval.json` atomically. The reference digits default to the run's own
 * `--data` when it names a dataset, else the embedded MNIST digits.
 */
export async function evaluateCheckpoint(dir: string, opts: CheckpointEvalOptions = {}): Promise<CheckpointEvaluation> {
  const { join } = await nodePath('evaluateCheckpoint');
  const o = resolved(opts);
  const run = await loadRun(dir);
  const runData = run.run.train.data;
  const ctx = opts.context ?? (await prepareEvaluation({ ...opts, data: opts.data ?? (checkDatasetSpec(runData) === null ? runData : 'mnist') }));
  const t0 = performance.now();
  const evaluation = evaluateModel(ctx, run.model, o);
  evaluation.row.trainSeconds = Number.isFinite(run.progress.trainSeconds) ? run.progress.trainSeconds : null;
  const reference = opts.reference ?? realDigitsRow(ctx, o);
  const backend = backendInfo();
  const settings: EvalSettings = {
    samplesPerClass: o.perClass,
    seed: o.seed,
    backend: backend.name,
    k: evaluation.row.iwNll !== undefined ? o.iwK : undefined,
    elboSamples: evaluation.row.negativeElbo !== undefined ? o.elboSamples : undefined,
    likelihoodDigits: evaluation.row.iwNll !== undefined ? Math.min(o.likelihoodDigits, ctx.heldOut.n) : undefined,
    classifier: ctx.classifierInfo,
    data: ctx.data,
  };
  const report = makeEvalReport(evaluation.row, settings, {
    checkpoint: dir,
    details: {
      ...evaluation.details,
      reference: { ...reference.row, how: reference.details },
      run: { kind: run.config.kind, arch: run.config.arch, ...run.progress, trainedOn: run.run.train.data, trainedWith: run.run.train.backend },
      seconds: { ...evaluation.seconds, total: seconds(t0) },
    },
  });
  let path: string | null = null;
  if (opts.write !== false) {
    path = join(dir, EVAL_FILE);
    await writeFileAtomic(path, JSON.stringify(report, null, 2) + '\n');
  }
  return { report, reference: reference.row, run, evaluation, path };
}
