/**
 * NumPy `.npy` files (format version 1.0), so samples load with `np.load`.
 *
 * The bytes, as NumPy (2.x, `np.save`) writes them:
 *   "\x93NUMPY" | major 1 | minor 0 | HEADER_LEN (uint16, little-endian) | header
 * where the header is the repr of a Python dict with sorted keys,
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }
 * followed by (21 − digits of the first dimension) spaces of room to grow the
 * first axis in place (none for 0-d arrays), then spaces so that magic, length
 * and header end on a 64-byte boundary, the last of them replaced by '\n'
 * (NumPy pads a full 64 when the length is already a multiple of 64). Then the
 * data: C order, little-endian ('<f4' float32, '<f8' float64).
 *
 * Browser-safe except `saveNpy`/`loadNpy`, which load node:fs on first use.
 */
import { Tensor } from '../tensor/tensor.js';
import { shapeStr, sizeOf } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
import { fsReason, nodeFs } from './node.js';
import { IOError, ShapeError, ValueError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A `.npy` array in memory. */
export interface NpyArray {
  /** Dimension sizes (C order). */
  shape: number[];
  /** The elements, row-major: Float32Array or Float64Array as stored. */
  data: FloatArray;
}

/** The header text NumPy writes for a C-order array of this dtype and shape (without the alignment padding). */
function headerDict(descr: string, shape: readonly number[]): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) h += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  return h;
}

/**
 * Encodes a float32 (`<f4`) or float64 (`<f8`) array as `.npy` bytes.
 * `array` is a Tensor (its shape is used) or a typed array with `shape`
 * (default: 1-D).
 */
export function encodeNpy(array: Tensor | FloatArray, shape?: readonly number[]): Uint8Array {
  let data: FloatArray;
  let dims: number[];
  if (array instanceof Tensor) {
    data = array.data;
    dims = shape ? shape.slice() : array.shape.slice();
  } else if (array instanceof Float32Array || array instanceof Float64Array) {
    data = array;
    dims = shape ? shape.slice() : [array.length];
  } else {
    throw new ValueError('encodeNpy: expected a Tensor, Float32Array or Float64Array');
  }
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ShapeError(`encodeNpy: invalid shape ${shapeStr(dims)}`);
  if (sizeOf(dims) !== data.length) throw new ShapeError(`encodeNpy: shape ${shapeStr(dims)} needs ${sizeOf(dims)} elements but the array has ${data.length}`);
  const descr = data instanceof Float64Array ? '<f8' : '<f4';

  const header = headerDict(descr, dims);
  const hlen = header.length + 1; // + the final '\n'
  const padlen = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
  const headerLength = hlen + padlen;
  if (headerLength > 0xffff) throw new ShapeError(`encodeNpy: header of ${headerLength} bytes does not fit format 1.0 (shape ${shapeStr(dims)})`);

  const prefix = MAGIC.length + 2 + 2;
  const out = new Uint8Array(prefix + headerLength + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // major
  out[7] = 0; // minor
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i); // ASCII only
  out.fill(0x20, prefix + header.length, prefix + headerLength - 1);
  out[prefix + headerLength - 1] = 0x0a;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(bytes, prefix + headerLength);
  if (!LITTLE_ENDIAN_HOST) swapInPlace(out.subarray(prefix + headerLength), data.BYTES_PER_ELEMENT);
  return out;
}

function swapInPlace(b: Uint8Array, w: number): void {
  for (let i = 0; i < b.length; i += w) b.subarray(i, i + w).reverse();
}

/**
 * Decodes `.npy` bytes holding a C-order float32 or float64 array (versions
 * 1.0, 2.0 and 3.0 of the format; `<f4`, `<f8`, `>f4`, `>f8`). Others: a clear error.
 */
export function decodeNpy(input: ArrayBuffer | ArrayBufferView, source = 'buffer'): NpyArray {
  const bytes = input instanceof Uint8Array ? input
    : input instanceof ArrayBuffer ? new Uint8Array(input)
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const bad = (msg: string): never => { throw new IOError(`npy: ${source}: ${msg}`); };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) bad('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) bad('truncated header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    return bad(`unsupported format version ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLength > bytes.length) bad(`header of ${headerLength} bytes runs past the end of the file (truncated?)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) bad(`cannot parse header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') bad('Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const dims = shapeText!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`invalid shape (${shapeText})`);
  const kinds: Record<string, { size: number; little: boolean; f64: boolean }> = {
    '<f4': { size: 4, little: true, f64: false }, '<f8': { size: 8, little: true, f64: true },
    '>f4': { size: 4, little: false, f64: false }, '>f8': { size: 8, little: false, f64: true },
  };
  const kind = kinds[descr!];
  if (!kind) bad(`dtype '${descr}' is not supported (float32 '<f4' or float64 '<f8' only)`);

  const start = headerStart + headerLength;
  const nbytes = sizeOf(dims) * kind.size;
  if (bytes.length - start !== nbytes) {
    bad(`shape ${shapeStr(dims)} of '${descr}' needs ${nbytes} data bytes but the file has ${bytes.length - start}${bytes.length - start < nbytes ? ' (truncated?)' : ''}`);
  }
  const copy = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + nbytes) as ArrayBuffer;
  if (kind.little !== LITTLE_ENDIAN_HOST) swapInPlace(new Uint8Array(copy), kind.size);
  return { shape: dims, data: kind.f64 ? new Float64Array(copy) : new Float32Array(copy) };
}

/** Writes a `.npy` file atomically. Node-only. */
export async function saveNpy(path: string, array: Tensor | FloatArray, shape?: readonly number[], opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array, shape), opts);
}

/** Reads a `.npy` file (float32/float64, C order). Node-only. */
export async function loadNpy(path: string): Promise<NpyArray> {
  const fs = await nodeFs('loadNpy');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new IOError(`npy: cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
  return decodeNpy(bytes, path);
}
