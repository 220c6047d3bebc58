/**
 * The live loss chart: one line per loss term, every step, redrawn at most
 * once a frame. The terms of one model differ by orders of magnitude (a CVAE's
 * reconstruction ~100, its KL ~10; a GAN's probabilities < 1), so the y axis
 * is logarithmic whenever every value is positive. Long runs are drawn as the
 * mean of buckets of steps (at most one point per horizontal pixel), which is
 * also what makes a noisy GAN loss readable.
 */
import { h } from './dom.js';

/** Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito). */
export const LINE_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

export class LossChart {
  private names: string[] = [];
  private steps: number[] = [];
  private values: number[][] = [];
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly legend: HTMLElement) {}

  /** Starts over for a model with these loss terms. */
  reset(names: readonly string[]): void {
    this.names = [...names];
    this.steps = [];
    this.values = names.map(() => []);
    this.legend.replaceChildren(...names.map((n, i) => h('span', { class: 'key' }, h('span', { class: 'swatch', style: `background:${LINE_COLOURS[i % LINE_COLOURS.length]}` }), ` ${n}`)));
    this.schedule();
  }

  /** Adds steps: [step, epoch, ...values in the names' order]. */
  add(rows: ReadonlyArray<readonly number[]>): void {
    for (const r of rows) {
      this.steps.push(r[0]);
      for (let i = 0; i < this.names.length; i++) this.values[i].push(r[2 + i]);
    }
    if (rows.length) this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas } = this;
    const ctx = canvas.getContext('2d')!;
    const W = canvas.width;
    const H = canvas.height;
    const pad = { l: 52, r: 10, t: 10, b: 26 };
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const n = this.steps.length;
    ctx.fillStyle = '#444';
    ctx.font = '12px system-ui, sans-serif';
    if (n === 0) {
      ctx.fillText('losses appear here once training starts', pad.l, H / 2);
      return;
    }
    // Bucket means: at most one point per pixel column.
    const width = W - pad.l - pad.r;
    const per = Math.max(1, Math.ceil(n / width));
    const xs: number[] = [];
    const lines: number[][] = this.names.map(() => []);
    for (let s = 0; s < n; s += per) {
      const e = Math.min(n, s + per);
      xs.push(this.steps[e - 1]);
      this.values.forEach((v, i) => {
        let sum = 0;
        for (let k = s; k < e; k++) sum += v[k];
        lines[i].push(sum / (e - s));
      });
    }
    const all = lines.flat().filter(Number.isFinite);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const log = lo > 0 && hi / lo > 20;
    const f = (v: number): number => (log ? Math.log10(v) : v);
    let y0 = f(lo);
    let y1 = f(hi);
    if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
    const x0 = this.steps[0];
    const x1 = Math.max(this.steps[n - 1], x0 + 1);
    const X = (step: number): number => pad.l + ((step - x0) / (x1 - x0)) * width;
    const Y = (v: number): number => pad.t + (1 - (f(v) - y0) / (y1 - y0)) * (H - pad.t - pad.b);
    // Axes and ticks.
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t);
    ctx.lineTo(pad.l, H - pad.b);
    ctx.lineTo(W - pad.r, H - pad.b);
    ctx.stroke();
    const ticks = log
      ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => 10 ** (Math.ceil(y0) + i))
      : [lo, (lo + hi) / 2, hi];
    for (const t of ticks.length ? ticks : [lo, hi]) {
      const y = Y(t);
      ctx.fillText(t >= 1000 || (t < 0.01 && t !== 0) ? t.toExponential(0) : String(Number(t.toPrecision(3))), 4, y + 4);
      ctx.strokeStyle = '#eee';
      ctx.beginPath();
      ctx.moveTo(pad.l + 1, y);
      ctx.lineTo(W - pad.r, y);
      ctx.stroke();
    }
    ctx.fillText(`step ${x0}`, pad.l, H - 8);
    const last = `step ${this.steps[n - 1]}${log ? ' · log scale' : ''}`;
    ctx.fillText(last, W - pad.r - ctx.measureText(last).width, H - 8);
    // One line per loss term.
    lines.forEach((line, i) => {
      ctx.strokeStyle = LINE_COLOURS[i % LINE_COLOURS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let moved = false;
      line.forEach((v, k) => {
        if (!Number.isFinite(v) || (log && v <= 0)) return;
        if (moved) ctx.lineTo(X(xs[k]), Y(v));
        else ctx.moveTo(X(xs[k]), Y(v));
        moved = true;
      });
      ctx.stroke();
    });
  }
}
