import { describe, expect, it } from 'vitest';
import { evaluation, Generator, io, models, Tensor, training } from '../../src/index.js';
import { trainDigits } from './digits.js';

const { comparisonFigure, comparisonFigureSize, panelLayout, formatRelativeDistance, runPanel, drawText, textWidth, FIGURE_LAYOUT: L } = evaluation;

/** 100 images whose pixels all equal `v`. */
const flat = (v: number): Float32Array => new Float32Array(100 * 784).fill(v);

describe('drawText', () => {
  it('draws the 5×7 glyphs at the requested scale and refuses characters it has no glyph for', () => {
    const img: io.GreyImage = { width: 20, height: 16, data: new Uint8Array(320).fill(255) };
    drawText(img, '1', 1, 1, { scale: 2 });
    // '1': row 0 is 00100 → the 2×2 block at glyph column 2 is dark, its neighbours are not.
    expect(img.data[1 * 20 + 1 + 4]).toBe(0);
    expect(img.data[2 * 20 + 1 + 5]).toBe(0);
    expect(img.data[1 * 20 + 1 + 2]).toBe(255);
    // Bottom row 01110 at y = 1 + 6·2.
    expect(Array.from(img.data.subarray(13 * 20 + 1, 13 * 20 + 11))).toEqual([255, 255, 0, 0, 0, 0, 0, 0, 255, 255]);
    expect(textWidth('CVAE-GAN', 2)).toBe((8 * 6 - 1) * 2);
    expect(() => drawText(img, 'a?', 0, 0)).toThrow(/no glyph for "\?"/);
  });
});

describe('comparisonFigure', () => {
  it('places each grid under its title, with row labels only where asked, at the documented size', () => {
    const panels = [
      { title: 'vae (mlp)', images: flat(1), rowLabels: false },
      { title: 'cvae (mlp)', images: flat(0), rowLabels: true },
    ];
    const fig = comparisonFigure(panels);
    const size = comparisonFigureSize(2);
    expect([fig.width, fig.height]).toEqual([size.width, size.height]);
    expect(size).toEqual({ width: 2 * 12 + 2 * (14 + 302) + 20, height: 2 * 12 + 14 + 8 + 302 });
    const top = L.margin + 14 + L.titleGap;
    const at = (x: number, y: number): number => fig.data[y * fig.width + x];
    const left0 = L.margin + L.labelWidth;
    const left1 = L.margin + L.labelWidth + L.grid + L.panelGap + L.labelWidth;
    expect(at(left0, top)).toBe(128); // grid padding (grey 0.5)
    expect(at(left0 + 2, top + 2)).toBe(255); // first digit of the white panel
    expect(at(left1 + 2, top + 2)).toBe(0); // first digit of the black panel
    // Row labels: dark pixels in the label column of the second panel only.
    const labelColumn = (panelLeft: number): number[] => {
      const out: number[] = [];
      for (let y = top; y < top + L.grid; y++) for (let x = panelLeft - L.labelWidth; x < panelLeft; x++) out.push(at(x, y));
      return out;
    };
    expect(labelColumn(left0).every((v) => v === 255)).toBe(true);
    expect(labelColumn(left1).some((v) => v === 0)).toBe(true);
    expect(() => comparisonFigure([{ title: 'x', images: new Float32Array(784), rowLabels: false }])).toThrow(/needs 100 images/);
    expect(() => comparisonFigure([])).toThrow(/no panels/);
  });
});

/** Ten images, image i with every pixel i / 9 (so its pixels are round(255·i/9)). */
const ramp = (): Float32Array => {
  const out = new Float32Array(10 * 784);
  for (let i = 0; i < 10; i++) out.fill(i / 9, i * 784, (i + 1) * 784);
  return out;
};

/** The pixels `text` makes at scale 1 on white, w × 7, to compare with a region of a figure. */
function textPixels(text: string): number[] {
  const w = textWidth(text);
  const img: io.GreyImage = { width: w, height: 7, data: new Uint8Array(w * 7).fill(255) };
  drawText(img, text, 0, 0);
  return Array.from(img.data);
}

function region(fig: io.GreyImage, x: number, y: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out.push(fig.data[(y + r) * fig.width + x + c]);
  return out;
}

