/**
 * Diversity: how different the samples of one class are from each other,
 * relative to how different real digits of that class are. A generator that
 * has collapsed onto one image per class scores 0; one that varies as much as
 * real handwriting scores about 1.
 */
import { Generator } from '../tensor/index.js';
import { asLabels, asRows, groupByClass, requireNonEmpty, type LabelSet, type RowSet, type Rows } from './rows.js';
import { ValueError } from '../errors.js';

/** Options of {@link diversity} and {@link withinClassPairwiseDistance}. */
export interface DiversityOptions {
  /** Number of classes (default 10). */
  numClasses?: number;
  /**
   * Most pairs measured per class (default 10,000). A class with more than
   * this many pairs, n·(n−1)/2, is measured on this many pairs drawn
   * uniformly (with replacement) by a Generator seeded with `seed`, so the
   * result is deterministic.
   */
  maxPairsPerClass?: number;
  /** Seed of the pair sampler (default 0). */
  seed?: number;
  /** Row length of plain arrays (default 784). */
  dim?: number;
}

/** Within-class mean pairwise L2 distances of one image set. */
export interface PairwiseDistanceResult {
  /** Mean over classes (with ≥ 2 members) of each class's mean pairwise distance. */
  mean: number;
  /** Per class: mean pairwise L2 distance, or null when the class has fewer than 2 members. */
  perClass: Array<number | null>;
  /** Pairs measured per class. */
  pairs: number[];
}

function l2(data: ArrayLike<number>, a: number, b: number, dim: number): number {
  let s = 0;
  const oa = a * dim;
  const ob = b * dim;
  for (let k = 0; k < dim; k++) {
    const d = data[oa + k] - data[ob + k];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Mean L2 distance over pairs of the rows in `members`: all pairs, or `maxPairs` sampled ones. */
function meanPairDistance(rows: Rows, members: Int32Array, maxPairs: number, gen: Generator): { mean: number; pairs: number } {
  const n = members.length;
  const all = (n * (n - 1)) / 2;
  let total = 0;
  if (all <= maxPairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) total += l2(rows.data, members[i], members[j], rows.dim);
    return { mean: total / all, pairs: all };
  }
  for (let p = 0; p < maxPairs; p++) {
    // A uniform ordered pair of distinct members: j drawn from the n − 1 others.
    const i = gen.int(n);
    let j = gen.int(n - 1);
    if (j >= i) j++;
    total += l2(rows.data, members[i], members[j], rows.dim);
  }
  return { mean: total / maxPairs, pairs: maxPairs };
}

/**
 * Mean within-class pairwise L2 distance:
 *
 *   D_k = mean over pairs i ≠ j with y_i = y_j = k of ‖x_i − x_j‖₂
 *   D   = mean of D_k over the classes with at least 2 members
 *
 * Every class weighs the same, however many samples it has. `labels` null
 * treats the whole set as one class (for unconditional samples; prefer
 * classifier-predicted labels there, so both sets are compared class by class).
 */
export function withinClassPairwiseDistance(images: RowSet, labels: LabelSet | null, opts: DiversityOptions = {}): PairwiseDistanceResult {
  const op = 'withinClassPairwiseDistance';
  const rows = asRows(op, 'images', images, images instanceof Float32Array || images instanceof Float64Array ? opts.dim : undefined);
  requireNonEmpty(op, 'images', rows);
  const numClasses = labels === null ? 1 : opts.numClasses ?? 10;
  const maxPairs = opts.maxPairsPerClass ?? 10_000;
  if (!Number.isInteger(maxPairs) || maxPairs < 1) throw new ValueError(`${op}: maxPairsPerClass must be a positive integer, got ${maxPairs}`);
  const y = labels === null ? new Int32Array(rows.count) : asLabels(op, 'labels', labels, rows.count, numClasses);
  const gen = new Generator(opts.seed ?? 0);
  const perClass: Array<number | null> = [];
  const pairs: number[] = [];
  let sum = 0;
  let classes = 0;
  for (const members of groupByClass(y, numClasses)) {
    if (members.length < 2) {
      perClass.push(null);
      pairs.push(0);
      continue;
    }
    const r = meanPairDistance(rows, members, maxPairs, gen);
    perClass.push(r.mean);
    pairs.push(r.pairs);
    sum += r.mean;
    classes++;
  }
  if (classes === 0) throw new ValueError(`${op}: no class has 2 or more samples; pairwise distances need pairs`);
  return { mean: sum / classes, perClass, pairs };
}

/** What {@link diversity} returns: within-class spread of samples relative to real digits. */
export interface DiversityResult {
  /** D(samples) / D(real): 0 = one image per class (collapsed), ≈ 1 = as varied as real digits. */
  ratio: number;
  /** D(samples): the samples' within-class distances. */
  samples: PairwiseDistanceResult;
  /** D(real): the real digits' within-class distances. */
  real: PairwiseDistanceResult;
  /** Per class D_k(samples) / D_k(real), null where either is undefined. */
  perClassRatio: Array<number | null>;
}

/**
 * Diversity of samples relative to real digits:
 *
 *   diversity = D(samples) / D(real)
 *
 * with D the mean within-class pairwise L2 distance (`withinClassPairwiseDistance`).
 * Labels are the requested classes for conditional samples and the true
 * classes for real digits; pass null for both to compare whole sets.
 */
export function diversity(
  samples: RowSet,
  sampleLabels: LabelSet | null,
  real: RowSet,
  realLabels: LabelSet | null,
  opts: DiversityOptions = {},
): DiversityResult {
  if ((sampleLabels === null) !== (realLabels === null)) {
    throw new ValueError('diversity: give labels for both sets or for neither (within-class distances must be compared with within-class distances)');
  }
  const s = withinClassPairwiseDistance(samples, sampleLabels, opts);
  const r = withinClassPairwiseDistance(real, realLabels, opts);
  if (!(r.mean > 0)) throw new ValueError('diversity: the real images are all identical within each class; cannot normalise');
  const perClassRatio = s.perClass.map((v, k) => (v === null || !r.perClass[k] ? null : v / (r.perClass[k] as number)));
  return { ratio: s.mean / r.mean, samples: s, real: r, perClassRatio };
}
