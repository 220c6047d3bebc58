/**
 * Train: the form (model, architecture, width, latent size, epochs, batch,
 * seed, backend, grid interval), the buttons, the progress line, the loss
 * chart and the sample grid. The work happens in the training worker; this
 * file only talks to it. The form starts with each model's documented
 * defaults (models.MODELS, the same as `genzoo train`), and shows the command
 * line that trains the same run in Node.
 */
import { models } from 'genzoo';
import { byId, duration, h, intValue, showError } from './dom.js';
import { clearCanvas, drawImages } from './images.js';
import { LossChart } from './loss-chart.js';
import type { ModelClient } from './model-client.js';
import { BACKEND_CHOICES, type BackendId, type BackendReport, type FromProbe, type FromTrainer, type TrainRequest } from './protocol.js';
import { state } from './state.js';

const kind = byId<HTMLSelectElement>('t-kind');
const arch = byId<HTMLSelectElement>('t-arch');
const width = byId<HTMLInputElement>('t-width');
const latent = byId<HTMLInputElement>('t-latent');
const epochs = byId<HTMLInputElement>('t-epochs');
const batch = byId<HTMLInputElement>('t-batch');
const seed = byId<HTMLInputElement>('t-seed');
const backend = byId<HTMLSelectElement>('t-backend');
const gridEvery = byId<HTMLInputElement>('t-grid-every');
const form = byId<HTMLFormElement>('train-form');
const startButton = byId<HTMLButtonElement>('t-start');
const pauseButton = byId<HTMLButtonElement>('t-pause');
const stopButton = byId<HTMLButtonElement>('t-stop');
const error = byId('t-error');
const command = byId('t-command');
const backendNote = byId('t-backend-note');
const progressLine = byId('t-progress');
const runLine = byId('t-run');
const gridCanvas = byId<HTMLCanvasElement>('t-grid');
const gridCaption = byId('t-grid-caption');
const backendTable = byId<HTMLTableSectionElement>('t-backends-body');
const chart = new LossChart(byId<HTMLCanvasElement>('t-chart'), byId('t-legend'));

const fields = [kind, arch, width, latent, epochs, batch, seed, backend, gridEvery];

/** Fills width, latent size, epochs and batch with the registry's defaults for the model and architecture. */
function applyDefaults(): void {
  const entry = models.modelEntry(kind.value);
  const d = entry.defaults(arch.value as models.Arch);
  width.value = String(d.model.width);
  latent.value = String(d.model.latent);
  epochs.value = String(d.train.epochs);
  batch.value = String(d.train.batch);
  describeCommand();
}

function readRequest(): TrainRequest {
  return {
    kind: kind.value as models.ModelKind,
    arch: arch.value as models.Arch,
    width: intValue(width, 'Width'),
    latent: intValue(latent, 'Latent size'),
    epochs: intValue(epochs, 'Epochs'),
    batch: intValue(batch, 'Batch'),
    seed: intValue(seed, 'Seed'),
    backend: backend.value as BackendId,
    gridEvery: intValue(gridEvery, 'Grid interval'),
  };
}

/** The `genzoo train` command that gives the same numbers (where Node has the backend). */
function describeCommand(): void {
  const b = backend.value as BackendId;
  const flag = b === 'wasm' || b === 'js' ? b : b === 'wasm-relaxed' ? 'wasm' : null;
  const line = `genzoo train ${kind.value} --arch ${arch.value} --width ${width.value} --latent ${latent.value} --epochs ${epochs.value} --batch ${batch.value} --seed ${seed.value}`;
  command.textContent = flag
    ? `${line} --backend ${flag}${b === 'wasm-relaxed' ? '   (under node --experimental-wasm-relaxed-simd)' : ''}`
    : `${line}   (Node has no ${b.slice(4)}: there use --backend gpu:headlessgl or gpu:webasm; the numbers agree to float32 rounding)`;
}

