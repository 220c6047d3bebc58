import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { data } from '../../src/index.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'genzoo-idx-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** An IDX file written byte by byte: magic (0, 0, type, ndim), big-endian u32 dimensions, then data. */
function idxBytes(type: number, dims: number[], payload: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return new Uint8Array([...header, ...payload]);
}

/** n tiny h×w "digits": pixel (y, x) of image i = (i·40 + y·10 + x) mod 256; label i mod 10. */
function fixture(n: number, h: number, w: number) {
  const pixels: number[] = [];
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.push((i * 40 + y * 10 + x) % 256);
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  return { images: idxBytes(0x08, [n, h, w], pixels), labels: idxBytes(0x08, [n], labels), pixels };
}

async function makeDir(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [f, bytes] of Object.entries(files)) await writeFile(join(dir, f), bytes);
  return dir;
}

describe('parseIdx / encodeIdx', () => {
  test('reads hand-written files of every element type', () => {
    expect(data.parseIdx(idxBytes(0x08, [2, 3], [0, 1, 2, 253, 254, 255]))).toEqual({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([0, 1, 2, 253, 254, 255]) });
    expect(Array.from(data.parseIdx(idxBytes(0x09, [2], [0xff, 0x7f])).data)).toEqual([-1, 127]);
    expect(Array.from(data.parseIdx(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe])).data)).toEqual([258, -2]);
    expect(Array.from(data.parseIdx(idxBytes(0x0c, [1], [0x00, 0x01, 0x00, 0x00])).data)).toEqual([65536]);
    expect(Array.from(data.parseIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0, 0])).data)).toEqual([1.5]); // big-endian 1.5f
    expect(Array.from(data.parseIdx(idxBytes(0x0e, [1], [0xc0, 0, 0, 0, 0, 0, 0, 0])).data)).toEqual([-2]);
  });

  test('encodeIdx is the inverse and writes the same bytes', () => {
    expect(Array.from(data.encodeIdx([1, 2, 3, 4, 5, 6], [2, 3]))).toEqual(Array.from(idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6])));
    for (const dtype of ['int8', 'int16', 'int32', 'float32', 'float64'] as const) {
      const back = data.parseIdx(data.encodeIdx([-3, 0, 7], [3], dtype));
      expect(back.dtype).toBe(dtype);
      expect(Array.from(back.data)).toEqual([-3, 0, 7]);
    }
  });

  test('every problem is named, with the file', () => {
    const good = idxBytes(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array([0, 0]), 'IDX file f: 2 bytes is too short for the 4-byte magic number'],
      [Uint8Array.from([0x01, ...good.subarray(1)]), 'IDX file f: magic number 0x01000803 does not start with two zero bytes: not an IDX file'],
      [Uint8Array.from([0, 0, 0x0a, ...good.subarray(3)]), 'IDX file f: magic number 0x00000a03 names unknown element type 0x0a'],
      [Uint8Array.from([0, 0, 8, 0]), 'declares 0 dimensions'],
      [good.slice(0, 10), '10 bytes is too short for the header of 3 dimensions (16 bytes; truncated?)'],
      [good.slice(0, good.length - 1), 'IDX file f: dimensions 2 × 2 × 2 of uint8 need 24 bytes (16 header + 8 data) but the file has 23 (truncated?)'],
      [Uint8Array.from([...good, 0, 0]), 'but the file has 26 (2 trailing bytes)'],
      [gzipSync(good), 'IDX file f: is gzip-compressed'],
    ];
    for (const [bytes, message] of cases) expect(() => data.parseIdx(bytes, 'f'), message).toThrow(message);
  });
});

