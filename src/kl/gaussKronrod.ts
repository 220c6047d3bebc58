/**
 * Adaptive Gauss–Kronrod quadrature over the whole real line, QUADPACK-style
 * (Piessens et al., 1983: the 21-point rule and the error estimate of qk21,
 * the global bisection strategy of qag).
 *
 * The 21-point Kronrod rule reuses the 10 nodes of the Gauss rule and adds 11;
 * it is exact for polynomials of degree 31, the Gauss rule for degree 19. Their
 * difference estimates the error of the Kronrod value, which QUADPACK then
 * rescales ((200·|K − G|/resasc)^1.5, floored at 50 ulps of ∫|f|) because the raw
 * difference grossly overestimates the error of such a high-order rule.
 *
 * The integrand is vector-valued (several integrals sharing one set of
 * evaluations); the first component drives the adaptivity and the stopping rule.
 * The two infinite tails (−∞, a] and [b, ∞) are mapped to s ∈ (0, 1] by
 * x = a − w(1 − s)/s and x = b + w(1 − s)/s (dx = w/s² ds), as in QUADPACK's qagi.
 */

/** Kronrod nodes on [−1, 1] (positive half; xgk[1], xgk[3], … are the Gauss nodes). */
const XGK = [
  0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
  0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
  0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
  0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
  0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
  0,
];
/** Kronrod weights, matching XGK. */
const WGK = [
  0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
  0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
  0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
  0.123491976262065851077958109831074, 0.134709217311473325928054001771707,
  0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
  0.149445554002916905664936468389821,
];
/** 10-point Gauss weights, for the nodes XGK[1], XGK[3], …, XGK[9]. */
const WG = [
  0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
  0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
  0.295524224714752870173892994651338,
];

const EPMACH = Number.EPSILON;
const UFLOW = 2.2250738585072014e-308;

/** f(x) written into out[0..m−1]. */
export type VectorIntegrand = (x: number, out: Float64Array) => void;

export interface RuleResult {
  value: Float64Array;
  error: Float64Array;
}

/**
 * The 21-point Gauss–Kronrod rule on [a, b] for every component, with
 * QUADPACK's error estimate (21 evaluations of f).
 */
export function gk21(f: VectorIntegrand, m: number, a: number, b: number): RuleResult {
  const centr = 0.5 * (a + b);
  const hlgth = 0.5 * (b - a);
  const fv = new Float64Array(21 * m); // row i: node i of centr − h·XGK[0..9], centr, centr + h·XGK[9..0]
  const tmp = new Float64Array(m);
  const at = (x: number, row: number): void => {
    f(x, tmp);
    fv.set(tmp, row * m);
  };
  at(centr, 10);
  for (let j = 0; j < 10; j++) {
    const absc = hlgth * XGK[j];
    at(centr - absc, j);
    at(centr + absc, 20 - j);
  }
  const value = new Float64Array(m);
  const error = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    const fc = fv[10 * m + c];
    let resk = WGK[10] * fc;
    let resg = 0;
    let resabs = Math.abs(resk);
    for (let j = 0; j < 10; j++) {
      const f1 = fv[j * m + c];
      const f2 = fv[(20 - j) * m + c];
      resk += WGK[j] * (f1 + f2);
      resabs += WGK[j] * (Math.abs(f1) + Math.abs(f2));
      if (j % 2 === 1) resg += WG[(j - 1) / 2] * (f1 + f2);
    }
    const reskh = 0.5 * resk;
    let resasc = WGK[10] * Math.abs(fc - reskh);
    for (let j = 0; j < 10; j++) {
      resasc += WGK[j] * (Math.abs(fv[j * m + c] - reskh) + Math.abs(fv[(20 - j) * m + c] - reskh));
    }
    const dh = Math.abs(hlgth);
    resabs *= dh;
    resasc *= dh;
    let err = Math.abs((resk - resg) * hlgth);
    if (resasc !== 0 && err !== 0) err = resasc * Math.min(1, Math.pow((200 * err) / resasc, 1.5));
    if (resabs > UFLOW / (50 * EPMACH)) err = Math.max(EPMACH * 50 * resabs, err);
    value[c] = resk * hlgth;
    error[c] = err;
  }
  return { value, error };
}

