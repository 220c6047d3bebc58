/**
 * Checkpoints in the safetensors format (https://github.com/huggingface/safetensors),
 * so PyTorch's `safetensors.torch.load_file` reads genzoo weights and genzoo
 * reads weights PyTorch saved under the same names.
 *
 * The format, byte by byte:
 *
 *   [8 bytes]  N, the header length: an unsigned 64-bit little-endian integer
 *   [N bytes]  the header: UTF-8 JSON, an object
 *                { "__metadata__"?: { string: string },
 *                  NAME: { "dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END] }, … }
 *              padded at the end with spaces (0x20) so that 8 + N is a multiple of 8
 *   [rest]     the data: each tensor's elements, row-major, little-endian, at
 *              [BEGIN, END) counted from the start of the data. The tensors
 *              cover the data exactly: contiguous, no holes, no overlap.
 *
 * Writing follows the reference writer (the Rust crate behind
 * `safetensors.torch.save_file`) so that genzoo writes the same bytes:
 *   - tensors sorted by dtype alignment, largest first (F64 before F32), then
 *     by name comparing UTF-8 bytes; offsets assigned in that order;
 *   - the header lists `__metadata__` first (only when metadata is given), then
 *     the tensors in offset order, each as {"dtype","shape","data_offsets"} in
 *     that key order; compact JSON (serde_json's escaping matches JSON.stringify);
 *   - the header is padded with spaces to 8-byte alignment.
 * The reference keeps metadata in a hash map, so with more than one metadata key
 * its key order is unspecified; genzoo writes metadata keys sorted.
 *
 * genzoo tensors are float32 or float64, so F32 and F64 are read and written;
 * F16, BF16, BOOL and the integer dtypes are read by widening exactly (the rule
 * is in safetensors-dtypes.ts: F16/BF16 → float32, integers → float64), and a
 * tensor may be written as I64 on request (PyTorch's num_batches_tracked);
 * F8, F4 and C64 are recognised and rejected with a clear error. Everything
 * here up to `save`/`load` works on bytes (browser-safe); `save`, `load` and
 * `readSafetensors` use files and load node:fs on first use.
 */
import { Tensor } from '../tensor/tensor.js';
import { shapeStr, sizeOf } from '../tensor/shape.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
import { errorMessage, fsReason, nodeFs } from './node.js';
import { decodeWidened, encodeInteger, INTEGER_WRITE_SIZES, isWidenedDType, type IntegerWriteDType } from './safetensors-dtypes.js';
import { IOError, ValueError } from '../errors.js';

/** The dtypes of genzoo's own tensors (what it writes unless asked for I64). */
export type SafetensorsDType = 'F32' | 'F64';

/** Element sizes of every dtype the format defines: used to validate a header before rejecting a dtype. */
const DTYPE_SIZES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, F4: 0.5,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8, C64: 8,
};

/** The reference refuses headers above 100 MB; so does genzoo (it would be a corrupt or hostile file). */
export const MAX_HEADER_BYTES = 100_000_000;

const TO_FORMAT: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64' };

/** Tensors by name, as `Module.stateDict()` gives them and a safetensors file stores them. */
export type StateDict = Record<string, Tensor>;

/**
 * What `save`/`load` need from a model: PyTorch's two methods. genzoo's
 * `nn.Module` has them; anything structurally alike works too.
 */
export interface StateDictModule {
  /** The tensors to save, by name. */
  stateDict(): StateDict;
  /** Copies the given tensors in (checking names and shapes unless `strict: false`). */
  loadStateDict(stateDict: StateDict, opts?: {
    /** Require exactly the same names (default true). */
    strict?: boolean;
  }): unknown;
}

/** A module, or a plain name → tensor record (loaded in place). */
export type Checkpointable = StateDictModule | StateDict;

/** One header entry, as read from a file. */
export interface TensorInfo {
  /** The element type as the file names it ('F32', 'F64', …). */
  dtype: string;
  /** Dimension sizes. */
  shape: number[];
  /** Start and end byte of the data, relative to the end of the header. */
  dataOffsets: [number, number];
}

