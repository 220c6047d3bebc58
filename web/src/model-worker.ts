/**
 * The model worker: holds the model that Explore and Load/save work with — a
 * snapshot of the one trained in the page, or a run folder's config.json and
 * model.safetensors dropped in — on the wasm backend with plain SIMD (the
 * backend and arithmetic of `genzoo sample` in Node, so the same seed gives
 * the same samples, bit for bit). Every file is validated by the library
 * (training.parseRunConfig, training.restoreWeights) and a bad one is an error
 * message for the page, never a blank canvas; a failed load keeps the
 * previous model.
 */
import { BackendError, backendInfo, data, Generator, models, setBackend, StateError, Tensor, training, ValueError } from 'genzoo';
import { activate, errorText } from './backends.js';
import type { LoadedModel, ModelMessage, ModelReply, ModelReplyMessage } from './protocol.js';
import { DIGITS_URL, scope } from './worker-scope.js';

let current: { model: models.GenerativeModel; loaded: LoadedModel; train: training.TrainConfig } | null = null;
let backendName = '';

const started = (async () => {
  try {
    await activate('wasm');
  } catch {
    setBackend('js'); // no WebAssembly SIMD here: the reference backend (the page says which runs)
  }
  backendName = training.currentBackendName();
  const info = backendInfo();
  if (info.name === 'wasm' && info.details.simd !== 'simd128') throw new BackendError(`model worker: expected plain SIMD, got ${String(info.details.simd)}`);
})();

let heldOut: Promise<data.Dataset> | null = null;
/** The 997 held-out digits (the split `genzoo train` never sees). */
function testDigits(): Promise<data.Dataset> {
  heldOut ??= data.mnist({ split: 'test', from: DIGITS_URL });
  heldOut.catch(() => (heldOut = null));
  return heldOut;
}

function need(): NonNullable<typeof current> {
  if (!current) throw new StateError('no model yet: train one, or load a run folder');
  return current;
}

async function pixelsOf(t: Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from(await t.read());
  } finally {
    t.dispose();
  }
}

function load(m: Extract<ModelMessage, { type: 'load' }>): ModelReply {
  const run = training.parseRunConfig(m.configText, m.configName);
  const model = models.createModel(run.model, 0);
  training.restoreWeights(m.modelBytes, m.modelName, model, m.configName);
  model.eval(); // as training.loadRun (genzoo sample) does: inference mode for every layer
  const loaded: LoadedModel = {
    config: run.model, train: run.train, conditional: model.conditional, encoder: models.hasEncoder(model),
    parameters: model.parameters().reduce((s, p) => s + p.size, 0), source: m.source, backend: backendName,
  };
  current = { model, loaded, train: run.train };
  return { type: 'loaded', model: loaded };
}

/** What `genzoo sample --checkpoint DIR --seed S` draws by default: 10 per class (row k = class k), or 100 from the VAE. */
async function sample(seed: number): Promise<ModelReply> {
  const { model } = need();
  const g = new Generator(`${seed}/sample`);
  const images = model.conditional ? model.sample(Int32Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)), g) : model.sample(100, g);
  return { type: 'images', pixels: await pixelsOf(images), n: 100 };
}

async function generate(noise: Float32Array, labels: Int32Array | null): Promise<ModelReply> {
  const { model } = need();
  const latent = model.config.latent;
  const n = noise.length / latent;
  const z = new Tensor(noise, [n, latent]);
  const images = model.generate(z, model.conditional ? (labels ?? new Int32Array(n)) : undefined);
  z.dispose();
  return { type: 'images', pixels: await pixelsOf(images), n };
}

async function encode(image: Float32Array, label: number | null): Promise<ModelReply> {
  const { model } = need();
  if (!models.hasEncoder(model)) throw new ValueError(`a ${model.kind} has no encoder: reconstructions need a vae, cvae or cvaegan`);
  const x = new Tensor(image, [1, 1, 28, 28]);
  const labels = model.conditional ? [label ?? 0] : undefined;
  const { mu, logvar } = model.encode(x, labels);
  const muValues = Float32Array.from(await mu.read());
  const sigma = Float32Array.from(await logvar.read(), (lv) => Math.exp(lv / 2));
  // The posterior mean decoded: the reconstruction.
  const reconstruction = await pixelsOf(model.decode(mu, labels));
  [x, mu, logvar].forEach((t) => t.dispose());
  return { type: 'encoded', mu: muValues, sigma, reconstruction };
}

async function digit(index: number): Promise<ModelReply> {
  const ds = await testDigits();
  const i = ((index % ds.n) + ds.n) % ds.n;
  return { type: 'digit', image: ds.images.slice(i * 784, (i + 1) * 784), label: ds.labels[i], index: i, count: ds.n };
}

async function files(): Promise<ModelReply> {
  const { model, train } = need();
  // Read back asynchronously: a model on WebGPU has no synchronous read.
  return { type: 'files', modelBytes: await training.modelFileBytesAsync(model), configText: training.runConfigText(model.config, train) };
}

async function answer(m: ModelMessage): Promise<ModelReply> {
  await started;
  switch (m.type) {
    case 'load': return load(m);
    case 'sample': return sample(m.seed);
    case 'generate': return generate(m.noise, m.labels);
    case 'encode': return encode(m.image, m.label);
    case 'heldOut': return digit(m.index);
    case 'files': return files();
  }
}

// One request at a time, in order: a slider's burst of requests cannot interleave.
let queue: Promise<unknown> = Promise.resolve();
scope.onmessage = (event: MessageEvent<ModelMessage>) => {
  const m = event.data;
  queue = queue.then(async () => {
    let reply: ModelReply;
    try {
      reply = await answer(m);
    } catch (err) {
      reply = { type: 'error', message: errorText(err) };
    }
    const transfer: Transferable[] = [];
    for (const v of Object.values(reply)) if (ArrayBuffer.isView(v)) transfer.push(v.buffer as ArrayBuffer);
    scope.postMessage({ ...reply, id: m.id } satisfies ModelReplyMessage, transfer);
  });
};
