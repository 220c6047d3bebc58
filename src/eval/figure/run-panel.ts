/**
 * One model's panel of the comparison figure (comparison.ts), drawn from the
 * model and the seed alone, so the same seed gives the same pixels:
 *
 *   - the sample grid: the run's 10×10 sample sheet (`samples.png`, train's
 *     `sampleGrid`: row k = class k for conditional models);
 *   - interpolation: {@link INTERPOLATION_CLASSES}.length strips of 10 images
 *     along a straight line between two noise vectors (interpolation.ts), the
 *     pair of strip r drawn from the generator `${seed}/interpolation/${r}`;
 *     a conditional model draws strip r at class INTERPOLATION_CLASSES[r]
 *     (digits whose handwriting varies most: the 2's loop, the 4's open or
 *     closed top, the 7's bar), so a strip shows style changing with the
 *     class held; the vae's strips are unconditional, so they show whether
 *     its latent line passes through digits or through smudges between them;
 *   - memorisation: the grid's first column (for a conditional model one
 *     sample of each class, 0 to 9), each above its nearest training digit,
 *     with the pixel distance relative to held-out digits' mean nearest
 *     distance (memorisation.ts: 0 = a copy; ≈ 1 = as new as unseen handwriting).
 */
import type { GenerativeModel } from '../../models/types.js';
import { Generator } from '../../tensor/index.js';
import type { RowSet } from '../rows.js';
import { sampleGrid } from '../../train/trainer.js';
import { interpolationStrip, noisePair } from '../interpolation.js';
import { nearestTrainingDigits, type NearestTrainingDigits } from '../memorisation.js';
import { FIGURE_LAYOUT, type FigurePanel } from './comparison.js';

/** The class of each interpolation strip of a conditional model (the vae draws as many unconditional strips). */
export const INTERPOLATION_CLASSES: readonly number[] = [2, 4, 7];

/** What {@link runPanel} needs besides the model. */
export interface RunPanelOptions {
  /** Shown above the grid. */
  title: string;
  /** The seed of the sample grid and the interpolation noise. */
  seed: number;
  /** The training digits (the model's training set): where the nearest digits are looked up. */
  training: RowSet;
  /** Mean distance from a held-out digit to its nearest training digit (EvalContext.heldOutNearest). */
  heldOutNearest: number;
}

/** What {@link runPanel} returns: the panel, and the nearest-digit numbers behind it (for compare.md). */
export interface RunPanel {
  /** The figure panel. */
  panel: FigurePanel;
  /** The grid's first column's nearest training digits, indices and distances. */
  nearest: NearestTrainingDigits;
}

/** The grid's first column: image k·10 for k = 0 … 9 (for a conditional model, class k). */
function firstColumn(grid: Float32Array): Float32Array {
  const out = new Float32Array(10 * 784);
  for (let k = 0; k < 10; k++) out.set(grid.subarray(k * 10 * 784, (k * 10 + 1) * 784), k * 784);
  return out;
}

/** The panel of `model` (see the file comment). */
export function runPanel(model: GenerativeModel, opts: RunPanelOptions): RunPanel {
  const gridTensor = sampleGrid(model, opts.seed);
  const grid = Float32Array.from(gridTensor.data);
  gridTensor.dispose();
  const interpolation = INTERPOLATION_CLASSES.map((k, r) => {
    const { from, to } = noisePair(model.config.latent, new Generator(`${opts.seed}/interpolation/${r}`));
    const label = model.conditional ? k : null;
    const strip = interpolationStrip(model, from, to, { steps: FIGURE_LAYOUT.stripImages, label: label ?? undefined });
    return { images: strip.images, label };
  });
  const samples = firstColumn(grid);
  const nearest = nearestTrainingDigits(samples, opts.training, opts.heldOutNearest);
  return {
    panel: {
      title: opts.title,
      images: grid,
      rowLabels: model.conditional,
      interpolation,
      nearest: { samples, neighbours: nearest.images, relative: nearest.relative },
    },
    nearest,
  };
}