/** A safetensors file in memory: its tensors, metadata and header. */
export interface DecodedSafetensors {
  /** The tensors, in file (offset) order. */
  tensors: StateDict;
  /** `__metadata__`, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** The header entries by name, in file order. */
  header: Record<string, TensorInfo>;
}

/** Options of `load` and `loadFromBuffer`. */
export interface LoadOptions {
  /**
   * As in PyTorch: with `strict` (the default) a tensor the module expects but
   * the file lacks, or a tensor in the file the module does not have, is an
   * error. With `strict: false` the tensors present in both are loaded and the
   * others are reported in the result. A shape mismatch is always an error.
   */
  strict?: boolean;
}

/** What `load` and `loadFromBuffer` report. */
export interface LoadResult {
  /** Names the module expects that the file lacks (empty when strict). */
  missing: string[];
  /** Names in the file that the module does not have (empty when strict). */
  unexpected: string[];
  /** The file's `__metadata__`, or null when it has none. */
  metadata: Record<string, string> | null;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(source: string, message: string): never {
  throw new IOError(`safetensors: ${source}: ${message}`);
}

function isStateDictModule(x: unknown): x is StateDictModule {
  return typeof x === 'object' && x !== null &&
    typeof (x as StateDictModule).stateDict === 'function' && typeof (x as StateDictModule).loadStateDict === 'function';
}

function stateDictOf(target: Checkpointable, what: string): StateDict {
  if (isStateDictModule(target)) return target.stateDict();
  if (typeof target !== 'object' || target === null) {
    throw new ValueError(`${what}: expected a module (with stateDict/loadStateDict) or a record of tensors, got ${target === null ? 'null' : typeof target}`);
  }
  for (const [name, t] of Object.entries(target)) {
    if (!(t instanceof Tensor)) throw new ValueError(`${what}: "${name}" is not a Tensor (got ${t === null ? 'null' : typeof t}); expected a module or a record of tensors`);
  }
  return target as StateDict;
}

function asBytes(input: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new ValueError(`safetensors: expected an ArrayBuffer or Uint8Array, got ${typeof input}`);
}

const utf8 = new TextEncoder();

/** Rust's `String` ordering: byte-wise on UTF-8 (JS string comparison uses UTF-16 code units, which differ above U+FFFF). */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** The element bytes of a float array in little-endian order (a view when the host is little-endian). */
function littleEndianBytes(data: FloatArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let k = 0; k < w; k++) swapped[i + k] = bytes[i + w - 1 - k];
  return swapped;
}

/**
 * Encodes tensors as a safetensors file, byte for byte as
 * `safetensors.torch.save_file` would write them (see the file comment).
 */
