/**
 * The dtypes PyTorch writes and genzoo tensors do not have: F16, BF16, BOOL and
 * the integers are read by exact widening (src/io/safetensors-dtypes.ts); I64 is
 * written on request. Expected values are worked out by hand from the bit layouts.
 */
import { describe, expect, test } from 'vitest';
import { io, nn, tensor, Tensor } from '../../src/index.js';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
/** The 8-byte little-endian header length, then the header padded to 8 bytes with spaces. */
function header(json: string): number[] {
  while (json.length % 8 !== 0) json += ' ';
  return [json.length & 0xff, json.length >> 8, 0, 0, 0, 0, 0, 0, ...ascii(json)];
}

/** A safetensors file with one tensor "w" of `dtype` and `shape` holding `data`. */
function file(dtype: string, shape: number[], data: number[]): Uint8Array {
  return new Uint8Array([...header(JSON.stringify({ w: { dtype, shape, data_offsets: [0, data.length] } })), ...data]);
}

/** Little-endian bytes of 16-bit words. */
const u16le = (ws: number[]): number[] => ws.flatMap((w) => [w & 0xff, w >> 8]);
/** Little-endian bytes of 64-bit integers (as bigint, two's complement). */
const i64le = (vs: bigint[]): number[] => vs.flatMap((v) => Array.from({ length: 8 }, (_, k) => Number((BigInt.asUintN(64, v) >> BigInt(8 * k)) & 0xffn)));

describe('reading PyTorch dtypes', () => {
  test('F16 widens exactly to float32: normals, subnormals, ±0, ±∞, NaN', () => {
    const words = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00, 0x8000];
    const { tensors } = io.deserialize(file('F16', [11], u16le(words)), 'h.safetensors');
    const w = tensors.w;
    expect(w.dtype).toBe('float32');
    expect(Array.from(w.data)).toEqual([
      1, -2, 65504,                      // 0x7bff: (1024 + 1023)·2^(30 − 25), the largest half
      2 ** -24, 1023 * 2 ** -24,         // smallest and largest subnormal
      2 ** -14,                          // smallest normal
      1365 / 4096,                       // 0x3555: exponent 13, fraction 341 → (1024 + 341)·2^−12
      Infinity, -Infinity, NaN, -0,
    ]);
    expect(Object.is(w.data[10], -0)).toBe(true);
  });

  test('BF16 widens exactly to float32 (the top 16 bits of a float32)', () => {
    const words = [0x3f80, 0x4049, 0xc2f7, 0x0001, 0x7f80, 0x7fc0];
    const w = io.deserialize(file('BF16', [2, 3], u16le(words))).tensors.w;
    expect(w.dtype).toBe('float32');
    expect(w.shape).toEqual([2, 3]);
    // 0x40490000 = 1.5703125·2 = 3.140625; 0xc2f70000 = −1.9296875·2^6 = −123.5; 0x00010000 = 2^16·2^−149.
    expect(Array.from(w.data)).toEqual([1, 3.140625, -123.5, 2 ** -133, Infinity, NaN]);
  });

  test('integers widen exactly to float64, I64 up to 2^53 − 1', () => {
    const max = 2n ** 53n - 1n;
    const w = io.deserialize(file('I64', [4], i64le([-1n, 7n, max, -max]))).tensors.w;
    expect(w.dtype).toBe('float64');
    expect(Array.from(w.data)).toEqual([-1, 7, 2 ** 53 - 1, -(2 ** 53 - 1)]);
    const cases: Array<[string, number[], number[]]> = [
      ['I32', [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f], [-2147483648, 2147483647]],
      ['U32', [0xff, 0xff, 0xff, 0xff], [4294967295]],
      ['I16', [0x00, 0x80, 0x01, 0x00], [-32768, 1]],
      ['U16', [0xff, 0xff], [65535]],
      ['I8', [0x80, 0x7f], [-128, 127]],
      ['U8', [0xff, 0x00], [255, 0]],
      ['BOOL', [1, 0, 1], [1, 0, 1]],
      ['U64', i64le([2n ** 40n]), [2 ** 40]],
    ];
    for (const [dtype, bytes, want] of cases) {
      const t = io.deserialize(file(dtype, [want.length], bytes)).tensors.w;
      expect(t.dtype, dtype).toBe('float64');
      expect(Array.from(t.data), dtype).toEqual(want);
    }
  });

  test('values no float can hold exactly are errors naming the file, tensor and element', () => {
    expect(() => io.deserialize(file('I64', [2], i64le([1n, 2n ** 53n])), 'big.safetensors')).toThrow(
      'safetensors: big.safetensors: tensor "w" is I64 and element 1 (9007199254740992) is too large to hold exactly in float64 (|v| > 2^53 − 1)');
    expect(() => io.deserialize(file('U64', [1], i64le([-1n])), 'u.safetensors')).toThrow('tensor "w" is U64 and element 0 (18446744073709551615) is too large');
    expect(() => io.deserialize(file('BOOL', [2], [0, 2]), 'b.safetensors')).toThrow('safetensors: b.safetensors: tensor "w" is BOOL but element 1 is the byte 2 (a BOOL is 0 or 1)');
  });

  test('loading I64 into a float32 tensor: exact values load, inexact ones are refused', () => {
    const target = { w: tensor([0, 0]) };
    io.loadFromBuffer(target, file('I64', [2], i64le([7n, 16777216n])));
    expect(Array.from(target.w.data)).toEqual([7, 16777216]);
    expect(() => io.loadFromBuffer(target, file('I64', [2], i64le([7n, 16777217n])), { source: 'n.safetensors' })).toThrow(
      'safetensors: n.safetensors: tensor "w" is I64 in the file but float32 in the module, and element 1 (16777217) is not exactly representable in float32');
  });

  test("a PyTorch BatchNorm state dict (int64 num_batches_tracked) loads strictly into nn.BatchNorm1d", () => {
    // What torch.nn.BatchNorm1d(2).state_dict() holds after 3 training batches, as the file's bytes.
    const f32 = (xs: number[]): number[] => Array.from(new Uint8Array(new Float32Array(xs).buffer));
    const parts: Array<[string, string, number[], number[]]> = [
      ['bias', 'F32', [2], f32([0.5, -0.5])],
      ['num_batches_tracked', 'I64', [], i64le([3n])],
      ['running_mean', 'F32', [2], f32([0.25, 1])],
      ['running_var', 'F32', [2], f32([2, 4])],
      ['weight', 'F32', [2], f32([1.5, 2])],
    ];
    const entries: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, dtype, shape, bytes] of parts) {
      entries[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
      offset += bytes.length;
    }
    const bytes = new Uint8Array([...header(JSON.stringify(entries)), ...parts.flatMap((p) => p[3])]);
    const bn = new nn.BatchNorm1d(2);
    io.loadFromBuffer(bn, bytes, { strict: true });
    expect(bn.numBatchesTracked!.item()).toBe(3);
    expect(Array.from(bn.runningVar!.data)).toEqual([2, 4]);
    bn.eval();
    // (x − μ)/√(σ² + ε)·γ + β for x = [2.25, 3]: (2/√2.00001)·1.5 + 0.5, (2/√4.00001)·2 − 0.5.
    const y = bn.call(tensor([[2.25, 3]])).data;
    expect(y[0]).toBeCloseTo((2 / Math.sqrt(2.00001)) * 1.5 + 0.5, 5);
    expect(y[1]).toBeCloseTo((2 / Math.sqrt(4.00001)) * 2 - 0.5, 5);
  });
});

