/**
 * `genzoo train <vae|cvae|cgan|cvaegan> [flags]`: trains a model with its
 * defaults (registry.ts) and the flags' overrides, writing the run folder
 * described in train/checkpoint.ts. Ctrl-C saves a checkpoint and exits (130);
 * a NaN/Inf loss stops with the step number and keeps the last good
 * checkpoint (exit 1); `--resume` continues a run exactly where it stopped.
 */
import { checkDatasetSpec, loadDataset } from '../data/source.js';
import { createModel, defaultConfig, modelEntry } from '../models/registry.js';
import { ARCHS, MODEL_KINDS, isModelKind, type Arch, type ModelConfig } from '../models/types.js';
import { FILES, readRunConfig, type TrainConfig } from '../train/checkpoint.js';
import { Progress } from '../train/progress.js';
import { train } from '../train/trainer.js';
import { parseArgs, type FlagSpec } from './args.js';
import { activateBackend, currentBackendName, parseBackendFlag } from './backend-flag.js';
import { UsageError } from './errors.js';

export const TRAIN_USAGE = `genzoo train <${MODEL_KINDS.join('|')}> [--arch mlp|conv] [--epochs N] [--batch B] [--lr X] [--latent D] [--width W] [--seed S] [--backend js|wasm|gpu[:mode]|auto] [--data mnist|idx:DIR] [--out DIR] [--resume | --force] [--verbose]

  Trains a model on the embedded MNIST digits (or IDX files) and writes DIR/ (default runs/<model>-<arch>):
  config.json, model.safetensors, checkpoint.safetensors, samples.png (10×10, row k = class k),
  losses.csv and losses.svg. A checkpoint is written after every epoch and on Ctrl-C;
  --resume continues from it (same numbers as an uninterrupted run on the same backend);
  --force starts over in a DIR that already holds a run (its run files are replaced).
  --width sets the networks' hidden units (mlp) or base channels (conv). Without flags each
  model uses its documented defaults (docs/models.md):
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

function savedValue(flag: (typeof FIXED_ON_RESUME)[number], model: ModelConfig, t: TrainConfig): string | number {
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

/** --force: deletes the files of a previous run in DIR (and nothing else). */
async function removeRunFiles(dir: string): Promise<void> {
  const fs = await import('node:fs/promises');
  await Promise.all(Object.values(FILES).map((f) => fs.rm(`${dir}/${f}`, { force: true })));
}

export async function runTrain(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { flags, positionals } = parseArgs(args, FLAGS, ['model']);
  const kind = positionals[0];
  if (kind === undefined) throw new UsageError(`missing the model to train (${MODEL_KINDS.join(', ')})`);
  if (!isModelKind(kind)) throw new UsageError(`unknown model '${kind}' (expected ${MODEL_KINDS.join(', ')})`);
  const entry = modelEntry(kind);
  if (flags.data !== undefined) {
    const problem = checkDatasetSpec(String(flags.data));
    if (problem) throw new UsageError(`--data: ${problem}`);
  }
  const backendChoice = flags.backend !== undefined ? parseBackendFlag(String(flags.backend)) : undefined;
  const arch = (flags.arch as Arch | undefined) ?? entry.defaultArch;
  const outDir = String(flags.out ?? `runs/${kind}-${arch}`);
  const resume = flags.resume === true;
  if (resume && flags.force) throw new UsageError('--resume and --force contradict each other (continue the run, or start over)');

  let modelConfig: ModelConfig;
  let trainConfig: TrainConfig;
  if (resume) {
    const saved = await readRunConfig(outDir).catch((err: Error) => {
      throw new Error(`cannot resume: ${err.message}`);
    });
    if (saved.model.kind !== kind) throw new Error(`cannot resume: ${outDir} holds a ${saved.model.kind} run, not ${kind}`);
    for (const f of FIXED_ON_RESUME) {
      if (flags[f] !== undefined && flags[f] !== savedValue(f, saved.model, saved.train)) {
        throw new UsageError(`--${f} ${flags[f]} conflicts with the run being resumed (${savedValue(f, saved.model, saved.train)}); omit it with --resume`);
      }
    }
    modelConfig = saved.model;
    trainConfig = { ...saved.train, epochs: (flags.epochs as number | undefined) ?? saved.train.epochs };
  } else {
    const d = entry.defaults(arch);
    const overrides: Partial<ModelConfig> = {};
    if (flags.lr !== undefined) overrides.lr = flags.lr as number;
    if (flags.latent !== undefined) overrides.latent = flags.latent as number;
    if (flags.width !== undefined) overrides.width = flags.width as number;
    modelConfig = defaultConfig(kind, arch, overrides);
    trainConfig = {
      epochs: (flags.epochs as number | undefined) ?? d.train.epochs,
      batch: (flags.batch as number | undefined) ?? d.train.batch,
      seed: (flags.seed as number | undefined) ?? 0,
      data: String(flags.data ?? 'mnist'),
      backend: '',
    };
  }

  // The backend: the flag, else the one the resumed run used, else the library's default.
  const wanted = backendChoice ?? (resume && trainConfig.backend ? parseBackendFlag(trainConfig.backend) : undefined);
  if (wanted) {
    const { name, note } = activateBackend(wanted);
    trainConfig.backend = name;
    if (note) out.write(note + '\n');
  } else {
    trainConfig.backend = currentBackendName();
  }

  const data = await loadDataset(trainConfig.data, { split: 'train' });
  if (flags.force) await removeRunFiles(outDir);
  const model = createModel(modelConfig, trainConfig.seed);
  const params = model.parameters().reduce((s, p) => s + p.size, 0);
  out.write(
    `${resume ? 'resuming' : 'training'} ${kind} (${modelConfig.arch}, latent ${modelConfig.latent}, ${(params / 1e6).toFixed(2)}M parameters) ` +
    `on ${data.name} (${data.n} digits): ${trainConfig.epochs} epochs, batch ${trainConfig.batch}, lr ${modelConfig.lr}, seed ${trainConfig.seed}, backend ${trainConfig.backend} → ${outDir}/\n`,
  );

  // Ctrl-C: the first asks for a checkpoint at the next step boundary; a second exits at once.
  let stopRequested = false;
  const onSigint = (): void => {
    if (stopRequested) {
      out.write('\ngenzoo train: interrupted again, exiting without a checkpoint\n');
      process.exit(130);
    }
    stopRequested = true;
  };
  process.on('SIGINT', onSigint);
  const progress = new Progress(out);
  let result;
  try {
    result = await train({ model, data, outDir, train: trainConfig, resume, progress, shouldStop: () => stopRequested });
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  switch (result.status) {
    case 'completed':
      out.write(`${result.message}\nsamples: ${outDir}/${FILES.samples}  weights: ${outDir}/${FILES.model}  losses: ${outDir}/${FILES.lossesCsv}, ${outDir}/${FILES.lossesSvg}\n`);
      return 0;
    case 'interrupted':
      out.write(`${result.message}\ncontinue with: genzoo train ${kind} --out ${outDir} --resume\n`);
      return 130;
    case 'diverged':
      process.stderr.write(`genzoo train: ${result.message}\n`);
      return 1;
  }
}
