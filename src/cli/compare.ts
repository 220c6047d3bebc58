/**
 * `genzoo compare [--out DIR] [--reuse RUN…] [flags]`: trains (through
 * `genzoo train` itself, with each model's defaults) or reuses one run of each
 * of vae, cvae, cgan and cvaegan, evaluates all four with one classifier and
 * one set of reference digits, and writes
 *
 *   DIR/compare.md    the metrics table (with the real-digits reference row),
 *                     the runs and their training times, the machine, the settings;
 *   DIR/compare.png   the four 10×10 sample grids side by side, in the order
 *                     vae, cvae, cgan, cvaegan (row k = class k; vae: 100 samples),
 *                     drawn as each run's samples.png is, with --seed;
 *   DIR/<model>/      each trained run (reused runs stay where they are), with its eval.json.
 */
import { describeClassifier, formatMetricsTable, formatDuration, homeRelative, type MetricsRow } from '../eval/report.js';
import { comparisonFigure, type FigurePanel } from '../eval/figure/comparison.js';
import { evaluateCheckpoint, prepareEvaluation, realDigitsRow, EVAL_DEFAULTS, type CheckpointEvaluation } from '../eval/model-eval.js';
import { loadRun, RunFolderError, type LoadedRun } from '../train/load-run.js';
import { encodePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import { ensureWritableDirectory } from '../io/directory.js';
import { MODELS } from '../models/registry.js';
import { MODEL_KINDS, type ModelKind } from '../models/types.js';
import { FILES } from '../train/checkpoint.js';
import { isSignalExitCode } from './signals.js';
import { sampleGrid } from '../train/trainer.js';
import { backendInfo } from '../tensor/index.js';
import { VERSION } from '../version.js';
import { parseArgs, type FlagSpec } from './args.js';
import { activateBackend, currentBackendName, parseBackendFlag } from './backend-flag.js';
import { UsageError } from './errors.js';
import { checkDataFlag, classifierOptionsFromFlags, EVAL_FLAGS, evalOptionsFromFlags } from './eval.js';
import { runTrain } from './train.js';
import { StateError } from '../errors.js';

export const COMPARE_USAGE = `genzoo compare [--out DIR] [--reuse RUN [RUN…]] [--epochs-scale F] [--seed S] [--n-per-class M] [--iw-k K] [--nll-digits N] [--data mnist|idx:DIR] [--classifier shipped|cached|retrain] [--backend js|wasm|gpu[:mode]|auto]

  Trains vae, cvae, cgan and cvaegan with their defaults (as genzoo train <model> --out DIR/<model>
  --seed S would), or reuses complete run folders given after --reuse (their models are read from
  their config.json; at most one per model), evaluates each as genzoo eval does (writing its
  eval.json), and writes DIR/compare.md (metrics, training times, machine) and DIR/compare.png (the
  four 10×10 sample grids: vae, cvae, cgan, cvaegan, left to right). DIR defaults to runs/compare.
  --epochs-scale F trains each model for round(F × its default epochs) (at least 1) instead.
  --data: the digits to train on (its training split) and to score against (its test split held out;
  default the embedded digits). --classifier: the judge, as for genzoo eval (default: the shipped one).
  With the defaults this takes about 20–40 minutes on a quiet 2-core CPU (2–5 minutes of training per
  model, more on a busy machine, and under a minute of scoring each).`;

const FLAGS: Record<string, FlagSpec> = {
  out: { type: 'string' },
  'epochs-scale': { type: 'number', min: 1e-6, max: 100, describe: 'a positive number ≤ 100' },
  seed: EVAL_FLAGS.seed,
  'n-per-class': EVAL_FLAGS['n-per-class'],
  'iw-k': EVAL_FLAGS['iw-k'],
  'nll-digits': EVAL_FLAGS['nll-digits'],
  data: { type: 'string' },
  classifier: EVAL_FLAGS.classifier,
  backend: { type: 'string' },
};

/** The fixed order of the table and the figure. */
export const COMPARE_ORDER: readonly ModelKind[] = MODEL_KINDS;

export const COMPARE_FILES = { markdown: 'compare.md', figure: 'compare.png' } as const;

/** The models' names above their grids in compare.png. */
const TITLES: Record<ModelKind, string> = { vae: 'VAE', cvae: 'CVAE', cgan: 'CGAN', cvaegan: 'CVAE-GAN' };

/** Takes every `--reuse A [B …]` / `--reuse=A` out of `args` (the flag may repeat); returns the folders and the other arguments. */
export function splitReuse(args: readonly string[]): { reuse: string[] | null; rest: string[] } {
  let reuse: string[] | null = null;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--reuse' || a.startsWith('--reuse=')) {
      reuse ??= [];
      const before = reuse.length;
      if (a.startsWith('--reuse=')) {
        if (a.length === '--reuse='.length) throw new UsageError('--reuse needs a run folder');
        reuse.push(a.slice('--reuse='.length));
      }
      while (i + 1 < args.length && !args[i + 1].startsWith('-')) reuse.push(args[++i]);
      if (reuse.length === before) throw new UsageError('--reuse needs at least one run folder');
    } else {
      rest.push(a);
    }
  }
  return { reuse, rest };
}

