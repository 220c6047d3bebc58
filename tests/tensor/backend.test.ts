/**
 * The backend interface, exercised directly on the js reference kernels with
 * flat arrays: the contract every other backend is tested against.
 */
import { describe, expect, test } from 'vitest';
import { referenceBackend, withBackend, getBackend, type Backend } from '../../src/index.js';

const js = referenceBackend();

describe('js reference backend', () => {
  test('is named js and supports float64', () => {
    expect(js.name).toBe('js');
    expect(js.supportsFloat64).toBe(true);
  });

  test('reduce works on the middle axis of [outer, r, inner]', () => {
    // x[o, j, i] = 100·o + 10·j + i, shape [2, 3, 2]
    const x = new Float64Array(12).map((_, k) => 100 * Math.floor(k / 6) + 10 * (Math.floor(k / 2) % 3) + (k % 2));
    const out = new Float64Array(4);
    js.reduce('sum', x, out, 2, 3, 2);
    expect(Array.from(out)).toEqual([30, 33, 330, 333]);
    js.reduce('max', x, out, 2, 3, 2);
    expect(Array.from(out)).toEqual([20, 21, 120, 121]);
    js.reduce('min', x, out, 2, 3, 2);
    expect(Array.from(out)).toEqual([0, 1, 100, 101]);
  });

  test('matmul honours batch strides (0 broadcasts one matrix) and overwrites out', () => {
    const a = new Float32Array([1, 2, 3, 4]); // one 2×2 matrix, used for both batches
    const b = new Float32Array([1, 0, 0, 1, 2, 0, 0, 2]); // I and 2I
    const out = new Float32Array(8).fill(99);
    js.matmul(a, b, out, { batch: 2, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 4 });
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
    js.matmul(a, b, out, { batch: 1, m: 2, n: 2, k: 2, transA: true, transB: false, strideA: 0, strideB: 0 });
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 3, 2, 4]);
  });

  test('binary reads operands through broadcast strides', () => {
    const a = new Float32Array([1, 2, 3]); // [3] broadcast over rows
    const b = new Float32Array([10, 20]); // [2, 1] broadcast over columns
    const out = new Float32Array(6);
    js.binary('add', a, [0, 1], b, [1, 0], out, [2, 3]);
    expect(Array.from(out)).toEqual([11, 12, 13, 21, 22, 23]);
  });

  test('unary passes its scalar parameters', () => {
    const out = new Float32Array(3);
    js.unary('clamp', new Float32Array([-5, 0.5, 5]), out, -1, 1);
    expect(Array.from(out)).toEqual([-1, 0.5, 1]);
    js.unary('leakyStep', new Float32Array([-1, 1, 0]), out, 0.25, 0);
    expect(Array.from(out)).toEqual([0.25, 1, 0.25]);
  });
});

describe('withBackend', () => {
  test('restores the previous backend even when fn throws', () => {
    const before = getBackend();
    const other: Backend = { ...js, name: 'other' };
    expect(() => withBackend(other, () => {
      expect(getBackend().name).toBe('other');
      throw new Error('inside');
    })).toThrow('inside');
    expect(getBackend()).toBe(before);
  });
});
