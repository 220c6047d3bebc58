/**
 * `genzoo eval --checkpoint DIR [flags]`: scores a trained run with every
 * metric of src/eval (recipe in eval/model-eval.ts), prints the table with a
 * "real digits" reference row, and writes DIR/eval.json atomically.
 * The judge is the digit classifier shipped with genzoo (--classifier cached
 * or retrain: one trained on this machine, kept in $GENZOO_CACHE or
 * ~/.cache/genzoo).
 */
import { checkDatasetSpec } from '../data/source.js';
import { describeClassifier, formatMetricsTable } from '../eval/report.js';
import { EVAL_DEFAULTS, evaluateCheckpoint, type ModelEvalOptions } from '../eval/model-eval.js';
import { CLASSIFIER_SOURCES, type ClassifierSource, type LoadClassifierOptions } from '../eval/classifier/load.js';
import { parseArgs, type FlagSpec, type FlagValues } from './args.js';
import { activateBackend, parseBackendFlag } from './backend-flag.js';
import { UsageError } from './errors.js';
import { stat } from 'node:fs/promises';
import { withFolderLock } from '../io/lock.js';

export const EVAL_USAGE = `genzoo eval --checkpoint DIR [--n-per-class M] [--seed S] [--iw-k K] [--nll-digits N] [--data mnist|idx:DIR] [--classifier shipped|cached|retrain] [--backend js|wasm|gpu[:mode]|auto]

  Scores the run in DIR (written by genzoo train) and writes DIR/eval.json:
  M samples per class (default ${EVAL_DEFAULTS.perClass}; the unconditional vae: 10·M samples), judged by genzoo's
  calibrated digit classifier, against the held-out digits of --data (default: the run's own data, else
  the embedded digits): faithfulness (the mean probability the judge gives the requested digit), the
  share it is ≥ 90% sure of, and plain accuracy (vae: class entropy instead), Fréchet distance,
  sharpness, diversity, novelty;
  vae/cvae also test −ELBO (${EVAL_DEFAULTS.elboSamples} draws) and importance-weighted NLL with K samples per digit
  (default ${EVAL_DEFAULTS.iwK}) on N held-out digits (default all; an evenly spaced, class-balanced subset if fewer).
  (A conv decoder costs ~12× more per pass than an mlp one: --nll-digits 200 keeps it to a minute or two.)
  The "real digits" row is the reference: what real handwriting scores. Same --seed, same backend: same numbers.
  --classifier: shipped (default) uses the weights that come with genzoo; cached uses one trained on this
  machine by the same recipe, kept in $GENZOO_CACHE (default ~/.cache/genzoo), training it there if it is
  missing or fails its check (minutes); retrain trains it anew and replaces the cached one.`;

export const EVAL_FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: 'string' },
  'n-per-class': { type: 'int', min: 2, max: 10_000, describe: 'an integer from 2 to 10000' },
  seed: { type: 'int', min: 0, max: 2 ** 31, describe: 'a non-negative integer' },
  'iw-k': { type: 'int', min: 1, max: 100_000, describe: 'a positive integer (≥ 100 for a tight bound)' },
  'nll-digits': { type: 'int', min: 1, max: 1_000_000, describe: 'a positive integer' },
  data: { type: 'string' },
  classifier: { type: 'string' },
  backend: { type: 'string' },
};

/** The model-evaluation options the flags give (shared with compare). */
export function evalOptionsFromFlags(flags: FlagValues): ModelEvalOptions {
  return {
    perClass: flags['n-per-class'] as number | undefined,
    seed: flags.seed as number | undefined,
    iwK: flags['iw-k'] as number | undefined,
    likelihoodDigits: flags['nll-digits'] as number | undefined,
  };
}

export function checkDataFlag(flags: FlagValues): string | undefined {
  if (flags.data === undefined) return undefined;
  const problem = checkDatasetSpec(String(flags.data));
  if (problem) throw new UsageError(`--data: ${problem}`);
  return String(flags.data);
}

/**
 * The classifier the flags and the environment ask for: --classifier (default
 * shipped) and the cache folder $GENZOO_CACHE (the library reads no
 * environment variables; this is where the CLI's one is read).
 */
export function classifierOptionsFromFlags(flags: FlagValues, warn: (line: string) => void): LoadClassifierOptions {
  const source = (flags.classifier ?? 'shipped') as string;
  if (!CLASSIFIER_SOURCES.includes(source as ClassifierSource)) {
    throw new UsageError(`--classifier must be one of ${CLASSIFIER_SOURCES.join(', ')}, got '${source}'`);
  }
  const cacheDir = process.env.GENZOO_CACHE || undefined;
  return { source: source as ClassifierSource, cacheDir, warn };
}

export async function runEval(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { flags } = parseArgs(args, EVAL_FLAGS);
  if (flags.checkpoint === undefined) throw new UsageError('missing --checkpoint DIR (a folder written by genzoo train)');
  const data = checkDataFlag(flags);
  const backend = flags.backend !== undefined ? parseBackendFlag(String(flags.backend)) : undefined;
  if (backend) {
    const { note } = activateBackend(backend);
    if (note) out.write(note + '\n');
  }
  const warn = (line: string): void => void process.stderr.write(`genzoo eval: warning: ${line}\n`);
  const classifierOptions = classifierOptionsFromFlags(flags, warn);
  const dir = String(flags.checkpoint);
  const log = (line: string): void => void out.write(line + '\n');
  // One writer at a time in a run folder: eval writes eval.json, and must not score weights a training is replacing.
  const isFolder = await stat(dir).then((st) => st.isDirectory(), () => false);
  const evaluate = (): ReturnType<typeof evaluateCheckpoint> => evaluateCheckpoint(dir, { ...evalOptionsFromFlags(flags), data, log, classifierOptions });
  const { report, reference, run, path } = isFolder ? await withFolderLock(dir, 'evaluating', evaluate) : await evaluate();
  const s = report.settings;
  if (!run.progress.complete) out.write(`note: ${dir} stopped after epoch ${run.progress.epochsDone} of ${run.progress.epochs}; scoring the weights it has\n`);
  out.write(
    `\n${run.config.kind} (${run.config.arch}) from ${dir}: ${s.samplesPerClass * 10} samples${run.model.conditional ? ` (${s.samplesPerClass} per class)` : ''}, ` +
    `seed ${s.seed}, backend ${s.backend}${s.k !== undefined ? `, IW-NLL k = ${s.k} on ${s.likelihoodDigits} digits` : ''}\n` +
    (s.classifier ? `classifier: ${describeClassifier(s.classifier)}\n` : '') + '\n',
  );
  out.write(formatMetricsTable([report.metrics, reference], { format: 'text', legend: true }));
  out.write(`\nwrote ${path}\n`);
  return 0;
}
