/**
 * Reading and writing the safetensors dtypes that genzoo tensors do not have,
 * so that state dicts saved by PyTorch load (BatchNorm's `num_batches_tracked`
 * is an int64 there; weights are often saved in half precision).
 *
 * The rule, chosen so that reading never changes a value:
 *   F16, BF16        → float32, exactly: every half and bfloat16 value (±0, subnormals,
 *                      ±∞, NaN) is a float32 value.
 *   BOOL, U8, I8, U16, I16, U32, I32
 *                    → float64, exactly (0/1 for BOOL; a BOOL byte other than 0 or 1 is an error).
 *   I64, U64         → float64, exactly while |v| ≤ 2^53 − 1 (every such integer is a
 *                      float64); a larger value is an error naming the element.
 *   F8_*, F4, C64    → not read (an error naming the tensor).
 * Loading then narrows float64 into a float32 tensor only when exact (see
 * `loadFromBuffer`), so a num_batches_tracked of 7 loads, one of 2^30 + 1 is refused.
 *
 * Writing: genzoo writes its own F32/F64 and, on request, I64 for tensors that
 * PyTorch keeps as integers (the values must be integers; checked).
 *
 * All elements are little-endian in the file; decoding goes through DataView,
 * so the host's byte order does not matter. Browser-safe.
 */
import type { FloatArray } from '../tensor/dtype.js';

/** The dtypes `decodeWidened` reads (besides genzoo's own F32 and F64). */
export const WIDENED_DTYPES = ['F16', 'BF16', 'BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'I32', 'U64', 'I64'] as const;
/** A safetensors dtype genzoo reads by widening it to float32 or float64 without changing a value (see the file comment). */
export type WidenedDType = (typeof WIDENED_DTYPES)[number];

/** The extra dtypes `encodeInteger` writes. */
export type IntegerWriteDType = 'I64';

export function isWidenedDType(dtype: string): dtype is WidenedDType {
  return (WIDENED_DTYPES as readonly string[]).includes(dtype);
}

/** IEEE 754 binary16 bits → the (exactly equal) number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Decodes `bytes` (the little-endian elements of one tensor of `dtype`) into a
 * genzoo float array by the rule above. `fail` receives a message that does not
 * name the tensor (the caller adds where).
 */
export function decodeWidened(dtype: WidenedDType, bytes: Uint8Array, fail: (message: string) => never): FloatArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F16': {
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits up and reinterpret.
      const bits = new Uint32Array(bytes.length / 2);
      for (let i = 0; i < bits.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'BOOL': {
      const out = new Float64Array(bytes.length);
      for (let i = 0; i < out.length; i++) {
        const b = bytes[i];
        if (b > 1) fail(`is BOOL but element ${i} is the byte ${b} (a BOOL is 0 or 1)`);
        out[i] = b;
      }
      return out;
    }
    case 'U64':
    case 'I64': {
      const out = new Float64Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) {
        const v = dtype === 'I64' ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
          fail(`is ${dtype} and element ${i} (${v}) is too large to hold exactly in float64 (|v| > 2^53 − 1)`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    default: {
      const read: Record<string, [number, (offset: number) => number]> = {
        U8: [1, (o) => view.getUint8(o)],
        I8: [1, (o) => view.getInt8(o)],
        U16: [2, (o) => view.getUint16(o, true)],
        I16: [2, (o) => view.getInt16(o, true)],
        U32: [4, (o) => view.getUint32(o, true)],
        I32: [4, (o) => view.getInt32(o, true)],
      };
      const [size, get] = read[dtype];
      const out = new Float64Array(bytes.length / size);
      for (let i = 0; i < out.length; i++) out[i] = get(size * i);
      return out;
    }
  }
}

/** Element size in bytes of a dtype `encodeInteger` writes. */
export const INTEGER_WRITE_SIZES: Record<IntegerWriteDType, number> = { I64: 8 };

/**
 * The little-endian bytes of `data` as `dtype` integers. Every value must be an
 * integer with |v| ≤ 2^53 − 1 (so the integer written is the value held);
 * otherwise `fail` gets a message naming the element.
 */
export function encodeInteger(dtype: IntegerWriteDType, data: FloatArray, fail: (message: string) => never): Uint8Array {
  const out = new Uint8Array(data.length * INTEGER_WRITE_SIZES[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isSafeInteger(v)) fail(`cannot be written as ${dtype}: element ${i} (${v}) is not an integer with |v| ≤ 2^53 − 1`);
    view.setBigInt64(8 * i, BigInt(v), true);
  }
  return out;
}
