/**
 * fast-check arbitraries for property-testing KL implementations (yours or
 * genzoo's). Each generates plain numbers, so counterexamples print readably
 * and shrink well; build tensors from them with `tensor(...)`.
 *
 * Imported on its own, `import { gaussianPair } from 'genzoo/kl/arbitraries'`,
 * so that `import 'genzoo'` never loads fast-check: fast-check (^4) is an
 * optional peer dependency, and these arbitraries are built from, and typed
 * against, the copy the user installed (one copy, so its `Arbitrary` type is
 * the user's own).
 *
 *   fc.assert(fc.property(gaussianPair(), ([p, q]) => {
 *     const ref = kl.integrate(p, q);
 *     return Math.abs(myKL(p, q) - ref.value) <= 1e-6 * ref.value + 1e-12;
 *   }));
 *
 * Standard deviations are drawn log-uniformly (every order of magnitude equally
 * often), means uniformly; one draw in five instead comes from fc.double, which
 * favours awkward values (exact edges, equal σs, subnormal gaps) — where
 * cancellation bugs live.
 *
 * @module genzoo/kl/arbitraries
 */
import * as fc from 'fast-check';
import type { Gaussian1D } from './density.js';
import { ValueError } from '../errors.js';

/** A closed interval [min, max]. */
export interface Range {
  /** Lower end. */
  min: number;
  /** Upper end. */
  max: number;
}

/** Options of {@link gaussian}. */
export interface GaussianOptions {
  /** Range of the mean (default −100 … 100). */
  mu?: Range;
  /** Range of the standard deviation, sampled log-uniformly (default 1e-3 … 1e3). */
  sigma?: Range;
}

/** Options of {@link gaussianPair}: a {@link GaussianOptions} for the first Gaussian plus how far the second may be from it. */
export interface GaussianPairOptions extends GaussianOptions {
  /** σq/σp lies in [1/maxSigmaRatio, maxSigmaRatio] (default 100). */
  maxSigmaRatio?: number;
  /** |μp − μq| ≤ maxGap·max(σp, σq) (default 20). */
  maxGap?: number;
}

/** A diagonal Gaussian N(mu, diag(exp(logvar))). */
export interface DiagGaussian {
  /** Means, one per dimension. */
  mu: number[];
  /** Log-variances, one per dimension. */
  logvar: number[];
}

/** Options of {@link diagGaussian}, {@link diagGaussianPair} and {@link latentBatch}. */
export interface DiagOptions {
  /** Number of dimensions (default 1 … 8). */
  dim?: Range;
  /** Range of each mean (default −10 … 10). */
  mu?: Range;
  /** Range of each log-variance (default −10 … 10). */
  logvar?: Range;
}

function range(name: string, r: Range | undefined, dflt: Range, positive = false): Range {
  const out = r ?? dflt;
  if (!(Number.isFinite(out.min) && Number.isFinite(out.max) && out.min <= out.max) || (positive && !(out.min > 0))) {
    throw new ValueError(`kl.arbitraries: ${name} must be { min, max } with finite min ≤ max${positive ? ' and min > 0' : ''}, got ${JSON.stringify(r)}`);
  }
  return out;
}

const STEPS = 2 ** 30;

/**
 * A real in [min, max]: mostly uniform (fc.double alone is uniform over the
 * representable doubles, so nearly all its draws would sit within 1e-10 of 0),
 * plus one draw in five from fc.double for the awkward values — subnormal gaps,
 * exact edges — that cancellation bugs hide behind. Shrinks towards the middle.
 */
