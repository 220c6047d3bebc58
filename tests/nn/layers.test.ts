import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, gradcheck, nn, randn, tensor, Tensor } from '../../src/index.js';
import { gradcheckModule } from './helpers.js';

const g = (seed: number): Generator => new Generator(seed);
const input = (shape: number[], seed: number): Tensor => randn(shape, { generator: g(seed), dtype: 'float64', requiresGrad: true });
const expectPass = (r: { ok: boolean; message: string }): void => expect(r.ok, r.message).toBe(true);

describe('layer gradients (float64 gradcheck through each module, parameters included)', () => {
  it('Linear over random shapes, with and without bias', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
      (n, i, o, bias, seed) => {
        const m = new nn.Linear(i, o, { bias, generator: g(seed) });
        expectPass(gradcheckModule(m, [input([n, i], seed + 1)]));
      }), { numRuns: 15 });
  });

  it('Linear on a 3-D input (leading axes kept)', () => {
    const m = new nn.Linear(3, 2, { generator: g(1) });
    expect(m.call(randn([2, 4, 3])).shape).toEqual([2, 4, 2]);
    expectPass(gradcheckModule(m, [input([2, 2, 3], 2)]));
  });

  it('Conv2d over random sizes, strides, padding and dilation', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 0, max: 1e6 }),
      (n, cin, cout, k, stride, padding, dilation, seed) => {
        const m = new nn.Conv2d(cin, cout, k, { stride, padding, dilation, generator: g(seed) });
        const size = dilation * (k - 1) + 1 + fc.sample(fc.integer({ min: 0, max: 2 }), { seed, numRuns: 1 })[0];
        expectPass(gradcheckModule(m, [input([n, cin, size, size + 1], seed + 1)]));
      }), { numRuns: 12 });
  });

  it('ConvTranspose2d over random sizes, strides, padding and output padding', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.boolean(),
      fc.integer({ min: 0, max: 1e6 }),
      (n, cin, cout, k, stride, padding, bias, seed) => {
        const outputPadding = stride > 1 ? 1 : 0;
        const m = new nn.ConvTranspose2d(cin, cout, k, { stride, padding: Math.min(padding, k - 1), outputPadding, bias, generator: g(seed) });
        expectPass(gradcheckModule(m, [input([n, cin, 2, 3], seed + 1)]));
      }), { numRuns: 12 });
  });

  it('ConvTranspose2d output size follows the formula (the DCGAN 7→14→28 decoder)', () => {
    const up = new nn.ConvTranspose2d(4, 2, 4, { stride: 2, padding: 1, generator: g(3) });
    expect(up.weight.shape).toEqual([4, 2, 4, 4]);
    expect(up.call(randn([1, 4, 7, 7])).shape).toEqual([1, 2, 14, 14]);
    const up3 = new nn.ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1, outputPadding: 1 });
    expect(up3.call(randn([1, 2, 14, 14])).shape).toEqual([1, 1, 28, 28]);
    expect(() => new nn.ConvTranspose2d(2, 1, 3, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding/);
  });

  it('BatchNorm1d and BatchNorm2d in training mode (through the batch statistics) and eval mode', () => {
    for (const training of [true, false]) {
      const bn1 = new nn.BatchNorm1d(3).train(training);
      bn1.weight!.data.set([0.5, -1.5, 2]);
      bn1.bias!.data.set([0.1, 0.2, -0.3]);
      bn1.runningMean!.data.set([0.3, -0.2, 0.1]);
      bn1.runningVar!.data.set([1.5, 0.7, 2.0]);
      expectPass(gradcheckModule(bn1, [input([4, 3], 1)]));
      expectPass(gradcheckModule(bn1, [input([2, 3, 3], 2)]));
      const bn2 = new nn.BatchNorm2d(2).train(training);
      bn2.weight!.data.set([1.3, -0.7]);
      expectPass(gradcheckModule(bn2, [input([2, 2, 3, 2], 3)]));
    }
    const plain = new nn.BatchNorm2d(2, { affine: false, trackRunningStats: false });
    expect(plain.parameters()).toHaveLength(0);
    expectPass(gradcheck((x) => plain.call(x), [input([3, 2, 2, 2], 4)]));
  });

  it('Dropout (with a fixed mask), Embedding, Flatten, Unflatten, Reshape, pooling, activations', () => {
    const drop = new nn.Dropout(0.4);
    expectPass(gradcheck((x) => {
      drop.generator = g(9); // the same mask on every evaluation
      return drop.call(x);
    }, [input([3, 5], 1)]));

    const emb = new nn.Embedding(5, 3, { generator: g(2) });
    const idx = tensor([[0, 4], [4, 2]]);
    expect(emb.call(idx).shape).toEqual([2, 2, 3]);
    expectPass(gradcheckModule(emb, [idx])); // index 4 twice: its rows' gradients add up

    for (const m of [new nn.Flatten(), new nn.Unflatten(2, [2, 2]), new nn.Reshape([3, -1])]) {
      expectPass(gradcheck((x) => m.call(x), [input([2, 3, 4], 3)]));
    }
    expectPass(gradcheck((x) => new nn.MaxPool2d(2).call(x), [input([1, 2, 4, 4], 4)]));
    expectPass(gradcheck((x) => new nn.AvgPool2d(2, 1).call(x), [input([1, 2, 3, 3], 5)]));

    const acts = [new nn.ReLU(), new nn.LeakyReLU(0.2), new nn.Sigmoid(), new nn.Tanh(), new nn.Softplus(), new nn.Softplus(2), new nn.Identity()];
    for (const a of acts) expectPass(gradcheck((x) => a.call(x), [input([3, 4], 6)]));
  });

  it('a small Sequential conv net end to end', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { padding: 1, generator: g(1) }), new nn.BatchNorm2d(2), new nn.LeakyReLU(0.2),
      new nn.Flatten(), new nn.Linear(2 * 3 * 3, 3, { generator: g(2) }), new nn.Tanh(),
    );
    expectPass(gradcheckModule(net, [input([2, 1, 3, 3], 3)]));
  });
});

