/**
 * The comparison figure of `genzoo compare`: one panel per run, laid out in
 * rows of `columns` panels on a white canvas (compare: one row per
 * architecture, the models left to right). Each panel is a column of
 *
 *   ┌──────────────────────────┐
 *   │       CVAE (MLP)         │  title, 5×7 font at 2×
 *   │  0 ┌────────────┐        │
 *   │  … │ 10×10 grid │        │  the run's sample sheet (io/png gridPixels: 28-px digits,
 *   │  9 └────────────┘        │  2-px grey padding); row k = class k where labelled
 *   │    INTERPOLATION         │  caption, 5×7 font at 1×
 *   │  2 ▭▭▭▭▭▭▭▭▭▭            │  strips of 10 images along a line in noise space,
 *   │  5 ▭▭▭▭▭▭▭▭▭▭            │  each at the class written left of it (none for the vae)
 *   │    SAMPLE (TOP) AND …    │  caption
 *   │    ▭▭▭▭▭▭▭▭▭▭            │  samples,
 *   │    ▭▭▭▭▭▭▭▭▭▭            │  each above its nearest training digit,
 *   │    .81 .77 …             │  and their distance relative to held-out digits'
 *   └──────────────────────────┘
 *
 * The interpolation and nearest-digit sections are optional; when any panel
 * has one, every panel gets the room for it (so the panels' grids line up).
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
  /** Between rows of panels. */
  rowGap: 28,
  /** Each grid: 10 × 10 images of 28 px with 2-px padding → 302 px square. */
  grid: 10 * (28 + 2) + 2,
  /** Images across a strip (interpolation, nearest digits): as many as a grid row, so the strips line up with the grid. */
  stripImages: 10,
  /** Pitch of one image in a grid or strip (28 px and its padding). */
  cell: 30,
  /** Above a section caption (below the grid or the previous section). */
  sectionGap: 12,
  /** Between a caption and its images. */
  captionGap: 4,
  /** Between the nearest-digit pairs and their distances. */
  distanceGap: 3,
} as const;

/** Captions of the optional sections. */
export const FIGURE_CAPTIONS = {
  /** Above the interpolation strips. */
  interpolation: 'interpolation',
  /** Above the samples and their nearest training digits. */
  nearest: 'sample (top) and nearest training digit',
} as const;

/** Which optional sections the panels have (see {@link FigurePanel}). */
export interface FigureSections {
  /** Interpolation strips per panel (0: none). */
  interpolationRows?: number;
  /** Whether panels show samples above their nearest training digits. */
  nearest?: boolean;
}

/** Where each part of a panel starts, in pixels from the panel's top (see {@link panelLayout}). */
export interface PanelLayout {
  /** Top of the 10×10 grid. */
  gridTop: number;
  /** Top of the interpolation caption, and of its strips (null without the section). */
  interpolationCaptionTop: number | null;
  /** Top of the interpolation strips' grid (null without the section). */
  interpolationTop: number | null;
  /** Top of the nearest-digit caption (null without the section). */
  nearestCaptionTop: number | null;
  /** Top of the 2 × 10 grid of samples over neighbours (null without the section). */
  nearestTop: number | null;
  /** Top of the distance labels under it (null without the section). */
  distanceTop: number | null;
  /** The panel's height. */
  height: number;
}

/** The vertical layout of one panel with `sections`. */
export function panelLayout(sections: FigureSections = {}): PanelLayout {
  const L = FIGURE_LAYOUT;
  const rows = sections.interpolationRows ?? 0;
  if (!Number.isInteger(rows) || rows < 0) throw new ValueError(`panelLayout: interpolationRows must be a non-negative integer, got ${rows}`);
  const gridTop = GLYPH_H * L.titleScale + L.titleGap;
  let y = gridTop + L.grid;
  const out: PanelLayout = { gridTop, interpolationCaptionTop: null, interpolationTop: null, nearestCaptionTop: null, nearestTop: null, distanceTop: null, height: 0 };
  if (rows > 0) {
    out.interpolationCaptionTop = y + L.sectionGap;
    out.interpolationTop = out.interpolationCaptionTop + GLYPH_H + L.captionGap;
    y = out.interpolationTop + rows * L.cell + 2;
  }
  if (sections.nearest) {
    out.nearestCaptionTop = y + L.sectionGap;
    out.nearestTop = out.nearestCaptionTop + GLYPH_H + L.captionGap;
    out.distanceTop = out.nearestTop + 2 * L.cell + 2 + L.distanceGap;
    y = out.distanceTop + GLYPH_H;
  }
  out.height = y;
  return out;
}

