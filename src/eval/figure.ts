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
 * Text is drawn with a built-in 5×7 bitmap font (uppercase letters, digits and
 * a few signs): no font files, no canvas library, the same pixels everywhere.
 */
import { gridPixels, type GreyImage } from '../io/png.js';
import type { FloatArray } from '../tensor/dtype.js';

/** 5×7 glyphs, one string of 5 bits per row, top to bottom. */
const GLYPHS: Record<string, readonly string[]> = {
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
  B: ['11110', '10001', '10001', '11110', '10001', '10001', '11110'],
  C: ['01110', '10001', '10000', '10000', '10000', '10001', '01110'],
  D: ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  F: ['11111', '10000', '10000', '11110', '10000', '10000', '10000'],
  G: ['01110', '10001', '10000', '10111', '10001', '10001', '01111'],
  H: ['10001', '10001', '10001', '11111', '10001', '10001', '10001'],
  I: ['01110', '00100', '00100', '00100', '00100', '00100', '01110'],
  K: ['10001', '10010', '10100', '11000', '10100', '10010', '10001'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  M: ['10001', '11011', '10101', '10101', '10001', '10001', '10001'],
  N: ['10001', '10001', '11001', '10101', '10011', '10001', '10001'],
  O: ['01110', '10001', '10001', '10001', '10001', '10001', '01110'],
  P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
  S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  U: ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
  V: ['10001', '10001', '10001', '10001', '10001', '01010', '00100'],
  W: ['10001', '10001', '10001', '10101', '10101', '10101', '01010'],
  0: ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  1: ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  2: ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  3: ['11111', '00010', '00100', '00010', '00001', '10001', '01110'],
  4: ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  5: ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  6: ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  7: ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  8: ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  9: ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
  '-': ['00000', '00000', '00000', '11111', '00000', '00000', '00000'],
  '(': ['00010', '00100', '01000', '01000', '01000', '00100', '00010'],
  ')': ['01000', '00100', '00010', '00010', '00010', '00100', '01000'],
  '.': ['00000', '00000', '00000', '00000', '00000', '01100', '01100'],
  ' ': ['00000', '00000', '00000', '00000', '00000', '00000', '00000'],
};

const GLYPH_W = 5;
const GLYPH_H = 7;

/** Pixel width of `text` in the built-in font at `scale` (1-column gap between glyphs). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_W + 1) - 1) * scale;
}

/** Draws `text` (uppercased) with its top-left corner at (x, y); `value` is the grey level 0–255. */
export function drawText(image: GreyImage, text: string, x: number, y: number, opts: { scale?: number; value?: number } = {}): void {
  const scale = opts.scale ?? 1;
  const value = opts.value ?? 0;
  const upper = text.toUpperCase();
  for (const ch of upper) if (!GLYPHS[ch]) throw new Error(`drawText: no glyph for ${JSON.stringify(ch)} in ${JSON.stringify(text)} (the built-in font has A–Z without J Q X Y Z, 0–9, '-', '(', ')', '.', ' ')`);
  let cx = x;
  for (const ch of upper) {
    const glyph = GLYPHS[ch];
    for (let r = 0; r < GLYPH_H; r++) {
      for (let c = 0; c < GLYPH_W; c++) {
        if (glyph[r][c] !== '1') continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const px = cx + c * scale + dx;
            const py = y + r * scale + dy;
            if (px >= 0 && py >= 0 && px < image.width && py < image.height) image.data[py * image.width + px] = value;
          }
        }
      }
    }
    cx += (GLYPH_W + 1) * scale;
  }
}

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

/** One sample grid of a comparison figure. */
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
  if (panels.length === 0) throw new Error('comparisonFigure: no panels');
  const L = FIGURE_LAYOUT;
  const { width, height } = comparisonFigureSize(panels.length);
  const image: GreyImage = { width, height, data: new Uint8Array(width * height).fill(255) };
  const gridTop = L.margin + GLYPH_H * L.titleScale + L.titleGap;
  panels.forEach((panel, p) => {
    if (panel.images.length !== 100 * 784) throw new Error(`comparisonFigure: panel '${panel.title}' needs 100 images of 28×28 (78,400 values), got ${panel.images.length}`);
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
