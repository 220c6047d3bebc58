/**
 * Gradients where an op is not differentiable: genzoo follows PyTorch's
 * conventions, so these are pinned by hand (gradcheck cannot check them).
 */
import { describe, expect, test } from 'vitest';
import * as gz from '../../src/index.js';
import { gradcheck, tensor, type Tensor } from '../../src/index.js';

const leaf = (v: number[] | number[][], shape?: number[]): Tensor => tensor(v.flat(), { shape: shape ?? [v.flat().length], dtype: 'float64', requiresGrad: true });

describe('ties', () => {
  test('max/min over axes split the gradient equally among tied maxima (like torch.amax)', () => {
    const x = leaf([[1, 3, 3], [2, 2, 2]], [2, 3]);
    x.max(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]);
    const y = leaf([[1, 3, 3], [2, 2, 2]], [2, 3]);
    y.min().backward(); // global min 1: a single winner
    expect(y.grad!.toArray()).toEqual([[1, 0, 0], [0, 0, 0]]);
    const z = leaf([5, 5, 1, 5]);
    z.max([0], true).backward(tensor([3], { dtype: 'float64' }));
    expect(z.grad!.toList()).toEqual([1, 1, 0, 1]);
  });

  test('maximum/minimum give each side half the gradient at a tie', () => {
    const a = leaf([1, 2, 3]);
    const b = leaf([1, 5, 0]);
    gz.maximum(a, b).sum().backward();
    expect(a.grad!.toList()).toEqual([0.5, 0, 1]);
    expect(b.grad!.toList()).toEqual([0.5, 1, 0]);
    const c = leaf([2, 2]);
    gz.minimum(c, 2).sum().backward();
    expect(c.grad!.toList()).toEqual([0.5, 0.5]);
  });

  test('maxPool2d routes each window gradient to the first maximum', () => {
    const x = leaf([4, 4, 1, 4], [1, 1, 2, 2]);
    x.maxPool2d(2).sum().backward();
    expect(x.grad!.toList()).toEqual([1, 0, 0, 0]);
  });

  test('overlapping maxPool2d windows add up at a shared winner', () => {
    const x = leaf([1, 9, 2, 3, 4, 5], [1, 1, 2, 3]);
    x.maxPool2d(2, 1).sum().backward(); // windows [1,9,3,4] and [9,2,4,5] both pick 9
    expect(x.grad!.toList()).toEqual([0, 2, 0, 0, 0, 0]);
  });
});

describe('kinks', () => {
  test('relu, abs, leakyRelu and clamp at their kinks', () => {
    const grad = (f: (t: Tensor) => Tensor, v: number[]): number[] => {
      const x = leaf(v);
      f(x).sum().backward();
      return x.grad!.toList();
    };
    expect(grad(gz.relu, [-1, 0, 1])).toEqual([0, 0, 1]);
    expect(grad(gz.abs, [-1, 0, 1])).toEqual([-1, 0, 1]);
    expect(grad((t) => gz.leakyRelu(t, 0.1), [-1, 0, 1])).toEqual([0.1, 0.1, 1]);
    expect(grad((t) => gz.clamp(t, 0, 1), [-1, 0, 0.5, 1, 2])).toEqual([0, 1, 1, 1, 0]); // bounds inclusive, as in PyTorch
  });
});

describe('matmul with broadcast batch dimensions', () => {
  test('[2,1,3,4] × [5,4,6]: forward shape and both gradients', () => {
    const g = new gz.Generator(21);
    const a = gz.randn([2, 1, 3, 4], { generator: g, dtype: 'float64', requiresGrad: true });
    const b = gz.randn([5, 4, 6], { generator: g, dtype: 'float64', requiresGrad: true });
    expect(a.matmul(b).shape).toEqual([2, 5, 3, 6]);
    const r = gradcheck((x, y) => x.matmul(y), [a, b]);
    expect(r.ok, r.message).toBe(true);
    const rt = gradcheck((x, y) => x.matmul(y, { transA: true, transB: true }), [gz.randn([2, 1, 4, 3], { generator: g, dtype: 'float64', requiresGrad: true }), gz.randn([5, 6, 4], { generator: g, dtype: 'float64', requiresGrad: true })]);
    expect(rt.ok, rt.message).toBe(true);
  });
});

describe('gelu at and near 0, where its backward reads Φ(x) as gelu(x)/x', () => {
  test('d gelu = Φ(x) + x·φ(x): ½ at 0 and at subnormal x, hand values at ±1, finite in both tails (float64 and float32)', () => {
    const phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI); // φ(1) = 0.2419707245191434
    const cdf1 = 0.8413447460685429; // Φ(1)
    const x = leaf([0, -0, 1e-310, -1e-310, 1, -1, 40, -40]);
    gz.gelu(x).sum().backward();
    const g = x.grad!.toList();
    expect(g.slice(0, 4)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(g[4]).toBeCloseTo(cdf1 + phi1, 14);
    expect(g[5]).toBeCloseTo(1 - cdf1 - phi1, 14);
    expect(g.slice(6)).toEqual([1, 0]);
    const x32 = tensor([0, 1e-40, -1e-40, 3, -3], { requiresGrad: true });
    gz.gelu(x32).sum().backward();
    const g32 = x32.grad!.toList();
    expect(g32.slice(0, 3)).toEqual([0.5, 0.5, 0.5]);
    expect(g32.every(Number.isFinite)).toBe(true);
    expect(gradcheck((t) => gz.gelu(t), [leaf([-1e-3, 1e-3, 0.3, -7, 7])]).ok).toBe(true);
  });
});
