/**
 * `genzoo sample --checkpoint DIR [--class K --n N | --per-class M] [--seed S] --out FILE`
 * Draws samples from a trained run: FILE.png is an image grid, FILE.npy a
 * NumPy float32 array [N, 28, 28] in [0, 1] (class-major for --per-class: the
 * first M are class 0, then M of class 1, …).
 *
 * Defaults: a conditional model draws --per-class 10 (a 10×10 grid, row k =
 * class k); with --n N alone, the labels cycle 0, 1, …, 9, 0, …; the
 * unconditional VAE takes only --n (default 100).
 */
import { Generator } from '../tensor/index.js';
import { saveNpy } from '../io/npy.js';
import { savePng } from '../io/png.js';
import { createModel, validateConfig } from '../models/registry.js';
import { NUM_CLASSES } from '../models/types.js';
import { loadWeights, readRunConfig } from '../train/checkpoint.js';
import { firstNonFinite } from '../train/divergence.js';
import { parseArgs, type FlagSpec } from './args.js';
import { activateBackend, parseBackendFlag } from './backend-flag.js';
import { UsageError } from './errors.js';
import { ValueError } from '../errors.js';

export const SAMPLE_USAGE = `genzoo sample --checkpoint DIR [--class K --n N | --per-class M] [--seed S] [--backend NAME] --out FILE.png|FILE.npy

  Draws samples from the run in DIR (written by genzoo train). FILE.png: an image grid
  (--per-class: row k = class k); FILE.npy: float32 [N, 28, 28] in [0, 1], class-major.
  Default: --per-class 10 (conditional models), --n 100 (vae). --class K with --n N: N of class K
  (--n alone cycles the classes). --seed S (default 0) makes the draw reproducible.`;

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: 'string' },
  class: { type: 'int', min: 0, max: NUM_CLASSES - 1, describe: `a class in 0–${NUM_CLASSES - 1}` },
  n: { type: 'int', min: 1, max: 100_000, describe: 'a positive integer' },
  'per-class': { type: 'int', min: 1, max: 10_000, describe: 'a positive integer' },
  seed: { type: 'int', min: 0, max: 2 ** 31, describe: 'a non-negative integer' },
  backend: { type: 'string' },
  out: { type: 'string' },
};

export async function runSample(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { flags } = parseArgs(args, FLAGS);
  if (flags.checkpoint === undefined) throw new UsageError('missing --checkpoint DIR (a folder written by genzoo train)');
  if (flags.out === undefined) throw new UsageError('missing --out FILE (.png or .npy)');
  const file = String(flags.out);
  const format = file.toLowerCase().endsWith('.png') ? 'png' : file.toLowerCase().endsWith('.npy') ? 'npy' : null;
  if (!format) throw new UsageError(`--out must end in .png or .npy, got '${file}'`);
  const perClass = flags['per-class'] as number | undefined;
  const cls = flags.class as number | undefined;
  const n = flags.n as number | undefined;
  if (perClass !== undefined && (cls !== undefined || n !== undefined)) throw new UsageError('--per-class cannot be combined with --class or --n');
  const backend = flags.backend !== undefined ? parseBackendFlag(String(flags.backend)) : undefined;

  const dir = String(flags.checkpoint);
  const run = await readRunConfig(dir);
  const config = validateConfig(run.model, `${dir}/config.json`);
  const conditional = config.kind !== 'vae';
  if (!conditional && (cls !== undefined || perClass !== undefined)) {
    throw new UsageError(`${dir} holds an unconditional vae: it takes --n N, not --class or --per-class`);
  }
  if (backend) activateBackend(backend);
  const model = createModel(config, 0);
  await loadWeights(dir, model);

  let labels: Int32Array | null = null;
  let count: number;
  let cols: number;
  if (!conditional) {
    count = n ?? 100;
    cols = Math.min(10, count);
  } else if (cls !== undefined) {
    count = n ?? 10;
    labels = new Int32Array(count).fill(cls);
    cols = Math.min(10, count);
  } else if (n !== undefined) {
    count = n;
    labels = Int32Array.from({ length: n }, (_, i) => i % NUM_CLASSES);
    cols = Math.min(10, count);
  } else {
    const m = perClass ?? 10;
    count = m * NUM_CLASSES;
    labels = Int32Array.from({ length: count }, (_, i) => Math.floor(i / m));
    cols = m;
  }
  const generator = new Generator(`${(flags.seed as number | undefined) ?? 0}/sample`);
  const images = model.sample(labels ?? count, generator);
  // Finite weights can still overflow to NaN or ±Infinity: such samples are refused, never written.
  const bad = firstNonFinite({ samples: images });
  if (bad) throw new ValueError(`the samples from ${dir} hold ${bad.value} (sample ${Math.floor(bad.index / 784)}, pixel ${bad.index % 784}); ${file} not written`);
  if (format === 'png') {
    await savePng(file, images, { cols, rows: Math.ceil(count / cols) });
  } else {
    await saveNpy(file, images.reshape([count, 28, 28]));
  }
  const what = labels === null ? `${count} samples` : cls !== undefined ? `${count} samples of class ${cls}` : n !== undefined ? `${count} samples (classes cycling 0–9)` : `${perClass ?? 10} samples per class`;
  out.write(`wrote ${what} from ${config.kind} (${config.arch}) to ${file}\n`);
  return 0;
}
