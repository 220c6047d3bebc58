/**
 * The backend interface, exercised directly on the js reference kernels with
 * storages made from flat arrays: the contract every other backend is tested against.
 */
import { describe, expect, test } from 'vitest';
import { referenceBackend, withBackend, getBackend, type Backend, type Kernels } from '../../src/index.js';

const js = referenceBackend() as Backend & Kernels;
const up = (a: Float32Array | Float64Array) => js.upload(a);
const values = (s: ReturnType<typeof up>) => Array.from(js.read(s));

describe('js reference backend', () => {
  test('is named js and supports float64', () => {
    expect(js.name).toBe('js');
    expect(js.supportsFloat64).toBe(true);
  });

  test('reduce works on the middle axis of [outer, r, inner]', () => {
    // x[o, j, i] = 100·o + 10·j + i, shape [2, 3, 2]
    const x = new Float64Array(12).map((_, k) => 100 * Math.floor(k / 6) + 10 * (Math.floor(k / 2) % 3) + (k % 2));
    expect(values(js.reduce('sum', up(x), 2, 3, 2))).toEqual([30, 33, 330, 333]);
    expect(values(js.reduce('max', up(x), 2, 3, 2))).toEqual([20, 21, 120, 121]);
    expect(values(js.reduce('min', up(x), 2, 3, 2))).toEqual([0, 1, 100, 101]);
  });

  test('matmul honours batch strides (0 broadcasts one matrix)', () => {
    const a = up(new Float32Array([1, 2, 3, 4])); // one 2×2 matrix, used for both batches
    const b = up(new Float32Array([1, 0, 0, 1, 2, 0, 0, 2])); // I and 2I
    expect(values(js.matmul(a, b, { batch: 2, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 4 }))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
    expect(values(js.matmul(a, b, { batch: 1, m: 2, n: 2, k: 2, transA: true, transB: false, strideA: 0, strideB: 0 }))).toEqual([1, 3, 2, 4]);
  });

  test('binary reads operands through broadcast strides', () => {
    const a = up(new Float32Array([1, 2, 3])); // [3] broadcast over rows
    const b = up(new Float32Array([10, 20])); // [2, 1] broadcast over columns
    expect(values(js.binary('add', a, [0, 1], b, [1, 0], [2, 3]))).toEqual([11, 12, 13, 21, 22, 23]);
  });

  test('unary passes its scalar parameters', () => {
    expect(values(js.unary('clamp', up(new Float32Array([-5, 0.5, 5])), -1, 1))).toEqual([-1, 0.5, 1]);
    expect(values(js.unary('leakyRelu', up(new Float32Array([-1, 1, 0])), 0.25, 0))).toEqual([-0.25, 1, 0]);
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
