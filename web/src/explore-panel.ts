/**
 * Explore: what the model in the model worker has learned.
 *   - a class picker and sliders for the first latent dimensions (the
 *     standard-normal noise the model's prior maps to z: `model.generate`);
 *   - the same noise decoded in every class (style against class);
 *   - a 2-D walk: a 10×10 grid over two chosen dimensions (click a cell to
 *     move the sliders there);
 *   - interpolation from the current noise to another seed's;
 *   - for the models with an encoder (vae, cvae, cvaegan): a digit drawn with
 *     the mouse, a finger or a pen — or a held-out test digit — encoded and
 *     reconstructed, with the posterior's μ and σ per dimension.
 * Requests go to the model worker one at a time; while one is out, only the
 * newest of the next ones is kept, so dragging a slider never queues a backlog.
 */
import { evaluation, Generator } from 'genzoo';
import { byId, h, intValue, showError } from './dom.js';
import { clearCanvas, drawImages, PIXELS, SIDE } from './images.js';
import type { ModelClient } from './model-client.js';
import type { LoadedModel } from './protocol.js';
import { state } from './state.js';

const SLIDERS = 8;
const WALK = 10;
const WALK_RANGE = 2.5;

const panel = byId('panel-explore');
const modelLine = byId('e-model');
const body = byId('e-body');
const classes = byId('e-classes');
const sliders = byId('e-sliders');
const styleSeed = byId<HTMLInputElement>('e-seed');
const image = byId<HTMLCanvasElement>('e-image');
const row = byId<HTMLCanvasElement>('e-row');
const rowNote = byId('e-row-note');
const walkX = byId<HTMLSelectElement>('e-walk-x');
const walkY = byId<HTMLSelectElement>('e-walk-y');
const walk = byId<HTMLCanvasElement>('e-walk');
const interpSeed = byId<HTMLInputElement>('e-interp-seed');
const interp = byId<HTMLCanvasElement>('e-interp');
const recSection = byId('e-rec');
const recNote = byId('e-rec-note');
const pad = byId<HTMLCanvasElement>('e-pad');
const recImage = byId<HTMLCanvasElement>('e-rec-image');
const digitIndex = byId<HTMLInputElement>('e-digit');
const recTable = byId<HTMLTableSectionElement>('e-rec-body');
const error = byId('e-error');

let client: ModelClient;
let model: LoadedModel | null = null;
/** The current noise (all latent dimensions; the sliders show the first few). */
let noise: Float32Array = new Float32Array(0);
/** The drawing: 784 grey levels. */
const drawing = new Float32Array(PIXELS);

const currentClass = (): number => Number((classes.querySelector('input:checked') as HTMLInputElement | null)?.value ?? 0);

/** One request of a kind in flight; the newest waiting one replaces older ones. */
function latest(run: () => Promise<void>): () => void {
  let busy = false;
  let again = false;
  const go = (): void => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    run().catch((err: Error) => showError(error, err.message)).finally(() => {
      busy = false;
      if (again) {
        again = false;
        go();
      }
    });
  };
  return go;
}

function noiseFromSeed(seed: number): Float32Array {
  const g = new Generator(`explore/${seed}`);
  return Float32Array.from({ length: model!.config.latent }, () => g.normal());
}

const labelsOf = (n: number, k: (i: number) => number): Int32Array | null => (model!.conditional ? Int32Array.from({ length: n }, (_, i) => k(i)) : null);

const drawSingle = latest(async () => {
  const r = await client.request({ type: 'generate', noise: noise.slice(), labels: labelsOf(1, () => currentClass()) }, 'images');
  state.explore.image = r.pixels;
  state.explore.noise = noise.slice();
  drawImages(image, r.pixels, 1, 1);
});

const drawRow = latest(async () => {
  const L = noise.length;
  const many = new Float32Array(10 * L);
  for (let i = 0; i < 10; i++) many.set(noise, i * L);
  // The VAE has no classes: ten draws near the current noise instead (±0.5 on the first dimension).
  if (!model!.conditional) for (let i = 0; i < 10; i++) many[i * L] += (i - 4.5) / 9;
  const r = await client.request({ type: 'generate', noise: many, labels: labelsOf(10, (i) => i) }, 'images');
  drawImages(row, r.pixels, 10, 10);
});

const drawWalk = latest(async () => {
  const L = noise.length;
  if (L < 2) return;
  const [a, b] = [Number(walkX.value), Number(walkY.value)];
  const many = new Float32Array(WALK * WALK * L);
  for (let r = 0; r < WALK; r++) {
    for (let c = 0; c < WALK; c++) {
      const o = (r * WALK + c) * L;
      many.set(noise, o);
      many[o + a] = -WALK_RANGE + (2 * WALK_RANGE * c) / (WALK - 1);
      many[o + b] = WALK_RANGE - (2 * WALK_RANGE * r) / (WALK - 1);
    }
  }
  const res = await client.request({ type: 'generate', noise: many, labels: labelsOf(WALK * WALK, () => currentClass()) }, 'images');
  drawImages(walk, res.pixels, WALK * WALK, WALK);
});

