import { describe, expect, test } from 'vitest';
import { formatDuration, formatLoss, formatProgress, Progress, type ProgressState } from '../../src/train/progress.js';
import { LossLog, lossPlotSVG } from '../../src/train/losslog.js';

const state = (step: number, extra: Partial<ProgressState> = {}): ProgressState => ({
  epoch: 2, epochs: 5, step, stepsPerEpoch: 100, globalStep: 100 + step, totalSteps: 500,
  losses: { rec: 123.456, kl: 0.0001234 }, samplesPerSec: 1234.4, etaSec: 95, ...extra,
});

class Sink {
  text = '';
  constructor(public isTTY: boolean, public columns = 120) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

describe('progress display', () => {
  test('formats epoch, step, losses, samples/s and ETA', () => {
    const line = formatProgress(state(50), 10);
    expect(line).toBe('epoch 2/5 [#####-----] 50/100 | rec 123.5 kl 1.23e-4 | 1234 samples/s | ETA 1m35s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('--');
    expect(formatLoss(NaN)).toBe('NaN');
    expect(formatProgress(state(1, { samplesPerSec: NaN, etaSec: NaN }), 0)).toContain('-- samples/s | ETA --');
  });

  test('on a terminal: one line redrawn in place, throttled', () => {
    let now = 0;
    const out = new Sink(true);
    const p = new Progress(out, { now: () => now, redrawMs: 100 });
    p.update(state(1));
    now = 50;
    p.update(state(2)); // too soon: not drawn
    now = 150;
    p.update(state(3));
    // Steps 1 and 3 drawn (20-character bar), step 2 skipped.
    expect(out.text.split('\r\x1b[K').filter(Boolean).map((l) => l.split(' ')[3])).toEqual(['1/100', '3/100']);
    expect(out.text).not.toContain('\n');
    p.log('a message');
    expect(out.text).toContain('\r\x1b[Ka message\n');
    p.endEpoch(state(100));
    expect(out.text.endsWith('100/100 | rec 123.5 kl 1.23e-4 | 1234 samples/s | ETA 1m35s\n')).toBe(true);
  });

  test('without a terminal: plain lines every plainEveryMs and at each epoch end, no control codes', () => {
    let now = 0;
    const out = new Sink(false);
    const p = new Progress(out, { now: () => now, plainEveryMs: 10_000 });
    for (let s = 1; s <= 100; s++) {
      now = s * 500; // 0.5 s per step: a line every 20 steps
      p.update(state(s));
    }
    p.endEpoch(state(100));
    p.stop();
    const lines = out.text.trimEnd().split('\n');
    expect(out.text).not.toMatch(/[\r\x1b]/);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeLessThanOrEqual(7);
    expect(lines.every((l) => l.startsWith('epoch 2/5 '))).toBe(true);
  });
});

describe('loss log', () => {
  test('CSV round trip, truncation for resume, epoch means', () => {
    const log = new LossLog(['d', 'g']);
    for (let s = 1; s <= 6; s++) log.add(s, s <= 3 ? 1 : 2, { d: s, g: 0.1 * s });
    const back = LossLog.parseCSV(log.toCSV());
    expect(back.names).toEqual(['d', 'g']);
    expect(back.rows).toEqual(log.rows);
    back.truncate(4);
    expect(back.rows.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(log.epochMeans(2).d).toBeCloseTo(5);
    expect(() => LossLog.parseCSV('x,y\n1,2\n')).toThrow(/header must start with 'step,epoch'/);
    expect(() => LossLog.parseCSV('step,epoch,d\n1,1\n')).toThrow(/line 2 is malformed/);
  });

  test('the SVG plot has one panel and two curves per loss', () => {
    const log = new LossLog(['rec', 'kl']);
    for (let s = 1; s <= 300; s++) log.add(s, Math.ceil(s / 100), { rec: 500 / s, kl: Math.log(s) });
    const svg = lossPlotSVG(log, 'a <title>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).toContain('a &lt;title&gt;');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});
