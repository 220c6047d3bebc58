/**
 * The evaluation classifier's parts: the network and `classify`, the training
 * recipe with degraded digits and calibration, the weights file (content hash,
 * refused when damaged), and loadClassifier's sources and cache folder — every
 * cache problem a warning before work, never lost work, never a hang.
 * The shipped weights and their known answers on degraded digits: classifier-shipped.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data, evaluation, Generator, tensor } from '../../src/index.js';

const {
  DigitClassifier, classify, trainClassifier, randomShift, degradedDigits, unreadableShare, loadClassifier,
  saveClassifierFile, readClassifierFile, scoreHeldOut, CLASSIFIER_FILE, CLASSIFIER_VERSION,
} = evaluation;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'genzoo-classifier-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A tiny training budget: 40 training and 30 held-out digits, one epoch. */
async function tinyData(): Promise<{ trainData: data.Dataset; testData: data.Dataset; train: evaluation.ClassifierTrainOptions }> {
  return {
    trainData: data.balancedSubset(await data.mnist({ split: 'train' }), 4),
    testData: data.balancedSubset(await data.mnist({ split: 'test' }), 3),
    train: { epochs: 1, batchSize: 16 },
  };
}

describe('randomShift', () => {
  it('moves the image by whole pixels, filling with black, and is the identity for max 0', () => {
    const img = new Float32Array(784);
    img[10 * 28 + 10] = 1;
    const x = tensor(img, { shape: [1, 1, 28, 28] });
    expect(Array.from(randomShift(x, 0, new Generator(1)).data)).toEqual(Array.from(img));
    for (let s = 0; s < 20; s++) {
      const y = randomShift(x, 2, new Generator(s)).data;
      const at = y.indexOf(1);
      expect(y.reduce((a, b) => a + b, 0)).toBe(1);
      expect(Math.abs(Math.floor(at / 28) - 10)).toBeLessThanOrEqual(2);
      expect(Math.abs((at % 28) - 10)).toBeLessThanOrEqual(2);
    }
  });
});

describe('degradedDigits', () => {
  it('makes blends, blurs and noisy digits whose targets say how readable they are', async () => {
    const ds = data.balancedSubset(await data.mnist({ split: 'train' }), 2);
    const { images, targets } = degradedDigits(ds.images, ds.labels, 30, new Generator(3));
    expect(images.length).toBe(30 * 784);
    for (let k = 0; k < 30; k++) {
      const t = Array.from(targets.subarray(k * 10, k * 10 + 10));
      expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const kind = evaluation.AMBIGUITY.cycle[k % evaluation.AMBIGUITY.cycle.length];
      const sorted = [...t].sort((x, y) => y - x);
      const rest = kind === 'blend' ? sorted.slice(2) : sorted.slice(1);
      // The unreadable share is spread evenly over the other digits …
      for (const v of rest) expect(v).toBeCloseTo(rest[0], 6);
      // … and the digit(s) the image was made of keep at least that much: for a blend both digits,
      // each with at least 20% of the readable part (λ ∈ [0.2, 0.8]).
      expect(sorted[kind === 'blend' ? 1 : 0]).toBeGreaterThanOrEqual(rest[0] - 1e-6);
      if (kind === 'blend') expect(sorted[1] - rest[0]).toBeGreaterThanOrEqual(0.2 * (1 - 10 * rest[0]) - 1e-6);
    }
    expect(evaluation.AMBIGUITY.cycle.filter((c) => c === 'blend').length).toBe(2); // blends: half of them
    expect(() => degradedDigits(ds.images.subarray(0, 784), ds.labels.subarray(0, 1), 3, new Generator(0))).toThrow(/single class/);
  });

  it('unreadableShare ramps linearly from the readable to the unreadable level', () => {
    expect(unreadableShare(0.5, 1, 3.5)).toBe(0);
    expect(unreadableShare(1, 1, 3.5)).toBe(0);
    expect(unreadableShare(2.25, 1, 3.5)).toBeCloseTo(0.5, 15);
    expect(unreadableShare(5, 1, 3.5)).toBe(1);
  });
});

describe('DigitClassifier and classify', () => {
  it('gives labels, calibrated probabilities (softmax of logits / T) and 128 non-negative features', () => {
    const model = new DigitClassifier({ generator: new Generator(1) });
    model.setTemperature(2);
    const images = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 7) / 7);
    const a = classify(model, images);
    const b = classify(model, tensor(images, { shape: [3, 1, 28, 28] }), { batchSize: 2 });
    expect(a.features.length).toBe(3 * 128);
    expect(a.features.every((v) => v >= 0)).toBe(true);
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    for (let i = 0; i < 3; i++) {
      const l = Array.from(a.logits.subarray(i * 10, i * 10 + 10));
      const e = l.map((v) => Math.exp(v / 2));
      const s = e.reduce((x, y) => x + y, 0);
      for (let k = 0; k < 10; k++) expect(a.probabilities[i * 10 + k]).toBeCloseTo(e[k] / s, 6);
      expect(a.labels[i]).toBe(l.indexOf(Math.max(...l)));
    }
    expect(() => classify(model, tensor([[1, 2, 3]]))).toThrow(/expected 28×28 images/);
    expect(() => model.setTemperature(0)).toThrow(/temperature must be a finite number > 0/);
  });
});

