/**
 * What a classifier is checked at: its scores on held-out digits it never saw
 * in training or calibration. Recorded in its weights file (store.ts), printed
 * by `genzoo eval`, and the ceiling a generator can reach with this judge.
 */
import type { Dataset } from '../../data/dataset.js';
import { classFaithfulness } from '../faithfulness.js';
import { expectedCalibrationError, softmaxRows } from './calibration.js';
import { classify, DIGIT_CLASSES, type DigitClassifier } from './model.js';

/** A classifier's scores on held-out digits (see {@link scoreHeldOut}). */
export interface HeldOutScores {
  /** Held-out digits scored. */
  digits: number;
  /** Share labelled correctly (most probable class). */
  accuracy: number;
  /** Share given p ≥ 0.9 of their true class (calibrated). */
  confidentAccuracy: number;
  /** Mean calibrated probability of the true class. */
  meanProbability: number;
  /** Expected calibration error (15 bins) at T = 1. */
  eceBefore: number;
  /** Expected calibration error (15 bins) at the classifier's temperature. */
  eceAfter: number;
}

/** Scores `model` on the digits of `test` (see HeldOutScores). */
export function scoreHeldOut(model: DigitClassifier, test: Dataset): HeldOutScores {
  const judged = classify(model, test.images);
  const f = classFaithfulness(test.labels, judged.probabilities);
  return {
    digits: test.n,
    accuracy: f.accuracy,
    confidentAccuracy: f.confidentAccuracy,
    meanProbability: f.meanProbability,
    eceBefore: expectedCalibrationError(softmaxRows(judged.logits, DIGIT_CLASSES, 1), test.labels).ece,
    eceAfter: expectedCalibrationError(judged.probabilities, test.labels).ece,
  };
}
