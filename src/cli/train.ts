/**
 * `genzoo train <vae|cvae|cgan|cvaegan> [flags]`: trains a model with its
 * defaults (registry.ts) and the flags' overrides, writing the run folder
 * described in train/checkpoint.ts. Ctrl-C, SIGTERM and SIGHUP save a
 * checkpoint at the current step and exit 130/143/129; a diverging run stops
 * with the step number and keeps the last good checkpoint (exit 1); `--resume`
 * continues a run exactly where it stopped. The library's errors and messages
 * are translated here into the command's words (flags).
 */
import { checkDatasetSpec, loadDataset } from '../data/source.js';
import type { Dataset } from '../data/dataset.js';
import { ensureWritableDirectory } from '../io/directory.js';
import { errorMessage } from '../io/node.js';
import { createModel, defaultConfig, modelEntry } from '../models/registry.js';
import { ARCHS, MODEL_KINDS, isModelKind, type Arch, type ModelConfig, type ModelKind } from '../models/types.js';
import { currentBackendName } from '../train/backend.js';
import { CheckpointError, FILES, type TrainConfig } from '../train/checkpoint.js';
import { RunError } from '../train/errors.js';
import { Progress } from '../train/progress.js';
import { lastBackend, readRunConfig, type RunConfig } from '../train/run-config.js';
import { train, type TrainResult, type TrainStart } from '../train/trainer.js';
import { parseArgs, type FlagSpec, type FlagValues } from './args.js';
import { activateBackend, parseBackendFlag, type BackendChoice } from './backend-flag.js';
import { UsageError } from './errors.js';
import { quietWhenGone } from './output.js';
import { signalExitCode, watchStopSignals, type StopRequests } from './signals.js';
import { IOError, StateError } from '../errors.js';

export const TRAIN_USAGE = `genzoo train <${MODEL_KINDS.join('|')}> [--arch mlp|conv] [--epochs N] [--batch B] [--lr X] [--latent D] [--width W] [--seed S] [--backend js|wasm|gpu[:mode]|auto] [--data mnist|idx:DIR] [--out DIR] [--resume | --force] [--verbose]

  Trains a model on the embedded MNIST digits (or IDX files) and writes DIR/ (default runs/<model>-<arch>):
  config.json, model.safetensors, checkpoint.safetensors, samples.png (10×10, row k = class k),
  losses.csv and losses.svg. A checkpoint is written after every epoch and on Ctrl-C, SIGTERM or SIGHUP;
  --resume continues from it (same numbers as an uninterrupted run on the same backend; a larger
  --epochs extends the run); --force starts over in a DIR that holds a run (its run files are replaced).
  One command at a time writes in a DIR. A loss that is not finite or passes 1e5 stops the run, keeping
  the last good checkpoint. --width sets the networks' hidden units (mlp) or base channels (conv).
  Without flags each model uses its documented defaults (docs/models.md):
${defaultsTable()}`;

/** One line per model: its default architecture and settings (from the registry, so never stale). */
function defaultsTable(): string {
  return MODEL_KINDS.map((k) => {
    const e = modelEntry(k);
    const { model: m, train: t } = e.defaults(e.defaultArch);
    return `    ${k.padEnd(8)} --arch ${m.arch} --epochs ${t.epochs} --batch ${t.batch} --lr ${m.lr} --latent ${m.latent} --width ${m.width}`;
  }).join('\n');
}

const FLAGS: Record<string, FlagSpec> = {
  arch: { type: 'string', choices: ARCHS },
  epochs: { type: 'int', min: 1, max: 100_000, describe: 'a positive integer' },
  batch: { type: 'int', min: 2, max: 100_000, describe: 'an integer ≥ 2' },
  lr: { type: 'number', min: Number.MIN_VALUE, max: 10, describe: 'a positive number ≤ 10' },
  latent: { type: 'int', min: 1, max: 4096, describe: 'a positive integer' },
  width: { type: 'int', min: 2, max: 8192, describe: 'an integer ≥ 2' },
  seed: { type: 'int', min: 0, max: 2 ** 31, describe: 'a non-negative integer' },
  backend: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'bool' },
  force: { type: 'bool' },
};

/** Flags that change what is trained: with --resume they must agree with the saved run. */
const FIXED_ON_RESUME = ['arch', 'batch', 'lr', 'latent', 'width', 'seed', 'data'] as const;
type FixedFlag = (typeof FIXED_ON_RESUME)[number];

