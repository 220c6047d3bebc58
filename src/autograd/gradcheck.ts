/**
 * gradcheck: compares backward() with central differences
 *   ∂f/∂xᵢ ≈ (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε.
 * A tensor-valued f is reduced to a scalar with a fixed random projection
 * Σ f(x)·r, which checks the whole vector–Jacobian product at once.
 * By default everything runs in float64, where ε = 1e-6 gives ~1e-10 error,
 * so tolerances can be tight enough to catch a wrong backward formula.
 */
import { allocate, Generator, randn, shapeStr, tensor, Tensor, type DType } from '../tensor/index.js';
import { noGrad } from './engine.js';
import { ShapeError, ValueError } from '../errors.js';

/** Options of {@link gradcheck}; the defaults depend on `dtype` (float64: eps 1e-6, atol 1e-7, rtol 1e-5; float32: 1e-2, 1e-3, 1e-2). */
export interface GradcheckOptions {
  /** Precision of the check; float64 (default) runs on the js reference backend. */
  dtype?: DType;
  /** The finite-difference step ε. */
  eps?: number;
  /** Absolute tolerance: an element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. */
  atol?: number;
  /** Relative tolerance (see `atol`). */
  rtol?: number;
  /** Seed of the projection vector (and of the elements drawn with `elements`). */
  seed?: number;
  /**
   * Check at most this many elements of each input (default: all of them),
   * for inputs too large to perturb one by one: always the first and the
   * last, the others drawn with each coordinate at an edge of its dimension
   * half the time — where blocked kernels keep their remainder tiles.
   */
  elements?: number;
}

/** One gradient element as backward() and central differences computed it. */
export interface GradcheckMismatch {
  /** Which input (its position in the inputs array). */
  input: number;
  /** The element's flat (row-major) index in that input. */
  index: number;
  /** The gradient from backward(). */
  analytic: number;
  /** The central-difference estimate. */
  numeric: number;
}

/** What {@link gradcheck} found. */
export interface GradcheckResult {
  /** True when every element is within tolerance (a NaN fails). */
  ok: boolean;
  /** The largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** The largest relative error among elements whose absolute error exceeds atol. */
  maxRelError: number;
  /** The element with the largest error relative to the tolerance. */
  worst: GradcheckMismatch | null;
  /** One line for a test failure: 'gradcheck passed: …' or which element failed and by how much. */
  message: string;
}

/**
 * float32: the step must be large (1e-2) so that float32 rounding of f, about
 * 1e-7·|f| per evaluation, stays small next to the difference it divides; the
 * error is then dominated by the O(eps²·f''') truncation term. Across every op
 * case in tests/helpers/op-cases.ts (inputs kept ≥ 0.1 from kinks and poles) the
 * worst error measured was under a fifth of atol + rtol·|numeric| below, while a
 * gradient off by a few percent still fails.
 */
const DEFAULTS: Record<DType, { eps: number; atol: number; rtol: number }> = {
  float64: { eps: 1e-6, atol: 1e-7, rtol: 1e-5 },
  float32: { eps: 1e-2, atol: 1e-3, rtol: 1e-2 },
};

