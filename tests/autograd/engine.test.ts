/** The reverse-mode engine: accumulation, graph lifetime, noGrad/detach, shared paths, depth, aliasing. */
import { describe, expect, test } from 'vitest';
import {
  add, backward, enableGrad, isGradEnabled, mul, noGrad, ones, record, scalar, sum, tensor, Tensor, zeros,
} from '../../src/index.js';

const f64 = { dtype: 'float64' as const };

describe('accumulation and graph lifetime', () => {
  test('gradients accumulate across two backward calls when the graph is retained', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).sum(); // dy/dx = 2x
    y.backward(undefined, { retainGraph: true });
    expect(x.grad!.toList()).toEqual([2, 4, 6]);
    y.backward();
    expect(x.grad!.toList()).toEqual([4, 8, 12]);
  });

  test('gradients accumulate across separate graphs on the same leaf until zeroGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.square().sum().backward();
    expect(x.grad!.toList()).toEqual([3 + 2, 3 + 4]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.sum().backward();
    expect(x.grad!.toList()).toEqual([1, 1]);
  });

  test('a second backward without retainGraph throws a clear error', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already freed.*retainGraph: true/);
  });

  test('a new graph built on a freed one reports the freed op', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.tanh();
    h.sum().backward();
    expect(() => h.mul(2).sum().backward()).toThrow(/graph through 'tanh' was already freed/);
  });

  test('backward of a tensor that does not require grad throws', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  test('a non-scalar output needs an explicit gradient of its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/one-element outputs.*\[2\]/);
    expect(() => x.mul(2).backward(ones([3]))).toThrow(/gradient shape \[3\] does not match output shape \[2\]/);
    x.mul(2).backward(tensor([10, 20]));
    expect(x.grad!.toList()).toEqual([20, 40]);
  });

  test('backward on a leaf sets its gradient to the seed', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    x.backward(tensor([[5, 6]]));
    expect(x.grad!.toArray()).toEqual([[5, 6]]);
  });

  test('the functional backward() equals the method', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    backward(x.square().sum());
    expect(x.grad!.toList()).toEqual([2, 4]);
  });
});

describe('noGrad, enableGrad, detach', () => {
  test('noGrad records nothing and restores the previous mode, even after a throw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2).add(1).sum());
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  test('enableGrad records inside noGrad', () => {
    const x = tensor([3], { requiresGrad: true });
    const y = noGrad(() => enableGrad(() => x.square()));
    expect(y.requiresGrad).toBe(true);
    y.backward(ones([1]));
    expect(x.grad!.toList()).toEqual([6]);
  });

  test('detach cuts the graph: no gradient flows through the detached path', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data).toBe(x.data); // shares storage, as in PyTorch
    // y = x·stop(x): dy/dx = stop(x) only.
    x.mul(x.detach()).sum().backward();
    expect(x.grad!.toList()).toEqual([1, 2]);
  });

  test('an input without requiresGrad gets no gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    expect(x.grad!.toList()).toEqual([3, 4]);
  });
});

describe('graph shape', () => {
  test('a tensor used twice gets the sum of both paths', () => {
    const x = scalar(3, { requiresGrad: true, ...f64 });
    // y = x·x + x → dy/dx = 2x + 1
    x.mul(x).add(x).backward();
    expect(x.grad!.item()).toBe(7);
  });

  test('a diamond (shared sub-expression) sums gradients once per path', () => {
    const x = tensor([0.5, -1], { requiresGrad: true, ...f64 });
    const h = x.exp(); // shared
    const y = h.mul(2).add(h.square()).sum(); // dy/dh = 2 + 2h
    y.backward();
    const e = [Math.exp(0.5), Math.exp(-1)];
    expect(x.grad!.toList()[0]).toBeCloseTo((2 + 2 * e[0]) * e[0], 12);
    expect(x.grad!.toList()[1]).toBeCloseTo((2 + 2 * e[1]) * e[1], 12);
  });

  test('a chain of 20,000 ops runs backward without overflowing the stack', () => {
    const x = scalar(1, { requiresGrad: true, ...f64 });
    let y: Tensor = x;
    for (let i = 0; i < 20_000; i++) y = y.mul(1.0001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(1.0001 ** 20_000, 9);
  });

  test('a wide graph (one leaf feeding 5,000 ops) sums every path', () => {
    const x = scalar(2, { requiresGrad: true, ...f64 });
    let acc: Tensor = zeros([], f64);
    for (let i = 0; i < 5000; i++) acc = acc.add(x);
    acc.backward();
    expect(x.grad!.item()).toBe(5000);
  });

  test('leaf gradients are not aliased: changing one does not change another', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const c = tensor([5, 6], { requiresGrad: true });
    const seed = tensor([1, 1]);
    a.add(b).add(c.clone()).backward(seed); // add passes the same gradient object to both inputs
    a.grad!.data[0] = 100;
    expect(b.grad!.toList()).toEqual([1, 1]);
    expect(c.grad!.toList()).toEqual([1, 1]);
    expect(seed.toList()).toEqual([1, 1]);
    b.grad!.data[1] = -7;
    expect(c.grad!.toList()).toEqual([1, 1]);
    expect(a.grad!.data).not.toBe(b.grad!.data);
  });

  test('a leaf gradient is not aliased to a tensor the user passed to backward', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const g = tensor([1, 1]);
    x.reshape([2]).backward(g);
    x.grad!.data[0] = 9;
    expect(g.toList()).toEqual([1, 1]);
  });

  test('broadcast gradients are summed back to each input shape', () => {
    const a = tensor([[1], [2]], { requiresGrad: true }); // [2, 1]
    const b = tensor([10, 20, 30], { requiresGrad: true }); // [3]
    const s = scalar(2, { requiresGrad: true });
    add(mul(a, b), s).sum().backward();
    expect(a.grad!.toArray()).toEqual([[60], [60]]);
    expect(b.grad!.toList()).toEqual([3, 3, 3]);
    expect(s.grad!.item()).toBe(6);
    expect(a.grad!.shape).toEqual([2, 1]);
    expect(s.grad!.shape).toEqual([]);
  });

  test('gradients keep each leaf dtype when float32 and float64 mix', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true, ...f64 });
    const y = a.mul(b).sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(b.grad!.dtype).toBe('float64');
    expect(a.grad!.toList()).toEqual([3, 4]);
  });

  test('record refuses a backward rule that returns the wrong shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const out = record(new Tensor(new Float32Array(1), []), 'badOp', [x], () => [zeros([3])]);
    expect(() => out.backward()).toThrow(/'badOp' produced a gradient of shape \[3\] for an input of shape \[2\]/);
  });

  test('requiresGrad_ sets the flag on leaves and refuses to turn it off on results', () => {
    const x = zeros([2]).requiresGrad_();
    expect(x.requiresGrad).toBe(true);
    const y = sum(x);
    expect(y.isLeaf).toBe(false);
    expect(() => y.requiresGrad_(false)).toThrow(/detach/);
  });
});