async function exists(path: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return fs.access(path).then(() => true, () => false);
}

interface ComparedModel {
  kind: ModelKind;
  run: LoadedRun;
  reused: boolean;
  result: CheckpointEvaluation;
}

/** compare.md: see the file comment. */
export function compareMarkdown(input: {
  models: readonly ComparedModel[];
  reference: MetricsRow;
  command: string;
  machine: Array<[string, string]>;
  settings: Array<[string, string]>;
  createdAt?: Date;
  /** The home folder, written as ~ in run folders (default: none replaced). */
  home?: string;
}): string {
  const rows = [input.reference, ...input.models.map((m) => m.result.report.metrics)];
  const when = (input.createdAt ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const lines: string[] = [
    '# genzoo compare',
    '',
    `Measured ${when} with genzoo ${VERSION}: \`${input.command}\`.`,
    '',
    '## Metrics',
    '',
    formatMetricsTable(rows, { format: 'markdown', legend: true }).trimEnd(),
    '',
    'The **real digits** row is the reference: the classifier on the held-out digits (faithful, p ≥ 0.9,',
    'accuracy: the best a generator can score with this judge), and training digits drawn as many per class',
    'as the samples, scored as samples are (Fréchet distance, sharpness, diversity; their Fréchet distance is',
    'the floor for this sample count); novelty is 1 by definition. The unconditional **vae** cannot be asked',
    'for a class, so it has no faithfulness or accuracy: its class entropy says whether it draws every digit.',
    '**faithful** is the mean probability the calibrated judge gives the requested digit: the share of',
    'samples a reader would sign, in expectation; **p ≥ 0.9** counts only those it is sure of (genzoo\'s',
    'docs/evaluation.md).',
    '',
    '## Samples',
    '',
    `![vae, cvae, cgan and cvaegan samples](${COMPARE_FILES.figure})`,
    '',
    `Left to right: ${COMPARE_ORDER.join(', ')}. Each grid is the run\'s 10×10 sample sheet (as \`samples.png\`):`,
    'row k holds class k for the conditional models; the vae\'s 100 samples are unconditional.',
    '',
    '## Runs',
    '',
    '| model | run folder | arch | epochs | steps | batch | train time | eval time |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...input.models.map((m) => {
      const p = m.run.progress;
      const ev = (m.result.report.details.seconds as { total?: number } | undefined)?.total;
      return `| ${m.kind} | \`${homeRelative(m.run.dir, input.home ?? '')}\`${m.reused ? ' (reused)' : ''} | ${m.run.config.arch} | ${p.epochsDone} | ${p.steps} | ${m.run.run.train.batch} | ` +
        `${Number.isFinite(p.trainSeconds) ? formatDuration(p.trainSeconds) : '—'} (${m.run.run.train.backend}) | ${ev !== undefined ? formatDuration(ev) : '—'} |`;
    }),
    '',
    '## Machine',
    '',
    ...input.machine.map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Settings',
    '',
    ...input.settings.map(([k, v]) => `- ${k}: ${v}`),
    '',
  ];
  return lines.join('\n');
}

/** The flags of one `genzoo compare`, checked. */
interface CompareSettings {
  outDir: string;
  /** The --backend flag as given (passed on to genzoo train), and parsed. */
  backendFlag: string | undefined;
  backend: ReturnType<typeof parseBackendFlag> | undefined;
  seed: number;
  epochsScale: number | undefined;
  evalOptions: ReturnType<typeof evalOptionsFromFlags>;
  data: string | undefined;
  classifierOptions: ReturnType<typeof classifierOptionsFromFlags>;
}

