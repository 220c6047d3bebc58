/**
 * Class faithfulness: does a class-conditional generator draw the digit it was
 * asked for — so that a reader would sign it? Plain accuracy (the classifier's
 * most probable class is the requested one) counts a smudge that is "most like
 * a 3" as a 3. Read with a calibrated classifier (classifier/calibration.ts)
 * that was taught to hesitate on ambiguous digits (classifier/train.ts):
 *
 *   faithfulness        (1/N)·Σ_i p_i[r_i]               the headline ("faithful")
 *   confident accuracy  (1/N)·Σ_i [p_i[r_i] ≥ τ], τ = 0.9  the strict reading ("p ≥ 0.9")
 *   accuracy            (1/N)·Σ_i [argmax_k p_ik = r_i]
 *
 * with p_i the classifier's probabilities for sample i and r_i its requested
 * class. Because the probabilities are calibrated (of the digits given p,
 * about a share p are right), the mean probability is the share of samples
 * the judge expects a reader to sign, and it falls smoothly as samples get
 * harder to read; the confident share counts only samples the judge would
 * sign without hesitation — a 50/50 blend of a 3 and an 8 counts for neither.
 */
import { conditionalAccuracy, argmaxRows, type ConditionalAccuracy } from './accuracy.js';
import { asLabels, asRows, labelCount, type LabelSet, type RowSet } from './rows.js';
import { ShapeError, ValueError } from '../errors.js';

/** The probability of the requested class from which a sample counts as confidently faithful. */
export const CONFIDENT_PROBABILITY = 0.9;

export interface ClassFaithfulness extends ConditionalAccuracy {
  /** Faithfulness: (1/N)·Σ_i p_i[r_i]. */
  meanProbability: number;
  /** Share of samples with p_i[r_i] ≥ threshold. */
  confidentAccuracy: number;
  /** The threshold τ used. */
  threshold: number;
  /** Per requested class k: the mean probability of class k over the samples requested as k; null when none was requested. */
  perClassProbability: Array<number | null>;
  /** Per requested class k: the share of those samples whose probability of k is at least `threshold`; null when none was requested. */
  perClassConfident: Array<number | null>;
}

/** Options of {@link classFaithfulness}. */
export interface FaithfulnessOptions {
  /** Classes C: the width of each probability row (default 10). */
  numClasses?: number;
  /** τ (default 0.9). */
  threshold?: number;
}

/**
 * Faithfulness of N samples from their requested classes and a classifier's
 * N×C probabilities (rows summing to 1; see the file comment for the formulas).
 */
export function classFaithfulness(requested: LabelSet, probabilities: RowSet, opts: FaithfulnessOptions = {}): ClassFaithfulness {
  const op = 'classFaithfulness';
  const numClasses = opts.numClasses ?? 10;
  const threshold = opts.threshold ?? CONFIDENT_PROBABILITY;
  if (!(threshold > 0 && threshold <= 1)) throw new ValueError(`${op}: threshold must be in (0, 1], got ${threshold}`);
  const p = asRows(op, 'probabilities', probabilities, numClasses);
  if (p.dim !== numClasses) throw new ShapeError(`${op}: probabilities must be rows of ${numClasses}, got rows of ${p.dim}`);
  const req = asLabels(op, 'requested', requested, labelCount(requested), numClasses);
  if (req.length !== p.count) throw new ShapeError(`${op}: ${req.length} requested classes but ${p.count} rows of probabilities`);
  for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i];
    if (!(v >= 0 && v <= 1)) throw new ValueError(`${op}: probability ${v} at row ${Math.floor(i / numClasses)} is not in [0, 1]`);
  }
  const base = conditionalAccuracy(req, argmaxRows(p.data, numClasses), numClasses);
  const probSum = new Array<number>(numClasses).fill(0);
  const confident = new Array<number>(numClasses).fill(0);
  let total = 0;
  let sure = 0;
  for (let i = 0; i < req.length; i++) {
    const v = p.data[i * numClasses + req[i]];
    total += v;
    probSum[req[i]] += v;
    if (v >= threshold) {
      sure++;
      confident[req[i]]++;
    }
  }
  return {
    ...base,
    meanProbability: total / req.length,
    confidentAccuracy: sure / req.length,
    threshold,
    perClassProbability: base.counts.map((c, k) => (c === 0 ? null : probSum[k] / c)),
    perClassConfident: base.counts.map((c, k) => (c === 0 ? null : confident[k] / c)),
  };
}
