import { describe, expect, it } from 'vitest';
import { evaluation, io } from '../../src/index.js';

const { comparisonFigure, comparisonFigureSize, drawText, textWidth, FIGURE_LAYOUT: L } = evaluation;

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