/**
 * Checks the gradients of `fn` w.r.t. every input with `requiresGrad` (other
 * inputs are passed through, cast to the check's dtype) against central
 * differences; returns the result rather than throwing on a mismatch. Throws
 * when no input requires grad or `fn` does not return a tensor that depends on one.
 *
 * ```ts
 * const x = randn([3, 4], { requiresGrad: true });
 * const r = gradcheck((a) => a.tanh().sum(), [x]);
 * r.ok;   // true
 * ```
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const dtype = opts.dtype ?? 'float64';
  const { eps, atol, rtol } = { ...DEFAULTS[dtype], ...stripUndefined(opts) };
  // Copies on the active backend (float64: js), so the ops under test run the kernels of that backend.
  const xs = inputs.map((t) => tensor(t.data, { dtype, shape: t.shape, requiresGrad: t.requiresGrad }));
  const checked = xs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) throw new ValueError('gradcheck: no input has requiresGrad: true');

  const out = fn(...xs);
  if (!(out instanceof Tensor)) throw new ValueError('gradcheck: fn must return a Tensor');
  const r = randn(out.shape, { dtype, generator: new Generator(opts.seed ?? 1234) });
  const project = (y: Tensor): number => {
    if (y.size !== r.size) throw new ShapeError(`gradcheck: fn returned shape ${shapeStr(y.shape)}, first call returned ${shapeStr(out.shape)}`);
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
    return s;
  };
  if (!out.requiresGrad) throw new ValueError('gradcheck: the output does not depend on any input that requires grad');
  out.backward(r);

  let maxAbsError = 0;
  let maxRelError = 0;
  let worst: GradcheckMismatch | null = null;
  let worstRatio = -1;
  let ok = true;
  noGrad(() => {
    for (const i of checked) {
      const x = xs[i];
      const analytic = x.grad?.data ?? allocate(dtype, x.size);
      // Perturbed values are written with copy_, which works on every backend (`.data` is a copy off js).
      const values = allocate(dtype, x.size);
      values.set(x.data);
      for (const j of elementsToCheck(x.shape, opts.elements, new Generator((opts.seed ?? 1234) + 1 + i))) {
        const v = values[j];
        values[j] = v + eps;
        x.copy_(values);
        const fp = project(fn(...xs));
        values[j] = v - eps;
        x.copy_(values);
        const fm = project(fn(...xs));
        values[j] = v;
        x.copy_(values);
        const numeric = (fp - fm) / (2 * eps);
        const a = analytic[j];
        const err = Math.abs(a - numeric);
        const tol = atol + rtol * Math.abs(numeric);
        const rel = err / Math.max(Math.abs(numeric), Math.abs(a), 1e-300);
        if (!(err <= tol)) ok = false; // NaN counts as failure
        maxAbsError = Math.max(maxAbsError, err);
        if (err > atol) maxRelError = Math.max(maxRelError, rel);
        const ratio = Number.isNaN(err) ? Infinity : err / tol;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worst = { input: i, index: j, analytic: a, numeric };
        }
      }
    }
  });
  const w = worst as GradcheckMismatch | null;
  const message = ok
    ? `gradcheck passed: max abs error ${maxAbsError.toExponential(2)}`
    : `gradcheck failed: input ${w?.input} element ${w?.index}: analytic ${w?.analytic} vs numeric ${w?.numeric} (max abs error ${maxAbsError.toExponential(2)}, max rel error ${maxRelError.toExponential(2)})`;
  return { ok, maxAbsError, maxRelError, worst: w, message };
}

/** Flat indices of the elements of a tensor of `shape` to perturb: all, or `limit` of them (see GradcheckOptions.elements). */
function elementsToCheck(shape: readonly number[], limit: number | undefined, g: Generator): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (limit === undefined || limit >= size) return Array.from({ length: size }, (_, j) => j);
  if (!Number.isInteger(limit) || limit < 1) throw new ValueError(`gradcheck: elements must be a positive integer, got ${limit}`);
  const picked = new Set<number>([0, size - 1]);
  while (picked.size < limit) {
    let flat = 0;
    for (const d of shape) {
      const edge = g.int(2) === 0;
      const c = edge ? (g.int(2) === 0 ? 0 : d - 1) : g.int(d);
      flat = flat * d + c;
    }
    picked.add(flat);
  }
  return [...picked].slice(0, limit).sort((a, b) => a - b);
}

function stripUndefined(o: GradcheckOptions): Partial<Record<'eps' | 'atol' | 'rtol', number>> {
  const out: Partial<Record<'eps' | 'atol' | 'rtol', number>> = {};
  if (o.eps !== undefined) out.eps = o.eps;
  if (o.atol !== undefined) out.atol = o.atol;
  if (o.rtol !== undefined) out.rtol = o.rtol;
  return out;
}
