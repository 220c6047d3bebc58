/**
 * The IDX files MNIST and Fashion-MNIST are distributed in, so a user with the
 * full 60,000/10,000 digits on disk trains on them with `--data idx:DIR`.
 *
 * The format (big-endian throughout):
 *   bytes 0–1  zero
 *   byte  2    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then d × uint32 dimension sizes, then the elements in row-major order.
 * MNIST images: magic 0x00000803 (uint8, 3 dims: n × 28 × 28);
 * labels: magic 0x00000801 (uint8, 1 dim: n).
 *
 * Every error names the file and the problem. `parseIdx`/`encodeIdx` work on
 * bytes (browser-safe); `readIdx`/`loadIdxDataset` read files (optionally
 * gzipped, detected by the gzip magic bytes) and load node:fs/zlib on first use.
 */
import { makeDataset, type Dataset } from './dataset.js';
import { errorMessage, fsReason, nodeFs, nodeModule, nodePath } from '../io/node.js';
import { DTypeError, IOError, ShapeError, ValueError } from '../errors.js';

/** The element types an IDX file can hold (the third byte of its magic number). */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
/** The typed array an IDX file's elements are read into, by element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An IDX file in memory: element type, dimensions and the elements, row-major. */
export interface IdxArray {
  /** Element type. */
  dtype: IdxDType;
  /** Dimension sizes, outermost first. */
  shape: number[];
  /** The elements in row-major order. */
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDType; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};
const CODES: Record<IdxDType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

const hex = (b: Uint8Array): string => '0x' + Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join('');

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

interface IdxHeader {
  type: { dtype: IdxDType; size: number };
  shape: number[];
  headerLength: number;
  /** The whole file's length the header implies: header + elements. */
  expected: number;
}

/**
 * Reads the header at the start of `bytes` (the whole file, or only its first
 * part while a gzip stream is decompressed). Returns null when `bytes` is too
 * short to hold the header; calls `bad` (which throws) for a header no IDX file
 * has, including one that declares more bytes than a file can hold.
 */
function readIdxHeader(bytes: Uint8Array, bad: (msg: string) => never): IdxHeader | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== 0 || bytes[1] !== 0) bad(`magic number ${hex(bytes)} does not start with two zero bytes: not an IDX file`);
  const type = TYPES[bytes[2]];
  if (!type) bad(`magic number ${hex(bytes)} names unknown element type 0x${bytes[2].toString(16).padStart(2, '0')} (expected 08, 09, 0B, 0C, 0D or 0E)`);
  const ndim = bytes[3];
  if (ndim === 0) bad(`magic number ${hex(bytes)} declares 0 dimensions`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const expected = headerLength + shape.reduce((a, b) => a * b, 1) * type.size;
  if (!Number.isSafeInteger(expected)) bad(`dimensions ${shape.join(' × ')} of ${type.dtype} declare more data than any file can hold`);
  return { type, shape, headerLength, expected };
}

