/**
 * The comparison figure of `genzoo compare`: several 10×10 sample grids side
 * by side on a white canvas, each under its title, with the class of each row
 * (0–9) to the left of the grids of conditional models.
 *
 *   ┌────────────────────────────────────────────────────────────┐
 *   │      VAE (MLP)          CVAE (MLP)         …                │  titles, 5×7 font at 2×
 *   │    ┌────────┐      0 ┌────────┐                           │
 *   │    │ 10×10  │      1 │ 10×10  │                           │  grids: io/png gridPixels
 *   │    │  grid  │      … │  grid  │                           │  (28-px digits, 2-px grey padding)
 *   │    └────────┘      9 └────────┘                           │
 *   └────────────────────────────────────────────────────────────┘
 *
 * Text is drawn with the built-in bitmap font of font.ts.
 */
import { gridPixels, type GreyImage } from '../../io/png.js';
import type { FloatArray } from '../../tensor/dtype.js';
import { drawText, GLYPH_H, GLYPH_W, textWidth } from './font.js';
import { ShapeError, ValueError } from '../../errors.js';

/** The figure's geometry, in pixels. */
export const FIGURE_LAYOUT = {
  /** Around the whole figure. */
  margin: 12,
  /** Title glyph scale (5×7 → 10×14). */
  titleScale: 2,
  /** Between the title and its grid. */
  titleGap: 8,
  /** Column for the row labels left of each grid. */
  labelWidth: 14,
  /** Between neighbouring panels. */
  panelGap: 20,
  /** Each grid: 10 × 10 images of 28 px with 2-px padding → 302 px square. */
  grid: 10 * (28 + 2) + 2,
} as const;

/** Width and height of a figure with `panels` grids. */
export function comparisonFigureSize(panels: number): {
  /** Pixels across. */
  width: number;
  /** Pixels down. */
  height: number;
} {
  const L = FIGURE_LAYOUT;
  const panelWidth = L.labelWidth + L.grid;
  return {
    width: 2 * L.margin + panels * panelWidth + (panels - 1) * L.panelGap,
    height: 2 * L.margin + GLYPH_H * L.titleScale + L.titleGap + L.grid,
  };
}

/** One sample grid of a comparison figure, with its title. */
export interface FigurePanel {
  /** Shown above the grid (uppercased; see drawText for the characters). */
  title: string;
  /** 100 images of 28×28 in [0, 1], row-major into 10 rows of 10. */
  images: FloatArray;
  /** Label the rows 0–9 (conditional samples, row k = class k). */
  rowLabels: boolean;
}

/** Lays the panels out left to right (see the file comment); returns 8-bit grey pixels for io.encodePng. */
export function comparisonFigure(panels: readonly FigurePanel[]): GreyImage {
  if (panels.length === 0) throw new ValueError('comparisonFigure: no panels');
  const L = FIGURE_LAYOUT;
  const { width, height } = comparisonFigureSize(panels.length);
  const image: GreyImage = { width, height, data: new Uint8Array(width * height).fill(255) };
  const gridTop = L.margin + GLYPH_H * L.titleScale + L.titleGap;
  panels.forEach((panel, p) => {
    if (panel.images.length !== 100 * 784) throw new ShapeError(`comparisonFigure: panel '${panel.title}' needs 100 images of 28×28 (78,400 values), got ${panel.images.length}`);
    const left = L.margin + p * (L.labelWidth + L.grid + L.panelGap);
    const gridLeft = left + L.labelWidth;
    const grid = gridPixels(panel.images, { rows: 10, cols: 10 });
    for (let y = 0; y < grid.height; y++) image.data.set(grid.data.subarray(y * grid.width, (y + 1) * grid.width), (gridTop + y) * width + gridLeft);
    const tw = textWidth(panel.title, L.titleScale);
    drawText(image, panel.title, gridLeft + Math.max(0, Math.floor((L.grid - tw) / 2)), L.margin, { scale: L.titleScale });
    if (panel.rowLabels) {
      for (let k = 0; k < 10; k++) {
        // Centred on row k: rows start 2 px in and are 30 px apart.
        drawText(image, String(k), left + Math.floor((L.labelWidth - GLYPH_W) / 2) - 2, gridTop + 2 + k * 30 + Math.floor((28 - GLYPH_H) / 2));
      }
    }
  });
  return image;
}