describe('loadIdxDataset', () => {
  test('plain files with the official names', async () => {
    const tr = fixture(12, 4, 5);
    const te = fixture(3, 4, 5);
    const dir = await makeDir('plain', {
      'train-images-idx3-ubyte': tr.images, 'train-labels-idx1-ubyte': tr.labels,
      't10k-images-idx3-ubyte': te.images, 't10k-labels-idx1-ubyte': te.labels,
    });
    const train = await data.loadIdxDataset(dir);
    expect(train).toMatchObject({ n: 12, height: 4, width: 5, channels: 1, classes: 10, name: `idx:${dir}:train` });
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(Array.from(train.images)).toEqual(tr.pixels.map((k) => Math.fround(k / 255)));
    const test = await data.loadIdxDataset(dir, { split: 'test' });
    expect(test.n).toBe(3);
    expect((await data.loadDataset(`idx:${dir}`, { split: 'test' })).n).toBe(3);
  });

  test('gzipped files, and the dotted naming variant', async () => {
    const tr = fixture(7, 3, 3);
    const gz = await makeDir('gz', { 'train-images-idx3-ubyte.gz': gzipSync(tr.images), 'train-labels-idx1-ubyte.gz': gzipSync(tr.labels) });
    const a = await data.loadIdxDataset(gz);
    expect(a.n).toBe(7);
    expect(Array.from(a.images)).toEqual(tr.pixels.map((k) => Math.fround(k / 255)));
    expect(Array.from((await data.readIdx(join(gz, 'train-labels-idx1-ubyte.gz'))).data)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const dotted = await makeDir('dotted', { 'train-images.idx3-ubyte': tr.images, 'train-labels.idx1-ubyte': tr.labels });
    expect((await data.loadIdxDataset(dotted)).n).toBe(7);
  });

  test('bad files: truncated, wrong magic, count mismatch, bad labels, corrupt gzip, missing files', async () => {
    const tr = fixture(6, 3, 3);
    const truncated = await makeDir('truncated', { 'train-images-idx3-ubyte': tr.images.slice(0, tr.images.length - 5), 'train-labels-idx1-ubyte': tr.labels });
    await expect(data.loadIdxDataset(truncated)).rejects.toThrow(`IDX file ${join(truncated, 'train-images-idx3-ubyte')}: dimensions 6 × 3 × 3 of uint8 need 70 bytes (16 header + 54 data) but the file has 65 (truncated?)`);

    const swapped = await makeDir('swapped', { 'train-images-idx3-ubyte': tr.labels, 'train-labels-idx1-ubyte': tr.labels });
    await expect(data.loadIdxDataset(swapped)).rejects.toThrow(`IDX file ${join(swapped, 'train-images-idx3-ubyte')}: expected images (magic 0x00000803: uint8, 3 dimensions), got uint8 with 1 dimensions`);

    const wrongMagic = await makeDir('magic', { 'train-images-idx3-ubyte': Uint8Array.from([0x12, 0x34, ...tr.images.subarray(2)]), 'train-labels-idx1-ubyte': tr.labels });
    await expect(data.loadIdxDataset(wrongMagic)).rejects.toThrow(`IDX file ${join(wrongMagic, 'train-images-idx3-ubyte')}: magic number 0x12340803 does not start with two zero bytes`);

    const mismatch = await makeDir('mismatch', { 'train-images-idx3-ubyte': tr.images, 'train-labels-idx1-ubyte': fixture(5, 3, 3).labels });
    await expect(data.loadIdxDataset(mismatch)).rejects.toThrow(`IDX dataset ${mismatch}: ${join(mismatch, 'train-images-idx3-ubyte')} has 6 images but ${join(mismatch, 'train-labels-idx1-ubyte')} has 5 labels`);

    const badLabel = await makeDir('badlabel', { 'train-images-idx3-ubyte': tr.images, 'train-labels-idx1-ubyte': idxBytes(0x08, [6], [0, 1, 2, 10, 4, 5]) });
    await expect(data.loadIdxDataset(badLabel)).rejects.toThrow(`IDX file ${join(badLabel, 'train-labels-idx1-ubyte')}: label 10 at index 3 is not below 10 classes`);
    expect((await data.loadIdxDataset(badLabel, { classes: 11 })).classes).toBe(11);

    const corrupt = gzipSync(tr.images).slice(0, 20);
    const badGz = await makeDir('badgz', { 'train-images-idx3-ubyte.gz': corrupt, 'train-labels-idx1-ubyte': tr.labels });
    await expect(data.loadIdxDataset(badGz)).rejects.toThrow(`IDX file ${join(badGz, 'train-images-idx3-ubyte.gz')}: corrupt or truncated gzip data`);

    const onlyImages = await makeDir('onlyimages', { 'train-images-idx3-ubyte': tr.images });
    await expect(data.loadIdxDataset(onlyImages)).rejects.toThrow(`IDX dataset: no labels file in ${onlyImages} (looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz)`);
    await expect(data.loadIdxDataset(join(root, 'nowhere'))).rejects.toThrow(`IDX dataset: directory ${join(root, 'nowhere')} does not exist`);
    await expect(data.loadIdxDataset(onlyImages, { split: 'dev' as 'train' })).rejects.toThrow("split must be 'train' or 'test'");
  });
});
