/**
 * Closed-form KL divergences between Gaussians, differentiable through genzoo's
 * autograd (tensors, float32 or float64, broadcast together) and exact in
 * float64 on plain numbers. The derivation is in docs/kl.md; each formula here
 * is the one derived there, written as
 *
 *   KL = ½d² + ½ψ(v),   ψ(v) = eᵛ − 1 − v ≥ 0,
 *
 * two terms that are each ≥ 0, so nothing cancels between them, and each term
 * is evaluated without overflowing before the true result does:
 *   - ½d² as (2h)·h with h = (½μ1 − ½μ2)/σ2  (neither μ1 − μ2 nor d² can overflow early),
 *   - ½ψ(v) by its Taylor series for |v| < ½ (eᵛ − 1 − v would cancel there),
 *     ½eᵛ − ½(1 + v) elsewhere, with ½eᵛ as e^(v − c)·½e^c near the top of
 *     the range (eᵛ overflows just before ½eᵛ does),
 *   - σ ratios as differences of logs, 1/σ2 as e^(−lv2/4)·e^(−lv2/4).
 * Gradients come from the ops: no hand-written backward here.
 */
import { asTensor, normalizeAxes, promote, Tensor, type DType } from '../tensor/index.js';
import { abs, add, clamp, div, eq, exp, gt, log, lt, mean, mul, noGrad, square, sub, sum, where } from '../autograd/index.js';
import { allNumbers, broadcastAll, checkParam, type Param } from './checks.js';
import { diagNormalKL, HALF_PSI_COEFFS, normalKL, PSI_SERIES_LIMIT, stdNormalKL } from './scalar.js';
import { ValueError } from '../errors.js';

/** What to do with the per-distribution KLs once the event (latent) axes are summed. */
export type KLReduction = 'none' | 'sum' | 'mean';

/** Options of the closed forms `normal`, `stdNormal` and `diagNormal`: which axes form one distribution, and how the per-distribution KLs are reduced. */
export interface KLOptions {
  /**
   * Axes summed first: the event dimensions of one multivariate Gaussian.
   * `stdNormal`/`diagNormal` default to -1 (the latent dimension: one row = one
   * diagonal Gaussian); `normal` defaults to null (no sum: elementwise 1-D KLs).
   * A 0-d input has no axes: its KL is the 1-D one.
   */
  axis?: number | readonly number[] | null;
  /**
   * 'none' (default): one KL per distribution (per row);
   * 'sum': their total; 'mean': their average — for a VAE's [batch, latent]
   * input that is the batch mean of the per-sample KL (PyTorch's 'batchmean').
   */
  reduction?: KLReduction;
}

const REDUCTIONS: readonly KLReduction[] = ['none', 'sum', 'mean'];

function checkOptions(fn: string, opts: unknown): KLOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || opts instanceof Tensor) {
    throw new ValueError(`${fn}: options must be an object like { reduction: 'mean' }, got ${opts instanceof Tensor ? 'a Tensor (too many arguments?)' : String(opts)}`);
  }
  const o = opts as KLOptions;
  if (o.reduction !== undefined && !REDUCTIONS.includes(o.reduction)) {
    throw new ValueError(`${fn}: reduction must be 'none', 'sum' or 'mean', got ${JSON.stringify(o.reduction)}`);
  }
  return o;
}

/** Sums the event axes, then applies the reduction. */
function reduceTerms(fn: string, terms: Tensor, opts: KLOptions, defaultAxis: number | null): Tensor {
  const axis = opts.axis === undefined ? (terms.ndim === 0 ? null : defaultAxis) : opts.axis;
  let out = terms;
  if (axis !== null) out = sum(out, normalizeAxes(fn, axis, terms.ndim));
  const reduction = opts.reduction ?? 'none';
  if (reduction === 'sum') return sum(out);
  if (reduction === 'mean') return mean(out);
  return out;
}

/** For plain numbers: the options must still make sense for a single 1-D Gaussian. */
function checkScalarOptions(fn: string, opts: KLOptions): void {
  if (opts.axis !== undefined && opts.axis !== null) normalizeAxes(fn, opts.axis, 0);
}

