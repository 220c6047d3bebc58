/**
 * The training worker: trains one model at a time with the library's
 * training.TrainingLoop — the loop `genzoo train` runs — so that the same
 * settings, seed and backend give the same numbers here as on the command line.
 * The page never freezes: all of it runs here, and between steps the worker
 * yields to its event loop so that pause, resume and stop arrive at once.
 *
 * It streams to the page: the losses of every step and the progress (at most
 * every 100 ms), a 10×10 sample grid every `gridEvery` steps and at the end of
 * each epoch, and the model's files (model.safetensors, config.json) when it
 * pauses, stops or finishes.
 */
import { backendInfo, data, getBackend, models, training, type BackendInfo } from 'genzoo';
import { activate, errorText } from './backends.js';
import { type FromTrainer, type LossRow, type ToTrainer, type TrainEnd, type TrainRequest } from './protocol.js';
import { DIGITS_URL, scope, yieldToEvents } from './worker-scope.js';

const post = (m: FromTrainer, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

let digits: Promise<data.Dataset> | null = null;
/** The 9,003 training digits (the split `genzoo train` uses), fetched once. */
function trainDigits(): Promise<data.Dataset> {
  digits ??= data.mnist({ split: 'train', from: DIGITS_URL });
  digits.catch(() => (digits = null));
  return digits;
}

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

type RunState = 'running' | 'paused' | 'stopping';
let state: RunState | null = null;
let resume: (() => void) | null = null;

async function run(req: TrainRequest): Promise<void> {
  const started = performance.now();
  /** Time spent paused: not training time. */
  let pausedMs = 0;
  const elapsed = (): number => (performance.now() - started - pausedMs) / 1000;
  let loop: training.TrainingLoop | null = null;
  let model: models.GenerativeModel | null = null;
  let trainConfig: training.TrainConfig | null = null;
  let rows: LossRow[] = [];
  let lastPost = 0;
  const flush = (): void => {
    if (!loop) return;
    post({ type: 'progress', rows, progress: loop.progress(), paused: state === 'paused' });
    rows = [];
    lastPost = performance.now();
  };
  const sendGrid = async (): Promise<void> => {
    const grid = loop!.sampleGrid();
    try {
      const pixels = Float32Array.from(await grid.read());
      post({ type: 'grid', step: loop!.globalStep, pixels }, [pixels.buffer]);
    } finally {
      grid.dispose();
    }
  };
  const sendModel = async (): Promise<void> => {
    // Read back asynchronously: a model on WebGPU has no synchronous read.
    const modelBytes = await training.modelFileBytesAsync(model!);
    const configText = training.runConfigText(model!.config, trainConfig!);
    post({ type: 'model', step: loop!.globalStep, modelBytes, configText }, [modelBytes.buffer]);
  };
  const finish = (status: TrainEnd, message: string): void => {
    post({ type: 'finished', status, message, seconds: elapsed(), steps: loop?.globalStep ?? 0 });
  };
  try {
    await activate(req.backend);
    const ds = await trainDigits();
    const config = models.defaultConfig(req.kind, req.arch, { width: req.width, latent: req.latent });
    // As `genzoo train` does: the initial weights from the run's seed, on the run's backend.
    model = models.createModel(config, req.seed);
    model.to(getBackend());
    loop = new training.TrainingLoop(model, ds, { epochs: req.epochs, batch: req.batch, seed: req.seed });
    trainConfig = { epochs: req.epochs, batch: req.batch, seed: req.seed, data: 'mnist', backend: training.currentBackendName() };
    const info: BackendInfo = plain(backendInfo());
    post({
      type: 'started', lossNames: [...model.lossNames], stepsPerEpoch: loop.stepsPerEpoch, totalSteps: loop.totalSteps,
      parameters: model.parameters().reduce((s, p) => s + p.size, 0), backend: trainConfig.backend, info,
    });
    model.train();
    await sendGrid();
    while (!loop.done) {
      if (state === 'stopping') break;
      if (state === 'paused') {
        flush();
        await sendGrid();
        await sendModel();
        const pausedAt = performance.now();
        // A resume (or stop) may have arrived during the awaits above: wait only while still paused.
        while (state === 'paused') await new Promise<void>((ok) => (resume = ok));
        pausedMs += performance.now() - pausedAt;
        loop.resetClock();
        continue;
      }
      const out = await loop.stepAsync();
      if (out.status === 'diverged') {
        flush();
        finish('diverged', `loss '${out.loss.name}' became ${out.loss.value} at step ${out.step} (epoch ${out.epoch}); training stopped`);
        return;
      }
      rows.push([out.globalStep, out.epoch, ...model.lossNames.map((n) => out.losses[n])]);
      if (out.epochDone) loop.endEpoch();
      if (out.epochDone || out.globalStep % req.gridEvery === 0) {
        await sendGrid();
        await sendModel(); // Explore follows the training
      }
      if (performance.now() - lastPost > 100) flush();
      await yieldToEvents();
    }
    flush();
    await sendGrid();
    await sendModel();
    const seconds = elapsed();
    if (loop.done) finish('completed', `trained ${req.epochs} epoch${req.epochs > 1 ? 's' : ''} (${loop.globalStep} steps) in ${seconds.toFixed(1)} s`);
    else finish('stopped', `stopped at step ${loop.globalStep} (epoch ${loop.progress().epoch}, step ${loop.stepInEpoch}/${loop.stepsPerEpoch})`);
  } catch (err) {
    flush();
    finish('failed', errorText(err));
  }
}

scope.onmessage = (event: MessageEvent<ToTrainer>) => {
  const m = event.data;
  switch (m.type) {
    case 'start':
      if (state !== null) return;
      state = 'running';
      void run(m.request).finally(() => (state = null));
      break;
    case 'pause':
      if (state === 'running') state = 'paused';
      break;
    case 'resume':
    case 'stop':
      if (state === 'paused' || state === 'running') state = m.type === 'stop' ? 'stopping' : 'running';
      resume?.();
      resume = null;
      break;
  }
};
