/**
 * The probe worker: finds out what each backend can do in this browser. It
 * starts each one and runs one training step of a tiny model there, and
 * reports each backend as soon as it is known — the cheap ones (wasm, js)
 * first, the gpu modes (whose first step compiles every kernel: seconds, on
 * a software renderer much more) after. It is a worker of its own so that
 * training never waits for it: a backend is a per-worker setting.
 */
import { BackendError, backendInfo, data, getBackend, models, training } from 'genzoo';
import { activate, errorText } from './backends.js';
import { BACKEND_CHOICES, type BackendId, type BackendReport, type FromProbe } from './protocol.js';
import { scope } from './worker-scope.js';

/** Cheap first: the page can train on wasm while the gpu modes are still compiling. */
const PROBE_ORDER: BackendId[] = ['wasm', 'js', 'wasm-relaxed', 'gpu:webgl2', 'gpu:webgl', 'gpu:webgpu'];

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function probeOne(id: BackendId): Promise<BackendReport> {
  const label = BACKEND_CHOICES.find((c) => c.id === id)!.label;
  const report: BackendReport = { id, label, available: false, trains: false };
  try {
    await activate(id);
    report.available = true;
    report.info = plain(backendInfo());
    const model = models.createModel(models.defaultConfig('cvae', 'mlp', { width: 8, latent: 2 }), 0);
    model.to(getBackend());
    const images = data.makeDataset(new Float32Array(2 * 784).fill(0.5), Int32Array.from([3, 7]), { name: 'probe', height: 28, width: 28, classes: 10 });
    const loop = new training.TrainingLoop(model, images, { epochs: 1, batch: 2, seed: 0 });
    const out = await loop.stepAsync();
    if (out.status !== 'ok') throw new BackendError(`the probe step's loss '${out.loss.name}' was ${out.loss.value}`);
    report.trains = true;
  } catch (err) {
    report.reason = report.available ? `it starts, but a training step fails: ${errorText(err)}` : errorText(err);
  }
  return report;
}

void (async () => {
  for (const id of PROBE_ORDER) scope.postMessage({ type: 'backend', report: await probeOne(id) } satisfies FromProbe);
  scope.postMessage({ type: 'probed' } satisfies FromProbe);
})();
