/**
 * Moving a genzoo run to PyTorch and back (docs/pytorch.md).
 *
 *   exportToPyTorch(runDir, outDir)   writes outDir/model.py (plain nn.Module classes),
 *                                     model.safetensors (weights and buffers under the
 *                                     names model.py expects), optimizer.safetensors (Adam
 *                                     state, when the run has a checkpoint), config.json
 *                                     and README.md. No Python is needed.
 *   importFromPyTorch(file, config, outDir)
 *                                     checks a state dict saved by PyTorch for the same
 *                                     architecture against the model, converts it (rules in
 *                                     state.ts) and writes a run folder (config.json +
 *                                     model.safetensors) that `sample` and `load` read.
 * Node-only (files); the folders are written atomically file by file.
 */
import { deserialize, serialize } from '../../io/safetensors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { fsReason, nodeFs, nodePath } from '../../io/node.js';
import { createModel, defaultConfig, modelEntry, validateConfig } from '../../models/registry.js';
import { isModelKind, type GenerativeModel, type ModelConfig } from '../../models/types.js';
import {
  FILES, RUN_FORMAT, loadCheckpoint, loadWeights, readRunConfig, writeRunConfig, writeWeights,
  type RunConfig, type TrainConfig,
} from '../../train/checkpoint.js';
import { modelPy } from './model-py.js';
import { exportReadme } from './readme.js';
import { convertForImport, exportedState, optimizerSpecs, optimizerState, type ImportNotes } from './state.js';
import { IOError, StateError } from '../../errors.js';

export { modelPy, pyLiteral, pyString, PY_CLASS } from './model-py.js';
export {
  convertForImport, exportedState, integerBuffers, optimizerSpecs, optimizerState,
  type ImportNotes, type OptimizerSpec, type IntegerDTypes,
} from './state.js';

/** The files an export writes into its folder. */
export const EXPORT_FILES = {
  /** The nn.Module classes (plain PyTorch, no genzoo needed) and a `load(folder)` helper. */
  code: 'model.py',
  /** Weights and buffers under the names model.py's modules expect. */
  weights: 'model.safetensors',
  /** The Adam states of the run's optimizers (only when the run has a checkpoint). */
  optimizer: 'optimizer.safetensors',
  /** The run's config.json, as it was. */
  config: 'config.json',
  /** How to load the export in Python. */
  readme: 'README.md',
} as const;

/** Options of {@link exportToPyTorch}. */
export interface ExportOptions {
  /** Export the optimizers' Adam state when the run has a checkpoint (default true). */
  optimizer?: boolean;
  /** Replace an earlier export in `outDir` (default false: refuse). */
  overwrite?: boolean;
}

/** What {@link exportToPyTorch} wrote. */
export interface ExportResult {
  /** The exported model's kind ('vae', 'cvae', 'cgan', 'cvaegan'). */
  kind: ModelConfig['kind'];
  /** Its architecture ('mlp' or 'conv'). */
  arch: ModelConfig['arch'];
  /** Paths written. */
  files: string[];
  /** 'exported'; 'not requested'; or 'no checkpoint' when the run has no checkpoint.safetensors. */
  optimizer: 'exported' | 'not requested' | 'no checkpoint';
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs('exportToPyTorch');
  return fs.access(path).then(() => true, () => false);
}

/** Makes `dir`, refusing one that already holds any of `files` unless `overwrite`. */
async function prepareFolder(dir: string, files: readonly string[], what: string, overwrite: boolean): Promise<void> {
  const fs = await nodeFs(what);
  const { join } = await nodePath(what);
  const st = await fs.stat(dir).catch(() => null);
  if (st && !st.isDirectory()) throw new IOError(`${dir} is not a folder`);
  if (!overwrite) {
    for (const f of files) {
      if (await exists(join(dir, f))) throw new StateError(`${dir} already holds ${f}; choose another folder or overwrite it`);
    }
  }
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new IOError(`cannot create ${dir}: ${fsReason(err)}`);
  }
}

/** Loads a run's model: weights, and the optimizer state from the checkpoint when wanted and present. */
async function loadRun(runDir: string, wantOptimizer: boolean): Promise<{ run: RunConfig; model: GenerativeModel; optimizer: ExportResult['optimizer'] }> {
  const { join } = await nodePath('exportToPyTorch');
  const run = await readRunConfig(runDir);
  const config = validateConfig(run.model, join(runDir, FILES.config));
  const model = createModel(config, 0);
  if (!wantOptimizer) {
    await loadWeights(runDir, model);
    return { run, model, optimizer: 'not requested' };
  }
  if (!(await exists(join(runDir, FILES.checkpoint)))) {
    await loadWeights(runDir, model);
    return { run, model, optimizer: 'no checkpoint' };
  }
  // The checkpoint holds the same weights as model.safetensors (written together) plus the optimizers.
  await loadCheckpoint(runDir, model);
  return { run, model, optimizer: 'exported' };
}

