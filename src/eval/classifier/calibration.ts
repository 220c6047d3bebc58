/**
 * Calibration: making a classifier's probabilities mean what they say — of
 * the digits it calls "90% a 3", about 90% should be 3s. Without it, "the
 * share of samples the judge is ≥ 90% sure of" would measure the network's
 * overconfidence, not the samples.
 *
 * Temperature scaling (Guo et al., 2017, "On Calibration of Modern Neural
 * Networks"): one number T > 0 divides every logit, p = softmax(l / T). It
 * never changes which class wins (so accuracy is untouched), only how sure the
 * classifier is. T is fitted on labelled digits the network did not train on
 * by minimising their negative log-likelihood
 *
 *   NLL(T) = −(1/N)·Σ_i log softmax(l_i / T)[y_i],
 *
 * a smooth function of log T, minimised by golden-section search.
 *
 * Expected calibration error (Naeini et al., 2015; Guo et al., 2017): the
 * confidences c_i = max_k p_ik fall into M equal-width bins B_1…B_M of [0, 1];
 *
 *   ECE = Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|,
 *
 * with acc(B) the share of B classified correctly and conf(B) its mean
 * confidence. 0 is perfectly calibrated; M = 15 as in Guo et al.
 */
import { asLabels } from '../rows.js';
import { ShapeError, ValueError } from '../../errors.js';

/** Row-wise softmax(logits / temperature), in float64, stable (the row maximum is subtracted first). */
export function softmaxRows(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float64Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`softmaxRows: numClasses must be a positive integer, got ${numClasses}`);
  if (logits.length % numClasses !== 0) throw new ShapeError(`softmaxRows: ${logits.length} logits are not rows of ${numClasses}`);
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ValueError(`softmaxRows: temperature must be a finite number > 0, got ${temperature}`);
  const out = new Float64Array(logits.length);
  for (let o = 0; o < logits.length; o += numClasses) {
    let m = -Infinity;
    for (let k = 0; k < numClasses; k++) m = Math.max(m, logits[o + k]);
    let s = 0;
    for (let k = 0; k < numClasses; k++) s += out[o + k] = Math.exp((logits[o + k] - m) / temperature);
    for (let k = 0; k < numClasses; k++) out[o + k] /= s;
  }
  return out;
}

/** −(1/N)·Σ log softmax(l_i / T)[y_i], in float64 (log-sum-exp form). */
export function temperatureNll(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, temperature: number): number {
  const n = logits.length / numClasses;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let m = -Infinity;
    for (let k = 0; k < numClasses; k++) m = Math.max(m, logits[o + k] / temperature);
    let s = 0;
    for (let k = 0; k < numClasses; k++) s += Math.exp(logits[o + k] / temperature - m);
    total += m + Math.log(s) - logits[o + labels[i]] / temperature;
  }
  return total / n;
}

/** What {@link fitTemperature} found. */
export interface TemperatureFit {
  /** The fitted T (logits are divided by it). */
  temperature: number;
  /** NLL at T = 1 (nats per digit). */
  nllBefore: number;
  /** NLL at the fitted T (nats per digit). */
  nllAfter: number;
}

/**
 * The temperature minimising the NLL of `labels` under softmax(logits / T),
 * searched over T ∈ [0.05, 20] (golden section on log T, to 1e-6 relative).
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses = 10): TemperatureFit {
  const op = 'fitTemperature';
  if (logits.length % numClasses !== 0) throw new ShapeError(`${op}: ${logits.length} logits are not rows of ${numClasses}`);
  const n = logits.length / numClasses;
  if (n === 0) throw new ValueError(`${op}: no digits to fit on`);
  const y = asLabels(op, 'labels', labels, n, numClasses);
  for (let i = 0; i < logits.length; i++) if (!Number.isFinite(logits[i])) throw new ValueError(`${op}: logit ${i} is ${logits[i]}`);
  const f = (logT: number): number => temperatureNll(logits, y, numClasses, Math.exp(logT));
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(0.05);
  let b = Math.log(20);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-6) {
    if (fc < fd) {
      b = d; d = c; fd = fc;
      c = b - phi * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd;
      d = a + phi * (b - a); fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: f(Math.log(temperature)) };
}

/** What {@link expectedCalibrationError} measured. */
export interface CalibrationError {
  /** Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|, in [0, 1]. */
  ece: number;
  /** Per bin m, covering confidences [m/M, (m+1)/M) (the last bin includes 1). */
  bins: Array<{
    /** Digits whose confidence falls in the bin. */
    count: number;
    /** Share of them classified correctly (null when the bin is empty). */
    accuracy: number | null;
    /** Their mean confidence (null when the bin is empty). */
    confidence: number | null;
  }>;
}

/** Expected calibration error of N×C probabilities against labels, with `numBins` equal-width confidence bins (default 15). */
export function expectedCalibrationError(probabilities: ArrayLike<number>, labels: ArrayLike<number>, numClasses = 10, numBins = 15): CalibrationError {
  const op = 'expectedCalibrationError';
  if (!Number.isInteger(numBins) || numBins < 1) throw new ValueError(`${op}: numBins must be a positive integer, got ${numBins}`);
  if (probabilities.length % numClasses !== 0) throw new ShapeError(`${op}: ${probabilities.length} probabilities are not rows of ${numClasses}`);
  const n = probabilities.length / numClasses;
  if (n === 0) throw new ValueError(`${op}: no digits`);
  const y = asLabels(op, 'labels', labels, n, numClasses);
  const count = new Array<number>(numBins).fill(0);
  const right = new Array<number>(numBins).fill(0);
  const conf = new Array<number>(numBins).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (probabilities[i * numClasses + k] > probabilities[i * numClasses + best]) best = k;
    const c = probabilities[i * numClasses + best];
    const bin = Math.min(numBins - 1, Math.floor(c * numBins));
    count[bin]++;
    conf[bin] += c;
    if (best === y[i]) right[bin]++;
  }
  let ece = 0;
  for (let m = 0; m < numBins; m++) if (count[m] > 0) ece += Math.abs(right[m] - conf[m]) / n;
  return {
    ece,
    bins: count.map((c, m) => ({ count: c, accuracy: c ? right[m] / c : null, confidence: c ? conf[m] / c : null })),
  };
}
