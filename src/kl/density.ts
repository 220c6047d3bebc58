/**
 * One-dimensional densities for the numeric references (`kl.integrate`,
 * `kl.monteCarlo`): a Gaussian `{ mu, sigma }`, or any log-density a user
 * supplies, with hints saying where its mass lies.
 */
import type { Generator } from '../tensor/index.js';
import { normalLogPdf, normalLogRatio } from './scalar.js';
import { ValueError } from '../errors.js';

/** N(mu, sigma²). The arbitraries generate these; `kl.normal` takes the same numbers. */
export interface Gaussian1D {
  /** Mean μ. */
  mu: number;
  /** Standard deviation σ > 0. */
  sigma: number;
}

/** Any normalized 1-D density, given by its log (−Infinity outside its support). */
export interface LogDensity1D {
  /** log p(x); −Infinity outside the support. */
  logPdf(x: number): number;
  /** Where its mass is centred (default 0): the quadrature places breakpoints around it. */
  location?: number;
  /** How wide it is (default 1): a narrow or far-away density needs these to be found. */
  scale?: number;
  /** Draws one sample: needed by `kl.monteCarlo` for the first density. */
  sample?(rng: Generator): number;
}

/** A Gaussian, a log-density object, or a bare log-density function. */
export type Density1D = Gaussian1D | LogDensity1D | ((x: number) => number);

export type ResolvedDensity =
  | { kind: 'gaussian'; mu: number; sigma: number; location: number; scale: number }
  | { kind: 'custom'; logPdf: (x: number) => number; location: number; scale: number; sample?: (rng: Generator) => number };

const describe = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x);

export function resolveDensity(fn: string, name: string, d: unknown): ResolvedDensity {
  const bad = (why: string): Error =>
    new ValueError(`${fn}: ${name} ${why}; expected a Gaussian { mu, sigma }, an object with logPdf(x), or a log-density function`);
  if (typeof d === 'function') return { kind: 'custom', logPdf: d as (x: number) => number, location: 0, scale: 1 };
  if (d === null || typeof d !== 'object') throw bad(`is ${describe(d)}`);
  const o = d as Partial<Gaussian1D & LogDensity1D>;
  if (typeof o.logPdf === 'function') {
    const location = o.location ?? 0;
    const scale = o.scale ?? 1;
    if (!Number.isFinite(location)) throw new ValueError(`${fn}: ${name}.location must be a finite number, got ${String(location)}`);
    if (!(Number.isFinite(scale) && scale > 0)) throw new ValueError(`${fn}: ${name}.scale must be a finite number > 0, got ${String(scale)}`);
    if (o.sample !== undefined && typeof o.sample !== 'function') throw new ValueError(`${fn}: ${name}.sample must be a function (rng) => number`);
    const logPdf = o.logPdf.bind(o);
    return { kind: 'custom', logPdf, location, scale, sample: o.sample?.bind(o) };
  }
  if ('mu' in o || 'sigma' in o) {
    const { mu, sigma } = o;
    if (typeof mu !== 'number' || !Number.isFinite(mu)) throw new ValueError(`${fn}: ${name}.mu must be a finite number, got ${String(mu)}`);
    if (typeof sigma !== 'number' || !Number.isFinite(sigma) || !(sigma > 0)) {
      throw new ValueError(`${fn}: ${name}.sigma must be a finite number > 0 (a standard deviation), got ${String(sigma)}`);
    }
    return { kind: 'gaussian', mu, sigma, location: mu, scale: sigma };
  }
  throw bad('has neither mu/sigma nor logPdf');
}

/**
 * p and q evaluated at x = shift + y. The references integrate and sample in y,
 * relative to p's location (shift = p.location), so a narrow Gaussian far from
 * 0 is resolved as finely as one at 0: its z = (y + (shift − μ))/σ has no
 * rounding from x.
 */
export interface PairEvaluator {
  shift: number;
  logP(y: number): number;
  logQ(y: number): number;
  /** log p − log q at y, given the two log densities there. */
  logRatio(y: number, lp: number, lq: number): number;
}

function logPdfAt(d: ResolvedDensity, shift: number): (y: number) => number {
  if (d.kind === 'custom') {
    const f = d.logPdf;
    return (y) => f(shift + y);
  }
  const off = shift - d.mu; // exactly 0 for p
  const sigma = d.sigma;
  return (y) => normalLogPdf(y + off, sigma);
}

export function pairEvaluator(p: ResolvedDensity, q: ResolvedDensity): PairEvaluator {
  const shift = p.location;
  const logP = logPdfAt(p, shift);
  const logQ = logPdfAt(q, shift);
  if (p.kind === 'gaussian' && q.kind === 'gaussian') {
    // The cancellation-free form (scalar.ts), so nearly identical pairs keep their digits.
    const { sigma: sp } = p;
    const { sigma: sq } = q;
    const delta = p.mu - q.mu;
    return { shift, logP, logQ, logRatio: (y) => normalLogRatio(y, sp, delta, sq) };
  }
  return { shift, logP, logQ, logRatio: (_y, lp, lq) => lp - lq };
}

/** Draws y = x − p.location with x ∼ p. */
export function samplerOf(fn: string, p: ResolvedDensity): (rng: Generator) => number {
  if (p.kind === 'gaussian') {
    const { sigma } = p;
    return (rng) => sigma * rng.normal();
  }
  const sample = p.sample;
  if (!sample) throw new ValueError(`${fn}: p has no sample(rng) method; Monte Carlo draws from p (give a Gaussian { mu, sigma } or add sample)`);
  const shift = p.location;
  return (rng) => sample(rng) - shift;
}
