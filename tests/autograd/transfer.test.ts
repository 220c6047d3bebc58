/** `to` as a differentiable op: the gradient goes back the way the values came (cast back, moved back). */
import { describe, expect, test } from 'vitest';
import { createWasmBackend, tensor, to, wasmFeatures } from '../../src/index.js';

describe('to: gradients of casts and moves', () => {
  test("a cast to float32 sends a float64 gradient back (values rounded forward only)", () => {
    const x = tensor([0.1, 1 / 3, -2], { dtype: 'float64', requiresGrad: true });
    const y = to(x, 'float32');
    expect(y.dtype).toBe('float32');
    expect(y.toList()).toEqual([Math.fround(0.1), Math.fround(1 / 3), -2]);
    y.mul(tensor([1, 2, 3])).sum().backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(x.grad!.toList()).toEqual([1, 2, 3]);
    // The methods are the same op.
    const z = tensor([0.5], { requiresGrad: true });
    z.double().mul(4).sum().backward();
    expect(z.grad!.dtype).toBe('float32');
    expect(z.grad!.toList()).toEqual([4]);
  });

  test('a move to another backend sends the gradient back to the original one', () => {
    if (wasmFeatures().unavailable) throw new Error(`this test needs the wasm backend: ${wasmFeatures().unavailable}`);
    const wasm = createWasmBackend({ threads: 1 });
    const x = tensor([1, 2, 3], { backend: 'js', requiresGrad: true });
    const y = to(x, wasm);
    expect(y.backend).toBe('wasm');
    y.square().sum().backward();
    expect(x.grad!.backend).toBe('js');
    expect(x.grad!.toList()).toEqual([2, 4, 6]);
    expect(to(x, 'js')).toBe(x); // nothing to move: the same tensor, no new node
    expect(to(x, 'float32')).toBe(x);
  });
});
