/**
 * The playground page (web/, built by scripts/build-web.mjs) in headless
 * Chromium, driven as a user drives it: it loads without errors and says what
 * each backend can do; the CVAE trains on wasm (the loss falls, the sample grid
 * changes, pause/resume/stop work) with the numbers of `genzoo train`, bit for
 * bit; a run folder from `genzoo train` loads and samples exactly as
 * `genzoo sample`; a model saved from the page loads in `genzoo sample`; bad
 * files are refused with a message; the sliders are deterministic; the KL
 * explorer's closed form is `kl.normal` and its wrong-step toggle fails the
 * check; nothing overflows at 360 px; every control is labelled and
 * keyboard-usable; a static host without headers still works.
 * (Training on webgl2: playground-webgl2.test.ts, so that it runs beside this file.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, evaluation, Generator, getBackend, io, kl, models, setBackend, Tensor, training } from '../../src/index.js';
import { spawnCli } from '../cli/helpers.js';
import {
  canvasPixels, meanLoss, missing, openPage, openSite, screenshotPath, startTraining, waitForEnd, waitForProbe, waitForSteps,
  type OpenPage, type Playground, type Site,
} from './harness.js';

type Page = import('playwright-core').Page;

let site: Site;
let main: OpenPage;
let startError: Error | null = null;
/** Run folders written by `genzoo train` in Node. */
const runs = { cvae: '', cgan: '' };

/** Evaluates `fn(playground)` in the page. */
function inPage<T>(page: Page, fn: (p: Playground['playground']) => T): Promise<T> {
  return page.evaluate(`(${fn.toString()})(globalThis.playground)`) as Promise<T>;
}

async function nodeTrain(kind: string, dir: string, extra: string[]): Promise<void> {
  const r = await spawnCli(['train', kind, '--epochs', '1', '--backend', 'wasm', '--out', dir, ...extra], undefined, 180_000);
  if (r.code !== 0) throw new Error(`genzoo train ${kind} failed (${r.code}): ${r.err}`);
}

