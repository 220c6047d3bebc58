/**
 * Class balance: which digits a generator draws, as the classifier sees them.
 * For the unconditional VAE, which cannot be asked for a class, this takes
 * the place of conditional accuracy: a VAE that draws every digit equally
 * often has normalised entropy 1; one that only ever draws 1s has 0. For the
 * conditional models it shows classes the generator fails to produce at all.
 */
import { asLabels, labelCount, type LabelSet } from './rows.js';
import { ValueError } from '../errors.js';

/** What {@link classBalance} returns: how a classifier spreads samples over the classes. */
export interface ClassBalance {
  /** How many samples the classifier put in each class. */
  counts: number[];
  /** counts / N. */
  shares: number[];
  /** H = −Σ_k p_k·log p_k, in nats (0·log 0 = 0). */
  entropy: number;
  /** H / log(numClasses): 1 = every class equally often, 0 = a single class. */
  normalisedEntropy: number;
}

/** The distribution of `labels` over classes and its entropy (see ClassBalance). */
export function classBalance(labels: LabelSet, numClasses = 10): ClassBalance {
  const op = 'classBalance';
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new ValueError(`${op}: numClasses must be an integer ≥ 2, got ${numClasses}`);
  const y = asLabels(op, 'labels', labels, labelCount(labels), numClasses);
  if (y.length === 0) throw new ValueError(`${op}: no labels`);
  const counts = new Array<number>(numClasses).fill(0);
  for (const k of y) counts[k]++;
  const shares = counts.map((c) => c / y.length);
  let entropy = 0;
  for (const p of shares) if (p > 0) entropy -= p * Math.log(p);
  return { counts, shares, entropy, normalisedEntropy: entropy / Math.log(numClasses) };
}