describe('layer shapes, defaults and errors', () => {
  it('weights use PyTorch layouts and default init bounds U(±1/√fanIn)', () => {
    const lin = new nn.Linear(50, 20, { generator: g(1) });
    expect(lin.weight.shape).toEqual([20, 50]);
    expect(lin.bias!.shape).toEqual([20]);
    const conv = new nn.Conv2d(3, 8, [3, 5], { generator: g(2) });
    expect(conv.weight.shape).toEqual([8, 3, 3, 5]);
    const convT = new nn.ConvTranspose2d(6, 4, 3, { generator: g(3) });
    expect(convT.weight.shape).toEqual([6, 4, 3, 3]);
    const within = (t: Tensor, bound: number): void => {
      let max = 0;
      for (const v of t.data) max = Math.max(max, Math.abs(v));
      expect(max).toBeLessThanOrEqual(bound);
      expect(max).toBeGreaterThan(0.8 * bound); // actually uses the range
    };
    within(lin.weight, 1 / Math.sqrt(50));
    within(lin.bias!, 1 / Math.sqrt(50));
    within(conv.weight, 1 / Math.sqrt(3 * 15));
    within(conv.bias!, 1 / Math.sqrt(3 * 15));
    within(convT.weight, 1 / Math.sqrt(4 * 9)); // PyTorch's fanIn for [in, out, k, k] is out·k·k
    const emb = new nn.Embedding(100, 10, { generator: g(4) });
    const w = emb.weight.toList();
    const m = w.reduce((a, b) => a + b, 0) / 1000;
    const v = w.reduce((a, b) => a + b * b, 0) / 1000;
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(v).toBeGreaterThan(0.85);
    expect(v).toBeLessThan(1.15);
  });

  it('the same generator seed gives the same weights', () => {
    const a = new nn.Linear(4, 3, { generator: g(7) });
    const b = new nn.Linear(4, 3, { generator: g(7) });
    const c = new nn.Linear(4, 3, { generator: g(8) });
    expect(a.weight.toList()).toEqual(b.weight.toList());
    expect(a.weight.toList()).not.toEqual(c.weight.toList());
  });

  it('dtype option and bias: false', () => {
    const m = new nn.Conv2d(1, 1, 2, { dtype: 'float64', bias: false });
    expect(m.weight.dtype).toBe('float64');
    expect(m.bias).toBeNull();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('bad arguments and inputs give errors naming the layer and the shapes', () => {
    expect(() => new nn.Linear(0, 3)).toThrow(/Linear: inFeatures must be a positive integer/);
    expect(() => new nn.Linear(3, 2).call(randn([4, 5]))).toThrow(/linear: input \[4, 5\] does not end in 3 features/);
    expect(() => new nn.Conv2d(3, 2, 3).call(randn([1, 2, 5, 5]))).toThrow(/2 channels but weight \[2, 3, 3, 3\] expects 3/);
    expect(() => new nn.Conv2d(1, 2, 0)).toThrow(/kernelSize/);
    expect(() => new nn.BatchNorm2d(3).call(randn([2, 3, 4]))).toThrow(/BatchNorm2d: expected a 4-D input/);
    expect(() => new nn.BatchNorm1d(3).call(randn([2, 4]))).toThrow(/BatchNorm1d: input \[2, 4\] has 4 channels, expected 3/);
    expect(() => new nn.BatchNorm1d(3).call(randn([1, 3]))).toThrow(/more than 1 value per channel/);
    expect(() => new nn.Dropout(1.5)).toThrow(/\[0, 1\]/);
    expect(() => new nn.Embedding(4, 2).call([1, 4])).toThrow(/embedding: index 4 at position 1 is not an integer in \[0, 4\)/);
    expect(() => new nn.Embedding(4, 2).call([0.5])).toThrow(/embedding: index 0.5/);
    expect(() => new nn.Reshape([2, -1, -1])).toThrow(/at most one -1/);
    expect(() => new nn.Unflatten(1, [2, 6]).call(randn([2, 3, 4]))).toThrow(/Unflatten: cannot split axis 1 of size 3/);
  });

  it('toString prints the tree like PyTorch', () => {
    const net = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
    expect(net.toString()).toBe('Sequential(\n  (0): Linear(inFeatures=4, outFeatures=3, bias=true)\n  (1): ReLU()\n)');
  });
});
