/**
 * Latent interpolation: images decoded along a straight line between two
 * noise vectors, so a reader sees whether the model's latent space is smooth
 * (each step a plausible digit, the style changing gradually) or has holes
 * (smudges midway) and, for a conditional model, whether the class holds
 * along the way. The line runs in the model's standard-normal noise, which
 * `generate` maps to z through the model's prior (a learned class prior
 * included), so every point is a code the model would sample from.
 *
 *   row i = (1 − tᵢ)·from + tᵢ·to,   tᵢ = i / (steps − 1),   i = 0 … steps − 1
 *
 * Written as a weighted sum, not from + tᵢ·(to − from): the end rows are then
 * exactly `from` and `to` (0·a + 1·b = b in floating point), so the strip's
 * ends are exactly `generate(from)` and `generate(to)`.
 * The playground's Explore tab (web/src/explore-panel.ts) draws its
 * interpolation with the same function; `genzoo compare` draws a strip per model.
 */
import type { GenerativeModel } from '../models/types.js';
import { fromArray, Generator } from '../tensor/index.js';
import { moduleBackend } from '../nn/module.js';
import { ShapeError, ValueError } from '../errors.js';

/** `steps` rows of noise from `from` to `to` (see the file comment), row-major [steps, from.length]. */
export function interpolateNoise(from: ArrayLike<number>, to: ArrayLike<number>, steps: number): Float32Array {
  if (from.length !== to.length) throw new ShapeError(`interpolateNoise: the two noise vectors differ in length (${from.length} and ${to.length})`);
  if (from.length === 0) throw new ShapeError('interpolateNoise: empty noise vectors');
  if (!Number.isInteger(steps) || steps < 2) throw new ValueError(`interpolateNoise: steps must be an integer ≥ 2 (both ends are drawn), got ${steps}`);
  const L = from.length;
  const out = new Float32Array(steps * L);
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    for (let d = 0; d < L; d++) out[i * L + d] = (1 - t) * from[d] + t * to[d];
  }
  return out;
}

/** Options of {@link interpolationStrip}. */
export interface InterpolationStripOptions {
  /** Images along the line, both ends included (default 10). */
  steps?: number;
  /** The class every image is asked for (conditional models; required there, refused for the VAE). */
  label?: number;
}

/** What {@link interpolationStrip} returns. */
export interface InterpolationStrip {
  /** `steps` images of 28×28 in [0, 1], [steps·784]. */
  images: Float32Array;
  /** The noise rows that were decoded, [steps·latent]. */
  noise: Float32Array;
}

/**
 * Images of `model.generate` along the line from noise `from` to noise `to`
 * (each of the model's latent size), at one class for conditional models.
 */
export function interpolationStrip(model: GenerativeModel, from: ArrayLike<number>, to: ArrayLike<number>, opts: InterpolationStripOptions = {}): InterpolationStrip {
  const steps = opts.steps ?? 10;
  const latent = model.config.latent;
  if (from.length !== latent || to.length !== latent) throw new ShapeError(`interpolationStrip: ${model.kind} has ${latent} latent dimensions, got noise of ${from.length} and ${to.length}`);
  if (model.conditional && opts.label === undefined) throw new ValueError(`interpolationStrip: ${model.kind} is conditional: give the class to draw`);
  if (!model.conditional && opts.label !== undefined) throw new ValueError('interpolationStrip: the vae is unconditional: give no class');
  const noise = interpolateNoise(from, to, steps);
  // The noise goes where the weights are.
  const z = fromArray(noise, [steps, latent], { backend: moduleBackend(model) ?? undefined });
  const x = model.generate(z, model.conditional ? new Int32Array(steps).fill(opts.label!) : undefined);
  const images = Float32Array.from(x.data);
  z.dispose();
  x.dispose();
  return { images, noise };
}

/** Two standard-normal noise vectors of `latent` values drawn from `generator` (first `from`, then `to`). */
export function noisePair(latent: number, generator: Generator): {
  /** The start of the line. */
  from: Float32Array;
  /** Its end. */
  to: Float32Array;
} {
  const from = Float32Array.from({ length: latent }, () => generator.normal());
  const to = Float32Array.from({ length: latent }, () => generator.normal());
  return { from, to };
}