/** Width and height of a figure with `panels` panels in rows of `columns` (default: all in one row), with `sections`. */
export function comparisonFigureSize(panels: number, opts: FigureSections & { columns?: number } = {}): {
  /** Pixels across. */
  width: number;
  /** Pixels down. */
  height: number;
} {
  const L = FIGURE_LAYOUT;
  if (!Number.isInteger(panels) || panels < 1) throw new ValueError(`comparisonFigureSize: panels must be a positive integer, got ${panels}`);
  const columns = Math.min(panels, opts.columns ?? panels);
  if (!Number.isInteger(columns) || columns < 1) throw new ValueError(`comparisonFigureSize: columns must be a positive integer, got ${opts.columns}`);
  const rows = Math.ceil(panels / columns);
  const panelWidth = L.labelWidth + L.grid;
  return {
    width: 2 * L.margin + columns * panelWidth + (columns - 1) * L.panelGap,
    height: 2 * L.margin + rows * panelLayout(opts).height + (rows - 1) * L.rowGap,
  };
}

/** One interpolation strip of a panel. */
export interface InterpolationRow {
  /** 10 images of 28×28 in [0, 1] along the line, left to right. */
  images: FloatArray;
  /** The class they were drawn at, written left of the strip (null: unconditional). */
  label: number | null;
}

/** Samples above their nearest training digits, with their relative distances. */
export interface NearestRow {
  /** 10 samples of 28×28 in [0, 1]. */
  samples: FloatArray;
  /** The nearest training digit of each, in the same order. */
  neighbours: FloatArray;
  /** Each pair's distance relative to held-out digits' mean nearest distance, written under the pair. */
  relative: ArrayLike<number>;
}

/** One run's panel of a comparison figure: its sample grid under its title, and the optional sections. */
export interface FigurePanel {
  /** Shown above the grid (uppercased; see drawText for the characters). */
  title: string;
  /** 100 images of 28×28 in [0, 1], row-major into 10 rows of 10. */
  images: FloatArray;
  /** Label the rows 0–9 (conditional samples, row k = class k). */
  rowLabels: boolean;
  /** Interpolation strips, top to bottom. */
  interpolation?: readonly InterpolationRow[];
  /** Samples over their nearest training digits. */
  nearest?: NearestRow;
}

/** Options of {@link comparisonFigure}. */
export interface ComparisonFigureOptions {
  /** Panels per row (default: all in one row); the last row may be shorter. */
  columns?: number;
}

/** A relative distance in 4 characters below 1000 (it fits under a 28-px image): 0.00–9.99, then 10.0–99.9, then whole numbers. */
export function formatRelativeDistance(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return v < 9.995 ? v.toFixed(2) : v < 99.95 ? v.toFixed(1) : v.toFixed(0);
}

function blit(image: GreyImage, part: GreyImage, left: number, top: number): void {
  for (let y = 0; y < part.height; y++) image.data.set(part.data.subarray(y * part.width, (y + 1) * part.width), (top + y) * image.width + left);
}

function checkImages(panel: FigurePanel, what: string, images: FloatArray, count: number): void {
  if (images.length !== count * 784) throw new ShapeError(`comparisonFigure: panel '${panel.title}' needs ${count} images of 28×28 (${(count * 784).toLocaleString('en')} values) for its ${what}, got ${images.length}`);
}

