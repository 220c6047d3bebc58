/**
 * Load and save. Load: a run folder written by `genzoo train` — dropped as a
 * folder, or its config.json and model.safetensors dropped or chosen — goes to
 * the model worker, which validates both files with the library and answers
 * with the model or with the reason it refuses them (shown here, in the page).
 * Then a seed draws the grid `genzoo sample --checkpoint DIR --seed S` draws.
 * Save: the model the page holds (trained here or loaded) as the same two
 * files, which `genzoo sample` (and Explore, after a reload) accept.
 */
import { IOError } from 'genzoo';
import { byId, download, intValue, showError } from './dom.js';
import { clearCanvas, drawImages } from './images.js';
import type { ModelClient } from './model-client.js';
import { state } from './state.js';

const drop = byId('f-drop');
const input = byId<HTMLInputElement>('f-input');
const error = byId('f-error');
const loadedLine = byId('f-loaded');
const seed = byId<HTMLInputElement>('f-seed');
const sampleButton = byId<HTMLButtonElement>('f-sample');
const grid = byId<HTMLCanvasElement>('f-grid');
const gridCaption = byId('f-grid-caption');
const saveModel = byId<HTMLButtonElement>('f-save-model');
const saveConfig = byId<HTMLButtonElement>('f-save-config');

let client: ModelClient;

/** The files of a dropped folder (one level: a run folder is flat). */
async function folderFiles(entry: FileSystemDirectoryEntry): Promise<File[]> {
  const entries = await new Promise<FileSystemEntry[]>((ok, fail) => entry.createReader().readEntries(ok, fail));
  return Promise.all(entries.filter((e): e is FileSystemFileEntry => e.isFile).map((e) => new Promise<File>((ok, fail) => e.file(ok, fail))));
}

/** Picks config.json and model.safetensors out of what was dropped; names what is missing. */
function pick(files: File[]): { config: File; weights: File } {
  const names = files.map((f) => f.name);
  const config = files.find((f) => f.name === 'config.json') ?? (files.filter((f) => f.name.endsWith('.json')).length === 1 ? files.find((f) => f.name.endsWith('.json')) : undefined);
  const weights = files.find((f) => f.name === 'model.safetensors') ?? (files.filter((f) => f.name.endsWith('.safetensors') && f.name !== 'checkpoint.safetensors').length === 1
    ? files.find((f) => f.name.endsWith('.safetensors') && f.name !== 'checkpoint.safetensors') : undefined);
  const got = names.length ? `got ${names.join(', ')}` : 'got no files';
  if (!config && !weights) throw new IOError(`a run folder's config.json and model.safetensors are needed (written by genzoo train); ${got}`);
  if (!config) throw new IOError(`config.json is missing (it says which model the weights belong to); ${got}`);
  if (!weights) {
    const hint = names.includes('checkpoint.safetensors') ? ' (checkpoint.safetensors is the resume state; the weights are in model.safetensors, in the same folder)' : '';
    throw new IOError(`model.safetensors is missing${hint}; ${got}`);
  }
  return { config, weights };
}

async function load(files: File[]): Promise<void> {
  showError(error, '');
  state.files.error = '';
  try {
    const { config, weights } = pick(files);
    const [configText, modelBytes] = await Promise.all([config.text(), weights.arrayBuffer().then((b) => new Uint8Array(b))]);
    const r = await client.request({ type: 'load', modelBytes, modelName: weights.name, configText, configName: config.name, source: `loaded from ${config.name} and ${weights.name}` }, 'loaded', [modelBytes.buffer]);
    const t = r.model.train;
    loadedLine.textContent = `Loaded ${r.model.config.kind} (${r.model.config.arch}, latent ${r.model.config.latent}), trained ${t.epochs} epochs, batch ${t.batch}, seed ${t.seed} on ${t.backend || 'an unrecorded backend'}.`;
    await sample();
  } catch (err) {
    const message = (err as Error).message;
    state.files.error = message;
    showError(error, message);
    loadedLine.textContent = state.model ? `Still holding the previous model: ${state.model.source}.` : '';
  }
}

async function sample(): Promise<void> {
  const s = intValue(seed, 'Seed');
  const r = await client.request({ type: 'sample', seed: s }, 'images');
  state.files.samples = r.pixels;
  state.files.seed = s;
  drawImages(grid, r.pixels, r.n, 10);
  gridCaption.textContent = `seed ${s}: the grid of  genzoo sample --checkpoint DIR --seed ${s} --out samples.png${state.model?.conditional ? '  (row k = class k)' : ''}`;
}

async function save(which: 'model' | 'config'): Promise<void> {
  const r = await client.request({ type: 'files' }, 'files');
  if (which === 'model') download('model.safetensors', r.modelBytes, 'application/octet-stream');
  else download('config.json', r.configText, 'application/json');
}

export function setupFilesPanel(modelClient: ModelClient): void {
  client = modelClient;
  clearCanvas(grid);
  const report = (p: Promise<void>): void => void p.catch((err: Error) => showError(error, err.message));
  input.addEventListener('change', () => report(load(Array.from(input.files ?? []))));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const items = Array.from(e.dataTransfer?.items ?? []);
    const folder = items.map((i) => i.webkitGetAsEntry?.()).find((en): en is FileSystemDirectoryEntry => !!en && en.isDirectory);
    report(folder ? folderFiles(folder).then(load) : load(Array.from(e.dataTransfer?.files ?? [])));
  });
  // The drop zone is a button for keyboards: Enter or Space opens the file chooser.
  drop.addEventListener('click', () => input.click());
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  sampleButton.addEventListener('click', () => report(sample()));
  seed.addEventListener('change', () => { if (state.model) report(sample()); });
  saveModel.addEventListener('click', () => report(save('model')));
  saveConfig.addEventListener('click', () => report(save('config')));
  const enable = (): void => {
    sampleButton.disabled = saveModel.disabled = saveConfig.disabled = false;
  };
  const previous = client.onLoaded;
  client.onLoaded = (reply) => {
    previous?.(reply);
    enable();
  };
}
