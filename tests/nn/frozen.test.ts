/** nn.withFrozen: no gradients for the frozen parameters inside, each parameter's previous state after. */
import { expect, test } from 'vitest';
import { nn, tensor } from '../../src/index.js';

test('frozen parameters get no gradient; the others do; requiresGrad is restored as it was', () => {
  const a = tensor([2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const c = tensor([5]);
  // As the GAN steps use it: forward and backward inside.
  nn.withFrozen([a, c], () => a.mul(b).mul(c).sum().backward());
  expect(a.grad).toBeNull();
  expect(b.grad?.toList()).toEqual([10]); // d(a·b·c)/db = a·c
  expect([a.requiresGrad, b.requiresGrad, c.requiresGrad]).toEqual([true, true, false]); // c was not trainable before either
});

test('restored when the function throws', () => {
  const a = tensor([1], { requiresGrad: true });
  expect(() => nn.withFrozen([a], () => { throw new Error('boom'); })).toThrow('boom');
  expect(a.requiresGrad).toBe(true);
});