/** The dtype the tensor arguments promote to (float64 when every argument is a number). */
function promotedDType(args: readonly Param[]): DType {
  let d: DType | null = null;
  for (const a of args) if (a instanceof Tensor) d = d ? promote(d, a.dtype) : a.dtype;
  return d ?? 'float64';
}

/** ½x² rounded once: x·(½x) stays finite wherever ½x² is. */
const halfSquare = (x: Tensor): Tensor => mul(x, mul(x, 0.5));

/** ½d² for d = 2h: (2h)·h (scalar.ts `halfSquareOfDouble`). */
const halfSquareOfDouble = (h: Tensor): Tensor => mul(mul(h, 2), h);

/** Half the mean gap, ½μ1 − ½μ2: cannot overflow, unlike μ1 − μ2; exact unless the means are subnormal. */
const halfGap = (m1: Tensor, m2: Tensor): Tensor => sub(mul(m1, 0.5), mul(m2, 0.5));

/**
 * ½ψ(v) = ½(eᵛ − 1 − v) elementwise (docs/kl.md §5). Three branches picked
 * with `where`; each branch sees its input clamped to its own range, so the
 * lanes it does not own stay finite and their zero gradient stays zero (an
 * unclamped branch could give 0·Inf = NaN in the backward pass).
 */
export function halfPsi(v: Tensor): Tensor {
  const L = PSI_SERIES_LIMIT;
  // Largest v whose eᵛ is finite in this dtype, with a margin.
  const cut = v.dtype === 'float64' ? 709 : 88;
  const [small, big] = noGrad(() => [lt(abs(v), L), gt(v, cut)]);

  // |v| < ½: Σₖ₌₂ vᵏ/(2·k!) by Horner. float32 needs terms only up to v¹⁰
  // (the rest is < 0.5⁹/11! ≈ 5e-11 relative), float64 up to v¹⁶.
  const c = HALF_PSI_COEFFS.slice(v.dtype === 'float64' ? 0 : HALF_PSI_COEFFS.length - 9);
  const vs = clamp(v, -L, L);
  let poly: Tensor = add(mul(vs, c[0]), c[1]);
  for (let i = 2; i < c.length; i++) poly = add(mul(poly, vs), c[i]);
  const series = mul(square(vs), poly);

  // Elsewhere: ½eᵛ − ½(1 + v).
  const vMid = clamp(v, -Infinity, cut);
  const mid = sub(mul(exp(vMid), 0.5), mul(add(vMid, 1), 0.5));
  // Above the cut eᵛ alone would overflow before ½eᵛ does: there ½eᵛ = e^(v − cut)·(½e^cut), with
  // v − cut exact (Sterbenz), and ½(1 + v) is below half an ulp of it, so it is left out — which also
  // keeps v = +Inf (an overflowed lv1 − lv2) from making Inf − Inf.
  const top = mul(exp(sub(clamp(v, cut), cut)), 0.5 * Math.exp(cut));
  return where(small, series, where(big, top, mid));
}

function toTensors(fn: string, args: readonly Param[]): Tensor[] {
  const dtype = promotedDType(args);
  const like = args.find((a): a is Tensor => a instanceof Tensor);
  return args.map((a) => asTensor(fn, a, dtype, like));
}

/**
 * KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) = log(σ2/σ1) + (σ1² + (μ1 − μ2)²)/(2σ2²) − ½,
 * elementwise over broadcast tensors (or on numbers, returning a number).
 * Computed as ½d² + ½ψ(v), d = (μ1 − μ2)/σ2, v = 2(log σ1 − log σ2).
 * Throws for σ ≤ 0, non-finite parameters, or shapes that do not broadcast.
 */
