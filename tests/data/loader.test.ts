import { describe, expect, test } from 'vitest';
import { data, Tensor } from '../../src/index.js';

/** n images of 2×3 where every pixel of image i is i / n, label i mod 10. */
function toy(n: number): data.Dataset {
  const images = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) images.fill(i / n, i * 6, (i + 1) * 6);
  return data.makeDataset(images, Int32Array.from({ length: n }, (_, i) => i % 10), { name: `toy${n}`, height: 2, width: 3, classes: 10 });
}

/** Which dataset image each batch position holds (recovered from the pixel values). */
const ids = (b: data.Batch, n: number) => Array.from({ length: b.size }, (_, j) => Math.round(b.x.data[j * 6] * n));

describe('DataLoader', () => {
  test('batch shapes, labels, one-hot, length and the last batch', () => {
    const ds = toy(23);
    const loader = new data.DataLoader(ds, { batchSize: 5, seed: 3 });
    expect(loader.length).toBe(5);
    const batches = [...loader];
    expect(batches.map((b) => b.size)).toEqual([5, 5, 5, 5, 3]);
    const b0 = batches[0];
    expect(b0.x).toBeInstanceOf(Tensor);
    expect(b0.x.shape).toEqual([5, 1, 2, 3]);
    expect(b0.x.dtype).toBe('float32');
    expect(b0.y).toBeInstanceOf(Int32Array);
    expect(Array.from(b0.y)).toEqual(ids(b0, 23).map((i) => i % 10));
    expect(Array.from(b0.indices)).toEqual(ids(b0, 23));
    expect(b0.yOneHot.shape).toEqual([5, 10]);
    expect((b0.yOneHot.toArray() as number[][]).map((row) => row.indexOf(1))).toEqual(Array.from(b0.y));
    expect(b0.yOneHot).toBe(b0.yOneHot); // cached
    // One epoch visits every image exactly once.
    expect(batches.flatMap((b) => ids(b, 23)).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(batches.map((b) => [b.epoch, b.index])).toEqual([[0, 0], [0, 1], [0, 2], [0, 3], [0, 4]]);

    const dropped = new data.DataLoader(ds, { batchSize: 5, dropLast: true });
    expect(dropped.length).toBe(4);
    expect([...dropped].map((b) => b.size)).toEqual([5, 5, 5, 5]);
    const flat = new data.DataLoader(ds, { batchSize: 4, flatten: true, dtype: 'float64', shuffle: false });
    const f0 = [...flat][0];
    expect(f0.x.shape).toEqual([4, 6]);
    expect(f0.x.dtype).toBe('float64');
    expect(f0.yOneHot.dtype).toBe('float64');
    expect(ids(f0, 23)).toEqual([0, 1, 2, 3]);
  });

  test('shuffling: same seed → same order, other seed or epoch → another order; shuffle: false keeps order', () => {
    const ds = toy(50);
    const run = (seed: number, epochs: number) => {
      const loader = new data.DataLoader(ds, { batchSize: 8, seed });
      const out: number[][] = [];
      for (let e = 0; e < epochs; e++) out.push([...loader].flatMap((b) => ids(b, 50)));
      return out;
    };
    const a = run(7, 2);
    expect(run(7, 2)).toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
    expect(run(8, 1)[0]).not.toEqual(a[0]);
    expect(a[0]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const loader = new data.DataLoader(ds, { batchSize: 8, seed: 7 });
    expect(Array.from(loader.order(1))).toEqual(a[1]);
    expect(ids(loader.batch(1, 2), 50)).toEqual(a[1].slice(16, 24));
    const plain = new data.DataLoader(ds, { batchSize: 8, shuffle: false });
    expect([...plain].flatMap((b) => ids(b, 50))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('resume mid-epoch: a run interrupted and resumed from state() sees exactly the batches of an uninterrupted run', () => {
    const ds = toy(37);
    const opts = { batchSize: 6, seed: 'resume-test' };
    const uninterrupted: number[][] = [];
    const full = new data.DataLoader(ds, opts);
    for (let e = 0; e < 3; e++) for (const b of full) uninterrupted.push([b.epoch, b.index, ...ids(b, 37)]);
    expect(uninterrupted.length).toBe(3 * 7);

    // Interrupt after the 3rd batch of epoch 1 (Ctrl-C after its step), save state, resume in a "new process".
    const seen: number[][] = [];
    const first = new data.DataLoader(ds, opts);
    let saved: data.LoaderState | null = null;
    outer: for (let e = first.position.epoch; e < 3; e++) {
      for (const b of first) {
        seen.push([b.epoch, b.index, ...ids(b, 37)]);
        if (b.epoch === 1 && b.index === 2) {
          saved = JSON.parse(JSON.stringify(first.state())); // as stored in a checkpoint
          break outer;
        }
      }
    }
    expect(saved).toMatchObject({ epoch: 1, batch: 3, seed: 'resume-test', batchSize: 6, n: 37, dataset: 'toy37' });
    const second = new data.DataLoader(ds, opts);
    second.seek(saved!);
    for (let e = second.position.epoch; e < 3; e++) for (const b of second) seen.push([b.epoch, b.index, ...ids(b, 37)]);
    expect(seen).toEqual(uninterrupted);
    expect(second.position).toEqual({ epoch: 3, batch: 0 });

    // Interrupted right after an epoch's last batch: the position is already the next epoch.
    const third = new data.DataLoader(ds, opts);
    for (const b of third) if (b.index === 6) break;
    expect(third.position).toEqual({ epoch: 1, batch: 0 });
    // epochBatches replays without moving the position.
    expect([...third.epochBatches(2, 5)].map((b) => [b.epoch, b.index, ...ids(b, 37)])).toEqual(uninterrupted.slice(14 + 5, 21));
    expect(third.position).toEqual({ epoch: 1, batch: 0 });
  });

  test('refuses to resume with other settings, and bad options', () => {
    const ds = toy(20);
    const loader = new data.DataLoader(ds, { batchSize: 4, seed: 1 });
    const state = loader.state();
    expect(() => new data.DataLoader(ds, { batchSize: 5, seed: 1 }).seek(state)).toThrow('DataLoader: cannot resume: the saved loader had batchSize 4 but this one has 5');
    expect(() => new data.DataLoader(ds, { batchSize: 4, seed: 2 }).seek(state)).toThrow('had seed "1" but this one has "2"');
    expect(() => new data.DataLoader(toy(21), { batchSize: 4, seed: 1 }).seek(state)).toThrow('had n 20 but this one has 21');
    expect(() => loader.seek({ epoch: 0, batch: 6 })).toThrow('cannot seek to batch 6: an epoch has 5');
    expect(() => loader.seek({ epoch: -1, batch: 0 })).toThrow('epoch must be an integer ≥ 0');
    loader.seek({ epoch: 2, batch: 5 });
    expect(loader.position).toEqual({ epoch: 3, batch: 0 });
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow('batchSize must be an integer ≥ 1');
    expect(() => new data.DataLoader(ds, { batchSize: 32, dropLast: true })).toThrow('dropLast with batchSize 32 and only 20 images gives no batches');
    expect(() => loader.batch(0, 5)).toThrow('batch 5 does not exist (an epoch has 5)');
    expect(() => new data.DataLoader({} as data.Dataset)).toThrow('expected a Dataset');
  });

  test('on the embedded digits: [64, 1, 28, 28] in [0, 1], 141 batches per epoch', async () => {
    const train = await data.mnist({ split: 'train' });
    const loader = new data.DataLoader(train, { batchSize: 64, seed: 0 });
    expect(loader.length).toBe(Math.ceil(9003 / 64));
    const b = loader.batch(0, 0);
    expect(b.x.shape).toEqual([64, 1, 28, 28]);
    expect(b.x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(b.y.every((k) => k >= 0 && k < 10)).toBe(true);
    const last = loader.batch(0, loader.length - 1);
    expect(last.size).toBe(9003 - 140 * 64);
  });
});

describe('datasets', () => {
  test('makeDataset validates; subset and balancedSubset copy', () => {
    expect(() => data.makeDataset(new Float32Array(12), new Int32Array(3), { name: 'd', height: 2, width: 3, classes: 2 })).toThrow('dataset d: 2 images but 3 labels');
    expect(() => data.makeDataset(new Float32Array([0, 2]), new Int32Array(1), { name: 'd', height: 1, width: 2, classes: 2 })).toThrow('dataset d: image 0 has grey level 2 outside [0, 1]');
    expect(() => data.makeDataset(new Float32Array([0, NaN]), new Int32Array(1), { name: 'd', height: 1, width: 2, classes: 2 })).toThrow('grey level NaN outside [0, 1]');
    expect(() => data.makeDataset(new Float32Array(2), new Int32Array([5]), { name: 'd', height: 1, width: 2, classes: 2 })).toThrow('label 5 of image 0 is not in [0, 2)');
    const ds = toy(30);
    const sub = data.subset(ds, [4, 2]);
    expect(sub.n).toBe(2);
    expect(Array.from(sub.labels)).toEqual([4, 2]);
    expect(sub.images[0]).toBe(Math.fround(4 / 30));
    expect(() => data.subset(ds, [30])).toThrow('index 30 is not in [0, 30)');
    const bal = data.balancedSubset(ds, 3);
    expect(data.classCounts(bal)).toEqual(Array(10).fill(3));
    expect(() => data.balancedSubset(ds, 4)).toThrow('has only 3 images of class 0, asked for 4');
  });
});