const drawInterp = latest(async () => {
  const target = noiseFromSeed(intValue(interpSeed, 'Interpolation seed'));
  // The same line as genzoo compare's interpolation strips (its ends exactly the two noises).
  const many = evaluation.interpolateNoise(noise, target, 10);
  const r = await client.request({ type: 'generate', noise: many, labels: labelsOf(10, () => currentClass()) }, 'images');
  drawImages(interp, r.pixels, 10, 10);
});

const reconstruct = latest(async () => {
  if (!model?.encoder) return;
  const r = await client.request({ type: 'encode', image: drawing.slice(), label: model.conditional ? currentClass() : null }, 'encoded');
  state.explore.reconstruction = { mu: r.mu, sigma: r.sigma, image: r.reconstruction };
  drawImages(recImage, r.reconstruction, 1, 1);
  recTable.replaceChildren(...Array.from(r.mu, (m, d) => h('tr', {}, h('th', { scope: 'row' }, `z${d + 1}`), h('td', {}, m.toFixed(3)), h('td', {}, r.sigma[d].toFixed(3)))));
});

function redrawAll(): void {
  showError(error, '');
  drawSingle();
  drawRow();
  drawWalk();
  drawInterp();
}

function setNoise(values: Float32Array): void {
  noise = values;
  sliders.querySelectorAll('input').forEach((s, d) => {
    s.value = noise[d].toFixed(2);
    (s.nextElementSibling as HTMLOutputElement).value = noise[d].toFixed(2);
  });
  redrawAll();
}

function buildSliders(): void {
  const n = Math.min(SLIDERS, noise.length);
  sliders.replaceChildren(...Array.from({ length: n }, (_, d) => {
    const input = h('input', { type: 'range', min: '-3', max: '3', step: '0.05', value: noise[d].toFixed(2), id: `e-z${d + 1}`, 'aria-describedby': 'e-sliders-help' });
    const out = h('output', { for: `e-z${d + 1}` }, noise[d].toFixed(2));
    input.addEventListener('input', () => {
      noise[d] = Number(input.value);
      out.value = Number(input.value).toFixed(2);
      drawSingle();
      drawRow();
      drawWalk();
      drawInterp();
    });
    return h('div', { class: 'slider' }, h('label', { for: `e-z${d + 1}` }, `z${d + 1}`), input, out);
  }));
  const dims = Array.from({ length: noise.length }, (_, d) => h('option', { value: String(d) }, `z${d + 1}`));
  walkX.replaceChildren(...dims.map((o) => o.cloneNode(true)));
  walkY.replaceChildren(...dims);
  walkX.value = '0';
  walkY.value = noise.length > 1 ? '1' : '0';
}

function onModel(loaded: LoadedModel): void {
  const fresh = !model || model.config.latent !== loaded.config.latent;
  model = loaded;
  state.model = loaded;
  const c = loaded.config;
  modelLine.textContent = `${c.kind} (${c.arch}, latent ${c.latent}, width ${c.width}, ${(loaded.parameters / 1e6).toFixed(2)}M parameters), ${loaded.source}; runs on ${loaded.backend}`;
  body.hidden = false;
  classes.querySelectorAll('input').forEach((i) => ((i as HTMLInputElement).disabled = !loaded.conditional));
  rowNote.textContent = loaded.conditional
    ? 'The same noise in each class, 0 to 9: what stays is style, what changes is the class.'
    : 'The VAE has no classes: the current noise with z1 moved from −0.5 to +0.5.';
  recSection.hidden = !loaded.encoder;
  recNote.textContent = loaded.encoder ? '' : `A ${c.kind} has no encoder; reconstructions need a vae, cvae or cvaegan.`;
  recNote.hidden = loaded.encoder;
  if (fresh) {
    noise = noiseFromSeed(intValue(styleSeed, 'Style seed'));
    buildSliders();
  }
  // Drawn now only if the tab is in view: while training, a new snapshot arrives with every grid, and drawing
  // 121 digits for a hidden tab would take the CPU from the training worker. Shown later: drawn then.
  stale = true;
  refresh();
}

/** Whether the images are of an older model (redrawn when the tab is next shown). */
let stale = false;

function refresh(): void {
  if (!stale || !model || panel.hidden) return;
  stale = false;
  redrawAll();
  if (model.encoder) reconstruct();
}