export interface AdaptiveOptions {
  /** Stop when the error estimate of component 0 is ≤ max(epsAbs, epsRel·|value|). */
  epsAbs: number;
  epsRel: number;
  /** Give up (converged: false) after this many subintervals. */
  maxSegments: number;
  /** Width w of the tail maps x = a − w(1 − s)/s: about the scale of the integrand's tails. */
  tailScale: number;
}

export interface AdaptiveResult {
  value: Float64Array;
  error: Float64Array;
  segments: number;
  evaluations: number;
  converged: boolean;
}

interface Segment extends RuleResult {
  /** 0: finite piece in x; −1: left tail, +1: right tail, both in s ∈ (0, 1]. */
  kind: -1 | 0 | 1;
  lo: number;
  hi: number;
}

/**
 * ∫_{−∞}^{∞} f(x) dx for each component: finite pieces between the sorted
 * `breakpoints` (at least one), plus the two mapped tails; then repeatedly
 * bisects the piece with the largest error in component 0.
 */
export function integrateRealLine(f: VectorIntegrand, m: number, breakpoints: readonly number[], opts: AdaptiveOptions): AdaptiveResult {
  const bp = breakpoints;
  const first = bp[0];
  const last = bp[bp.length - 1];
  const w = opts.tailScale;
  let evaluations = 0;
  const leftTail: VectorIntegrand = (s, out) => {
    f(first - (w * (1 - s)) / s, out);
    const jac = w / (s * s);
    for (let c = 0; c < m; c++) out[c] = out[c] === 0 ? 0 : out[c] * jac;
  };
  const rightTail: VectorIntegrand = (s, out) => {
    f(last + (w * (1 - s)) / s, out);
    const jac = w / (s * s);
    for (let c = 0; c < m; c++) out[c] = out[c] === 0 ? 0 : out[c] * jac;
  };
  const fns: Record<-1 | 0 | 1, VectorIntegrand> = { [-1]: leftTail, 0: f, 1: rightTail };
  const rule = (kind: -1 | 0 | 1, lo: number, hi: number): Segment => {
    evaluations += 21;
    return { kind, lo, hi, ...gk21(fns[kind], m, lo, hi) };
  };

  const segments: Segment[] = [rule(-1, 0, 1), rule(1, 0, 1)];
  for (let i = 0; i + 1 < bp.length; i++) if (bp[i + 1] > bp[i]) segments.push(rule(0, bp[i], bp[i + 1]));

  const value = new Float64Array(m);
  const error = new Float64Array(m);
  const total = (): void => {
    value.fill(0);
    error.fill(0);
    for (const s of segments) {
      for (let c = 0; c < m; c++) {
        value[c] += s.value[c];
        error[c] += s.error[c];
      }
    }
  };

  let converged = false;
  const exhausted = new Set<Segment>(); // too narrow to bisect in floating point
  for (;;) {
    total();
    if (!Number.isFinite(value[0])) break;
    if (error[0] <= Math.max(opts.epsAbs, opts.epsRel * Math.abs(value[0]))) {
      converged = true;
      break;
    }
    if (segments.length >= opts.maxSegments) break;
    let worst = -1;
    for (let i = 0; i < segments.length; i++) {
      if (exhausted.has(segments[i])) continue;
      if (worst < 0 || segments[i].error[0] > segments[worst].error[0]) worst = i;
    }
    if (worst < 0) break;
    const s = segments[worst];
    const mid = 0.5 * (s.lo + s.hi);
    if (!(mid > s.lo && mid < s.hi)) {
      exhausted.add(s);
      continue;
    }
    segments[worst] = rule(s.kind, s.lo, mid);
    segments.push(rule(s.kind, mid, s.hi));
  }
  return { value, error, segments: segments.length, evaluations, converged };
}
