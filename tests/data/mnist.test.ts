import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { data } from '../../src/index.js';

/** Digits per class in the source itself, the mnist package (devDependency): its class files hold 784 values a digit. */
function packageClassCounts(): number[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  return Array.from({ length: 10 }, (_, k) => (JSON.parse(readFileSync(join(dir, `${k}.json`), 'utf8')) as { data: unknown[] }).data.length / 784);
}

describe('the embedded MNIST digits', () => {
  test('sizes and the documented split: exact counts per class, no overlap, values in [0, 1]', async () => {
    const t0 = performance.now();
    const [train, testSet, all] = await Promise.all([data.mnist({ split: 'train' }), data.mnist({ split: 'test' }), data.mnist({ split: 'all' })]);
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(20); // a sanity bound only (shared CPU); typically well under a second

    expect(all.n).toBe(10_000);
    expect(data.classCounts(all)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(data.classCounts(all)).toEqual([...data.MNIST_CLASS_COUNTS]);
    expect(train.n).toBe(9003);
    expect(testSet.n).toBe(997);
    expect(data.classCounts(testSet)).toEqual([100, 112, 99, 103, 98, 86, 101, 107, 94, 97]);
    expect(data.classCounts(train)).toEqual([901, 1015, 892, 929, 882, 777, 913, 963, 850, 881]);
    // The same counts derived from the source, not from src: the package's files, and the split's rule
    // (every 10th digit of a class is held out: ⌊count / 10⌋ of them).
    const source = packageClassCounts();
    expect(data.classCounts(all)).toEqual(source);
    expect(data.classCounts(testSet)).toEqual(source.map((c) => Math.floor(c / 10)));
    expect(data.classCounts(train)).toEqual(source.map((c) => c - Math.floor(c / 10)));
    for (const ds of [train, testSet, all]) {
      expect(ds).toMatchObject({ height: 28, width: 28, channels: 1, classes: 10 });
      expect(ds.images).toBeInstanceOf(Float32Array);
      expect(ds.labels).toBeInstanceOf(Int32Array);
      expect(ds.images.length).toBe(ds.n * 784);
    }
    expect(train.name).toBe('mnist:train');

    // Values: exactly k / 255 for a byte k, covering the full range.
    let min = Infinity, max = -Infinity;
    for (const v of all.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    let offGrid = 0;
    for (let i = 0; i < all.images.length; i++) if (all.images[i] !== Math.fround(Math.round(all.images[i] * 255) / 255)) offGrid++;
    expect(offGrid).toBe(0);

    // The split, image by image: train ∪ test = all, disjoint, and test = the 10th, 20th, … of each class.
    // An image's identity: its label and a 52-bit hash (two FNV-1a streams) of its 784 bytes.
    const key = (ds: data.Dataset, i: number): string => {
      let h1 = 0x811c9dc5, h2 = 0x01000193;
      for (let p = i * 784; p < (i + 1) * 784; p++) {
        const b = Math.round(ds.images[p] * 255);
        h1 = Math.imul(h1 ^ b, 16777619);
        h2 = Math.imul(h2 ^ (b + p % 784), 2246822519);
      }
      return `${ds.labels[i]}:${h1 >>> 0}:${h2 >>> 0}`;
    };
    const allKeys = Array.from({ length: all.n }, (_, i) => key(all, i));
    const expectedTest = new Set<number>();
    const seen = new Array(10).fill(0);
    for (let i = 0; i < all.n; i++) if (seen[all.labels[i]]++ % 10 === 9) expectedTest.add(i);
    const testKeys = new Set(Array.from({ length: testSet.n }, (_, i) => key(testSet, i)));
    const trainKeys = new Set(Array.from({ length: train.n }, (_, i) => key(train, i)));
    expect([...testKeys].filter((k) => trainKeys.has(k))).toEqual([]);
    expect([...expectedTest].map((i) => allKeys[i])).toEqual(Array.from({ length: testSet.n }, (_, i) => key(testSet, i)));
    expect(allKeys.filter((_, i) => !expectedTest.has(i))).toEqual(Array.from({ length: train.n }, (_, i) => key(train, i)));
  });

  test('each call returns fresh arrays; bad splits are refused', async () => {
    const a = await data.mnist({ split: 'test' });
    a.images[0] = 0.5;
    const b = await data.mnist({ split: 'test' });
    expect(b.images[0]).toBe(0);
    await expect(data.mnist({ split: 'valid' as 'train' })).rejects.toThrow("mnist: split must be 'train', 'test' or 'all', got \"valid\"");
  });
});

test('loadDataset parses --data values', async () => {
  expect(data.checkDatasetSpec('mnist')).toBeNull();
  expect(data.checkDatasetSpec('idx:/data/mnist')).toBeNull();
  expect(data.checkDatasetSpec('idx:')).toMatch(/needs a directory/);
  expect(data.checkDatasetSpec('cifar')).toMatch(/unknown dataset "cifar"/);
  expect((await data.loadDataset('mnist', { split: 'test' })).n).toBe(997);
  await expect(data.loadDataset('cifar')).rejects.toThrow(/unknown dataset/);
});