function compareSettings(rest: string[]): CompareSettings {
  const { flags } = parseArgs(rest, FLAGS);
  const backendFlag = flags.backend !== undefined ? String(flags.backend) : undefined;
  const warn = (line: string): void => void process.stderr.write(`genzoo compare: warning: ${line}\n`);
  return {
    outDir: String(flags.out ?? 'runs/compare'),
    backendFlag,
    backend: backendFlag !== undefined ? parseBackendFlag(backendFlag) : undefined,
    seed: (flags.seed as number | undefined) ?? EVAL_DEFAULTS.seed,
    epochsScale: flags['epochs-scale'] as number | undefined,
    evalOptions: evalOptionsFromFlags(flags),
    data: checkDataFlag(flags),
    classifierOptions: classifierOptionsFromFlags(flags, warn),
  };
}

/** The --reuse folders: each a complete run of a known model, one per model. */
async function loadReusedRuns(dirs: readonly string[]): Promise<Map<ModelKind, LoadedRun>> {
  const reused = new Map<ModelKind, LoadedRun>();
  for (const dir of dirs) {
    const run = await loadRun(dir, { requireComplete: true }).catch((err: unknown) => {
      if (err instanceof RunFolderError && err.incomplete) {
        const p = err.incomplete.progress;
        throw new StateError(`${dir} is not a complete run: it stopped after epoch ${p.epochsDone} of ${p.epochs} (continue it with: genzoo train ${err.incomplete.kind} --out ${dir} --resume)`, { cause: err });
      }
      throw err;
    });
    const other = reused.get(run.config.kind);
    if (other) throw new UsageError(`--reuse: ${other.dir} and ${dir} are both ${run.config.kind} runs (give one run per model)`);
    reused.set(run.config.kind, run);
  }
  return reused;
}

/** Refuses to train into a folder that already holds a run: it would be reused or overwritten unasked. */
async function checkTrainFolders(outDir: string, toTrain: readonly ModelKind[]): Promise<void> {
  const { join } = await import('node:path');
  for (const kind of toTrain) {
    const dir = join(outDir, kind);
    if ((await exists(join(dir, FILES.config))) || (await exists(join(dir, FILES.checkpoint)))) {
      throw new RunFolderError(`${dir} already holds a ${kind} run: reuse it with --reuse ${dir}, or choose another --out`);
    }
  }
}

/** The `genzoo train` arguments for one model of the comparison. */
function trainArgsFor(kind: ModelKind, dir: string, s: CompareSettings): string[] {
  const args = [kind, '--out', dir, '--seed', String(s.seed)];
  if (s.epochsScale !== undefined) {
    const entry = MODELS[kind];
    args.push('--epochs', String(Math.max(1, Math.round(s.epochsScale * entry.defaults(entry.defaultArch).train.epochs))));
  }
  if (s.backendFlag !== undefined) args.push('--backend', s.backendFlag);
  if (s.data !== undefined) args.push('--data', s.data);
  return args;
}

/**
 * Trains each model in `toTrain` through genzoo train and loads its run into
 * `runs`; returns the exit code to stop with (a signal, or a failed training is thrown), or null.
 */
async function trainMissing(toTrain: readonly ModelKind[], s: CompareSettings, runs: Map<ModelKind, { run: LoadedRun; reused: boolean }>, out: NodeJS.WriteStream): Promise<number | null> {
  const { join } = await import('node:path');
  for (const kind of toTrain) {
    const dir = join(s.outDir, kind);
    const trainArgs = trainArgsFor(kind, dir, s);
    out.write(`\n== genzoo train ${trainArgs.join(' ')}\n`);
    const code = await runTrain(trainArgs, out);
    if (isSignalExitCode(code)) {
      out.write(`compare stopped while training ${kind}; resume it with genzoo train ${kind} --out ${dir} --resume, then rerun compare with --reuse ${dir}\n`);
      return code;
    }
    if (code !== 0) throw new StateError(`training ${kind} failed (exit code ${code}); see the message above`);
    runs.set(kind, { run: await loadRun(dir, { requireComplete: true }), reused: false });
  }
  return null;
}