describe('trainClassifier', () => {
  it('learns from a few hundred digits, holds every 10th back to fit the temperature, and is deterministic', async () => {
    const train = data.balancedSubset(await data.mnist({ split: 'train' }), 30); // 300 digits
    const test = data.balancedSubset(await data.mnist({ split: 'test' }), 20); // 200 digits
    const losses: number[] = [];
    const a = trainClassifier(train, { epochs: 3, batchSize: 16, maxShift: 0, onEpoch: (e) => losses.push(e.loss) });
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(a.calibration?.digits).toBe(30);
    expect(a.model.temperature).toBeCloseTo(a.calibration!.temperature, 5);
    expect(a.calibration!.nllAfter).toBeLessThanOrEqual(a.calibration!.nllBefore);
    // Chance is 10%; the full recipe (6 epochs on 8,103 digits) reaches ≥ 98%.
    expect(scoreHeldOut(a.model, test).accuracy).toBeGreaterThan(0.6);
    // Deterministic: the same digits and seed give the same weights and temperature (a smaller run).
    const t = await tinyData();
    const [c, d] = [0, 1].map(() => trainClassifier(t.trainData, t.train));
    expect(Array.from(d.model.head.weight.data)).toEqual(Array.from(c.model.head.weight.data));
    expect(d.model.temperature).toBe(c.model.temperature);
    expect(() => trainClassifier(train, { calibrationEvery: 1 })).toThrow(/would hold back every digit/);
    expect(() => trainClassifier(train, { ambiguous: -1 })).toThrow(/ambiguous must be a finite number ≥ 0/);
  });
});

describe('the weights file', () => {
  async function savedTiny(dir: string): Promise<{ path: string; model: evaluation.DigitClassifier; info: Omit<evaluation.ClassifierInfo, 'sha256'> }> {
    const t = await tinyData();
    const { model } = trainClassifier(t.trainData, { ...t.train, calibrationEvery: 0 });
    const info = {
      version: CLASSIFIER_VERSION, heldOut: scoreHeldOut(model, t.testData), temperature: model.temperature, calibrationDigits: 0,
      trainData: t.trainData.name, testData: t.testData.name, training: { epochs: 1 }, backend: 'js', genzoo: 'test',
    };
    const path = join(dir, CLASSIFIER_FILE);
    await saveClassifierFile(model, path, info);
    return { path, model, info };
  }

  it('reads back the same weights and what was recorded, with its hash', async () => {
    const { path, model, info } = await savedTiny(await tempDir());
    const back = await readClassifierFile(path);
    expect(back.info).toMatchObject({ ...info, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Array.from(back.model.head.weight.data)).toEqual(Array.from(model.head.weight.data));
  });

  it('refuses a file with one weight changed, an edited record, another version or another format', async () => {
    const { path } = await savedTiny(await tempDir());
    const bytes = await readFile(path);
    // Noise in one weight: the last 4 bytes of the file are the last float of some tensor.
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 2] ^= 0x40;
    await writeFile(path, flipped);
    await expect(readClassifierFile(path)).rejects.toThrow(/is corrupted: its content hash [0-9a-f]{12}… does not match the recorded/);
    // An edited held-out accuracy in the header (same length, so the file still parses).
    const edited = Buffer.from(bytes).toString('latin1').replace('\\"digits\\":30', '\\"digits\\":31');
    expect(edited).not.toBe(Buffer.from(bytes).toString('latin1'));
    await writeFile(path, Buffer.from(edited, 'latin1'));
    await expect(readClassifierFile(path)).rejects.toThrow(/is corrupted/);
    await writeFile(path, Buffer.from(Buffer.from(bytes).toString('latin1').replace(`"classifierVersion":"${CLASSIFIER_VERSION}"`, '"classifierVersion":"9"'), 'latin1'));
    await expect(readClassifierFile(path)).rejects.toThrow(/holds a version-9 classifier; this genzoo uses version 2/);
    await writeFile(path, 'not a safetensors file');
    await expect(readClassifierFile(path)).rejects.toThrow(/safetensors/);
  });
});

