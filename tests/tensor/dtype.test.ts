/** float32 / float64: creation, promotion when mixed (as in NumPy and PyTorch), and where float64 runs. */
import { describe, expect, test } from 'vitest';
import * as gz from '../../src/index.js';
import { referenceBackend, tensor, withBackend, zeros, type Backend } from '../../src/index.js';

const jsBackend = referenceBackend();

const f32 = (v: number[]) => tensor(v);
const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });

describe('promotion', () => {
  test.each([
    ['add', (a: gz.Tensor, b: gz.Tensor) => a.add(b)],
    ['sub', (a: gz.Tensor, b: gz.Tensor) => a.sub(b)],
    ['mul', (a: gz.Tensor, b: gz.Tensor) => a.mul(b)],
    ['div', (a: gz.Tensor, b: gz.Tensor) => a.div(b)],
    ['maximum', (a: gz.Tensor, b: gz.Tensor) => a.maximum(b)],
    ['minimum', (a: gz.Tensor, b: gz.Tensor) => a.minimum(b)],
    ['where', (a: gz.Tensor, b: gz.Tensor) => gz.where(f32([1, 0]), a, b)],
    ['matmul', (a: gz.Tensor, b: gz.Tensor) => a.reshape([1, 2]).matmul(b.reshape([2, 1]))],
  ])('%s: float32 with float64 gives float64, either order', (_name, op) => {
    expect(op(f32([1, 2]), f32([3, 4])).dtype).toBe('float32');
    expect(op(f32([1, 2]), f64([3, 4])).dtype).toBe('float64');
    expect(op(f64([1, 2]), f32([3, 4])).dtype).toBe('float64');
    expect(op(f64([1, 2]), f64([3, 4])).dtype).toBe('float64');
  });

  test('a plain number takes the tensor dtype', () => {
    expect(f64([1]).mul(2).dtype).toBe('float64');
    expect(gz.sub(2, f64([1])).dtype).toBe('float64');
    expect(f32([1]).mul(2).dtype).toBe('float32');
  });

  test('conv2d promotes', () => {
    const x = zeros([1, 1, 3, 3], { dtype: 'float64' });
    expect(x.conv2d(zeros([1, 1, 2, 2])).dtype).toBe('float64');
  });

  test('unary ops, reductions and movement keep the dtype', () => {
    const x = f64([0.5, 1.5]);
    for (const y of [x.exp(), x.sigmoid(), x.sum(), x.max(), x.softmax(), x.reshape([2, 1]), x.pad([[1, 0]]), x.expand([2, 2]), x.clone()]) {
      expect(y.dtype).toBe('float64');
    }
    expect(f32([1]).exp().dtype).toBe('float32');
  });

  test('float64 keeps precision that float32 loses', () => {
    expect(Math.abs(f64([1]).add(1e-12).sub(1).item() - 1e-12)).toBeLessThan(1e-15);
    expect(f32([1]).add(1e-12).sub(1).item()).toBe(0);
  });
});

describe('float64 always runs on the js reference backend', () => {
  test('a float32-only backend gets float32 kernels, never float64 ones', () => {
    const seen: string[] = [];
    const spy = gz.hostBackend({
      name: 'spy32', supportsFloat64: false, ownsMemory: false, countsTransfers: false,
      alloc: (be, dtype, n) => new gz.Storage(be, dtype, n, dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)),
      view: (s) => s.handle as Float32Array,
      free: () => undefined,
    });
    const { matmul, unary } = spy as Required<Backend>;
    spy.matmul = (a, b, p) => {
      seen.push(a.dtype === 'float64' ? 'f64' : 'f32');
      return matmul(a, b, p);
    };
    spy.unary = (op, x, p0, p1) => {
      seen.push(x.dtype === 'float64' ? 'f64' : 'f32');
      return unary(op, x, p0, p1);
    };
    const before = gz.getBackend();
    withBackend(spy, () => {
      expect(gz.getBackend().name).toBe('spy32');
      gz.matmul(zeros([2, 2]), zeros([2, 2]));
      gz.exp(zeros([2]));
      gz.matmul(zeros([2, 2], { dtype: 'float64' }), zeros([2, 2], { dtype: 'float64' }));
      gz.exp(zeros([2], { dtype: 'float64' }));
    });
    expect(seen).toEqual(['f32', 'f32']);
    expect(gz.getBackend()).toBe(before); // withBackend restored the previous one
  });
});
