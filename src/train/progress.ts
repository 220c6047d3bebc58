/**
 * The training progress display: epoch, step, losses, samples/s and ETA.
 *
 * On a terminal it is one line redrawn in place (at most `redrawMs` apart);
 * when the output is not a TTY (a log file, CI, a pipe) it degrades to a
 * plain line every `plainEveryMs` and at the end of every epoch, so logs stay
 * readable and small. Hand-written: a dozen lines do what a dependency would.
 */

/** Where {@link Progress} writes: `process.stderr` or anything alike. */
export interface ProgressStream {
  /** Writes text as is (no newline added). */
  write(s: string): unknown;
  /** True on a terminal: the line is redrawn in place. */
  isTTY?: boolean;
  /** The terminal's width in characters (default 100); longer lines are shortened. */
  columns?: number;
}

/** Where training stands, as the trainer reports it after every step. */
export interface ProgressState {
  /** The epoch in progress, 1-based. */
  epoch: number;
  /** Epochs planned. */
  epochs: number;
  /** Steps done in this epoch. */
  step: number;
  /** Steps in one epoch. */
  stepsPerEpoch: number;
  /** Steps done since the start of training (all epochs). */
  globalStep: number;
  /** Steps of the whole run (epochs × stepsPerEpoch). */
  totalSteps: number;
  /** Running means of this epoch's losses. */
  losses: Record<string, number>;
  /** Throughput over the last 50 steps (NaN until two steps are done). */
  samplesPerSec: number;
  /** Seconds left, or NaN while unknown. */
  etaSec: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** On a terminal: the fewest milliseconds between redraws (default 100). */
  redrawMs?: number;
  /** Not on a terminal: the fewest milliseconds between plain lines (default 15,000); epoch ends always print. */
  plainEveryMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** Seconds as '42s', '3m07s' or '1h05m'; '--' when not finite or negative. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** 4 significant digits, no exponent for ordinary loss values. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return v.toPrecision(4);
}

/**
 * One progress line: `epoch 2/5 [#######-] 120/140 | loss 102.3 | 2150 samples/s | ETA 1m05s` (barWidth 8)
 * (no bar when `barWidth` is 0).
 */
export function formatProgress(p: ProgressState, barWidth: number): string {
  const frac = p.stepsPerEpoch > 0 ? Math.min(1, p.step / p.stepsPerEpoch) : 0;
  const filled = Math.round(frac * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ` : '';
  const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${formatLoss(v)}`).join(' ');
  return `epoch ${p.epoch}/${p.epochs} ${bar}${p.step}/${p.stepsPerEpoch} | ${losses} | ${Number.isFinite(p.samplesPerSec) ? Math.round(p.samplesPerSec) : '--'} samples/s | ETA ${formatDuration(p.etaSec)}`;
}

/** The progress display (see the file comment); pass it as `train({ progress })`. */
export class Progress {
  private readonly tty: boolean;
  private readonly redrawMs: number;
  private readonly plainEveryMs: number;
  private readonly now: () => number;
  private lastDraw = -Infinity;
  private lastState: ProgressState | null = null;
  private barShown = false;

  constructor(private readonly out: ProgressStream, opts: ProgressOptions = {}) {
    this.tty = out.isTTY === true;
    this.redrawMs = opts.redrawMs ?? 100;
    this.plainEveryMs = opts.plainEveryMs ?? 15_000;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Reports the state after a step; draws when enough time has passed. */
  update(p: ProgressState): void {
    this.lastState = p;
    const t = this.now();
    if (t - this.lastDraw < (this.tty ? this.redrawMs : this.plainEveryMs)) return;
    this.lastDraw = t;
    this.draw(p);
  }

  /** Forces a line for the end of an epoch (the bar is left on screen as a record of it). */
  endEpoch(p: ProgressState): void {
    this.lastState = p;
    this.lastDraw = this.now();
    this.draw(p);
    if (this.tty) this.out.write('\n');
    this.barShown = false;
  }

  /** Prints a message on its own line without garbling the bar. */
  log(line: string): void {
    if (this.tty && this.barShown) this.out.write('\r\x1b[K');
    this.out.write(line + '\n');
    if (this.tty && this.barShown && this.lastState) this.draw(this.lastState);
  }

  /** Ends the display (leaves the cursor on a fresh line). */
  stop(): void {
    if (this.tty && this.barShown) this.out.write('\n');
    this.barShown = false;
  }

  private draw(p: ProgressState): void {
    if (this.tty) {
      const cols = this.out.columns ?? 100;
      let line = formatProgress(p, 20);
      if (line.length > cols - 1) line = formatProgress(p, 0);
      if (line.length > cols - 1) line = line.slice(0, Math.max(0, cols - 2)) + '…';
      this.out.write('\r\x1b[K' + line);
      this.barShown = true;
    } else {
      this.out.write(formatProgress(p, 0) + '\n');
    }
  }
}