/** Loads run files into the Load & save panel through its file input. */
async function loadFiles(page: Page, files: Array<{ name: string; buffer: Buffer }>): Promise<void> {
  await page.click('#tab-files');
  await page.evaluate(() => { const p = (globalThis as unknown as Playground).playground; p.files.samples = null; p.files.error = ''; });
  await page.setInputFiles('#f-input', files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
  await page.waitForFunction(() => {
    const f = (globalThis as unknown as Playground).playground.files;
    return f.samples !== null || f.error !== '';
  }, null, { timeout: 60_000 });
}

/**
 * What the page's canvas shows for `model.generate(noise, labels)` of a run folder's model, computed in Node on
 * wasm: 28×28 images in rows of ten, RGBA bytes, grey round(255·v) (web/src/images.ts).
 */
function nodeCanvasBytes(dir: string, noise: Float32Array, labels: number[]): number[] {
  const before = backendInfo().name;
  setBackend('wasm');
  try {
    const model = models.createModel(training.parseRunConfig(readFileSync(join(dir, 'config.json'), 'utf8'), 'config.json').model, 0);
    training.restoreWeights(readFileSync(join(dir, 'model.safetensors')), 'model.safetensors', model);
    model.to(getBackend());
    model.eval();
    const px = model.generate(new Tensor(noise, [labels.length, noise.length / labels.length]), labels).toArray().flat(3) as number[];
    const bytes: number[] = [];
    for (let row = 0; row < labels.length / 10; row++) {
      for (let y = 0; y < 28; y++) {
        for (let k = row * 10; k < row * 10 + 10; k++) {
          for (let x = 0; x < 28; x++) {
            const v = Math.round(255 * Math.min(1, Math.max(0, px[k * 784 + y * 28 + x])));
            bytes.push(v, v, v, 255);
          }
        }
      }
    }
    return bytes;
  } finally {
    setBackend(before);
  }
}

const runFiles = (dir: string): Array<{ name: string; buffer: Buffer }> =>
  ['config.json', 'model.safetensors'].map((name) => ({ name, buffer: readFileSync(join(dir, name)) }));

describe.skipIf(missing?.skip ?? false)('the playground page in headless Chromium', () => {
  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      site = await openSite();
      runs.cvae = join(site.tmp, 'cvae-run');
      runs.cgan = join(site.tmp, 'cgan-run');
      // The page opens (and its probe worker starts) while Node trains.
      [main] = await Promise.all([
        openPage(site),
        nodeTrain('cvae', runs.cvae, ['--width', '32', '--latent', '4', '--seed', '3']),
        nodeTrain('cgan', runs.cgan, ['--width', '16', '--latent', '4', '--seed', '1', '--batch', '512']),
      ]);
    } catch (e) {
      startError = e as Error;
    }
  }, 300_000);
  const started = (): void => {
    if (startError) throw startError;
  };

  afterAll(async () => {
    if (main?.problems.length) console.warn(main.log.join('\n'));
    await site?.close();
  });

  test('loads with no console errors, paints before its scripts run, and reports wasm and js as soon as they are probed', async () => {
    started();
    const { page, problems } = main;
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.backends.some((b) => b.id === 'js'), null, { timeout: 60_000 });
    const backends = await inPage(page, (p) => p.backends);
    // Cheap first: the page can train on wasm while the gpu modes are still compiling.
    expect(backends.slice(0, 2).map((b) => b.id)).toEqual(['wasm', 'js']);
    const by = Object.fromEntries(backends.map((b) => [b.id, b]));
    expect(by.wasm.trains).toBe(true);
    // Served cross-origin isolated: wasm's threads run, plain SIMD (the arithmetic of Node 20).
    expect(by.wasm.info!.details).toMatchObject({ simd: 'simd128', threads: 2 });
    expect(by.js.trains).toBe(true);
    expect(await page.textContent('#t-backend-note')).toMatch(/^wasm \(WebAssembly SIMD\): simd128, 2 threads$/);
    expect(await page.textContent('#status')).toMatch(/^Cross-origin isolated/);
    // The static page is painted before the page's scripts start (they load after the first frame).
    const paint = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      scripts: performance.getEntriesByName('playground-scripts')[0]?.startTime,
    }));
    expect(paint.fcp).toBeGreaterThan(0);
    expect(paint.scripts).toBeGreaterThan(0);
    console.log(`playground: first contentful paint ${paint.fcp.toFixed(0)} ms; scripts started at ${paint.scripts.toFixed(0)} ms`);
    expect(problems).toEqual([]);
  });

  test("trains the CVAE on wasm in its worker: the loss falls over 50 steps, the grid changes, pause holds it, and the run gives genzoo train's numbers bit for bit; the downloaded files load in genzoo sample", async () => {
    started();
    const { page, problems } = main;
    // The run folder's settings (1 epoch of 140 steps). Paused at once (within the first few steps) and resumed,
    // which must change no number.
    await startTraining(page, { kind: 'cvae', arch: 'mlp', width: 32, latent: 4, epochs: 1, batch: 64, seed: 3, backend: 'wasm', gridEvery: 20 });
    await page.click('#t-pause');
    await page.waitForFunction(() => document.querySelector('#t-progress')!.textContent!.includes('ETA paused'), null, { timeout: 60_000 });
    expect(await inPage(page, (p) => p.train.status)).toBe('paused');
    // Paused: no step is taken, and the grid shows the model as it is (the worker sends one on pausing).
    const n = await inPage(page, (p) => p.train.rows.length);
    expect(n).toBeLessThan(100);
    await page.waitForFunction((k) => (globalThis as unknown as Playground).playground.train.gridStep === k, n, { timeout: 30_000 });
    const before = await canvasPixels(page, '#t-grid');
    await page.waitForTimeout(500);
    expect(await inPage(page, (p) => p.train.rows.length)).toBe(n);
    expect(await page.textContent('#t-progress')).toMatch(new RegExp(`^epoch 1/1 · step ${n}/140 \\(${n}/140\\) · loss (--|\\d\\S*) · rec (--|\\d\\S*) · kl (--|\\d\\S*) · (--|[\\d,]+) samples/s · ETA paused$`));
    expect(await page.textContent('#t-pause')).toBe('Resume');
    await page.click('#t-pause');
    expect(await waitForEnd(page)).toBe('completed');
    // The grid was redrawn as training went (every 20 steps and at the epoch's end), and it changed.
    expect(await inPage(page, (p) => p.train.gridCount)).toBeGreaterThanOrEqual(8);
    expect(await canvasPixels(page, '#t-grid')).not.toEqual(before);
    expect(await page.textContent('#t-run')).toMatch(/^trained 1 epoch \(140 steps\) in [\d.]+ s$/);
    // The chart has one line per loss term, named in its legend.
    expect(await page.locator('#t-legend .key').allTextContents()).toEqual([' loss', ' rec', ' kl']);
    const chart = await canvasPixels(page, '#t-chart');
    const drawn = (rgb: number[]): number => chart.filter((_, i) => i % 4 === 0 && chart[i] === rgb[0] && chart[i + 1] === rgb[1] && chart[i + 2] === rgb[2]).length;
    for (const rgb of [[0x00, 0x72, 0xb2], [0xd5, 0x5e, 0x00], [0x00, 0x9e, 0x73]]) expect(drawn(rgb), `chart pixels of rgb(${rgb})`).toBeGreaterThan(50);
    expect(await page.textContent('#t-progress')).toMatch(/^epoch 1\/1 · step 140\/140 \(140\/140\) · loss \d.* · rec \d.* · kl \d.* · [\d,]+ samples\/s · ETA 0s$/);
    expect(await page.isEnabled('#t-start')).toBe(true);
    const rows = await inPage(page, (p) => p.train.rows);
    expect(meanLoss(rows, 40, 50)).toBeLessThan(0.8 * meanLoss(rows, 0, 10)); // measured ≈ 545 → ≈ 300
    const node = training.LossLog.parseCSV(readFileSync(join(runs.cvae, 'losses.csv'), 'utf8'));
    expect(rows.length).toBe(140);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
    expect(rows.map((r) => [r[0], r[1], ...r.slice(2)])).toEqual(node.rows.map((r) => [r.step, r.epoch, ...r.values]));
    await page.screenshot({ path: screenshotPath(site, 'playground-train.png') });
    // Save both files from the page, as a user would, into a folder.
    await page.click('#tab-files');
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.model?.source === 'trained here (step 140)');
    const dir = join(site.tmp, 'downloaded');
    mkdirSync(dir);
    for (const [button, name] of [['#f-save-model', 'model.safetensors'], ['#f-save-config', 'config.json']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      expect(download.suggestedFilename()).toBe(name);
      await download.saveAs(join(dir, name));
    }
    expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(runs.cvae, 'model.safetensors')))).toBe(true);
    const pageConfig = training.parseRunConfig(readFileSync(join(dir, 'config.json'), 'utf8'), 'config.json');
    const nodeConfig = training.parseRunConfig(readFileSync(join(runs.cvae, 'config.json'), 'utf8'), 'config.json');
    expect(pageConfig.model).toEqual(nodeConfig.model);
    expect(pageConfig.train).toEqual({ epochs: 1, batch: 64, seed: 3, data: 'mnist', backend: 'wasm' });
    const r = await spawnCli(['sample', '--checkpoint', dir, '--seed', '2', '--out', join(dir, 'samples.png')], undefined, 60_000);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote 10 samples per class from cvae \(mlp\)/);
    expect(problems).toEqual([]);
  });

  test.each(['cvae', 'cgan'] as const)("a %s run folder from genzoo train loads and draws genzoo sample's samples for the same seed, bit for bit (wasm)", async (kind) => {
    started();
    const { page, problems } = main;
    const npy = join(runs[kind], 'seed5.npy');
    const r = await spawnCli(['sample', '--checkpoint', runs[kind], '--seed', '5', '--backend', 'wasm', '--out', npy], undefined, 60_000);
    expect(r.code).toBe(0);
    await page.click('#tab-files');
    await page.fill('#f-seed', '5');
    await loadFiles(page, runFiles(runs[kind]));
    expect(await inPage(page, (p) => p.files.error)).toBe('');
    const got = await inPage(page, (p) => ({ seed: p.files.seed, samples: Array.from(p.files.samples!) }));
    const want = io.decodeNpy(readFileSync(npy), npy);
    expect(want.shape).toEqual([100, 28, 28]);
    expect(got.seed).toBe(5);
    expect(got.samples).toEqual(Array.from(want.data));
    expect(await page.textContent('#f-loaded')).toContain(`Loaded ${kind} (mlp, latent 4), trained 1 epochs, batch ${kind === 'cvae' ? 64 : 512}, seed`);
    expect(problems).toEqual([]);
  });

  test('a run folder dropped on the drop zone loads too', async () => {
    started();
    const { page } = main;
    await page.click('#tab-files');
    await page.evaluate(() => { (globalThis as unknown as Playground).playground.files.samples = null; });
    const files = runFiles(runs.cvae).map((f) => ({ name: f.name, base64: f.buffer.toString('base64') }));
    const transfer = await page.evaluateHandle((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
      return dt;
    }, files);
    await page.dispatchEvent('#f-drop', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.files.samples !== null, null, { timeout: 60_000 });
    expect(await inPage(page, (p) => p.model!.config.kind)).toBe('cvae');
  });

  test('invalid or mismatched files get a clear message in the page, and the model loaded before stays', async () => {
    started();
    const { page, problems } = main;
    const [config, model] = runFiles(runs.cvae);
    const cganConfig = runFiles(runs.cgan)[0];
    const narrower = JSON.parse(config.buffer.toString('utf8'));
    narrower.model.width = 16;
    const cases: Array<[string, Array<{ name: string; buffer: Buffer }>, RegExp]> = [
      ['random bytes', [config, { name: 'model.safetensors', buffer: Buffer.from('this is not a safetensors file at all') }], /model\.safetensors.*(header|not a|corrupt)/],
      ['a truncated file', [config, { name: 'model.safetensors', buffer: model.buffer.subarray(0, model.buffer.length >> 1) }], /corrupt checkpoint: safetensors: model\.safetensors: .* run past the end of the data .*truncated/],
      ['weights of another model', [cganConfig, model], /model\.safetensors holds a cvae model, not cgan/],
      ['weights of another width', [{ name: 'config.json', buffer: Buffer.from(JSON.stringify(narrower)) }, model], /model\.safetensors does not fit the cvae model in config\.json: .*shape/],
      ['a config that is not JSON', [{ name: 'config.json', buffer: Buffer.from('{"format": "genzoo-run/1", ') }, model], /config\.json is corrupt \(not valid JSON/],
      ['no weights', [config, { name: 'checkpoint.safetensors', buffer: model.buffer }], /model\.safetensors is missing \(checkpoint\.safetensors is the resume state/],
      ['no config', [model], /config\.json is missing/],
    ];
    for (const [what, files, message] of cases) {
      await loadFiles(page, files);
      const error = await inPage(page, (p) => p.files.error);
      expect(error, what).toMatch(message);
      expect(await page.isVisible('#f-error'), what).toBe(true);
      expect(await page.textContent('#f-error'), what).toBe(error);
      expect(await page.textContent('#f-loaded'), what).toMatch(/^Still holding the previous model: loaded from config\.json and model\.safetensors/);
    }
    // A good pair afterwards clears the message.
    await loadFiles(page, runFiles(runs.cvae));
    expect(await page.isVisible('#f-error')).toBe(false);
    expect(problems).toEqual([]);
  });

  test('Explore: a slider changes the image and the same value gives the same pixels; keys move sliders; reconstructions show μ and σ', async () => {
    started();
    const { page, problems } = main;
    await page.click('#tab-explore');
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.explore.image !== null, null, { timeout: 30_000 });
    const noiseIs = (d: number, v: number): Promise<unknown> => page.waitForFunction(([dim, value]) => {
      const e = (globalThis as unknown as Playground).playground.explore;
      return e.noise !== null && Math.abs(e.noise[dim] - value) < 1e-6;
    }, [d, v], { timeout: 30_000 });
    const v0 = 0.5;
    await page.fill('#e-z1', String(v0));
    await noiseIs(0, v0);
    const p0 = await canvasPixels(page, '#e-image');
    const s0 = await inPage(page, (p) => Array.from(p.explore.image!));
    await page.fill('#e-z1', '2.5');
    await noiseIs(0, 2.5);
    expect(await canvasPixels(page, '#e-image')).not.toEqual(p0);
    await page.fill('#e-z1', String(v0));
    await noiseIs(0, v0);
    expect(await canvasPixels(page, '#e-image')).toEqual(p0);
    expect(await inPage(page, (p) => Array.from(p.explore.image!))).toEqual(s0);
    // Keyboard: a focused slider moves by its step.
    const z2 = Number(await page.inputValue('#e-z2'));
    await page.focus('#e-z2');
    await page.keyboard.press('ArrowRight');
    await noiseIs(1, Math.round((z2 + 0.05) * 100) / 100);
    // The class changes the image (a cvae is loaded).
    const before = await canvasPixels(page, '#e-image');
    await page.check('#e-class-7');
    await page.waitForFunction((b) => {
      const c = document.querySelector('#e-image') as HTMLCanvasElement;
      return Array.from(c.getContext('2d')!.getImageData(0, 0, 28, 28).data).join() !== b;
    }, before.join(), { timeout: 30_000 });
    // A held-out digit: its reconstruction and the posterior's μ and σ for each of the 4 dimensions.
    await page.fill('#e-digit', '12');
    await page.click('#e-digit-load');
    await page.waitForFunction(() => document.querySelector('#e-digit-label')!.textContent!.startsWith('held-out digit 12 of 997'), null, { timeout: 30_000 });
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.explore.reconstruction !== null);
    const rec = await inPage(page, (p) => ({ mu: Array.from(p.explore.reconstruction!.mu), sigma: Array.from(p.explore.reconstruction!.sigma) }));
    expect(rec.mu.length).toBe(4);
    expect(rec.sigma.every((s) => s > 0 && s < 5)).toBe(true);
    expect(await page.locator('#e-rec-body tr').count()).toBe(4);
    // Drawing with the pointer changes what is encoded.
    const box = (await page.locator('#e-pad').boundingBox())!;
    await page.click('#e-clear');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((m) => {
      const r = (globalThis as unknown as Playground).playground.explore.reconstruction;
      return r !== null && Array.from(r.mu).join() !== m;
    }, rec.mu.map((v) => Math.fround(v)).join(), { timeout: 30_000 });
    const pad = await canvasPixels(page, '#e-pad');
    expect(pad.filter((v, i) => i % 4 === 0 && v > 128).length).toBeGreaterThan(20); // a stroke was drawn
    // The style row is the current noise decoded in classes 0–9, and the interpolation the ten steps from it to
    // seed 1's noise in the current class: the bytes Node's model draws from the same run folder (wasm, bit for bit).
    const noise = Float32Array.from(await inPage(page, (p) => Array.from(p.explore.noise!)));
    const cls = Number(await page.inputValue('input[name="e-class"]:checked'));
    const target = ((g) => Float32Array.from({ length: 4 }, () => g.normal()))(new Generator('explore/1'));
    const steps = evaluation.interpolateNoise(noise, target, 10); // ten rows (1 − t)·noise + t·target, t = 0, 1/9 … 1
    // The 2-D walk: z1 across and z2 down from −2.5 to +2.5, the other dimensions the current noise, the current class.
    const walk = Float32Array.from({ length: 400 }, (_, k) => {
      const [cell, d] = [Math.floor(k / 4), k % 4];
      return d === 0 ? -2.5 + (5 * (cell % 10)) / 9 : d === 1 ? 2.5 - (5 * Math.floor(cell / 10)) / 9 : noise[d];
    });
    const expected = {
      '#e-walk': nodeCanvasBytes(runs.cvae, walk, Array(100).fill(cls)),
      '#e-row': nodeCanvasBytes(runs.cvae, Float32Array.from({ length: 40 }, (_, k) => noise[k % 4]), Array.from({ length: 10 }, (_, i) => i)),
      '#e-interp': nodeCanvasBytes(runs.cvae, steps, Array(10).fill(cls)),
    };
    for (const [selector, bytes] of Object.entries(expected)) {
      await page.waitForFunction(([sel, want]) => {
        const c = document.querySelector(sel) as HTMLCanvasElement;
        return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).join() === want;
      }, [selector, bytes.join()] as const, { timeout: 30_000 });
    }
    await page.screenshot({ path: screenshotPath(site, 'playground-explore.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  test("KL explorer: the closed form shown is kl.normal's at the same inputs, and the wrong-step toggle makes the check fail", async () => {
    started();
    const { page, problems } = main;
    await page.click('#tab-kl');
    const set = { mu1: 0.5, sigma1: 1.3, mu2: -1, sigma2: 0.7 };
    for (const [k, v] of Object.entries(set)) await page.fill(`#k-${k}`, String(v));
    const s = (await inPage(page, (p) => p.kl))!;
    expect(s.inputs).toEqual(set);
    expect(s.wrongStep).toBe(false);
    expect(s.formula).toBe(kl.normal(0.5, 1.3, -1, 0.7));
    // By hand: log(0.7/1.3) + (1.3² + 1.5²)/(2·0.7²) − ½ = −0.61904 + 4.02041 − 0.5.
    expect(s.formula).toBeCloseTo(Math.log(0.7 / 1.3) + (1.69 + 2.25) / 0.98 - 0.5, 12);
    expect(s.formula).toBeCloseTo(2.90137, 4);
    expect(Math.abs(s.integrate.value - s.formula)).toBeLessThan(1e-9 * s.formula);
    expect(Math.abs(s.monteCarlo.value - s.formula)).toBeLessThan(4 * s.monteCarlo.standardError);
    expect(s.agrees).toBe(true);
    expect(await page.textContent('#k-check')).toMatch(/^✓ agrees with the integral/);
    expect(await page.getAttribute('#k-formula', 'data-value')).toBe(String(kl.normal(0.5, 1.3, -1, 0.7)));
    expect(await page.isVisible('.derivation .kl-step4-right')).toBe(true);
    expect(await page.isVisible('.derivation .kl-step4-wrong')).toBe(false);
    expect(await page.textContent('.derivation .kl-step4-right')).toContain('E[(X − μ1)²] = ∫ (x − μ1)² p1(x) dx = σ1²');

    await page.check('#k-wrong');
    const w = (await inPage(page, (p) => p.kl))!;
    expect(w.wrongStep).toBe(true);
    expect(w.formula).toBeCloseTo(Math.log(0.7 / 1.3) + 2.25 / 0.98, 12); // σ1²/(2σ2²) and −½ lost
    expect(w.agrees).toBe(false);
    expect(await page.textContent('#k-check')).toMatch(/^✗ off by/);
    expect(await page.textContent('#k-mc-check')).toMatch(/^✗/);
    expect(await page.isVisible('.derivation .kl-step4-wrong')).toBe(true);
    expect(await page.isVisible('.derivation .kl-step4-right')).toBe(false);
    // With p1 = p2 the mistaken formula still says 0 — a spot check there would miss it.
    for (const [k, v] of Object.entries({ mu1: 0, sigma1: 1, mu2: 0, sigma2: 1 })) await page.fill(`#k-${k}`, String(v));
    expect((await inPage(page, (p) => p.kl))!.agrees).toBe(true);
    await page.uncheck('#k-wrong');
    // Keyboard: arrows move a focused slider by its step.
    await page.focus('#k-mu1');
    await page.keyboard.press('ArrowRight');
    expect((await inPage(page, (p) => p.kl))!.inputs.mu1).toBe(0.05);
    for (const [k, v] of Object.entries(set)) await page.fill(`#k-${k}`, String(v));
    await page.screenshot({ path: screenshotPath(site, 'playground-kl.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  test('a model worker that cannot start gives a message in the page, not a silent blank canvas', async () => {
    started();
    const context = await site.browser.newContext();
    const page = await context.newPage();
    await page.route('**/model-worker.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.goto(site.url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
    await loadFiles(page, runFiles(runs.cvae));
    expect(await inPage(page, (p) => p.files.error)).toMatch(/^the model worker failed: /);
    expect(await page.isVisible('#f-error')).toBe(true);
    await context.close();
  });

  test('tabs follow the keyboard (arrows, Home, End) and every control has a label', async () => {
    started();
    const { page } = main;
    await page.click('#tab-train');
    await page.focus('#tab-train');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-explore', 'aria-selected')).toBe('true');
    expect(await page.isVisible('#panel-explore')).toBe(true);
    expect(await page.isVisible('#panel-train')).toBe(false);
    await page.keyboard.press('End');
    expect(await page.getAttribute('#tab-kl', 'aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-train', 'aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-train');
    const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea, button')).filter((el) => {
      const named = el.getAttribute('aria-label') || (el as HTMLInputElement).labels?.length || (el.tagName === 'BUTTON' && el.textContent!.trim());
      return !named;
    }).map((el) => el.id || el.outerHTML.slice(0, 60)));
    expect(unlabelled).toEqual([]);
  });

  test('at 360 px wide no control overflows, on any tab', async () => {
    started();
    const { page, problems } = main; // a cvae is loaded, so Explore shows everything
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      for (const tab of ['train', 'explore', 'files', 'kl']) {
        await page.click(`#tab-${tab}`);
        const r = await page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          const over: string[] = [];
          for (const el of document.querySelectorAll('body *')) {
            // Inside a scroll box (wide tables) an element may be wider: it scrolls there; the box itself is checked.
            const scroller = el.parentElement?.closest('.scroll');
            if (scroller) continue;
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.height === 0) continue;
            if (box.right > width + 0.5 || box.left < -0.5) over.push(`${el.tagName.toLowerCase()}#${el.id} [${box.left.toFixed(0)}, ${box.right.toFixed(0)}]`);
          }
          return { width, scrollWidth: document.documentElement.scrollWidth, over };
        });
        expect(r.over, tab).toEqual([]);
        expect(r.scrollWidth, tab).toBeLessThanOrEqual(r.width);
        expect(r.width).toBeLessThanOrEqual(360);
        if (tab === 'train') await page.screenshot({ path: screenshotPath(site, 'playground-360.png') });
      }
    } finally {
      await page.setViewportSize({ width: 1000, height: 900 });
    }
    expect(problems).toEqual([]);
  });

  test('on a static host without COOP/COEP headers the service worker isolates the page; with isolation off, wasm trains on one thread', async () => {
    started();
    const isolatedBySw = await openPage(site, { url: site.plainUrl, probe: false });
    await isolatedBySw.page.waitForFunction(() => crossOriginIsolated, null, { timeout: 30_000 });
    expect(await isolatedBySw.page.textContent('#status')).toMatch(/^Cross-origin isolated/);
    await isolatedBySw.page.close();
    // A fresh profile (no service worker) and ?isolate=off: no shared memory.
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${site.plainUrl}?isolate=off`);
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground?.backends.some((b) => b.id === 'wasm'), null, { timeout: 120_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.textContent('#status')).toMatch(/^Not cross-origin isolated: wasm runs on one thread/);
    const wasm = (await inPage(page, (p) => p.backends!.find((b) => b.id === 'wasm')))!;
    expect(wasm.trains).toBe(true);
    expect(wasm.info!.details).toMatchObject({ simd: 'simd128', threads: 1 });
    expect(await page.textContent('#t-backend-note')).toMatch(/^wasm \(WebAssembly SIMD\): simd128, 1 thread, one thread only: the page is not cross-origin isolated/);
    // 30 epochs: far more than the test waits for. Pause mid-run: no step while paused; resume; stop.
    await startTraining(page, { kind: 'vae', arch: 'mlp', width: 16, latent: 2, epochs: 30, backend: 'wasm', gridEvery: 1000 });
    expect(await waitForSteps(page, 5)).toBe('running');
    await page.click('#t-pause');
    await page.waitForFunction(() => document.querySelector('#t-progress')!.textContent!.includes('ETA paused'), null, { timeout: 30_000 });
    const n = await inPage(page, (p) => p.train.rows.length);
    await page.waitForTimeout(500);
    expect(await inPage(page, (p) => p.train.rows.length)).toBe(n);
    expect(await page.textContent('#t-progress')).toMatch(/^epoch \d+\/30 · step \d+\/140 \(\d+\/4200\) · loss \d.* · rec .* · kl .* · [\d,]+ samples\/s · ETA paused$/);
    await page.click('#t-pause');
    expect(await waitForSteps(page, n + 5)).toBe('running');
    await page.click('#t-stop');
    expect(await waitForEnd(page)).toBe('stopped');
    expect(await page.textContent('#t-run')).toMatch(/^stopped at step \d+ \(epoch \d+, step \d+\/140\)$/);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('once every backend is probed, the page says what each can do and, for one that cannot train, why (in the library\'s words)', async () => {
    started();
    const { page, problems } = main;
    await waitForProbe(page, 'all');
    const backends = await inPage(page, (p) => p.backends);
    const by = Object.fromEntries(backends.map((b) => [b.id, b]));
    expect(Object.keys(by).sort()).toEqual(['gpu:webgl', 'gpu:webgl2', 'gpu:webgpu', 'js', 'wasm', 'wasm-relaxed']);
    expect(by['gpu:webgl2'].trains).toBe(true);
    expect(by['gpu:webgl2'].info!.details.mode).toBe('webgl2');
    for (const b of backends) if (!b.trains) expect(b.reason, b.id).toMatch(/\w{10,}/);
    const table = await page.textContent('#t-backends-body');
    expect(table).not.toContain('checking');
    for (const b of backends) if (!b.trains) expect(table).toContain(b.reason!.slice(0, 40));
    // The backend menu: unavailable ones are disabled and say so.
    const options = await page.$$eval('#t-backend option', (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled, text: o.textContent })));
    for (const o of options) expect(o.disabled, o.value).toBe(!by[o.value].trains);
    for (const o of options) if (o.disabled) expect(o.text).toMatch(/— unavailable$/);
    expect(problems).toEqual([]);
  });
  // Only with GENZOO_UPDATE_SCREENSHOTS=1: the README's pictures, of a CVAE trained long enough to draw digits.
  test.runIf(process.env.GENZOO_UPDATE_SCREENSHOTS === '1')('screenshots for the README and docs/web.md: a 256-wide CVAE trained 5 epochs in the page', async () => {
    started();
    const { page, problems } = main;
    await startTraining(page, { kind: 'cvae', arch: 'mlp', width: 256, latent: 8, epochs: 5, batch: 64, seed: 0, backend: 'wasm', gridEvery: 200 });
    expect(await waitForEnd(page, 600_000)).toBe('completed');
    await page.setViewportSize({ width: 1000, height: 1060 }); // the whole sample grid
    await page.screenshot({ path: screenshotPath(site, 'playground-train.png') });
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.click('#tab-explore');
    await page.waitForFunction(() => (globalThis as unknown as Playground).playground.model?.config.latent === 8, null, { timeout: 60_000 });
    await page.fill('#e-digit', '3');
    await page.click('#e-digit-load');
    await page.waitForFunction(() => document.querySelector('#e-digit-label')!.textContent!.startsWith('held-out digit 3 of 997'), null, { timeout: 30_000 });
    await page.waitForTimeout(1000); // the last redraws
    await page.screenshot({ path: screenshotPath(site, 'playground-explore.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 900_000);
});