describe('comparisonFigure with interpolation and nearest digits', () => {
  it('lays the sections out at the documented offsets (by hand)', () => {
    // Title 14 + gap 8 → grid at 22, 302 high (to 324); caption at 324 + 12, strips 7 + 4 below it, three
    // strips of 30 px + 2 of padding (to 439); caption at 451, pairs at 462 (2 × 30 + 2), distances 3 px under.
    expect(panelLayout({ interpolationRows: 3, nearest: true })).toEqual({
      gridTop: 22, interpolationCaptionTop: 336, interpolationTop: 347, nearestCaptionTop: 451, nearestTop: 462, distanceTop: 527, height: 534,
    });
    expect(panelLayout({})).toMatchObject({ gridTop: 22, interpolationTop: null, nearestTop: null, height: 324 });
    expect(panelLayout({ nearest: true })).toMatchObject({ nearestCaptionTop: 336, nearestTop: 347, distanceTop: 412, height: 419 });
    // Eight panels in two rows of four: 4 × 316 + 3 gaps of 20 across; 2 × 534 + a 28-px row gap down.
    expect(comparisonFigureSize(8, { columns: 4, interpolationRows: 3, nearest: true })).toEqual({ width: 24 + 4 * 316 + 60, height: 24 + 2 * 534 + 28 });
    expect(comparisonFigureSize(5, { columns: 4 })).toEqual({ width: 24 + 4 * 316 + 60, height: 24 + 2 * 324 + 28 });
    expect(() => panelLayout({ interpolationRows: -1 })).toThrow(/interpolationRows/);
  });

  it('draws each strip image, the classes left of conditional strips, samples over neighbours and the distances under them', () => {
    const strips = (labels: Array<number | null>) => labels.map((label) => ({ images: ramp(), label }));
    const relative = [0, 0.5, 0.814, 1, 1.2, 2, 3, 9.996, 12.34, 0.07];
    const fig = comparisonFigure([
      { title: 'cvae (mlp)', images: flat(1), rowLabels: true, interpolation: strips([2, 4, 7]), nearest: { samples: flat(1).subarray(0, 7840), neighbours: new Float32Array(7840), relative } },
      { title: 'vae (conv)', images: flat(1), rowLabels: false, interpolation: strips([null, null, null]) },
    ], { columns: 1 });
    const lay = panelLayout({ interpolationRows: 3, nearest: true });
    expect([fig.width, fig.height]).toEqual([24 + 316, 24 + 2 * 534 + 28]);
    const at = (x: number, y: number): number => fig.data[y * fig.width + x];
    const gridLeft = L.margin + L.labelWidth;
    const tops = [L.margin, L.margin + lay.height + L.rowGap];
    for (const top of tops) {
      // Strip r, image i: its centre pixel is round(255·i/9).
      for (let r = 0; r < 3; r++) for (const i of [0, 4, 9]) expect(at(gridLeft + 2 + 30 * i + 14, top + lay.interpolationTop! + 2 + 30 * r + 14)).toBe(Math.round((255 * i) / 9));
      // The caption is drawn.
      expect(region(fig, gridLeft, top + lay.interpolationCaptionTop!, textWidth('interpolation'), 7)).toEqual(textPixels('interpolation'));
    }
    // The class labels left of the first panel's strips ('2', '4', '7'), none left of the vae's.
    const labelPixels = (top: number, r: number): number[] => region(fig, L.margin + 2, top + lay.interpolationTop! + 2 + 30 * r + 10, 5, 7);
    [2, 4, 7].forEach((k, r) => expect(labelPixels(tops[0], r)).toEqual(textPixels(String(k))));
    for (let r = 0; r < 3; r++) expect(labelPixels(tops[1], r).every((v) => v === 255)).toBe(true);
    // Samples (white) over their neighbours (black), and each distance centred under its pair.
    for (let i = 0; i < 10; i++) {
      expect(at(gridLeft + 2 + 30 * i + 14, tops[0] + lay.nearestTop! + 2 + 14)).toBe(255);
      expect(at(gridLeft + 2 + 30 * i + 14, tops[0] + lay.nearestTop! + 32 + 14)).toBe(0);
      const text = formatRelativeDistance(relative[i]);
      const x = gridLeft + 2 + 30 * i + Math.floor((28 - textWidth(text)) / 2);
      expect(region(fig, x, tops[0] + lay.distanceTop!, textWidth(text), 7)).toEqual(textPixels(text));
    }
    expect(region(fig, gridLeft, tops[0] + lay.nearestCaptionTop!, textWidth(evaluation.FIGURE_CAPTIONS.nearest), 7)).toEqual(textPixels(evaluation.FIGURE_CAPTIONS.nearest));
    // The vae has no nearest section: its room stays white.
    expect(region(fig, gridLeft, tops[1] + lay.nearestCaptionTop!, 302, lay.height - lay.nearestCaptionTop!).every((v) => v === 255)).toBe(true);
    // Malformed sections are refused, naming the panel and the part.
    expect(() => comparisonFigure([{ title: 'x', images: flat(0), rowLabels: false, interpolation: [{ images: new Float32Array(9 * 784), label: null }] }])).toThrow(/panel 'x' needs 10 images .* interpolation strip 1, got 7056/);
    expect(() => comparisonFigure([{ title: 'x', images: flat(0), rowLabels: false, nearest: { samples: new Float32Array(7840), neighbours: new Float32Array(7840), relative: [1] } }])).toThrow(/needs 10 relative distances, got 1/);
  });

  it('writes relative distances in four characters below 1000', () => {
    expect([0, 0.5, 0.814, 0.815, 9.994, 9.996, 12.34, 123.4, 5000, Infinity, NaN].map(formatRelativeDistance)).toEqual(['0.00', '0.50', '0.81', '0.81', '9.99', '10.0', '12.3', '123', '5000', '-', '-']);
  });
});