/** Paints a soft disc at (x, y) in image pixels: a pen about two pixels wide, as MNIST's strokes are. */
function paint(x: number, y: number): void {
  const r = 1.6;
  for (let py = Math.floor(y - r - 1); py <= Math.ceil(y + r + 1); py++) {
    for (let px = Math.floor(x - r - 1); px <= Math.ceil(x + r + 1); px++) {
      if (px < 0 || py < 0 || px >= SIDE || py >= SIDE) continue;
      const d = Math.hypot(px + 0.5 - x, py + 0.5 - y);
      const v = Math.max(0, Math.min(1, r + 0.5 - d));
      const i = py * SIDE + px;
      drawing[i] = Math.max(drawing[i], v);
    }
  }
}

function setupPad(): void {
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const box = pad.getBoundingClientRect();
    return [((e.clientX - box.left) / box.width) * SIDE, ((e.clientY - box.top) / box.height) * SIDE];
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
    paint(...last);
    drawImages(pad, drawing, 1, 1);
    e.preventDefault();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    const steps = Math.ceil(Math.hypot(p[0] - last[0], p[1] - last[1]) * 3);
    for (let s = 1; s <= steps; s++) paint(last[0] + ((p[0] - last[0]) * s) / steps, last[1] + ((p[1] - last[1]) * s) / steps);
    last = p;
    drawImages(pad, drawing, 1, 1);
    reconstruct();
  });
  const end = (): void => {
    if (!last) return;
    last = null;
    reconstruct();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  byId('e-clear').addEventListener('click', () => {
    drawing.fill(0);
    drawImages(pad, drawing, 1, 1);
    reconstruct();
  });
  const loadDigit = async (index: number): Promise<void> => {
    const r = await client.request({ type: 'heldOut', index }, 'digit');
    drawing.set(r.image);
    digitIndex.value = String(r.index);
    digitIndex.max = String(r.count - 1);
    drawImages(pad, drawing, 1, 1);
    if (model?.conditional) {
      (classes.querySelector(`input[value="${r.label}"]`) as HTMLInputElement).checked = true;
      redrawAll();
    }
    byId('e-digit-label').textContent = `held-out digit ${r.index} of ${r.count}: a ${r.label}`;
    reconstruct();
  };
  const guarded = (index: () => number) => () => void loadDigit(index()).catch((err: Error) => showError(error, err.message));
  byId('e-digit-load').addEventListener('click', guarded(() => intValue(digitIndex, 'Held-out digit')));
  byId('e-digit-prev').addEventListener('click', guarded(() => Number(digitIndex.value) - 1));
  byId('e-digit-next').addEventListener('click', guarded(() => Number(digitIndex.value) + 1));
  clearCanvas(pad);
}

export function setupExplorePanel(modelClient: ModelClient): void {
  client = modelClient;
  new MutationObserver(refresh).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
  client.onLoaded = (reply) => onModel(reply.model);
  classes.replaceChildren(h('legend', {}, 'Class'), ...Array.from({ length: 10 }, (_, k) => {
    const input = h('input', { type: 'radio', name: 'e-class', value: String(k), id: `e-class-${k}` });
    if (k === 0) input.checked = true;
    input.addEventListener('change', () => {
      redrawAll();
      reconstruct();
    });
    return h('label', { for: `e-class-${k}`, class: 'chip' }, input, ` ${k}`);
  }));
  byId('e-random').addEventListener('click', () => {
    styleSeed.value = String(Number(styleSeed.value) + 1);
    setNoise(noiseFromSeed(Number(styleSeed.value)));
  });
  styleSeed.addEventListener('change', () => {
    try {
      setNoise(noiseFromSeed(intValue(styleSeed, 'Style seed')));
    } catch (err) {
      showError(error, (err as Error).message);
    }
  });
  byId('e-zero').addEventListener('click', () => setNoise(new Float32Array(noise.length)));
  walkX.addEventListener('change', drawWalk);
  walkY.addEventListener('change', drawWalk);
  walk.addEventListener('click', (e) => {
    const box = walk.getBoundingClientRect();
    const c = Math.min(WALK - 1, Math.floor(((e.clientX - box.left) / box.width) * WALK));
    const r = Math.min(WALK - 1, Math.floor(((e.clientY - box.top) / box.height) * WALK));
    const next = noise.slice();
    next[Number(walkX.value)] = -WALK_RANGE + (2 * WALK_RANGE * c) / (WALK - 1);
    next[Number(walkY.value)] = WALK_RANGE - (2 * WALK_RANGE * r) / (WALK - 1);
    setNoise(next);
  });
  interpSeed.addEventListener('change', drawInterp);
  [image, row, walk, interp, recImage].forEach(clearCanvas);
  setupPad();
}
