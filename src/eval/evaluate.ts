/**
 * All sample-based metrics of one model at once, from arrays the caller has
 * already produced (samples, their requested classes, real digits and, where
 * available, a classifier's labels and features). Model- and classifier-
 * independent: `genzoo eval` produces the inputs and calls this.
 */
import { conditionalAccuracy, type ConditionalAccuracy } from './accuracy.js';
import { classFaithfulness, type ClassFaithfulness } from './faithfulness.js';
import { diversity, type DiversityResult } from './diversity.js';
import { frechetDistance, type FrechetResult, type GaussianStats } from './frechet.js';
import { memorisation, type MemorisationResult } from './memorisation.js';
import type { MetricsRow } from './report.js';
import type { LabelSet, RowSet } from './rows.js';
import { sharpness, type SharpnessOptions, type SharpnessResult } from './sharpness.js';
import { ValueError } from '../errors.js';

/** What {@link evaluateSamples} scores: samples, the real digits they are compared with, and (optionally) a classifier's view of both. */
export interface SampleMetricsInput {
  /** Generated images, [N, 784] (or any [N, …] whose rows are height·width pixels). */
  samples: RowSet;
  /** The class each sample was generated for; null for an unconditional model (then `predicted` is used for diversity). */
  requested: LabelSet | null;
  /** Held-out real digits and their labels: the reference for sharpness, diversity, novelty and Fréchet. */
  real: RowSet;
  /** The classes of the real digits. */
  realLabels: LabelSet;
  /** Training digits, for the memorisation (novelty) score; skipped when absent. */
  training?: RowSet;
  /** The held-out digits' mean distance to their nearest training digit, when already computed (it depends only on the data). */
  heldOutNearest?: number;
  /** A classifier's labels for the samples; needed for accuracy (and for diversity of unconditional samples). */
  predicted?: LabelSet;
  /** A calibrated classifier's N×numClasses probabilities for the samples: with them, faithfulness (mean probability, confident accuracy) too. */
  probabilities?: RowSet;
  /** Classifier features of the samples and of the real digits (or their fitted Gaussian), for the Fréchet distance. */
  sampleFeatures?: RowSet;
  /** Classifier features of the real digits, or the Gaussian already fitted to them. */
  realFeatures?: RowSet | GaussianStats;
  /** Row length of plain-array features. */
  featureDim?: number;
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Seed for the diversity pair sampler (default 0). */
  seed?: number;
  /** Options of the sharpness metric. */
  sharpness?: SharpnessOptions;
}

/** What {@link evaluateSamples} returns: the table's metrics and the full result of each. */
export interface SampleMetrics {
  /** The metrics as numbers for the table (null where the inputs do not allow one; see {@link MetricsRow}). */
  metrics: Pick<MetricsRow, 'classProbability' | 'confidentAccuracy' | 'conditionalAccuracy' | 'frechet' | 'sharpness' | 'diversity' | 'memorisation'>;
  /** The full result of each metric computed (per class, confusion, …). */
  details: {
    /** Faithfulness when probabilities were given, else label accuracy alone. */
    accuracy?: ClassFaithfulness | ConditionalAccuracy;
    /** Fréchet distance and its parts (needs features of samples and real digits). */
    frechet?: FrechetResult;
    /** Sharpness against the real digits. */
    sharpness: SharpnessResult;
    /** Within-class diversity against the real digits. */
    diversity: DiversityResult;
    /** Novelty (needs `training`); the nearest training digit of each sample by index. */
    memorisation?: Omit<MemorisationResult, 'nearest'> & {
      /** For each sample, the index of its nearest training digit. */
      nearestIndex: number[];
    };
  };
}

/** Computes every metric its inputs allow; those it cannot are null. */
export function evaluateSamples(input: SampleMetricsInput): SampleMetrics {
  const numClasses = input.numClasses ?? 10;
  let accuracy: ClassFaithfulness | ConditionalAccuracy | undefined;
  let faithful: ClassFaithfulness | undefined;
  if (input.requested !== null && input.probabilities !== undefined) accuracy = faithful = classFaithfulness(input.requested, input.probabilities, { numClasses });
  else if (input.requested !== null && input.predicted !== undefined) accuracy = conditionalAccuracy(input.requested, input.predicted, numClasses);
  const sharp = sharpness(input.samples, input.real, input.sharpness);
  const groupLabels = input.requested ?? input.predicted;
  if (groupLabels === undefined) throw new ValueError('evaluateSamples: unconditional samples need classifier labels (predicted) to measure within-class diversity');
  const div = diversity(input.samples, groupLabels, input.real, input.realLabels, { numClasses, seed: input.seed });
  const mem = input.training !== undefined ? memorisation(input.samples, input.training, input.heldOutNearest ?? input.real) : undefined;
  let frechet: FrechetResult | undefined;
  if (input.sampleFeatures !== undefined || input.realFeatures !== undefined) {
    if (input.sampleFeatures === undefined || input.realFeatures === undefined) throw new ValueError('evaluateSamples: the Fréchet distance needs both sampleFeatures and realFeatures');
    frechet = frechetDistance(input.sampleFeatures, input.realFeatures, input.featureDim);
  }
  return {
    metrics: {
      classProbability: faithful?.meanProbability ?? null,
      confidentAccuracy: faithful?.confidentAccuracy ?? null,
      conditionalAccuracy: accuracy?.accuracy ?? null,
      frechet: frechet?.distance ?? null,
      sharpness: sharp.ratio,
      diversity: div.ratio,
      memorisation: mem?.ratio ?? null,
    },
    details: {
      accuracy,
      frechet,
      sharpness: sharp,
      diversity: div,
      memorisation: mem && { ratio: mem.ratio, samples: mem.samples, heldOut: mem.heldOut, nearestIndex: Array.from(mem.nearest.index) },
    },
  };
}