function savedValue(flag: FixedFlag, model: ModelConfig, t: TrainConfig): string | number {
  switch (flag) {
    case 'arch': return model.arch;
    case 'lr': return model.lr;
    case 'latent': return model.latent;
    case 'width': return model.width;
    case 'batch': return t.batch;
    case 'seed': return t.seed;
    case 'data': return t.data;
  }
}

/** What the command line asks for, checked (usage errors) but nothing read or loaded yet. */
interface TrainRequest {
  kind: ModelKind;
  flags: FlagValues;
  outDir: string;
  resume: boolean;
  force: boolean;
  backend?: BackendChoice;
}

function parseTrainRequest(args: string[]): TrainRequest {
  const { flags, positionals } = parseArgs(args, FLAGS, ['model']);
  const kind = positionals[0];
  if (kind === undefined) throw new UsageError(`missing the model to train (${MODEL_KINDS.join(', ')})`);
  if (!isModelKind(kind)) throw new UsageError(`unknown model '${kind}' (expected ${MODEL_KINDS.join(', ')})`);
  if (flags.data !== undefined) {
    const problem = checkDatasetSpec(String(flags.data));
    if (problem) throw new UsageError(`--data: ${problem}`);
  }
  const backend = flags.backend !== undefined ? parseBackendFlag(String(flags.backend)) : undefined;
  const arch = (flags.arch as Arch | undefined) ?? modelEntry(kind).defaultArch;
  const resume = flags.resume === true;
  const force = flags.force === true;
  if (resume && force) throw new UsageError('--resume and --force contradict each other (continue the run, or start over)');
  return { kind, flags, outDir: String(flags.out ?? `runs/${kind}-${arch}`), resume, force, backend };
}

/** The configurations to train with: the saved run's (--resume) or the defaults with the flags' overrides. */
interface RunSetup {
  model: ModelConfig;
  train: TrainConfig;
  saved: RunConfig | null;
}

async function resumeSetup(req: TrainRequest): Promise<RunSetup> {
  let saved: RunConfig;
  try {
    saved = await readRunConfig(req.outDir);
  } catch (err) {
    if (err instanceof CheckpointError && err.missing) {
      throw new StateError(`cannot resume: ${err.message} (no checkpoint was ever saved in ${req.outDir}); start it without --resume`, { cause: err });
    }
    throw new StateError(`cannot resume: ${errorMessage(err)}`, { cause: err });
  }
  if (saved.model.kind !== req.kind) throw new StateError(`cannot resume: ${req.outDir} holds a ${saved.model.kind} run, not ${req.kind}`);
  for (const f of FIXED_ON_RESUME) {
    if (req.flags[f] !== undefined && req.flags[f] !== savedValue(f, saved.model, saved.train)) {
      throw new UsageError(`--${f} ${req.flags[f]} conflicts with the run being resumed (${savedValue(f, saved.model, saved.train)}); omit it with --resume`);
    }
  }
  const epochs = (req.flags.epochs as number | undefined) ?? saved.train.epochs;
  // The backend: the flag, else the one the run last trained on.
  return { model: saved.model, train: { ...saved.train, epochs, backend: lastBackend(saved) }, saved };
}

function freshSetup(req: TrainRequest): RunSetup {
  const arch = (req.flags.arch as Arch | undefined) ?? modelEntry(req.kind).defaultArch;
  const d = modelEntry(req.kind).defaults(arch);
  const overrides: Partial<ModelConfig> = {};
  if (req.flags.lr !== undefined) overrides.lr = req.flags.lr as number;
  if (req.flags.latent !== undefined) overrides.latent = req.flags.latent as number;
  if (req.flags.width !== undefined) overrides.width = req.flags.width as number;
  return {
    model: defaultConfig(req.kind, arch, overrides),
    train: {
      epochs: (req.flags.epochs as number | undefined) ?? d.train.epochs,
      batch: (req.flags.batch as number | undefined) ?? d.train.batch,
      seed: (req.flags.seed as number | undefined) ?? 0,
      data: String(req.flags.data ?? 'mnist'),
      backend: '',
    },
    saved: null,
  };
}

/** Activates the backend (the flag's, else the resumed run's, else the default) and returns its recorded name. */
function chooseBackend(req: TrainRequest, setup: RunSetup, say: (line: string) => void): string {
  const wanted = req.backend ?? (setup.saved && setup.train.backend ? parseBackendFlag(setup.train.backend) : undefined);
  if (!wanted) return currentBackendName();
  const { name, note } = activateBackend(wanted);
  if (note) say(note);
  return name;
}