function describeBackend(): void {
  const report = state.backends.find((r) => r.id === backend.value);
  if (!report) {
    backendNote.textContent = 'checking what runs here…';
    return;
  }
  const d = report.info?.details ?? {};
  const bits: string[] = [];
  if (report.info?.name === 'wasm') {
    bits.push(String(d.simd), `${String(d.threads)} thread${d.threads === 1 ? '' : 's'}`);
    const why = oneThreadReason(report);
    if (why) bits.push(`one thread only: ${why}`);
  }
  if (report.info?.name === 'gpu') {
    if (d.renderer) bits.push(`on ${String(d.renderer)}`);
    if (typeof d.renderer === 'string' && /swiftshader|llvmpipe|software/i.test(d.renderer)) bits.push('a software renderer: the CPU draws it, slower than wasm');
  }
  backendNote.textContent = report.trains
    ? `${report.label}: ${bits.join(', ') || 'ready'}`
    : `${report.label} cannot train here: ${report.reason}`;
}

/** Why wasm runs on one thread here (null where it runs its threads). */
function oneThreadReason(r: BackendReport): string | null {
  const d = r.info?.details ?? {};
  if (r.info?.name !== 'wasm' || d.threads !== 1) return null;
  if (d.noThreads) return String(d.noThreads);
  return crossOriginIsolated ? null : 'the page is not cross-origin isolated, so there is no SharedArrayBuffer (docs/web.md)';
}

/** Shows what is known so far (the probe reports backend by backend); a backend not yet probed stays selectable. */
function showBackends(): void {
  const reports = state.backends;
  for (const option of backend.options) {
    const r = reports.find((x) => x.id === option.value);
    const label = BACKEND_CHOICES.find((c) => c.id === option.value)?.label ?? option.value;
    option.disabled = !!r && !r.trains;
    option.textContent = `${label}${!r ? ' (checking…)' : r.trains ? '' : ' — unavailable'}`;
  }
  if (backend.selectedOptions[0]?.disabled) backend.value = reports.find((r) => r.trains)?.id ?? 'js';
  const inOrder = BACKEND_CHOICES.map((c) => reports.find((r) => r.id === c.id) ?? { id: c.id, label: c.label, pending: true as const });
  backendTable.replaceChildren(...inOrder.map((r) => 'pending' in r
    ? h('tr', {}, h('th', { scope: 'row' }, r.label), h('td', {}, 'checking…'), h('td', {}, ''))
    : h('tr', {},
      h('th', { scope: 'row' }, r.label),
      h('td', {}, r.trains ? 'trains' : r.available ? 'starts, cannot train' : 'unavailable'),
      h('td', {}, r.trains ? summary(r) : r.reason ?? ''))));
  describeBackend();
}

function summary(r: BackendReport): string {
  const d = r.info?.details ?? {};
  const keys = ['simd', 'threads', 'threadsRunning', 'noThreads', 'mode', 'renderer', 'maxTextureSize'];
  const why = d.noThreads === undefined ? oneThreadReason(r) : null;
  return [...keys.filter((k) => d[k] !== undefined).map((k) => `${k}: ${String(d[k])}`), ...(why ? [`one thread: ${why}`] : [])].join('; ') || String(r.info?.name);
}

function setRunning(running: boolean): void {
  fields.forEach((f) => (f.disabled = running));
  startButton.disabled = running;
  pauseButton.disabled = !running;
  stopButton.disabled = !running;
  if (!running) pauseButton.textContent = 'Pause';
  // Options stay disabled where the backend cannot train.
  if (!running) showBackends();
}

const fmt = (v: number): string => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(4));

