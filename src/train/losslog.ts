/**
 * The per-step loss record of a training run: `losses.csv` (one row per step:
 * step, epoch, then one column per loss) and the loss-curve plot `losses.svg`.
 *
 * The log is kept in memory and rewritten whole at every checkpoint, just
 * before the checkpoint itself; the checkpoint also stores it (checkpoint.ts),
 * so a resume takes the rows up to the checkpoint from there and rebuilds a
 * losses.csv that went missing or was damaged.
 */
import { IOError } from '../errors.js';

/** One step of the loss log: a line of losses.csv. */
export interface LossRow {
  /** 1-based global step. */
  step: number;
  /** 1-based epoch the step belongs to. */
  epoch: number;
  /** The losses at that step, in the log's `names` order. */
  values: number[];
}

/** The per-step losses of a run, in memory (see the file comment); `toCSV()` gives losses.csv. */
export class LossLog {
  /** One row per step, in step order. */
  readonly rows: LossRow[] = [];
  constructor(
    /** The losses' names: the CSV columns after step and epoch. */
    readonly names: readonly string[],
  ) {}

  /** Appends the losses of one step (looked up by `names`; a missing one is stored as undefined). */
  add(step: number, epoch: number, losses: Record<string, number>): void {
    this.rows.push({ step, epoch, values: this.names.map((n) => losses[n]) });
  }

  /** Keeps only rows with step ≤ `step`. */
  truncate(step: number): void {
    let n = this.rows.length;
    while (n > 0 && this.rows[n - 1].step > step) n--;
    this.rows.length = n;
  }

  /** losses.csv: a header `step,epoch,<names>` and one line per row, ending with a newline. */
  toCSV(): string {
    const lines = [['step', 'epoch', ...this.names].join(',')];
    for (const r of this.rows) lines.push([r.step, r.epoch, ...r.values.map((v) => String(v))].join(','));
    return lines.join('\n') + '\n';
  }

  /**
   * Parses a losses.csv as `toCSV` writes it; `where` names the file in errors.
   * Strict, because a damaged log must not pass for a valid one: the header,
   * one number per cell (a cell cut short, like "0.5" from "0.53", cannot be
   * told from a value, so the file must end with its newline), consecutive
   * steps, and epochs that never decrease.
   */
  static parseCSV(text: string, where = 'losses.csv'): LossLog {
    if (text.length === 0) throw new IOError(`${where}: empty file`);
    const lines = text.split('\n');
    if (lines[lines.length - 1] !== '') throw new IOError(`${where}: the last line is incomplete (no final newline: the file was cut short)`);
    lines.pop();
    const header = lines[0].split(',');
    if (header[0] !== 'step' || header[1] !== 'epoch') throw new IOError(`${where}: header must start with 'step,epoch', got '${lines[0].slice(0, 80)}'`);
    const log = new LossLog(header.slice(2));
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i].split(',');
      if (cells.length !== header.length || !cells.every((c) => NUMBER.test(c))) {
        throw new IOError(`${where}: line ${i + 1} is malformed (expected ${header.length} numbers)`);
      }
      const [step, epoch, ...values] = cells.map(Number);
      log.addRow({ step, epoch, values }, `${where}: line ${i + 1}`);
    }
    return log;
  }

  /**
   * Appends a row after checking it continues the log: steps consecutive
   * (normally from 1; a log resumed without its earlier rows starts later),
   * epochs never decreasing.
   */
  private addRow(row: LossRow, where: string): void {
    const prev = this.rows[this.rows.length - 1];
    if (prev ? row.step !== prev.step + 1 : !(Number.isInteger(row.step) && row.step >= 1)) {
      throw new IOError(`${where}: step ${row.step}, expected ${prev ? prev.step + 1 : 'a step ≥ 1'}`);
    }
    if (!Number.isInteger(row.epoch) || row.epoch < (prev?.epoch ?? 1)) throw new IOError(`${where}: epoch ${row.epoch} does not follow epoch ${prev?.epoch ?? 1}`);
    this.rows.push(row);
  }

  /** The log as a row-major matrix [rows, 2 + losses]: step, epoch, losses (for checkpoints). */
  toMatrix(): Float64Array {
    const cols = 2 + this.names.length;
    const m = new Float64Array(this.rows.length * cols);
    this.rows.forEach((r, i) => {
      m[i * cols] = r.step;
      m[i * cols + 1] = r.epoch;
      m.set(r.values, i * cols + 2);
    });
    return m;
  }

  /** The inverse of `toMatrix`, validated like `parseCSV`; `where` names the source in errors. */
  static fromMatrix(names: readonly string[], m: ArrayLike<number>, where: string): LossLog {
    const cols = 2 + names.length;
    if (m.length % cols !== 0) throw new IOError(`${where}: the loss log has ${m.length} values, not a multiple of ${cols}`);
    const log = new LossLog(names);
    for (let i = 0; i < m.length / cols; i++) {
      const values = Array.from({ length: names.length }, (_, k) => m[i * cols + 2 + k]);
      log.addRow({ step: m[i * cols], epoch: m[i * cols + 1], values }, `${where}: loss log row ${i + 1}`);
    }
    return log;
  }

  /** Same names and rows, value for value (NaN equals NaN). */
  equals(other: LossLog): boolean {
    if (other.names.join() !== this.names.join() || other.rows.length !== this.rows.length) return false;
    return this.rows.every((r, i) => {
      const o = other.rows[i];
      return r.step === o.step && r.epoch === o.epoch && r.values.every((v, k) => Object.is(v, o.values[k]));
    });
  }

  /** Mean of each loss over the rows of one epoch (NaN where there are none). */
  epochMeans(epoch: number): Record<string, number> {
    const sums = this.names.map(() => 0);
    let n = 0;
    for (const r of this.rows) {
      if (r.epoch !== epoch) continue;
      r.values.forEach((v, i) => (sums[i] += v));
      n++;
    }
    return Object.fromEntries(this.names.map((name, i) => [name, n ? sums[i] / n : NaN]));
  }
}