function banner(req: TrainRequest, setup: RunSetup, data: Dataset, params: number, start: TrainStart): string {
  const { model: m, train: t } = setup;
  const from = start.resumedFrom ? ` from step ${start.resumedFrom.globalStep} (epoch ${Math.min(start.resumedFrom.epoch + 1, t.epochs)})` : '';
  return `${req.resume ? 'resuming' : 'training'} ${req.kind} (${m.arch}, latent ${m.latent}, ${(params / 1e6).toFixed(2)}M parameters) ` +
    `on ${data.name} (${data.n} digits)${from}: ${t.epochs} epochs, batch ${t.batch}, lr ${m.lr}, seed ${t.seed}, backend ${start.backend} → ${req.outDir}/`;
}

/** The library's run errors in the command's words. */
function translateRunError(err: RunError, req: TrainRequest): Error {
  const d = err.details;
  switch (err.problem) {
    case 'holds-run':
      return new StateError(`${err.dir} already holds a training run; pass --resume to continue it, or --force to start over (replacing its ${(d.files as string[]).join(', ')})`, { cause: err });
    case 'no-run':
      return new StateError(`cannot resume: ${err.message}; start it without --resume`, { cause: err });
    case 'no-checkpoint':
      return new StateError(`cannot resume: ${err.dir} holds no checkpoint yet (the run stopped before its first one was saved); start it over with --force`, { cause: err });
    case 'fewer-epochs':
      return new UsageError(`--epochs ${d.given} is fewer than the ${d.saved} epochs the run in ${err.dir} is planned for: --resume can extend a run (a larger --epochs), not shorten it`);
    case 'config-mismatch':
      return new UsageError(`${FIXED_ON_RESUME.includes(d.setting as FixedFlag) ? `--${String(d.setting)}` : `the model's ${String(d.setting)}`} ${JSON.stringify(d.given)} conflicts with the run being resumed (${JSON.stringify(d.saved)})`);
    case 'bad-folder':
      return new IOError(`--out ${req.outDir}: ${err.message}`, { cause: err });
    default:
      return err;
  }
}

/** The final lines and the exit code for a training result. */
function report(result: TrainResult, req: TrainRequest, setup: RunSetup, stops: StopRequests, say: (line: string) => void): number {
  const dir = req.outDir;
  switch (result.status) {
    case 'completed':
      if (result.alreadyComplete) {
        say(`already trained for ${setup.train.epochs} epochs (to train more, pass a larger --epochs with --resume)`);
        return 0;
      }
      say(`${result.message}\nsamples: ${dir}/${FILES.samples}  weights: ${dir}/${FILES.model}  losses: ${dir}/${FILES.lossesCsv}, ${dir}/${FILES.lossesSvg}`);
      return 0;
    case 'interrupted': {
      const signal = stops.received ?? 'SIGINT';
      const next = result.checkpointStep === null
        ? `start it again with: genzoo train ${req.kind} --out ${dir}${req.resume ? ' --force' : ''}`
        : `continue with: genzoo train ${req.kind} --out ${dir} --resume`;
      say(`${signal}: ${result.message}\n${next}`);
      return signalExitCode(signal);
    }
    case 'diverged':
      quietWhenGone(process.stderr).write(`genzoo train: ${result.message} (try a smaller --lr than ${setup.model.lr})\n`);
      return 1;
  }
}

export async function runTrain(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const req = parseTrainRequest(args);
  const output = quietWhenGone(out);
  const say = (line: string): void => void output.write(line + '\n');
  // Watch the stop signals from the start: one during loading stops the run before its first step.
  const stops = watchStopSignals('genzoo train', say);
  const progress = new Progress(output);
  try {
    const setup = req.resume ? await resumeSetup(req) : freshSetup(req);
    setup.train.backend = chooseBackend(req, setup, say);
    // An impossible --out fails here, before the data is loaded (the trainer checks again, under its lock).
    if (!req.resume) await ensureWritableDirectory(req.outDir).catch((err: Error) => {
      throw new IOError(`--out ${req.outDir}: ${err.message}`, { cause: err });
    });
    const data = await loadDataset(setup.train.data, { split: 'train' });
    const model = createModel(setup.model, setup.train.seed);
    const params = model.parameters().reduce((s, p) => s + p.size, 0);
    const result = await train({
      model, data, outDir: req.outDir, train: setup.train, resume: req.resume, overwrite: req.force, progress,
      shouldStop: () => stops.received !== null,
      onStart: (start) => {
        say(banner(req, setup, data, params, start));
        for (const note of start.notes) say(`note: ${note}`);
      },
    });
    progress.stop();
    return report(result, req, setup, stops, say);
  } catch (err) {
    throw err instanceof RunError ? translateRunError(err, req) : err;
  } finally {
    progress.stop();
    stops.dispose();
  }
}