function onMessage(m: FromTrainer, modelClient: ModelClient): void {
  const t = state.train;
  switch (m.type) {
    case 'started':
      if (t.status === 'starting') t.status = 'running'; // a pause pressed while starting holds
      t.backend = m.backend;
      t.lossNames = m.lossNames;
      chart.reset(m.lossNames);
      runLine.textContent = `${kind.value} (${arch.value}, latent ${latent.value}, ${(m.parameters / 1e6).toFixed(2)}M parameters) on ${m.backend}: ${m.stepsPerEpoch} steps per epoch, ${m.totalSteps} in all`;
      break;
    case 'progress': {
      t.rows.push(...m.rows);
      t.progress = m.progress;
      chart.add(m.rows);
      const p = m.progress;
      const last = t.rows[t.rows.length - 1];
      const losses = t.lossNames.map((n, i) => `${n} ${last ? fmt(last[2 + i]) : '--'}`).join(' · ');
      // After the last epoch's end the loop counts step 0 of an epoch that never comes: show the last step instead.
      const step = p.globalStep === p.totalSteps ? p.stepsPerEpoch : p.step;
      progressLine.textContent = `epoch ${p.epoch}/${p.epochs} · step ${step}/${p.stepsPerEpoch} (${p.globalStep}/${p.totalSteps}) · ${losses} · ` +
        `${Number.isFinite(p.samplesPerSec) ? Math.round(p.samplesPerSec).toLocaleString('en') : '--'} samples/s · ETA ${m.paused ? 'paused' : duration(p.etaSec)}`;
      break;
    }
    case 'grid':
      t.grid = m.pixels;
      t.gridStep = m.step;
      t.gridCount++;
      drawImages(gridCanvas, m.pixels, 100, 10);
      gridCaption.textContent = `samples after step ${m.step} (row k = class k; the run's samples.png)`;
      break;
    case 'model':
      void modelClient.request({ type: 'load', modelBytes: m.modelBytes, modelName: 'model.safetensors', configText: m.configText, configName: 'config.json', source: `trained here (step ${m.step})` }, 'loaded', [m.modelBytes.buffer]);
      break;
    case 'finished':
      t.status = m.status;
      t.message = m.message;
      runLine.textContent = `${m.status === 'failed' ? 'training failed: ' : ''}${m.message}`;
      runLine.classList.toggle('error', m.status === 'failed' || m.status === 'diverged');
      setRunning(false);
      break;
  }
}

export function setupTrainPanel(modelClient: ModelClient): void {
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromTrainer>) => onMessage(event.data, modelClient);
  worker.onerror = (event) => {
    runLine.textContent = `the training worker failed to start: ${event.message}`;
    runLine.classList.add('error');
  };

  kind.replaceChildren(...models.MODEL_KINDS.map((k) => h('option', { value: k }, `${k} — ${models.MODELS[k].summary}`)));
  kind.value = 'cvae';
  arch.replaceChildren(...models.ARCHS.map((a) => h('option', { value: a }, a === 'mlp' ? 'mlp (fully connected)' : 'conv (DCGAN-style)')));
  backend.replaceChildren(...BACKEND_CHOICES.map((b) => h('option', { value: b.id }, b.label)));
  backend.value = 'wasm';
  applyDefaults();
  describeBackend();
  clearCanvas(gridCanvas);
  kind.addEventListener('change', applyDefaults);
  arch.addEventListener('change', applyDefaults);
  backend.addEventListener('change', () => { describeCommand(); describeBackend(); });
  for (const f of [width, latent, epochs, batch, seed]) f.addEventListener('input', describeCommand);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let request: TrainRequest;
    try {
      request = readRequest();
    } catch (err) {
      showError(error, (err as Error).message);
      return;
    }
    showError(error, '');
    Object.assign(state.train, { status: 'starting', message: '', rows: [], progress: null, grid: null, gridStep: -1, gridCount: 0, lossNames: [] });
    runLine.classList.remove('error');
    runLine.textContent = 'starting: loading the digits and the backend…';
    progressLine.textContent = '';
    setRunning(true);
    worker.postMessage({ type: 'start', request });
  });
  pauseButton.addEventListener('click', () => {
    // The button's own state, not the worker's: a pause pressed while the run starts must not be lost.
    const paused = pauseButton.textContent === 'Resume';
    state.train.status = paused ? 'running' : 'paused';
    pauseButton.textContent = paused ? 'Pause' : 'Resume';
    worker.postMessage({ type: paused ? 'resume' : 'pause' });
  });
  stopButton.addEventListener('click', () => worker.postMessage({ type: 'stop' }));
  startProbe();
}

/** The probe worker: reports backend by backend; the form and the table follow. */
function startProbe(): void {
  const probe = new Worker(new URL('./probe-worker.js', import.meta.url), { type: 'module' });
  probe.onmessage = (event: MessageEvent<FromProbe>) => {
    const m = event.data;
    if (m.type === 'backend') {
      state.backends.push(m.report);
      showBackends();
    } else {
      state.probed = true;
      probe.terminate(); // its backends (gpu contexts, wasm threads) are not needed any more
    }
  };
  probe.onerror = (event) => {
    backendNote.textContent = `the probe worker failed: ${event.message}`;
  };
}