function real(r: Range): fc.Arbitrary<number> {
  const mid = 0.5 * r.min + 0.5 * r.max;
  const half = 0.5 * r.max - 0.5 * r.min;
  const clampToRange = (x: number): number => Math.min(r.max, Math.max(r.min, x));
  const uniform = fc.integer({ min: -STEPS, max: STEPS }).map((k) => clampToRange(mid + half * (k / STEPS)));
  const awkward = fc.double({ min: r.min, max: r.max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
  return fc.oneof({ arbitrary: uniform, weight: 4 }, { arbitrary: awkward, weight: 1 });
}

/** A positive number, log-uniform in [min, max]. */
function logUniform(r: Range): fc.Arbitrary<number> {
  const lo = Math.log(r.min);
  const hi = Math.log(r.max);
  // exp(log x) can land a hair outside [min, max]: clamp so the documented range holds exactly.
  return real({ min: lo, max: hi }).map((l) => Math.min(r.max, Math.max(r.min, Math.exp(l))));
}

/** A log-variance (default −10 … 10). */
export function logvar(r?: Range): fc.Arbitrary<number> {
  return real(range('logvar', r, { min: -10, max: 10 }));
}

/** A 1-D Gaussian `{ mu, sigma }`. */
export function gaussian(opts: GaussianOptions = {}): fc.Arbitrary<Gaussian1D> {
  const mu = range('mu', opts.mu, { min: -100, max: 100 });
  const sigma = range('sigma', opts.sigma, { min: 1e-3, max: 1e3 }, true);
  return fc.record({ mu: real(mu), sigma: logUniform(sigma) });
}

/**
 * Two 1-D Gaussians [p, q] with σq/σp in [1/maxSigmaRatio, maxSigmaRatio] and
 * |μp − μq| ≤ maxGap·max(σp, σq): by default exactly the domain on which
 * `kl.integrate` is accurate to 1e-8.
 */
export function gaussianPair(opts: GaussianPairOptions = {}): fc.Arbitrary<[Gaussian1D, Gaussian1D]> {
  const ratio = opts.maxSigmaRatio ?? 100;
  const gap = opts.maxGap ?? 20;
  if (!(Number.isFinite(ratio) && ratio >= 1)) throw new ValueError(`kl.arbitraries.gaussianPair: maxSigmaRatio must be a finite number ≥ 1, got ${ratio}`);
  if (!(Number.isFinite(gap) && gap >= 0)) throw new ValueError(`kl.arbitraries.gaussianPair: maxGap must be a finite number ≥ 0, got ${gap}`);
  const logRatio = Math.log(ratio);
  return fc
    .tuple(gaussian(opts), real({ min: -logRatio, max: logRatio }), real({ min: -gap, max: gap }))
    .map(([p, lr, g]) => {
      const sigma = p.sigma * Math.exp(lr);
      return [p, { mu: p.mu + g * Math.max(p.sigma, sigma), sigma }];
    });
}

function diagWith(d: number, mu: Range, lv: Range): fc.Arbitrary<DiagGaussian> {
  return fc.record({
    mu: fc.array(real(mu), { minLength: d, maxLength: d }),
    logvar: fc.array(real(lv), { minLength: d, maxLength: d }),
  });
}

function diagRanges(opts: DiagOptions): { dim: Range; mu: Range; lv: Range } {
  const dim = range('dim', opts.dim, { min: 1, max: 8 });
  if (!Number.isInteger(dim.min) || !Number.isInteger(dim.max) || dim.min < 1) {
    throw new ValueError(`kl.arbitraries: dim must be integers ≥ 1, got ${JSON.stringify(opts.dim)}`);
  }
  return { dim, mu: range('mu', opts.mu, { min: -10, max: 10 }), lv: range('logvar', opts.logvar, { min: -10, max: 10 }) };
}

/** A diagonal Gaussian `{ mu: number[], logvar: number[] }` (one VAE latent). */
export function diagGaussian(opts: DiagOptions = {}): fc.Arbitrary<DiagGaussian> {
  const { dim, mu, lv } = diagRanges(opts);
  return fc.integer({ min: dim.min, max: dim.max }).chain((d) => diagWith(d, mu, lv));
}

/** Two diagonal Gaussians of the same dimension. */
export function diagGaussianPair(opts: DiagOptions = {}): fc.Arbitrary<[DiagGaussian, DiagGaussian]> {
  const { dim, mu, lv } = diagRanges(opts);
  return fc.integer({ min: dim.min, max: dim.max }).chain((d) => fc.tuple(diagWith(d, mu, lv), diagWith(d, mu, lv)));
}

/** A batch of diagonal Gaussians, as a VAE encoder outputs them. */
export interface LatentBatch {
  /** [batch][dim] means and log-variances: what a VAE encoder outputs. */
  mu: number[][];
  /** [batch][dim] log-variances. */
  logvar: number[][];
}

/** A batch of diagonal Gaussians, rows of equal length: `tensor(b.mu)` is [batch, dim]. */
export function latentBatch(opts: DiagOptions & {
  /** Batch size range (default 1 … 8). */
  batch?: Range;
} = {}): fc.Arbitrary<LatentBatch> {
  const { dim, mu, lv } = diagRanges(opts);
  const batch = range('batch', opts.batch, { min: 1, max: 8 });
  if (!Number.isInteger(batch.min) || !Number.isInteger(batch.max) || batch.min < 1) {
    throw new ValueError(`kl.arbitraries: batch must be integers ≥ 1, got ${JSON.stringify(opts.batch)}`);
  }
  return fc.tuple(fc.integer({ min: batch.min, max: batch.max }), fc.integer({ min: dim.min, max: dim.max })).chain(([b, d]) => {
    const rows = (r: Range): fc.Arbitrary<number[][]> =>
      fc.array(fc.array(real(r), { minLength: d, maxLength: d }), { minLength: b, maxLength: b });
    return fc.record({ mu: rows(mu), logvar: rows(lv) });
  });
}
