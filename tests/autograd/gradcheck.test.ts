/** gradcheck itself: it must fail on a wrong backward, say where, and pass a right one. */
import { describe, expect, test } from 'vitest';
import { gradcheck, randn, record, tensor, Generator, Tensor } from '../../src/index.js';
import { OP_CASES } from '../helpers/op-cases.js';

/** sin(x) with a deliberately wrong backward: -cos instead of cos on element `bad`. */
function sinWithBug(x: Tensor, bad: number): Tensor {
  const data = x.data.map(Math.sin);
  const out = new Tensor(data, x.shape);
  return record(out, 'sinWithBug', [x], (g) => {
    const d = x.data.map(Math.cos);
    d[bad] = -d[bad];
    return [new Tensor(g.data.map((v, i) => v * d[i]), x.shape)];
  });
}

describe('gradcheck', () => {
  test('passes a correct backward in float64 with a tiny error', () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, generator: new Generator(1) });
    const r = gradcheck((t) => t.tanh().mul(t).sum(1), [x]);
    expect(r.ok).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-8);
    expect(r.message).toMatch(/passed/);
  });

  test('fails a wrong backward and names the input and element', () => {
    const x = tensor([0.3, 0.5, 0.7, 0.9], { dtype: 'float64', requiresGrad: true });
    const r = gradcheck((t) => sinWithBug(t, 2), [x]);
    expect(r.ok).toBe(false);
    expect(r.worst).toMatchObject({ input: 0, index: 2 });
    expect(r.worst!.analytic).toBeCloseTo(-r.worst!.numeric, 6);
    expect(r.message).toMatch(/failed: input 0 element 2/);
  });

  test('fails a wrong backward in float32 mode too', () => {
    const x = tensor([0.3, 0.5, 0.7, 0.9], { requiresGrad: true });
    const r = gradcheck((t) => sinWithBug(t, 1), [x], { dtype: 'float32' });
    expect(r.ok).toBe(false);
    expect(r.worst!.index).toBe(1);
  });

  test('float32 mode catches a gradient off by 3% (tolerances are not loose)', () => {
    const x = tensor([0.3, -0.5, 0.7, 1.9], { requiresGrad: true });
    const scaled = (t: Tensor): Tensor => {
      const out = new Tensor(t.data.map(Math.tanh), t.shape);
      return record(out, 'tanhScaled', [t], (g) => [new Tensor(g.data.map((v, i) => 1.03 * v * (1 - out.data[i] ** 2)), t.shape)]);
    };
    expect(gradcheck(scaled, [x], { dtype: 'float32' }).ok).toBe(false);
    expect(gradcheck((t) => t.tanh(), [x], { dtype: 'float32' }).ok).toBe(true);
  });

  test('float64 mode catches a gradient off by 0.1% (its rtol is 1e-5, not loose)', () => {
    const x = tensor([0.3, -0.5, 0.7, 1.9], { dtype: 'float64', requiresGrad: true });
    const scaledBy = (factor: number) => (t: Tensor): Tensor => {
      const out = new Tensor(t.data.map(Math.tanh), t.shape);
      return record(out, 'tanhScaled', [t], (g) => [new Tensor(g.data.map((v, i) => factor * v * (1 - out.data[i] ** 2)), t.shape)]);
    };
    const off = gradcheck(scaledBy(1.001), [x]);
    expect(off.ok, off.message).toBe(false);
    expect(off.maxRelError).toBeGreaterThan(5e-4);
    expect(off.maxRelError).toBeLessThan(2e-3);
    const exact = gradcheck(scaledBy(1), [x]);
    expect(exact.ok, exact.message).toBe(true);
    expect(exact.maxRelError).toBeLessThan(1e-7);
  });

  test('elements: perturbs only that many elements per input, edges included, and still catches an edge-only bug', () => {
    // x [131, 40] · W: a backward wrong only in the last row of x (where a blocked kernel's remainder tile is).
    const x = randn([131, 40], { dtype: 'float64', requiresGrad: true, generator: new Generator(3) });
    const w = randn([40, 5], { dtype: 'float64', generator: new Generator(4) });
    let calls = 0;
    const lastRowWrong = (t: Tensor): Tensor => {
      calls++;
      const out = new Tensor(t.data.slice(), t.shape);
      return record(out, 'lastRowWrong', [t], (g) => [new Tensor(g.data.map((v, i) => (i >= 130 * 40 ? 1.05 * v : v)), t.shape)]);
    };
    const right = gradcheck((t) => t.matmul(w), [x], { elements: 20 });
    expect(right.ok, right.message).toBe(true);
    const wrong = gradcheck((t) => lastRowWrong(t).matmul(w), [x], { elements: 20 });
    expect(wrong.ok).toBe(false);
    expect(wrong.worst!.index).toBeGreaterThanOrEqual(130 * 40);
    expect(calls).toBe(1 + 2 * 20); // one forward for the gradient, two per checked element
    expect(() => gradcheck((t) => t.exp(), [x], { elements: 0 })).toThrow(/gradcheck: elements must be a positive integer, got 0/);
  });

  test('checks only the inputs with requiresGrad, and every one of them', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64' });
    expect(gradcheck((x, y) => x.mul(y), [a, b]).ok).toBe(true);
    // A bug in the second input's gradient must be found even when the first is right.
    const c = tensor([0.2, 0.4], { dtype: 'float64', requiresGrad: true });
    const r = gradcheck((x, y) => x.add(sinWithBug(y, 0)), [a, c]);
    expect(r.ok).toBe(false);
    expect(r.worst).toMatchObject({ input: 1, index: 0 });
  });

  test('does not touch the caller’s tensors', () => {
    const x = tensor([0.1, 0.2], { requiresGrad: true });
    gradcheck((t) => t.exp(), [x]);
    expect(x.grad).toBeNull();
    expect(x.dtype).toBe('float32');
    expect(x.toList()).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  test('clear errors for unusable calls', () => {
    expect(() => gradcheck((t) => t.exp(), [tensor([1])])).toThrow(/no input has requiresGrad/);
    expect(() => gradcheck(() => tensor([1]), [tensor([1], { requiresGrad: true })])).toThrow(/does not depend/);
  });

  test('op cases carry readable descriptions (printed on failure)', () => {
    expect(OP_CASES.length).toBeGreaterThan(40);
    expect(new Set(OP_CASES.map((c) => c.name)).size).toBe(OP_CASES.length);
  });
});