export function serialize(tensors: StateDict, metadata?: Record<string, string> | null, opts: SerializeOptions = {}): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null) throw new ValueError('safetensors.serialize: expected a record of tensors');
  for (const name of Object.keys(opts.dtypes ?? {})) {
    if (!Object.hasOwn(tensors, name)) throw new ValueError(`safetensors.serialize: dtypes names "${name}", which is not among the tensors`);
  }
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new ValueError(`safetensors.serialize: "${name}" is not a Tensor`);
    if (name === '__metadata__') throw new ValueError('safetensors.serialize: "__metadata__" is reserved and cannot name a tensor');
    const asInteger = opts.dtypes?.[name];
    if (asInteger === undefined) return { name, t, dtype: TO_FORMAT[t.dtype] as string, bytes: littleEndianBytes(t.data) };
    if (!Object.hasOwn(INTEGER_WRITE_SIZES, asInteger)) throw new ValueError(`safetensors.serialize: "${name}" cannot be written as ${String(asInteger)} (only I64)`);
    const bytes = encodeInteger(asInteger, t.data, (msg) => {
      throw new ValueError(`safetensors.serialize: "${name}" ${msg}`);
    });
    return { name, t, dtype: asInteger as string, bytes };
  });
  // Largest alignment first (F64 before F32), then by name: the reference writer's order.
  entries.sort((a, b) => DTYPE_SIZES[b.dtype] - DTYPE_SIZES[a.dtype] || compareUtf8(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object') throw new ValueError('safetensors.serialize: metadata must be an object of strings');
    const keys = Object.keys(metadata).sort(compareUtf8);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') throw new ValueError(`safetensors.serialize: metadata "${k}" must be a string, got ${typeof metadata[k]}`);
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const end = offset + e.bytes.byteLength;
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = utf8.encode(`{${parts.join(',')}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const e of entries) {
    out.set(e.bytes, pos);
    pos += e.bytes.byteLength;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : typeof v;
}

/**
 * Parses and validates a safetensors file held in memory. `source` names it in
 * errors (a path, or 'buffer'). Checks, in order: the 8-byte length, that the
 * header fits in the file, UTF-8, JSON, an object; `__metadata__` a map of
 * strings; every entry's dtype, shape and offsets (consistent with each other
 * and in bounds); the entries contiguous from 0 and covering the data exactly.
 */
export function deserialize(input: ArrayBuffer | ArrayBufferView, source = 'buffer'): DecodedSafetensors {
  const bytes = asBytes(input);
  if (bytes.length < 8) fail(source, `file is ${bytes.length} bytes, too short for the 8-byte header length (truncated?)`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(source, `header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or corrupt)`);
  const n = Number(n64);
  if (8 + n > bytes.length) {
    fail(source, `header length is ${n} bytes but only ${bytes.length - 8} bytes follow the 8-byte length (truncated?)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(source, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(source, `header does not start with '{' (starts with ${JSON.stringify(text.slice(0, 16))}): not a safetensors file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(source, `header is not valid JSON: ${errorMessage(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(source, 'header JSON is not an object');

  let metadata: Record<string, string> | null = null;
  const infos: Array<[string, TensorInfo]> = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(source, `__metadata__ must be an object of strings, got ${describe(raw)}`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, `__metadata__ "${k}" must be a string, got ${describe(v)}`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    infos.push([name, checkEntry(source, name, raw)]);
  }

  // Entries may be listed in any order; the data they describe must be contiguous and complete.
  infos.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  const dataLength = bytes.length - 8 - n;
  let expectedBegin = 0;
  for (const [name, info] of infos) {
    const [begin, end] = info.dataOffsets;
    if (begin !== expectedBegin) {
      fail(source, begin > expectedBegin
        ? `tensor "${name}": data_offsets [${begin}, ${end}] leave a gap: bytes [${expectedBegin}, ${begin}) of the data belong to no tensor`
        : `tensor "${name}": data_offsets [${begin}, ${end}] overlap the previous tensor, which ends at ${expectedBegin}`);
    }
    if (end > dataLength) {
      fail(source, `tensor "${name}" ${info.dtype} ${shapeStr(info.shape)}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes after the header; truncated?)`);
    }
    expectedBegin = end;
  }
  if (expectedBegin !== dataLength) {
    fail(source, `the tensors describe ${expectedBegin} bytes of data but the file holds ${dataLength} after the header (${dataLength - expectedBegin} extra bytes)`);
  }

  // Null-prototype records: a tensor named "__proto__" or "toString" is just a name.
  const tensors: StateDict = Object.create(null) as StateDict;
  const header: Record<string, TensorInfo> = Object.create(null) as Record<string, TensorInfo>;
  const dataStart = bytes.byteOffset + 8 + n;
  for (const [name, info] of infos) {
    const [begin, end] = info.dataOffsets;
    let data: FloatArray;
    if (info.dtype === 'F32' || info.dtype === 'F64') {
      // A fresh, aligned copy: the file's offsets need not be aligned, and callers may keep the tensors.
      const copy = bytes.buffer.slice(dataStart + begin, dataStart + end) as ArrayBuffer;
      if (!LITTLE_ENDIAN_HOST) swapInPlace(new Uint8Array(copy), DTYPE_SIZES[info.dtype]);
      data = info.dtype === 'F64' ? new Float64Array(copy) : new Float32Array(copy);
    } else if (isWidenedDType(info.dtype)) {
      // PyTorch's other dtypes, widened exactly (F16/BF16 → float32, integers → float64).
      const raw = new Uint8Array(bytes.buffer, dataStart + begin, end - begin);
      data = decodeWidened(info.dtype, raw, (msg) => fail(source, `tensor "${name}" ${msg}`));
    } else {
      fail(source, `tensor "${name}" has dtype ${info.dtype}, which genzoo does not read (F32, F64, F16, BF16, BOOL and integers; in PyTorch convert with tensor.float() before saving)`);
    }
    tensors[name] = new Tensor(data, info.shape);
    header[name] = info;
  }
  return { tensors, metadata, header };
}

function swapInPlace(b: Uint8Array, w: number): void {
  for (let i = 0; i < b.length; i += w) b.subarray(i, i + w).reverse();
}

function checkEntry(source: string, name: string, raw: unknown): TensorInfo {
  const where = `tensor "${name}"`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(source, `${where}: header entry must be an object, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(source, `${where}: "dtype" must be a string, got ${describe(dtype)}`);
  const size = DTYPE_SIZES[dtype];
  if (size === undefined) fail(source, `${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(source, `${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(source, `${where}: "data_offsets" must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(source, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const elements = sizeOf(shape as number[]);
  const nbytes = elements * size;
  if (!Number.isSafeInteger(nbytes) || nbytes !== end - begin) {
    fail(source, `${where}: shape ${shapeStr(shape as number[])} of ${dtype} needs ${nbytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { dtype, shape: (shape as number[]).slice(), dataOffsets: [begin, end] };
}

/** A module's (or record's) tensors as safetensors bytes. Browser-safe. */
export function saveToBuffer(target: Checkpointable, metadata?: Record<string, string> | null): Uint8Array {
  return serialize(stateDictOf(target, 'saveToBuffer'), metadata);
}

/** First value of a float64 array that float32 cannot hold exactly, or -1. */
function firstInexactInFloat32(data: FloatArray): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Math.fround(v) !== v && !Number.isNaN(v)) return i;
  }
  return -1;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).map((s) => `"${s}"`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Loads safetensors bytes into a module (through `loadStateDict`) or into a
 * record of tensors (copied in place). Everything is validated before anything
 * is changed: on error the target is untouched. A file's F32 tensor loads into
 * a float64 tensor (exact); an F64 tensor loads into a float32 one only if every
 * value is exactly representable in float32 (otherwise: an error naming the
 * tensor and the first value that would change).
 */
export function loadFromBuffer(
  target: Checkpointable,
  input: ArrayBuffer | ArrayBufferView,
  opts: LoadOptions & { source?: string } = {},
): LoadResult {
  const source = opts.source ?? 'buffer';
  const strict = opts.strict ?? true;
  const expected = stateDictOf(target, 'load');
  const file = deserialize(input, source);

  const missing = Object.keys(expected).filter((k) => !Object.hasOwn(file.tensors, k));
  const unexpected = Object.keys(file.tensors).filter((k) => !Object.hasOwn(expected, k));
  if (strict && missing.length > 0) {
    fail(source, `tensor "${missing[0]}" expected by the module is missing from the file` +
      (missing.length > 1 ? ` (missing: ${listNames(missing)})` : '') + '; pass { strict: false } to load the rest');
  }
  if (strict && unexpected.length > 0) {
    fail(source, `unexpected tensor "${unexpected[0]}" in the file: the module has no parameter or buffer of that name` +
      (unexpected.length > 1 ? ` (unexpected: ${listNames(unexpected)})` : '') + '; pass { strict: false } to ignore it');
  }

  const toLoad: StateDict = {};
  for (const [name, want] of Object.entries(expected)) {
    if (!Object.hasOwn(file.tensors, name)) continue;
    const got = file.tensors[name];
    const fileDtype = file.header[name].dtype;
    if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
      fail(source, `tensor "${name}": shape in the file is ${shapeStr(got.shape)} but the module expects ${shapeStr(want.shape)}`);
    }
    if (got.dtype === want.dtype) {
      toLoad[name] = got;
    } else if (want.dtype === 'float64') {
      toLoad[name] = new Tensor(Float64Array.from(got.data), got.shape); // F32 → F64 is exact
    } else {
      const bad = firstInexactInFloat32(got.data);
      if (bad >= 0) {
        fail(source, `tensor "${name}" is ${fileDtype} in the file but float32 in the module, and element ${bad} (${got.data[bad]}) is not exactly representable in float32; convert the module to float64 or save the weights as F32`);
      }
      toLoad[name] = new Tensor(Float32Array.from(got.data), got.shape);
    }
  }

  if (isStateDictModule(target)) {
    target.loadStateDict(toLoad, { strict });
  } else {
    for (const [name, t] of Object.entries(toLoad)) expected[name].data.set(t.data);
  }
  return { missing: strict ? [] : missing, unexpected: strict ? [] : unexpected, metadata: file.metadata };
}

export interface SerializeOptions {
  /** Tensors to write as integers instead of their float dtype (e.g. { 'bn.num_batches_tracked': 'I64' }, as PyTorch saves it). */
  dtypes?: Record<string, IntegerWriteDType>;
}

/** Options of `save` and `saveToBuffer`. */
export interface SaveOptions extends AtomicWriteOptions {
  /** String key/value pairs stored under `__metadata__`. */
  metadata?: Record<string, string>;
}

/**
 * Saves a module's `stateDict()` (or a record of tensors) to `path` in the
 * safetensors format, atomically: temp file, fsync, rename, directory fsync.
 * A crash or error leaves the previous file under `path` intact. Node-only.
 */
export async function save(target: Checkpointable, path: string, opts: SaveOptions = {}): Promise<void> {
  const bytes = serialize(stateDictOf(target, 'save'), opts.metadata);
  await writeFileAtomic(path, bytes, opts);
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  const fs = await nodeFs(what);
  try {
    return await fs.readFile(path);
  } catch (err) {
    throw new IOError(`safetensors: cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
}

/**
 * Loads a safetensors file into a module (or a record of tensors), validating
 * the header, file length, and every tensor's presence, shape and dtype first;
 * errors name the file and the first offending tensor. Node-only.
 */
export async function load(target: Checkpointable, path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const bytes = await readBytes(path, 'load');
  return loadFromBuffer(target, bytes, { ...opts, source: path });
}

/** Reads every tensor and the metadata of a safetensors file, for inspection. Node-only. */
export async function readSafetensors(path: string): Promise<DecodedSafetensors> {
  return deserialize(await readBytes(path, 'readSafetensors'), path);
}

/**
 * The `__metadata__` of a safetensors file (null when it has none), read from
 * the header alone — the tensors are not read. Throws a plain message (the
 * caller names the file) when the header does not fit the file. Node-only.
 */
export async function readSafetensorsMetadata(path: string): Promise<Record<string, string> | null> {
  const fs = await nodeFs('readSafetensorsMetadata');
  const handle = await fs.open(path, 'r');
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    if (bytesRead < 8) throw new IOError('shorter than the 8-byte header length');
    const len = Number(new DataView(head.buffer).getBigUint64(0, true));
    const { size } = await handle.stat();
    if (len < 2 || len > MAX_HEADER_BYTES || 8 + len > size) throw new IOError(`header length ${len} does not fit a file of ${size} bytes`);
    const json = new Uint8Array(len);
    await handle.read(json, 0, len, 8);
    const header = JSON.parse(new TextDecoder().decode(json)) as Record<string, unknown>;
    const meta = header.__metadata__;
    return meta && typeof meta === 'object' ? (meta as Record<string, string>) : null;
  } finally {
    await handle.close();
  }
}
