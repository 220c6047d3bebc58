/**
 * What a PyTorch or TensorFlow.js user expects of the API (issue 13's "API
 * surprises"), at run time and — through tests/types/api-expectations.ts,
 * compiled with `tsc --strict` — at compile time. `train` honouring its
 * `backend` is tested in tests/train/reliability.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { arange, enableGrad, isGradEnabled, noGrad, scalar, setBackend, tensor, tidy, zeros, type Tensor } from '../src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('sizes and shapes', () => {
  test('numel() is the element count', () => {
    expect(tensor([[1, 2, 3], [4, 5, 6]]).numel()).toBe(6);
    expect(zeros([2, 0, 3]).numel()).toBe(0);
    expect(scalar(5).numel()).toBe(1);
  });

  test('reshape and view take an array or varargs, with one -1 inferred', () => {
    const x = arange(6);
    expect(x.reshape(2, 3).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.reshape(2, 3).reshape(-1).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(x.view(3, -1).shape).toEqual([3, 2]);
    expect(x.view([-1, 3]).shape).toEqual([2, 3]);
    expect(x.view(6).shape).toEqual([6]);
    expect(() => x.reshape(-1, -1)).toThrow('reshape: only one dimension can be -1, got [-1, -1]');
    expect(() => x.view(4, -1)).toThrow('reshape: cannot reshape tensor of shape [6] (6 elements) into [4, -1]');
  });

  test('the shape is frozen: assigning to it throws and changes nothing', () => {
    const given = [2, 3];
    const x = zeros(given);
    given[0] = 7; // the tensor keeps its own copy
    expect(x.shape).toEqual([2, 3]);
    expect(Object.isFrozen(x.shape)).toBe(true);
    expect(() => { (x.shape as number[])[0] = 4; }).toThrow(TypeError);
    expect(() => { (x.shape as number[]).push(1); }).toThrow(TypeError);
    expect(x.shape).toEqual([2, 3]);
    expect(x.size).toBe(6);
  });
});

describe('copies and casts', () => {
  test('tensor(t) copies: writing into the copy leaves the source alone', () => {
    const t = tensor([1, 2], { requiresGrad: true });
    const c = tensor(t);
    expect(c).not.toBe(t);
    expect(c.storage).not.toBe(t.storage);
    expect(c.requiresGrad).toBe(false); // a new leaf, as torch.tensor(t)
    c.copy_([9, 8]);
    expect(t.toList()).toEqual([1, 2]);
    expect(c.toList()).toEqual([9, 8]);
    expect(tensor(t, { shape: [2, 1] }).toArray()).toEqual([[1], [2]]);
    const d = tensor(t, { dtype: 'float64' });
    expect(d.dtype).toBe('float64');
    expect(d.toList()).toEqual([1, 2]);
  });

  test('to(dtype), double() and float() cast; the gradient comes back in the source dtype', () => {
    const x = tensor([0.1, 2.5], { requiresGrad: true });
    expect(x.to('float32')).toBe(x); // nothing to do: the tensor itself
    const d = x.double();
    expect(d.dtype).toBe('float64');
    expect(d.backend).toBe('js'); // float64 lives on js
    expect(d.toList()).toEqual([Math.fround(0.1), 2.5]); // widening is exact
    d.mul(tensor([3, -1], { dtype: 'float64' })).sum().backward();
    expect(x.grad?.dtype).toBe('float32');
    expect(x.grad?.toList()).toEqual([3, -1]);
    const narrowed = tensor([0.1], { dtype: 'float64' }).float();
    expect(narrowed.dtype).toBe('float32');
    expect(narrowed.item()).toBe(Math.fround(0.1));
    expect(tensor([1]).to('float64').dtype).toBe('float64');
  });

  test('a Float64Array keeps float64 unless a dtype says otherwise', () => {
    expect(tensor(new Float64Array([0.1])).dtype).toBe('float64');
    expect(tensor(new Float64Array([0.1])).item()).toBe(0.1);
    expect(tensor(new Float32Array([0.1])).dtype).toBe('float32');
  });
});

describe('backend names', () => {
  test('an unknown backend name is refused at run time too (the type error is in tests/types)', () => {
    expect(() => setBackend('cuda' as never)).toThrow("setBackend: unknown backend 'cuda' (registered: auto, js");
    expect(() => tensor([1]).to('cuda' as never)).toThrow("unknown backend 'cuda'");
  });
});

describe('synchronous scopes refuse async functions', () => {
  test('noGrad(async () => …) throws, naming the problem, and recording is back on', async () => {
    const x = tensor([1], { requiresGrad: true });
    let inside: Tensor | null = null;
    const refused = (): unknown => noGrad(async () => { inside = x.mul(2); });
    expect(refused).toThrow('noGrad: fn returned a Promise; noGrad covers synchronous code only');
    expect(isGradEnabled()).toBe(true);
    expect(inside!.requiresGrad).toBe(false); // the synchronous part ran without a graph
  });

  test('enableGrad and tidy refuse them the same way', () => {
    expect(() => noGrad(() => enableGrad(async () => 1))).toThrow('enableGrad: fn returned a Promise; enableGrad covers synchronous code only');
    expect(isGradEnabled()).toBe(true);
    expect(() => tidy(async () => 1)).toThrow('tidy: fn returned a Promise');
  });
});

test('at compile time: varargs, casts, read-only shapes and typed backend names (tests/types/api-expectations.ts)', () => {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  let out = '';
  try {
    execFileSync(tsc, ['-p', join(ROOT, 'tests', 'types', 'tsconfig.json'), '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  } catch (e) {
    out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
  }
  expect(out).toBe('');
}, 150_000);
