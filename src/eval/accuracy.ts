/**
 * Conditional accuracy: does a class-conditional generator draw the class it
 * was asked for? A classifier labels each sample; the score is the share of
 * samples requested as class k that it labels k. Real held-out digits give the
 * ceiling (the classifier's own accuracy); 1/numClasses is chance.
 */
import { asLabels, labelCount, type LabelSet } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

/** What {@link conditionalAccuracy} returns: how often samples are labelled as the class they were generated for. */
export interface ConditionalAccuracy {
  /** Share of all samples labelled as their requested class: (1/N)·Σ_i [pred_i = req_i]. */
  accuracy: number;
  /** Per requested class k: share of class-k samples labelled k; null when none was requested. */
  perClass: Array<number | null>;
  /** Samples requested per class. */
  counts: number[];
  /** confusion[k][j] = number of samples requested as k and labelled j. */
  confusion: number[][];
}

/**
 * Conditional accuracy from requested classes and a classifier's predicted
 * labels (both N integers in [0, numClasses)):
 *
 *   accuracy   = (1/N) · Σ_i [pred_i = req_i]
 *   accuracy_k = #{i : req_i = k, pred_i = k} / #{i : req_i = k}
 *
 * With the same number of samples per class (genzoo's `--per-class`), the
 * overall accuracy is the mean of the per-class ones.
 */
export function conditionalAccuracy(requested: LabelSet, predicted: LabelSet, numClasses = 10): ConditionalAccuracy {
  const op = 'conditionalAccuracy';
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`${op}: numClasses must be a positive integer, got ${numClasses}`);
  const req = asLabels(op, 'requested', requested, labelCount(requested), numClasses);
  const pred = asLabels(op, 'predicted', predicted, req.length, numClasses);
  if (req.length === 0) throw new ValueError(`${op}: no samples`);
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const counts = new Array<number>(numClasses).fill(0);
  let correct = 0;
  for (let i = 0; i < req.length; i++) {
    confusion[req[i]][pred[i]]++;
    counts[req[i]]++;
    if (req[i] === pred[i]) correct++;
  }
  const perClass = counts.map((c, k) => (c === 0 ? null : confusion[k][k] / c));
  return { accuracy: correct / req.length, perClass, counts, confusion };
}

/** Row-wise argmax of N×C classifier scores (logits or probabilities): the predicted labels. */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): Int32Array {
  if (scores.length % numClasses !== 0) throw new ShapeError(`argmaxRows: ${scores.length} scores are not rows of ${numClasses}`);
  const n = scores.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = scores[i * numClasses];
    for (let k = 1; k < numClasses; k++) {
      const v = scores[i * numClasses + k];
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}