describe('writing I64', () => {
  test('tensors named in dtypes are written as I64, placed with the 8-byte dtypes', () => {
    const bytes = io.serialize({ w: tensor([1.5]), n: tensor(3), d: new Tensor(new Float64Array([2]), [1]) }, null, { dtypes: { n: 'I64' } });
    const n = bytes[0];
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    // Largest element size first (I64 and F64, by name), then F32.
    expect(header).toBe('{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]},' +
      '"w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}');
    expect(Array.from(bytes.subarray(8 + n + 8, 8 + n + 16))).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    const back = io.deserialize(bytes);
    expect(back.header.n.dtype).toBe('I64');
    expect(back.tensors.n.item()).toBe(3);
    // Negative integers in two's complement.
    expect(Array.from(io.serialize({ n: tensor([-2]) }, null, { dtypes: { n: 'I64' } }).slice(-8))).toEqual([0xfe, 255, 255, 255, 255, 255, 255, 255]);
  });

  test('a value that is not an integer, an unknown tensor name or dtype is an error', () => {
    expect(() => io.serialize({ n: tensor([1, 0.5]) }, null, { dtypes: { n: 'I64' } })).toThrow(
      'safetensors.serialize: "n" cannot be written as I64: element 1 (0.5) is not an integer with |v| ≤ 2^53 − 1');
    expect(() => io.serialize({ n: tensor([1]) }, null, { dtypes: { m: 'I64' } })).toThrow('safetensors.serialize: dtypes names "m", which is not among the tensors');
    expect(() => io.serialize({ n: tensor([1]) }, null, { dtypes: { n: 'I32' as 'I64' } })).toThrow('safetensors.serialize: "n" cannot be written as I32 (only I64)');
  });
});