export function normal(mu1: number, sigma1: number, mu2: number, sigma2: number, opts?: KLOptions): number;
export function normal(mu1: Param, sigma1: Param, mu2: Param, sigma2: Param, opts?: KLOptions): Tensor;
export function normal(mu1: Param, sigma1: Param, mu2: Param, sigma2: Param, opts?: KLOptions): Tensor | number {
  const fn = 'kl.normal';
  const o = checkOptions(fn, opts);
  checkParam(fn, 'mu1', mu1);
  checkParam(fn, 'sigma1', sigma1, true);
  checkParam(fn, 'mu2', mu2);
  checkParam(fn, 'sigma2', sigma2, true);
  const args = [mu1, sigma1, mu2, sigma2];
  if (allNumbers(args)) {
    checkScalarOptions(fn, o);
    return normalKL(args[0], args[1], args[2], args[3]);
  }
  broadcastAll(fn, ['mu1', 'sigma1', 'mu2', 'sigma2'], args);
  const [m1, s1, m2, s2] = toTensors(fn, args);
  const h = div(halfGap(m1, m2), s2); // d/2, d = (μ1 − μ2)/σ2
  const v = mul(sub(log(s1), log(s2)), 2);
  return reduceTerms(fn, add(halfSquareOfDouble(h), halfPsi(v)), o, null);
}

/**
 * KL(N(μ, diag e^logvar) ‖ N(0, I)) = ½ Σ (μ² + e^logvar − logvar − 1), the VAE
 * term. By default sums the last axis (one row = one sample's latent) and
 * returns one KL per row; `{ reduction: 'mean' }` averages those over the batch.
 */
export function stdNormal(mu: number, logvar: number, opts?: KLOptions): number;
export function stdNormal(mu: Param, logvar: Param, opts?: KLOptions): Tensor;
export function stdNormal(mu: Param, logvar: Param, opts?: KLOptions): Tensor | number {
  const fn = 'kl.stdNormal';
  const o = checkOptions(fn, opts);
  checkParam(fn, 'mu', mu);
  checkParam(fn, 'logvar', logvar);
  const args = [mu, logvar];
  if (allNumbers(args)) {
    checkScalarOptions(fn, o);
    return stdNormalKL(args[0], args[1]);
  }
  broadcastAll(fn, ['mu', 'logvar'], args);
  const [m, lv] = toTensors(fn, args);
  return reduceTerms(fn, add(halfSquare(m), halfPsi(lv)), o, -1);
}

/**
 * KL between two diagonal Gaussians given by means and log-variances:
 * ½ Σ [(μ1 − μ2)²/σ2² + σ1²/σ2² − log(σ1²/σ2²) − 1], summed over the last axis
 * by default (see `KLOptions`).
 */
export function diagNormal(mu1: number, logvar1: number, mu2: number, logvar2: number, opts?: KLOptions): number;
export function diagNormal(mu1: Param, logvar1: Param, mu2: Param, logvar2: Param, opts?: KLOptions): Tensor;
export function diagNormal(mu1: Param, logvar1: Param, mu2: Param, logvar2: Param, opts?: KLOptions): Tensor | number {
  const fn = 'kl.diagNormal';
  const o = checkOptions(fn, opts);
  checkParam(fn, 'mu1', mu1);
  checkParam(fn, 'logvar1', logvar1);
  checkParam(fn, 'mu2', mu2);
  checkParam(fn, 'logvar2', logvar2);
  const args = [mu1, logvar1, mu2, logvar2];
  if (allNumbers(args)) {
    checkScalarOptions(fn, o);
    return diagNormalKL(args[0], args[1], args[2], args[3]);
  }
  broadcastAll(fn, ['mu1', 'logvar1', 'mu2', 'logvar2'], args);
  const [m1, lv1, m2, lv2] = toTensors(fn, args);
  // d/2 = (½μ1 − ½μ2)·e^(−lv2/4)·e^(−lv2/4): split so a tiny gap under a tiny σ2 does not
  // overflow before the product does. Where the gap is exactly 0 the exponent is replaced
  // by 0 first, so 0·Inf (σ2² below e^-354 in float32) can never make a NaN, forward or backward.
  const gap = halfGap(m1, m2);
  const zeroGap = noGrad(() => eq(gap, 0));
  const a = exp(mul(where(zeroGap, 0, lv2), -0.25));
  const h = mul(mul(gap, a), a);
  return reduceTerms(fn, add(halfSquareOfDouble(h), halfPsi(sub(lv1, lv2))), o, -1);
}