/** compare.md's machine section: CPU, cores, memory, OS, Node and the backend that ran. */
async function machineRows(): Promise<Array<[string, string]>> {
  const os = await import('node:os');
  const info = backendInfo();
  const details = Object.entries(info.details).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => `${k} ${v}`);
  const cpus = os.cpus();
  return [
    ['CPU', `${cpus[0]?.model?.trim() ?? 'unknown'}`],
    ['cores', String(typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length)],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} (${os.arch()})`],
    ['Node.js', process.version],
    ['backend', `${currentBackendName()}${details.length ? ` (${details.join(', ')})` : ''}`],
  ];
}

/** compare.md's settings section: what was scored, by which judge, against which digits. */
function settingRows(models: readonly ComparedModel[], ctx: Awaited<ReturnType<typeof prepareEvaluation>>): Array<[string, string]> {
  const s = models[0].result.report.settings;
  const likelihood = models.find((m) => m.result.report.settings.k !== undefined)?.result.report.settings;
  const rows: Array<[string, string]> = [
    ['samples scored', `${s.samplesPerClass} per class (vae: ${10 * s.samplesPerClass} in all), seed ${s.seed}`],
    ['classifier', describeClassifier(ctx.classifierInfo)],
    ['reference digits', `${ctx.data}: ${ctx.heldOut.n} held-out, ${ctx.training.n} training`],
  ];
  if (likelihood) rows.push(['likelihood', `−ELBO with ${likelihood.elboSamples} draws and IW-NLL with k = ${likelihood.k} per digit, on ${likelihood.likelihoodDigits} held-out digits`]);
  return rows;
}

export async function runCompare(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { reuse, rest } = splitReuse(args);
  const settings = compareSettings(rest);
  const { outDir, seed, evalOptions } = settings;
  const { join } = await import('node:path');
  const os = await import('node:os');

  const reused = await loadReusedRuns(reuse ?? []);
  const toTrain = COMPARE_ORDER.filter((k) => !reused.has(k));
  if (toTrain.length === 0 && settings.epochsScale !== undefined) throw new UsageError('--epochs-scale has no effect: every model is reused (nothing to train)');
  await checkTrainFolders(outDir, toTrain);
  if (reused.size > 0 && toTrain.length > 0) out.write(`reusing ${[...reused.keys()].join(', ')}; training ${toTrain.join(', ')} (not among --reuse)\n`);

  if (settings.backend) {
    const { note } = activateBackend(settings.backend);
    if (note) out.write(note + '\n');
  }
  await ensureWritableDirectory(outDir); // a one-line error (exit 1) before any work, never a hang
  const log = (line: string): void => void out.write(line + '\n');
  // The judge and the reference digits first: a problem there shows before any training.
  const ctx = await prepareEvaluation({ log, data: settings.data, classifierOptions: settings.classifierOptions });

  const runs = new Map<ModelKind, { run: LoadedRun; reused: boolean }>();
  for (const [k, run] of reused) runs.set(k, { run, reused: true });
  const stopped = await trainMissing(toTrain, settings, runs, out);
  if (stopped !== null) return stopped;

  // ---- evaluation, one shared context ----
  out.write('\n== evaluating\n');
  const reference = realDigitsRow(ctx, evalOptions);
  const models: ComparedModel[] = [];
  for (const kind of COMPARE_ORDER) {
    const { run, reused: wasReused } = runs.get(kind)!;
    log(`${kind}: scoring ${run.dir}`);
    const result = await evaluateCheckpoint(run.dir, { ...evalOptions, context: ctx, reference });
    models.push({ kind, run: result.run, reused: wasReused, result });
  }

  // ---- the figure and the report ----
  const panels: FigurePanel[] = models.map((m) => ({
    title: `${TITLES[m.kind]} (${m.run.config.arch})`,
    images: sampleGrid(m.run.model, seed).data,
    rowLabels: m.run.model.conditional,
  }));
  const figurePath = join(outDir, COMPARE_FILES.figure);
  await writeFileAtomic(figurePath, await encodePng(comparisonFigure(panels)));

  const command = ['genzoo', 'compare', ...args].map((arg) => homeRelative(arg, os.homedir())).join(' ');
  const markdown = compareMarkdown({ models, reference: reference.row, command, machine: await machineRows(), settings: settingRows(models, ctx), home: os.homedir() });
  const mdPath = join(outDir, COMPARE_FILES.markdown);
  await writeFileAtomic(mdPath, markdown);

  out.write('\n' + formatMetricsTable([reference.row, ...models.map((m) => m.result.report.metrics)], { format: 'text' }));
  out.write(`\nwrote ${mdPath} and ${figurePath}\n`);
  return 0;
}
