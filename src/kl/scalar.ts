/**
 * The Gaussian KL on plain numbers, in float64, as accurate as float64 allows.
 *
 * Every closed form in genzoo is written as two terms that are each ≥ 0
 * (docs/kl.md §2):
 *
 *   KL = ½d² + ½ψ(v),   ψ(v) = eᵛ − 1 − v,
 *
 * with d = (μ1 − μ2)/σ2 the mean gap in units of σ2 and v = log σ1² − log σ2².
 * Nothing cancels between the two terms, so the sum is as accurate as its parts:
 * `halfSquare` rounds once, `halfPsi` is a Taylor series near 0 (where eᵛ − 1 − v
 * would cancel) and expm1 elsewhere. These functions are also the float64
 * reference the tensor path is tested against.
 */

/** |v| below this uses the series for ψ (eᵛ − 1 − v loses ≤ 3.5 bits just above it). */
export const PSI_SERIES_LIMIT = 0.5;

/**
 * ½ψ(v) = Σₖ₌₂ vᵏ/(2·k!) as Horner coefficients, highest power first:
 * c[i] = 1/(2·k!) for k = 16 … 2. Truncating after v¹⁶ leaves a relative
 * error below 0.5¹⁵/17! ≈ 9e-20 for |v| < 0.5.
 */
export const HALF_PSI_COEFFS: readonly number[] = (() => {
  const c: number[] = [];
  let fact = 1;
  for (let k = 1; k <= 16; k++) {
    fact *= k;
    if (k >= 2) c.push(1 / (2 * fact));
  }
  return c.reverse();
})();

const HALF_EXP_709 = 0.5 * Math.exp(709);

/** ½(eᵛ − 1 − v) ≥ 0 for every finite v, to a few ulps; +Inf only where the true value exceeds 1.8e308. */
export function halfPsi(v: number): number {
  if (Math.abs(v) < PSI_SERIES_LIMIT) {
    let s = HALF_PSI_COEFFS[0];
    for (let i = 1; i < HALF_PSI_COEFFS.length; i++) s = s * v + HALF_PSI_COEFFS[i];
    return v * v * s;
  }
  // eᵛ overflows at v ≈ 709.78 but ½eᵛ only at ≈ 710.48: there ½eᵛ = e^(v − 709)·½e^709,
  // where v − 709 is exact (Sterbenz), so the last 0.7 of the range keeps full accuracy;
  // ½(1 + v) is below half an ulp of it (and leaving it out keeps v = +Inf from giving NaN).
  if (v > 709) return Math.exp(v - 709) * HALF_EXP_709;
  return 0.5 * (Math.expm1(v) - v);
}

/** ½x², rounded once, finite whenever the true value is (x·x alone would overflow sooner). */
export function halfSquare(x: number): number {
  return x * (0.5 * x);
}

/**
 * ½d² for d = 2h, h = half the scaled mean gap: ½(2h)² = (2h)·h. The gap is
 * taken as ½μ1 − ½μ2, which cannot overflow (μ1 − μ2 can, for |μ| near the top
 * of the range) and is exact unless the means are subnormal.
 */
export function halfSquareOfDouble(h: number): number {
  return 2 * h * h;
}

const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * log(a/b) for a, b > 0, accurate even when a ≈ b: then a − b is exact
 * (Sterbenz) and log1p keeps every digit of the small ratio − 1.
 */
export function logRatio(a: number, b: number): number {
  const r = a / b;
  if (r > 0.5 && r < 2) return Math.log1p((a - b) / b);
  if (r >= MIN_NORMAL && r < Infinity) return Math.log(r);
  return Math.log(a) - Math.log(b); // the ratio itself over- or underflows
}

/** KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) = log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − ½, as ½d² + ½ψ(2 log(σ1/σ2)). */
export function normalKL(mu1: number, sigma1: number, mu2: number, sigma2: number): number {
  return halfSquareOfDouble((0.5 * mu1 - 0.5 * mu2) / sigma2) + halfPsi(2 * logRatio(sigma1, sigma2));
}

/** KL(N(μ, eˡᵛ) ‖ N(0, 1)) = ½(μ² + eˡᵛ − lv − 1) = ½μ² + ½ψ(lv). */
export function stdNormalKL(mu: number, logvar: number): number {
  return halfSquare(mu) + halfPsi(logvar);
}

/**
 * KL(N(μ1, e^lv1) ‖ N(μ2, e^lv2)) = ½(μ1−μ2)²e^(−lv2) + ½ψ(lv1 − lv2).
 * The gap is scaled by e^(−lv2/4) twice, not e^(−lv2/2) once, so a tiny gap
 * under a tiny σ2 does not overflow before the product does.
 */
export function diagNormalKL(mu1: number, logvar1: number, mu2: number, logvar2: number): number {
  const gap = 0.5 * mu1 - 0.5 * mu2;
  if (gap === 0) return halfPsi(logvar1 - logvar2); // 0·e^(−lv2/4)·e^(−lv2/4) is NaN once that overflows
  const a = Math.exp(-0.25 * logvar2);
  return halfSquareOfDouble(gap * a * a) + halfPsi(logvar1 - logvar2);
}

/** 1-D log densities and the log ratio of two Gaussians. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x; μ, σ²) at y = x − μ. */
export function normalLogPdf(y: number, sigma: number): number {
  const z = y / sigma;
  return -0.5 * z * z - Math.log(sigma) - HALF_LOG_2PI;
}

/**
 * log p(x) − log q(x) for p = N(μp, σp²), q = N(μq, σq²), at y = x − μp (the
 * quadrature and the sampler work relative to p's mean, so zp = y/σp carries
 * no rounding from x). Without the cancellation of subtracting two log
 * densities when p ≈ q: with Δ = μp − μq, c = (σp − σq)/σq, zp = y/σp,
 *
 *   log p − log q = log(σq/σp) + ½(zq² − zp²)
 *                 = −log1p(c) + ½[zp²·c(2 + c) + (Δ/σq)(2·zp·σp/σq + Δ/σq)]
 *
 * Every term vanishes with c and Δ, so identical Gaussians give exactly 0.
 */
export function normalLogRatio(y: number, sigmap: number, delta: number, sigmaq: number): number {
  const c = (sigmap - sigmaq) / sigmaq;
  const zp = y / sigmap;
  const dq = delta / sigmaq;
  return -logRatio(sigmap, sigmaq) + 0.5 * (zp * zp * c * (2 + c) + dq * (2 * zp * (sigmap / sigmaq) + dq));
}