describe('runPanel', () => {
  const cvae = models.createModel(models.defaultConfig('cvae', 'mlp', { width: 16, latent: 4 }), 5);

  it("is the run's sample grid, strips whose ends are generate of the seed's noise pairs, and the grid's first column over its nearest training digits", async () => {
    const seed = 4;
    const grid = Array.from(training.sampleGrid(cvae, seed).data);
    // The training set: 40 real digits with the grid's class-3 sample (image 30) planted at index 5.
    const real = (await trainDigits()).images.subarray(0, 40 * 784);
    const train = Float32Array.from(real);
    train.set(grid.slice(30 * 784, 31 * 784), 5 * 784);
    const { panel, nearest } = runPanel(cvae, { title: 'cvae (mlp)', seed, training: train, heldOutNearest: 4 });
    expect(Array.from(panel.images)).toEqual(grid);
    expect(panel.rowLabels).toBe(true);
    // The planted sample is its own nearest training digit, at distance 0, drawn under itself.
    expect(nearest.index[3]).toBe(5);
    expect(nearest.distance[3]).toBe(0);
    expect(panel.nearest!.relative[3]).toBe(0);
    expect(Array.from(panel.nearest!.samples.subarray(3 * 784, 4 * 784))).toEqual(grid.slice(30 * 784, 31 * 784));
    expect(Array.from(panel.nearest!.neighbours.subarray(3 * 784, 4 * 784))).toEqual(grid.slice(30 * 784, 31 * 784));
    // The others: the grid's first column (image 10k), distance over the held-out mean (4).
    for (const k of [0, 9]) {
      expect(Array.from(panel.nearest!.samples.subarray(k * 784, (k + 1) * 784))).toEqual(grid.slice(10 * k * 784, (10 * k + 1) * 784));
      expect(panel.nearest!.relative[k]).toBeCloseTo(nearest.distance[k] / 4, 12);
      expect(nearest.distance[k]).toBeGreaterThan(0);
    }
    // Strip r is at class INTERPOLATION_CLASSES[r], from the noise pair of `${seed}/interpolation/${r}`.
    expect(panel.interpolation!.map((s) => s.label)).toEqual([...evaluation.INTERPOLATION_CLASSES]);
    const { from, to } = evaluation.noisePair(4, new Generator(`${seed}/interpolation/1`));
    const gen = (noise: Float32Array, k: number): number[] => Array.from(cvae.generate(new Tensor(noise, [1, 4]), [k]).data);
    const strip = panel.interpolation![1].images;
    expect(Array.from(strip.subarray(0, 784))).toEqual(gen(from, evaluation.INTERPOLATION_CLASSES[1]));
    expect(Array.from(strip.subarray(9 * 784))).toEqual(gen(to, evaluation.INTERPOLATION_CLASSES[1]));
    // Deterministic: the same seed draws the same figure, byte for byte; another seed does not.
    const again = runPanel(cvae, { title: 'cvae (mlp)', seed, training: train, heldOutNearest: 4 }).panel;
    expect(Array.from(comparisonFigure([again]).data)).toEqual(Array.from(comparisonFigure([panel]).data));
    const other = runPanel(cvae, { title: 'cvae (mlp)', seed: seed + 1, training: train, heldOutNearest: 4 }).panel;
    expect(Array.from(other.interpolation![0].images)).not.toEqual(Array.from(panel.interpolation![0].images));
  });

  it('draws the vae without classes: unlabelled rows and unconditional strips', () => {
    const vae = models.createModel(models.defaultConfig('vae', 'mlp', { width: 16, latent: 4 }), 5);
    const train = new Float32Array(3 * 784).fill(0.5);
    const { panel } = runPanel(vae, { title: 'vae (mlp)', seed: 0, training: train, heldOutNearest: 1 });
    expect(panel.rowLabels).toBe(false);
    expect(panel.interpolation!.map((s) => s.label)).toEqual([null, null, null]);
    expect(panel.interpolation!.every((s) => s.images.length === 10 * 784)).toBe(true);
  });
});