describe('loadClassifier', () => {
  it("'cached' trains once and caches, then loads the same weights; a corrupted cache is retrained with a message", async () => {
    const dir = await tempDir();
    const opts = { ...(await tinyData()), source: 'cached' as const, cacheDir: dir };
    const lines: string[] = [];
    const warnings: string[] = [];
    const first = await loadClassifier({ ...opts, log: (l) => lines.push(l), warn: (l) => warnings.push(l) });
    expect(first).toMatchObject({ origin: 'trained', path: join(dir, CLASSIFIER_FILE) });
    expect(lines[0]).toMatch(/classifier: training on 40 digits \(1 epochs, backend \w+\); cached afterwards in/);
    expect(warnings).toEqual([]); // a missing cache file is not a problem worth a warning
    const second = await loadClassifier({ ...opts, log: (l) => lines.push(l) });
    expect(second.origin).toBe('cache');
    expect(second.info).toEqual(first.info);
    expect(Array.from(classify(second.model, opts.testData.images).probabilities)).toEqual(Array.from(classify(first.model, opts.testData.images).probabilities));

    const bytes = await readFile(first.path!);
    bytes[bytes.length - 2] ^= 0x40; // noise in one weight
    await writeFile(first.path!, bytes);
    const third = await loadClassifier({ ...opts, log: (l) => lines.push(l), warn: (l) => warnings.push(l) });
    expect(third.origin).toBe('trained');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/classifier: .* is corrupted: its content hash .* does not match the recorded .*; training a new one/);
    expect((await readClassifierFile(first.path!)).info.sha256).toBe(third.info.sha256); // the cache holds the good one again
  });

  it("'retrain' trains even when the cache holds a good file", async () => {
    const dir = await tempDir();
    const opts = { ...(await tinyData()), cacheDir: dir };
    await loadClassifier({ ...opts, source: 'cached' });
    expect((await loadClassifier({ ...opts, source: 'retrain' })).origin).toBe('trained');
  });

  it('an impossible cache folder (/proc) is a warning before training, and the trained classifier is still returned — no hang', async () => {
    const lines: string[] = [];
    const got = await loadClassifier({ ...(await tinyData()), source: 'cached', cacheDir: '/proc/genzoo', log: (l) => lines.push(`log: ${l}`), warn: (l) => lines.push(`warn: ${l}`) });
    expect(got).toMatchObject({ origin: 'trained', path: null });
    expect(lines[0]).toMatch(/^warn: classifier cache unusable \(cannot create directory \/proc\/genzoo: \/proc does not accept new folders\): the classifier will be trained but not cached$/);
    expect(lines[1]).toMatch(/^log: classifier: training on 40 digits/);
    expect(lines.join('\n')).not.toMatch(/cached afterwards|cached in/);
  }, 60_000);

  it('a cache path under a file, and a cache whose file cannot be replaced, keep the result and say it was not cached', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'a-file'), 'x');
    const t = await tinyData();
    const warnings: string[] = [];
    const underFile = await loadClassifier({ ...t, source: 'cached', cacheDir: join(root, 'a-file', 'cache'), warn: (l) => warnings.push(l) });
    expect(underFile.path).toBeNull();
    expect(warnings[0]).toMatch(/cannot create directory .*a-file\/cache: .*a-file is a file, not a directory/);
    // The target name is taken by a folder: the check of the folder passes, the save fails after training.
    const dir = join(root, 'cache');
    await mkdir(join(dir, CLASSIFIER_FILE, 'x'), { recursive: true });
    warnings.length = 0;
    const blocked = await loadClassifier({ ...t, source: 'retrain', cacheDir: dir, warn: (l) => warnings.push(l) });
    expect(blocked).toMatchObject({ origin: 'trained', path: null });
    expect(warnings).toEqual([expect.stringMatching(/^classifier: not cached \(cannot write .*classifier-v2\.safetensors: .*\); it is used for this evaluation only$/)]);
    expect(scoreHeldOut(blocked.model, t.testData).accuracy).toBe(blocked.info.heldOut.accuracy);
  });

  it("'shipped' falls back to a trained classifier, with a warning, when the shipped file fails its check", async () => {
    const dir = await tempDir();
    const bad = join(dir, 'shipped.safetensors');
    await writeFile(bad, 'damaged');
    const warnings: string[] = [];
    const got = await loadClassifier({ ...(await tinyData()), shippedPath: bad, cacheDir: join(dir, 'cache'), warn: (l) => warnings.push(l) });
    expect(got.origin).toBe('trained');
    expect(warnings[0]).toMatch(/^the shipped classifier weights cannot be used \(.*shipped\.safetensors.*\); using one trained on this machine instead$/);
  });

  it('refuses an unknown source', async () => {
    await expect(loadClassifier({ source: 'download' as evaluation.ClassifierSource })).rejects.toThrow(/source must be one of shipped, cached, retrain, got "download"/);
  });

  it('reads no environment variable: the cache folder is an option (default ~/.cache/genzoo)', async () => {
    const { homedir } = await import('node:os');
    expect(await evaluation.defaultCacheDir()).toBe(join(homedir(), '.cache', 'genzoo'));
    const src = await readFile(new URL('../../src/eval/classifier/load.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/process\.env/);
  });
});

