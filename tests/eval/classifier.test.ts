import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { data, evaluation, Generator, tensor } from '../../src/index.js';

const { DigitClassifier, classify, classifierAccuracy, trainClassifier, randomShift, loadOrTrainClassifier, cacheDir, CLASSIFIER_FILE } = evaluation;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'genzoo-classifier-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

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

describe('DigitClassifier', () => {
  it('gives labels and 128 non-negative features per image, the same for tensors and arrays', () => {
    const model = new DigitClassifier({ generator: new Generator(1) });
    const images = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 7) / 7);
    const a = classify(model, images);
    const b = classify(model, tensor(images, { shape: [3, 1, 28, 28] }), { batchSize: 2 });
    expect(a.labels.length).toBe(3);
    expect(a.features.length).toBe(3 * 128);
    expect(a.features.every((v) => v >= 0)).toBe(true);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
    expect(() => classify(model, tensor([[1, 2, 3]]))).toThrow(/expected 28×28 images/);
  });

  it('learns: a few hundred digits and three epochs already label held-out digits far above chance', async () => {
    const train = data.balancedSubset(await data.mnist({ split: 'train' }), 30); // 300 digits
    const test = data.balancedSubset(await data.mnist({ split: 'test' }), 20); // 200 digits
    const losses: number[] = [];
    const model = trainClassifier(train, { epochs: 3, batchSize: 16, maxShift: 0, onEpoch: (e) => losses.push(e.loss) });
    expect(losses[2]).toBeLessThan(losses[0]);
    // Chance is 10%; the full recipe (6 epochs on 9,003 digits) reaches ≥ 98%.
    expect(classifierAccuracy(model, test)).toBeGreaterThan(0.6); // measured 0.785 (wasm)
  });
});

describe('loadOrTrainClassifier', () => {
  it('trains once, caches atomically with metadata, then loads the same weights; retrains a corrupt file', async () => {
    const dir = await tempDir();
    const train = data.balancedSubset(await data.mnist({ split: 'train' }), 4);
    const test = data.balancedSubset(await data.mnist({ split: 'test' }), 3);
    const opts = { dir, trainData: train, testData: test, train: { epochs: 1 } };
    const lines: string[] = [];
    const first = await loadOrTrainClassifier({ ...opts, log: (l) => lines.push(l) });
    expect(first.trained).toBe(true);
    expect(first.path).toBe(join(dir, CLASSIFIER_FILE));
    expect(lines[0]).toMatch(/training on 40 digits \(1 epochs/);
    const second = await loadOrTrainClassifier({ ...opts, log: (l) => lines.push(l) });
    expect(second.trained).toBe(false);
    expect(second.heldOutAccuracy).toBe(first.heldOutAccuracy);
    expect(lines.at(-1)).toMatch(/loaded .*classifier-v1\.safetensors/);
    const x = test.images;
    expect(Array.from(classify(second.model, x).features)).toEqual(Array.from(classify(first.model, x).features));

    await writeFile(first.path, 'not a safetensors file');
    const third = await loadOrTrainClassifier({ ...opts, log: (l) => lines.push(l) });
    expect(third.trained).toBe(true);
    expect(lines.some((l) => /cannot use .* retraining/.test(l))).toBe(true);
    await access(first.path);
  });

  it('keeps its cache in $GENZOO_CACHE, else ~/.cache/genzoo', async () => {
    const saved = process.env.GENZOO_CACHE;
    try {
      process.env.GENZOO_CACHE = '/some/where';
      expect(await cacheDir()).toBe('/some/where');
      delete process.env.GENZOO_CACHE;
      expect(await cacheDir()).toBe(join(homedir(), '.cache', 'genzoo'));
    } finally {
      if (saved === undefined) delete process.env.GENZOO_CACHE;
      else process.env.GENZOO_CACHE = saved;
    }
  });
});
