/**
 * `genzoo compare [--out DIR] [--arch mlp|conv|both] [--reuse RUN…] [flags]`:
 * trains (through `genzoo train` itself, with each model's defaults for its
 * architecture) or reuses one run of each of vae, cvae, cgan and cvaegan per
 * architecture compared (--arch both: eight runs), evaluates them all with one
 * classifier and one set of reference digits, and writes
 *
 *   DIR/compare.md    the metrics table (with the real-digits reference row; a row
 *                     per model and architecture), the nearest-training-digit
 *                     distances, the runs and their training times, the machine, the settings;
 *   DIR/compare.png   a panel per run (eval/figure): its 10×10 sample grid (as its
 *                     samples.png, with --seed), interpolation strips, and a few
 *                     samples above their nearest training digits; models left to
 *                     right (vae, cvae, cgan, cvaegan), one row per architecture;
 *   DIR/<model>/      each trained mlp run, DIR/<model>-conv/ each conv run (reused
 *                     runs stay where they are), with its eval.json.
 */
import { describeClassifier, formatMetricsTable, formatDuration, homeRelative, type MetricsRow } from '../eval/report.js';
import { comparisonFigure, formatRelativeDistance } from '../eval/figure/comparison.js';
import { INTERPOLATION_CLASSES, runPanel, type RunPanel } from '../eval/figure/run-panel.js';
import { evaluateCheckpoint, prepareEvaluation, realDigitsRow, EVAL_DEFAULTS, type CheckpointEvaluation } from '../eval/model-eval.js';
import { loadRun, RunFolderError, type LoadedRun } from '../train/load-run.js';
import { encodePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import { ensureWritableDirectory } from '../io/directory.js';
import { MODELS } from '../models/registry.js';
import { ARCHS, MODEL_KINDS, type Arch, type ModelKind } from '../models/types.js';
import { FILES } from '../train/checkpoint.js';
import { isSignalExitCode } from './signals.js';
import { backendInfo } from '../tensor/index.js';
import { VERSION } from '../version.js';
import { parseArgs, type FlagSpec } from './args.js';
import { activateBackend, currentBackendName, parseBackendFlag } from './backend-flag.js';
import { UsageError } from './errors.js';
import { checkDataFlag, classifierOptionsFromFlags, EVAL_FLAGS, evalOptionsFromFlags } from './eval.js';
import { runTrain } from './train.js';
import { StateError } from '../errors.js';

export const COMPARE_USAGE = `genzoo compare [--out DIR] [--arch mlp|conv|both] [--reuse RUN [RUN…]] [--epochs-scale F] [--seed S] [--n-per-class M] [--iw-k K] [--nll-digits N] [--data mnist|idx:DIR] [--classifier shipped|cached|retrain] [--backend js|wasm|gpu[:mode]|auto]

  Trains vae, cvae, cgan and cvaegan with their defaults (as genzoo train <model> --arch A --out
  DIR/<model> --seed S would; conv runs go to DIR/<model>-conv), or reuses complete run folders given
  after --reuse (their model and architecture are read from their config.json; at most one per model
  and architecture), evaluates each as genzoo eval does (writing its eval.json), and writes
  DIR/compare.md (metrics, nearest-training-digit distances, training times, machine) and
  DIR/compare.png (per run: its 10×10 sample grid, three interpolation strips, and ten samples above
  their nearest training digits; vae, cvae, cgan, cvaegan left to right). DIR defaults to runs/compare.
  --arch: the architectures compared (default mlp); both: the four models in each, eight runs, one
  row of the figure and four rows of the table per architecture.
  --epochs-scale F trains each model for round(F × its default epochs) (at least 1) instead.
  --data: the digits to train on (its training split) and to score against (its test split held out;
  default the embedded digits). --classifier: the judge, as for genzoo eval (default: the shipped one).
  With the defaults this takes about 20–40 minutes per architecture on a quiet 2-core CPU (2–5 minutes
  of training per mlp model, up to 10 per conv model, more on a busy machine, and under a minute of
  scoring each).`;

/** The values of --arch, and the architectures each compares. */
const ARCH_CHOICES: Record<string, readonly Arch[]> = { mlp: ['mlp'], conv: ['conv'], both: ARCHS };

const FLAGS: Record<string, FlagSpec> = {
  out: { type: 'string' },
  arch: { type: 'string', choices: Object.keys(ARCH_CHOICES) },
  'epochs-scale': { type: 'number', min: 1e-6, max: 100, describe: 'a positive number ≤ 100' },
  seed: EVAL_FLAGS.seed,
  'n-per-class': EVAL_FLAGS['n-per-class'],
  'iw-k': EVAL_FLAGS['iw-k'],
  'nll-digits': EVAL_FLAGS['nll-digits'],
  data: { type: 'string' },
  classifier: EVAL_FLAGS.classifier,
  backend: { type: 'string' },
};

/** The fixed order of the models in the table and across the figure. */
export const COMPARE_ORDER: readonly ModelKind[] = MODEL_KINDS;

/** The files `genzoo compare` writes into its folder. */
export const COMPARE_FILES = { markdown: 'compare.md', figure: 'compare.png' } as const;

/** The models' names above their grids in compare.png. */
const TITLES: Record<ModelKind, string> = { vae: 'VAE', cvae: 'CVAE', cgan: 'CGAN', cvaegan: 'CVAE-GAN' };

/** One run of the comparison: a model in an architecture. */
interface CompareSlot {
  kind: ModelKind;
  arch: Arch;
}

/** How a slot is named in messages and tables: `cvae (mlp)`. */
const slotName = (s: CompareSlot): string => `${s.kind} (${s.arch})`;
const slotKey = (s: CompareSlot): string => `${s.kind}/${s.arch}`;

/** The slots compared, in table and figure order: architecture by architecture, the models in COMPARE_ORDER. */
function slotsFor(archs: readonly Arch[]): CompareSlot[] {
  return archs.flatMap((arch) => COMPARE_ORDER.map((kind) => ({ kind, arch })));
}

/** Where compare trains a slot's run: DIR/<model> for mlp (as before conv was compared), DIR/<model>-conv for conv. */
function trainFolder(outDir: string, join: (...parts: string[]) => string, s: CompareSlot): string {
  return join(outDir, s.arch === 'mlp' ? s.kind : `${s.kind}-${s.arch}`);
}

/** Takes every `--reuse A [B …]` / `--reuse=A` out of `args` (the flag may repeat); returns the folders and the other arguments. */
export function splitReuse(args: readonly string[]): {
  /** The run folders after --reuse (null when --reuse is absent). */
  reuse: string[] | null;
  /** The other arguments, in order. */
  rest: string[];
} {
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
  /** Its panel of compare.png, and the nearest training digits shown there. */
  figure: RunPanel;
}

/** The nearest-training-digit table of compare.md: one row per run, the relative distances of the grid's first column. */
function nearestTable(models: readonly ComparedModel[]): string[] {
  return [
    '| model | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | closest | novelty |',
    '|---|' + '---:|'.repeat(12),
    ...models.map((m) => {
      const rel = Array.from(m.figure.nearest.relative);
      const novelty = m.result.report.metrics.memorisation;
      return `| ${m.kind} (${m.run.config.arch}) | ${rel.map(formatRelativeDistance).join(' | ')} | ${formatRelativeDistance(Math.min(...rel))} | ` +
        `${typeof novelty === 'number' ? novelty.toFixed(2) : '—'} |`;
    }),
  ];
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
  const archs = [...new Set(input.models.map((m) => m.run.config.arch))];
  const layout = archs.length > 1
    ? `Left to right: ${COMPARE_ORDER.join(', ')}; one row of panels per architecture, top to bottom: ${archs.join(', ')}.`
    : `Left to right: ${COMPARE_ORDER.join(', ')} (${archs[0]}).`;
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
    `${layout} Each panel shows, top to bottom:`,
    '',
    '- **the sample grid**: the run\'s 10×10 sample sheet (as its `samples.png`): row k holds class k for the',
    '  conditional models; the vae\'s 100 samples are unconditional.',
    `- **interpolation**: three strips of 10 images decoded along a straight line between two noise vectors`,
    '  (drawn from the seed; the model\'s prior maps each point to its latent code, as in sampling), both ends',
    `  included. The conditional models hold the class written left of the strip (${INTERPOLATION_CLASSES.join(', ')}: digits whose`,
    '  handwriting varies most), so a strip shows the style changing with the class kept: smooth steps that',
    '  are each a clean digit mean a well-filled latent space; smudges or a change of digit midway show holes',
    '  or a class the generator does not hold. The vae\'s strips are unconditional: they may pass from one',
    '  digit to another, and show whether the way between is digits or smudges.',
    '- **sample (top) and nearest training digit**: the grid\'s first column (one sample of each class, 0 to',
    '  9, for the conditional models), each above the training digit nearest to it in pixels, with their',
    '  distance relative to held-out digits\' mean distance to their nearest training digit (0.00: the sample',
    '  is a training digit; about 1: as far from the training set as new handwriting; blurry samples sit',
    '  closer without copying, as an average digit is near many). The same numbers:',
    '',
    ...nearestTable(input.models),
    '',
    'Columns 0–9: the sample of that class (the vae: of that grid row). **closest** is the smallest of the',
    'ten; **novelty** is the model\'s mean over all scored samples (the metrics table).',
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
  /** The --arch flag as given (default mlp), and the architectures it compares. */
  archFlag: string;
  archs: readonly Arch[];
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
  const archFlag = String(flags.arch ?? 'mlp');
  const warn = (line: string): void => void process.stderr.write(`genzoo compare: warning: ${line}\n`);
  return {
    outDir: String(flags.out ?? 'runs/compare'),
    archFlag,
    archs: ARCH_CHOICES[archFlag],
    backendFlag,
    backend: backendFlag !== undefined ? parseBackendFlag(backendFlag) : undefined,
    seed: (flags.seed as number | undefined) ?? EVAL_DEFAULTS.seed,
    epochsScale: flags['epochs-scale'] as number | undefined,
    evalOptions: evalOptionsFromFlags(flags),
    data: checkDataFlag(flags),
    classifierOptions: classifierOptionsFromFlags(flags, warn),
  };
}

/** The --reuse folders: each a complete run of a known model in a compared architecture, one per model and architecture. */
async function loadReusedRuns(dirs: readonly string[], s: CompareSettings): Promise<Map<string, LoadedRun>> {
  const reused = new Map<string, LoadedRun>();
  for (const dir of dirs) {
    const run = await loadRun(dir, { requireComplete: true }).catch((err: unknown) => {
      if (err instanceof RunFolderError && err.incomplete) {
        const p = err.incomplete.progress;
        throw new StateError(`${dir} is not a complete run: it stopped after epoch ${p.epochsDone} of ${p.epochs} (continue it with: genzoo train ${err.incomplete.kind} --out ${dir} --resume)`, { cause: err });
      }
      throw err;
    });
    const slot: CompareSlot = { kind: run.config.kind, arch: run.config.arch };
    if (!s.archs.includes(slot.arch)) {
      throw new UsageError(`--reuse: ${dir} is a ${slotName(slot)} run, but --arch ${s.archFlag} compares ${s.archs.join(' and ')} runs (give --arch ${slot.arch} or --arch both)`);
    }
    const other = reused.get(slotKey(slot));
    if (other) throw new UsageError(`--reuse: ${other.dir} and ${dir} are both ${slotName(slot)} runs (give one run per model and architecture)`);
    reused.set(slotKey(slot), run);
  }
  return reused;
}

/** Refuses to train into a folder that already holds a run: it would be reused or overwritten unasked. */
async function checkTrainFolders(outDir: string, toTrain: readonly CompareSlot[]): Promise<void> {
  const { join } = await import('node:path');
  for (const slot of toTrain) {
    const dir = trainFolder(outDir, join, slot);
    if ((await exists(join(dir, FILES.config))) || (await exists(join(dir, FILES.checkpoint)))) {
      throw new RunFolderError(`${dir} already holds a run (compare would train ${slotName(slot)} there): reuse it with --reuse ${dir}, or choose another --out`);
    }
  }
}

/** The `genzoo train` arguments for one run of the comparison. */
function trainArgsFor(slot: CompareSlot, dir: string, s: CompareSettings): string[] {
  const args = [slot.kind, '--arch', slot.arch, '--out', dir, '--seed', String(s.seed)];
  if (s.epochsScale !== undefined) {
    const entry = MODELS[slot.kind];
    args.push('--epochs', String(Math.max(1, Math.round(s.epochsScale * entry.defaults(slot.arch).train.epochs))));
  }
  if (s.backendFlag !== undefined) args.push('--backend', s.backendFlag);
  if (s.data !== undefined) args.push('--data', s.data);
  return args;
}

/**
 * Trains each slot in `toTrain` through genzoo train and loads its run into
 * `runs`; returns the exit code to stop with (a signal, or a failed training is thrown), or null.
 */
async function trainMissing(toTrain: readonly CompareSlot[], s: CompareSettings, runs: Map<string, { run: LoadedRun; reused: boolean }>, out: NodeJS.WriteStream): Promise<number | null> {
  const { join } = await import('node:path');
  for (const slot of toTrain) {
    const dir = trainFolder(s.outDir, join, slot);
    const trainArgs = trainArgsFor(slot, dir, s);
    out.write(`\n== genzoo train ${trainArgs.join(' ')}\n`);
    const code = await runTrain(trainArgs, out);
    if (isSignalExitCode(code)) {
      out.write(`compare stopped while training ${slotName(slot)}; resume it with genzoo train ${slot.kind} --out ${dir} --resume, then rerun compare with --reuse ${dir}\n`);
      return code;
    }
    if (code !== 0) throw new StateError(`training ${slotName(slot)} failed (exit code ${code}); see the message above`);
    runs.set(slotKey(slot), { run: await loadRun(dir, { requireComplete: true }), reused: false });
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
function settingRows(models: readonly ComparedModel[], ctx: Awaited<ReturnType<typeof prepareEvaluation>>, seed: number): Array<[string, string]> {
  const s = models[0].result.report.settings;
  const likelihood = models.find((m) => m.result.report.settings.k !== undefined)?.result.report.settings;
  const rows: Array<[string, string]> = [
    ['samples scored', `${s.samplesPerClass} per class (vae: ${10 * s.samplesPerClass} in all), seed ${s.seed}`],
    ['classifier', describeClassifier(ctx.classifierInfo)],
    ['reference digits', `${ctx.data}: ${ctx.heldOut.n} held-out, ${ctx.training.n} training`],
  ];
  if (likelihood) rows.push(['likelihood', `−ELBO with ${likelihood.elboSamples} draws and IW-NLL with k = ${likelihood.k} per digit, on ${likelihood.likelihoodDigits} held-out digits`]);
  rows.push(['figure', `sample grids drawn with seed ${seed} (as a run's samples.png is); interpolation noise from seed ${seed}; nearest training digits among the ${ctx.training.n} training digits, relative to the held-out digits' mean nearest distance ${ctx.heldOutNearest.toFixed(2)}`]);
  return rows;
}

export async function runCompare(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { reuse, rest } = splitReuse(args);
  const settings = compareSettings(rest);
  const { outDir, seed, evalOptions } = settings;
  const { join } = await import('node:path');
  const os = await import('node:os');

  const reused = await loadReusedRuns(reuse ?? [], settings);
  const slots = slotsFor(settings.archs);
  const toTrain = slots.filter((slot) => !reused.has(slotKey(slot)));
  if (toTrain.length === 0 && settings.epochsScale !== undefined) throw new UsageError('--epochs-scale has no effect: every model is reused (nothing to train)');
  await checkTrainFolders(outDir, toTrain);
  if (reused.size > 0 && toTrain.length > 0) {
    const names = (list: readonly CompareSlot[]): string => list.map(slotName).join(', ');
    out.write(`reusing ${names(slots.filter((slot) => reused.has(slotKey(slot))))}; training ${names(toTrain)} (not among --reuse)\n`);
  }

  if (settings.backend) {
    const { note } = activateBackend(settings.backend);
    if (note) out.write(note + '\n');
  }
  await ensureWritableDirectory(outDir); // a one-line error (exit 1) before any work, never a hang
  const log = (line: string): void => void out.write(line + '\n');
  // The judge and the reference digits first: a problem there shows before any training.
  const ctx = await prepareEvaluation({ log, data: settings.data, classifierOptions: settings.classifierOptions });

  const runs = new Map<string, { run: LoadedRun; reused: boolean }>();
  for (const [k, run] of reused) runs.set(k, { run, reused: true });
  const stopped = await trainMissing(toTrain, settings, runs, out);
  if (stopped !== null) return stopped;

  // ---- evaluation, one shared context; each run's figure panel ----
  out.write('\n== evaluating\n');
  const reference = realDigitsRow(ctx, evalOptions);
  const models: ComparedModel[] = [];
  for (const slot of slots) {
    const { run, reused: wasReused } = runs.get(slotKey(slot))!;
    log(`${slotName(slot)}: scoring ${run.dir}`);
    const result = await evaluateCheckpoint(run.dir, { ...evalOptions, context: ctx, reference });
    const figure = runPanel(result.run.model, {
      title: `${TITLES[slot.kind]} (${slot.arch})`, seed, training: ctx.training.images, heldOutNearest: ctx.heldOutNearest,
    });
    models.push({ kind: slot.kind, run: result.run, reused: wasReused, result, figure });
  }

  // ---- the figure and the report ----
  const figurePath = join(outDir, COMPARE_FILES.figure);
  await writeFileAtomic(figurePath, await encodePng(comparisonFigure(models.map((m) => m.figure.panel), { columns: COMPARE_ORDER.length })));

  const command = ['genzoo', 'compare', ...args].map((arg) => homeRelative(arg, os.homedir())).join(' ');
  const markdown = compareMarkdown({ models, reference: reference.row, command, machine: await machineRows(), settings: settingRows(models, ctx, seed), home: os.homedir() });
  const mdPath = join(outDir, COMPARE_FILES.markdown);
  await writeFileAtomic(mdPath, markdown);

  out.write('\n' + formatMetricsTable([reference.row, ...models.map((m) => m.result.report.metrics)], { format: 'text' }));
  out.write(`\nwrote ${mdPath} and ${figurePath}\n`);
  return 0;
}