/** Writes the PyTorch export of the run in `runDir` into `outDir` (see the file comment). */
export async function exportToPyTorch(runDir: string, outDir: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const { join, resolve } = await nodePath('exportToPyTorch');
  const fs = await nodeFs('exportToPyTorch');
  const { run, model, optimizer } = await loadRun(runDir, opts.optimizer !== false);
  await prepareFolder(outDir, Object.values(EXPORT_FILES), 'exportToPyTorch', opts.overwrite === true);
  const meta = { format: 'genzoo-pytorch-export/1', kind: model.kind, arch: model.config.arch, config: JSON.stringify(model.config) };
  const files: string[] = [];
  const write = async (name: string, data: Uint8Array | string): Promise<void> => {
    const path = join(outDir, name);
    await writeFileAtomic(path, data);
    files.push(path);
  };
  const weights = exportedState(model);
  await write(EXPORT_FILES.weights, serialize(weights.tensors, meta, { dtypes: weights.dtypes }));
  if (optimizer === 'exported') {
    const state = optimizerState(model);
    await write(EXPORT_FILES.optimizer, serialize(state.tensors, { format: 'genzoo-pytorch-optimizer/1', kind: model.kind }, { dtypes: state.dtypes }));
  } else {
    // An earlier export's optimizer state would not belong to these weights.
    await fs.rm(join(outDir, EXPORT_FILES.optimizer), { force: true });
  }
  await write(EXPORT_FILES.config, JSON.stringify(run, null, 2) + '\n');
  await write(EXPORT_FILES.code, modelPy(model, optimizerSpecs(model)));
  await write(EXPORT_FILES.readme, exportReadme(model.config, resolve(outDir), { optimizer: optimizer === 'exported', conditional: model.conditional }));
  return { kind: model.kind, arch: model.config.arch, files, optimizer };
}

/** Options of {@link importFromPyTorch}. */
export interface ImportOptions {
  /** Replace a run in `outDir` (its run files are removed first; default false: refuse). */
  overwrite?: boolean;
}

/** What {@link importFromPyTorch} wrote. */
export interface ImportResult {
  /** The model configuration the weights were checked against and the run was written with. */
  config: ModelConfig;
  /** Paths written. */
  files: string[];
  /** Which tensors were converted, and how. */
  notes: ImportNotes;
}

/**
 * The model (and training) configuration from a JSON file: a run's or an
 * export's config.json, or a bare model configuration ({"kind": …} with any
 * fields left out taking the model's defaults).
 */
export async function readImportConfig(path: string): Promise<{
  /** The model configuration, validated, with defaults filled in. */
  model: ModelConfig;
  /** The training settings of a run's config.json; null for a bare model configuration. */
  train: TrainConfig | null;
}> {
  const fs = await nodeFs('importFromPyTorch');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new IOError(`cannot read ${path}: ${fsReason(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IOError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const obj = json as Partial<RunConfig> & Partial<ModelConfig> | null;
  if (obj && typeof obj === 'object' && obj.format === RUN_FORMAT && obj.model) {
    return { model: validateConfig(obj.model, path), train: obj.train ?? null };
  }
  if (obj && typeof obj === 'object' && typeof obj.kind === 'string') {
    if (!isModelKind(obj.kind)) validateConfig(obj, path); // names the unknown kind
    const { kind, ...rest } = obj as ModelConfig;
    return { model: validateConfig(defaultConfig(kind, rest.arch, rest), path), train: null };
  }
  throw new IOError(`${path} is not a genzoo configuration (expected a run's config.json, "format": "${RUN_FORMAT}", or a model config with "kind")`);
}

/** Imports a PyTorch state dict saved as safetensors into a genzoo run folder (see the file comment). */
export async function importFromPyTorch(file: string, configPath: string, outDir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const fs = await nodeFs('importFromPyTorch');
  const { join } = await nodePath('importFromPyTorch');
  const { model: config, train } = await readImportConfig(configPath);
  const model = createModel(config, 0);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new IOError(`cannot read ${file}: ${fsReason(err)}`);
  }
  const { tensors, notes } = convertForImport(deserialize(bytes, file), model, file);
  model.loadStateDict(tensors);

  const runFiles = Object.values(FILES);
  await prepareFolder(outDir, runFiles, 'importFromPyTorch', opts.overwrite === true);
  if (opts.overwrite) await Promise.all(runFiles.map((f) => fs.rm(join(outDir, f), { force: true })));
  const defaults = modelEntry(config.kind).defaults(config.arch).train;
  const trainConfig: TrainConfig = train ?? { epochs: defaults.epochs, batch: defaults.batch, seed: 0, data: 'mnist', backend: '' };
  await writeRunConfig(outDir, config, trainConfig);
  await writeWeights(outDir, model);
  return { config, files: [join(outDir, FILES.config), join(outDir, FILES.model)], notes };
}