/** Every image count of a panel checked, before anything is drawn. */
function checkPanel(panel: FigurePanel): void {
  const L = FIGURE_LAYOUT;
  checkImages(panel, 'sample grid', panel.images, 100);
  panel.interpolation?.forEach((row, r) => checkImages(panel, `interpolation strip ${r + 1}`, row.images, L.stripImages));
  if (panel.nearest) {
    checkImages(panel, 'nearest-digit samples', panel.nearest.samples, L.stripImages);
    checkImages(panel, 'nearest training digits', panel.nearest.neighbours, L.stripImages);
    if (panel.nearest.relative.length !== L.stripImages) throw new ShapeError(`comparisonFigure: panel '${panel.title}' needs ${L.stripImages} relative distances, got ${panel.nearest.relative.length}`);
  }
}

/** A digit label centred on the image row whose top padding starts at `rowTop`, in the label column left of `gridLeft`. */
function drawRowLabel(image: GreyImage, label: number, gridLeft: number, rowTop: number): void {
  const L = FIGURE_LAYOUT;
  drawText(image, String(label), gridLeft - L.labelWidth + Math.floor((L.labelWidth - GLYPH_W) / 2) - 2, rowTop + 2 + Math.floor((28 - GLYPH_H) / 2));
}

/** Lays the panels out (see the file comment); returns 8-bit grey pixels for io.encodePng. */
export function comparisonFigure(panels: readonly FigurePanel[], opts: ComparisonFigureOptions = {}): GreyImage {
  if (panels.length === 0) throw new ValueError('comparisonFigure: no panels');
  const L = FIGURE_LAYOUT;
  const sections: FigureSections = {
    interpolationRows: Math.max(...panels.map((p) => p.interpolation?.length ?? 0)),
    nearest: panels.some((p) => p.nearest !== undefined),
  };
  const columns = Math.min(panels.length, opts.columns ?? panels.length);
  const { width, height } = comparisonFigureSize(panels.length, { ...sections, columns });
  const layout = panelLayout(sections);
  panels.forEach(checkPanel);
  const image: GreyImage = { width, height, data: new Uint8Array(width * height).fill(255) };
  panels.forEach((panel, p) => {
    const top = L.margin + Math.floor(p / columns) * (layout.height + L.rowGap);
    const left = L.margin + (p % columns) * (L.labelWidth + L.grid + L.panelGap);
    const gridLeft = left + L.labelWidth;
    const gridTop = top + layout.gridTop;
    blit(image, gridPixels(panel.images, { rows: 10, cols: 10 }), gridLeft, gridTop);
    const tw = textWidth(panel.title, L.titleScale);
    drawText(image, panel.title, gridLeft + Math.max(0, Math.floor((L.grid - tw) / 2)), top, { scale: L.titleScale });
    if (panel.rowLabels) for (let k = 0; k < 10; k++) drawRowLabel(image, k, gridLeft, gridTop + k * L.cell);

    if (panel.interpolation && panel.interpolation.length > 0) {
      const stripTop = top + layout.interpolationTop!;
      panel.interpolation.forEach((row, r) => {
        if (row.label !== null) drawRowLabel(image, row.label, gridLeft, stripTop + r * L.cell);
      });
      const all = new Float32Array(panel.interpolation.length * L.stripImages * 784);
      panel.interpolation.forEach((row, r) => all.set(row.images, r * L.stripImages * 784));
      blit(image, gridPixels(all, { rows: panel.interpolation.length, cols: L.stripImages }), gridLeft, stripTop);
      drawText(image, FIGURE_CAPTIONS.interpolation, gridLeft, top + layout.interpolationCaptionTop!);
    }

    if (panel.nearest) {
      const n = panel.nearest;
      const pairs = new Float32Array(2 * L.stripImages * 784);
      pairs.set(n.samples, 0);
      pairs.set(n.neighbours, L.stripImages * 784);
      blit(image, gridPixels(pairs, { rows: 2, cols: L.stripImages }), gridLeft, top + layout.nearestTop!);
      drawText(image, FIGURE_CAPTIONS.nearest, gridLeft, top + layout.nearestCaptionTop!);
      for (let i = 0; i < L.stripImages; i++) {
        const text = formatRelativeDistance(n.relative[i]);
        // Centred under image i (its 28 px start 2 px into its 30-px cell).
        drawText(image, text, gridLeft + 2 + i * L.cell + Math.floor((28 - textWidth(text)) / 2), top + layout.distanceTop!);
      }
    }
  });
  return image;
}