/** Parses an (uncompressed) IDX file held in memory; `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = 'buffer'): IdxArray {
  const bad = (msg: string): never => {
    throw new IOError(`IDX file ${source}: ${msg}`);
  };
  if (bytes.length < 4) bad(`${bytes.length} bytes is too short for the 4-byte magic number (empty or truncated file)`);
  if (isGzip(bytes)) bad('is gzip-compressed: read it with readIdx (which decompresses) or gunzip it first');
  const header = readIdxHeader(bytes, bad);
  if (!header) return bad(`${bytes.length} bytes is too short for the header of ${bytes[3]} dimensions (${4 + 4 * bytes[3]} bytes; truncated?)`);
  const { type, shape, headerLength, expected } = header;
  const count = (expected - headerLength) / type.size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length !== expected) {
    bad(`dimensions ${shape.join(' × ')} of ${type.dtype} need ${expected} bytes (${headerLength} header + ${count * type.size} data) but the file has ${bytes.length}` +
      (bytes.length < expected ? ' (truncated?)' : ` (${bytes.length - expected} trailing bytes)`));
  }
  let data: IdxData;
  if (type.dtype === 'uint8') {
    data = bytes.subarray(headerLength, expected);
  } else if (type.dtype === 'int8') {
    data = new Int8Array(bytes.buffer, bytes.byteOffset + headerLength, count);
  } else {
    // Multi-byte elements are big-endian: read each through the DataView.
    const read = {
      int16: (o: number) => view.getInt16(o, false), int32: (o: number) => view.getInt32(o, false),
      float32: (o: number) => view.getFloat32(o, false), float64: (o: number) => view.getFloat64(o, false),
    }[type.dtype];
    const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[type.dtype];
    data = new Ctor(count);
    for (let i = 0; i < count; i++) data[i] = read(headerLength + i * type.size);
  }
  return { dtype: type.dtype, shape, data };
}

/** Encodes an array as IDX bytes (the inverse of `parseIdx`; used to write test files). */
export function encodeIdx(data: ArrayLike<number>, shape: readonly number[], dtype: IdxDType = 'uint8'): Uint8Array {
  const code = CODES[dtype];
  if (code === undefined) throw new DTypeError(`encodeIdx: unknown dtype ${JSON.stringify(dtype)}`);
  if (shape.length === 0 || shape.length > 255) throw new ShapeError(`encodeIdx: need 1 to 255 dimensions, got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new ShapeError(`encodeIdx: shape [${shape.join(', ')}] needs ${count} elements, got ${data.length}`);
  const size = TYPES[code].size;
  const headerLength = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLength + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = headerLength + i * size;
    switch (dtype) {
      case 'uint8': view.setUint8(o, data[i]); break;
      case 'int8': view.setInt8(o, data[i]); break;
      case 'int16': view.setInt16(o, data[i], false); break;
      case 'int32': view.setInt32(o, data[i], false); break;
      case 'float32': view.setFloat32(o, data[i], false); break;
      case 'float64': view.setFloat64(o, data[i], false); break;
    }
  }
  return out;
}

/**
 * Decompresses a gzipped IDX file, reading no more than its header declares:
 * decompression stops as soon as the output passes the size the header
 * implies (or the header is not an IDX header), so a small damaged or hostile
 * file cannot make genzoo allocate gigabytes (a "gzip bomb").
 */
async function gunzipIdx(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  const zlib = await nodeModule<typeof import('node:zlib')>('node:zlib', 'readIdx');
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip();
    const chunks: Uint8Array[] = [];
    let total = 0;
    let limit = Infinity;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      gunzip.destroy();
      reject(err);
    };
    const bad = (msg: string): never => {
      throw new IOError(`IDX file ${path}: ${msg}`);
    };
    gunzip.on('data', (chunk: Uint8Array) => {
      if (done) return;
      chunks.push(chunk);
      total += chunk.length;
      try {
        if (limit === Infinity) limit = readIdxHeader(concat(chunks, total), bad)?.expected ?? Infinity;
        if (total > limit) bad(`its gzip data decompress to more than the ${limit} bytes its header declares`);
      } catch (err) {
        fail(err as Error);
      }
    });
    gunzip.on('error', (err) => fail(new IOError(`IDX file ${path}: corrupt or truncated gzip data: ${errorMessage(err)}`, { cause: err })));
    gunzip.on('end', () => {
      if (done) return;
      done = true;
      resolve(concat(chunks, total));
    });
    gunzip.end(bytes);
  });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Decodes the bytes of an IDX file as stored on disk (gzipped or not: detected
 * by the gzip magic bytes); `path` names it in errors. Node-only for gzip.
 */
export async function decodeIdxFile(bytes: Uint8Array, path: string): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzipIdx(bytes, path) : bytes, path);
}

/** Reads an IDX file, gunzipping it first when it starts with the gzip magic bytes. Node-only. */
export async function readIdx(path: string): Promise<IdxArray> {
  const fs = await nodeFs('readIdx');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new IOError(`IDX file ${path}: cannot read: ${fsReason(err)}`, { cause: err });
  }
  return decodeIdxFile(bytes, path);
}

/** Options of {@link loadIdxDataset}. */
export interface IdxDatasetOptions {
  /** 'train' reads train-images/train-labels, 'test' reads t10k-images/t10k-labels. Default 'train'. */
  split?: 'train' | 'test';
  /** Number of classes (default 10); every label must be below it. */
  classes?: number;
}

/** The names tried for one file, in order: the official name, the common dotted variant, each also gzipped. */
function candidates(prefix: string, kind: 'images' | 'labels'): string[] {
  const d = kind === 'images' ? 3 : 1;
  const names = [`${prefix}-${kind}-idx${d}-ubyte`, `${prefix}-${kind}.idx${d}-ubyte`];
  return names.flatMap((n) => [n, `${n}.gz`]);
}

async function findFile(dir: string, prefix: string, kind: 'images' | 'labels'): Promise<string> {
  const fs = await nodeFs('loadIdxDataset');
  const path = await nodePath('loadIdxDataset');
  const names = candidates(prefix, kind);
  for (const name of names) {
    const p = path.join(dir, name);
    try {
      if ((await fs.stat(p)).isFile()) return p;
    } catch {
      // not there: try the next name
    }
  }
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new IOError(`IDX dataset: ${dir} is not a directory`);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new IOError(`IDX dataset: directory ${dir} does not exist`, { cause: err });
    throw err;
  }
  throw new IOError(`IDX dataset: no ${kind} file in ${dir} (looked for ${names.join(', ')})`);
}

/**
 * Loads one split of an MNIST-style IDX directory (MNIST, Fashion-MNIST, …):
 *   const train = await data.loadIdxDataset('/data/fashion', { split: 'train' });
 * Checks that the images are uint8 n × H × W, the labels uint8 n, that both
 * counts agree and every label is below `classes`; grey levels become byte / 255.
 */
export async function loadIdxDataset(dir: string, opts: IdxDatasetOptions = {}): Promise<Dataset> {
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new ValueError(`IDX dataset: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const classes = opts.classes ?? 10;
  const prefix = split === 'train' ? 'train' : 't10k';
  const [imagesPath, labelsPath] = await Promise.all([findFile(dir, prefix, 'images'), findFile(dir, prefix, 'labels')]);
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new IOError(`IDX file ${imagesPath}: expected images (magic 0x00000803: uint8, 3 dimensions), got ${images.dtype} with ${images.shape.length} dimensions`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new IOError(`IDX file ${labelsPath}: expected labels (magic 0x00000801: uint8, 1 dimension), got ${labels.dtype} with ${labels.shape.length} dimensions`);
  }
  const [n, h, w] = images.shape;
  if (labels.shape[0] !== n) {
    throw new IOError(`IDX dataset ${dir}: ${imagesPath} has ${n} images but ${labelsPath} has ${labels.shape[0]} labels`);
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label >= classes) throw new IOError(`IDX file ${labelsPath}: label ${label} at index ${i} is not below ${classes} classes`);
    y[i] = label;
  }
  const grey = new Float32Array(256);
  for (let k = 0; k < 256; k++) grey[k] = k / 255;
  const x = new Float32Array(n * h * w);
  const src = images.data;
  for (let i = 0; i < x.length; i++) x[i] = grey[src[i]];
  return makeDataset(x, y, { name: `idx:${dir}:${split}`, height: h, width: w, classes });
}