/** A cell as `String(number)` writes it (NaN and ±Infinity included). */
const NUMBER = /^(-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?|NaN|-?Infinity)$/;

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" tick step (1, 2 or 5 × 10ᵏ) giving about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m >= 5 ? 10 : m >= 2 ? 5 : m >= 1.5 ? 2 : 1) * p;
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** The plot's geometry, in pixels. */
const PLOT = { width: 720, panelHeight: 160, left: 64, right: 16, top: 36, gap: 34 } as const;
const CURVE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * The value range a panel shows: the 1st–99th percentiles (ignoring the first
 * steps' spikes), widened by 5% on each side; [−1, 1] around a flat curve.
 */
function robustRange(values: readonly number[]): [number, number] {
  const sorted = values.slice().sort((a, b) => a - b);
  let lo = sorted.length ? sorted[Math.floor(0.01 * (sorted.length - 1))] : 0;
  let hi = sorted.length ? sorted[Math.ceil(0.99 * (sorted.length - 1))] : 1;
  if (!(hi > lo)) {
    hi = lo + 1;
    lo -= 1;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Polyline points of loss k: the raw values and their moving average over `window` steps, every `stride`-th step. */
function curvePoints(rows: readonly LossRow[], k: number, window: number, stride: number, sx: (s: number) => number, sy: (v: number) => number): { raw: string[]; smooth: string[] } {
  const raw: string[] = [];
  const smooth: string[] = [];
  let sum = 0;
  let count = 0;
  const q: number[] = [];
  rows.forEach((r, i) => {
    const v = r.values[k];
    if (!Number.isFinite(v)) return;
    q.push(v);
    sum += v;
    count++;
    if (q.length > window) {
      sum -= q.shift() as number;
      count--;
    }
    if (i % stride === 0 || i === rows.length - 1) {
      raw.push(`${sx(r.step).toFixed(1)},${sy(v).toFixed(1)}`);
      smooth.push(`${sx(r.step).toFixed(1)},${sy(sum / count).toFixed(1)}`);
    }
  });
  return { raw, smooth };
}

/** The SVG elements of loss k's panel (frame, name, value grid, epoch lines, curves, step labels) at height y0. */
function lossPanel(log: LossLog, k: number, y0: number, sx: (s: number) => number): string[] {
  const { width: W, panelHeight: panelH, left, right } = PLOT;
  const rows = log.rows;
  const name = log.names[k];
  const parts: string[] = [];
  const [lo, hi] = robustRange(rows.map((r) => r.values[k]).filter((v) => Number.isFinite(v)));
  const sy = (v: number): number => y0 + panelH - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * panelH;
  parts.push(`<rect x="${left}" y="${y0}" width="${W - left - right}" height="${panelH}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${left}" y="${y0 - 6}" font-size="12">${escapeXml(name)}</text>`);
  const ts = tickStep(hi - lo, 4);
  for (let t = Math.ceil(lo / ts) * ts; t <= hi; t += ts) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmtTick(t)}</text>`);
  }
  // Epoch boundaries.
  let prevEpoch = rows.length ? rows[0].epoch : 0;
  for (const r of rows) {
    if (r.epoch !== prevEpoch) {
      const x = sx(r.step).toFixed(1);
      parts.push(`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + panelH}" stroke="#f3f3f3"/>`);
      prevEpoch = r.epoch;
    }
  }
  // Downsample long runs: at most ~600 points per curve keeps the file small.
  const stride = Math.max(1, Math.ceil(rows.length / 600));
  const window = Math.max(1, Math.round(rows.length / 50));
  const { raw, smooth } = curvePoints(rows, k, window, stride, sx, sy);
  const color = CURVE_COLORS[k % CURVE_COLORS.length];
  if (raw.length) {
    parts.push(`<polyline fill="none" stroke="${color}" stroke-opacity="0.25" stroke-width="1" points="${raw.join(' ')}"/>`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${smooth.join(' ')}"/>`);
  }
  const minStep = rows.length ? rows[0].step : 0;
  const maxStep = rows.length ? rows[rows.length - 1].step : 1;
  parts.push(`<text x="${left}" y="${y0 + panelH + 14}">step ${minStep}</text>`);
  parts.push(`<text x="${W - right}" y="${y0 + panelH + 14}" text-anchor="end">step ${maxStep}</text>`);
  return parts;
}

/**
 * The loss curves as a standalone SVG: one panel per loss (their scales differ
 * by orders of magnitude), each with the raw per-step values (faint) and a
 * moving average (solid). Steps on x; epochs marked by light vertical lines.
 */
export function lossPlotSVG(log: LossLog, title = 'training losses'): string {
  const { width: W, panelHeight: panelH, left, right, top, gap } = PLOT;
  const H = top + log.names.length * (panelH + gap) + 10;
  const rows = log.rows;
  const maxStep = rows.length ? rows[rows.length - 1].step : 1;
  const minStep = rows.length ? rows[0].step : 0;
  const sx = (s: number): number => left + ((s - minStep) / Math.max(1, maxStep - minStep)) * (W - left - right);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    ...log.names.flatMap((_, k) => lossPanel(log, k, top + k * (panelH + gap), sx)),
    '</svg>',
  ].join('\n') + '\n';
}
