import { describe, expect, it } from 'vitest';
import { Generator, nn, randn, Tensor, tensor, zeros } from '../../src/index.js';

/** A model with nesting, a buffer, a bias-less layer and a shared parameter, like the zoo's models. */
class Encoder extends nn.Module<[Tensor], Tensor> {
  readonly net: nn.Sequential;
  readonly head: nn.Linear;
  constructor(g: Generator) {
    super();
    this.net = this.registerModule('net', new nn.Sequential(
      new nn.Linear(4, 3, { generator: g }), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Dropout(0.5),
    ));
    this.head = this.registerModule('head', new nn.Linear(3, 2, { bias: false, generator: g }));
    this.registerBuffer('class_means', zeros([2, 3]));
    this.registerBuffer('scratch', zeros([1]), { persistent: false });
  }

  override forward(x: Tensor): Tensor {
    return this.head.call(this.net.call(x));
  }
}

class Model extends nn.Module<[Tensor], Tensor> {
  readonly encoder: Encoder;
  readonly scale: Tensor;
  constructor(seed = 0) {
    super();
    const g = new Generator(seed);
    this.encoder = this.registerModule('encoder', new Encoder(g));
    this.scale = this.registerParameter('scale', tensor([1.5]))!;
  }

  override forward(x: Tensor): Tensor {
    return this.encoder.call(x).mul(this.scale);
  }
}

describe('Module', () => {
  it('names parameters, buffers and the state dict as PyTorch does', () => {
    const m = new Model();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'scale', 'encoder.net.0.weight', 'encoder.net.0.bias', 'encoder.net.1.weight', 'encoder.net.1.bias', 'encoder.head.weight',
    ]);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(m.namedBuffers().map(([n]) => n)).toEqual([
      'encoder.class_means', 'encoder.scratch',
      'encoder.net.1.running_mean', 'encoder.net.1.running_var', 'encoder.net.1.num_batches_tracked',
    ]);
    expect(Object.keys(m.stateDict())).toEqual([
      'scale',
      'encoder.class_means',
      'encoder.net.0.weight', 'encoder.net.0.bias',
      'encoder.net.1.weight', 'encoder.net.1.bias', 'encoder.net.1.running_mean', 'encoder.net.1.running_var', 'encoder.net.1.num_batches_tracked',
      'encoder.head.weight',
    ]); // non-persistent 'scratch' is left out; each module's parameters, then buffers, then children
    expect(m.children()).toEqual([m.encoder]);
    expect(m.modules()).toHaveLength(8);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'encoder', 'encoder.net', 'encoder.net.0', 'encoder.net.1', 'encoder.net.2', 'encoder.net.3', 'encoder.head']);
    expect(m.getSubmodule('encoder.net.1')).toBeInstanceOf(nn.BatchNorm1d);
    expect(() => m.getSubmodule('encoder.nope')).toThrow(/Encoder has no child module 'nope'/);
    expect(m.parameters(false)).toEqual([m.scale]);
  });

  it('a parameter shared by two modules is listed once', () => {
    const a = new nn.Linear(3, 3);
    const b = new nn.Linear(3, 3);
    b.registerParameter('weight', a.weight);
    const s = new nn.Sequential(a, b);
    expect(s.parameters()).toHaveLength(3);
    expect(Object.keys(s.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
  });

  it('stateDict round trip restores outputs exactly; values are copied in place', () => {
    const a = new Model(1).eval();
    const b = new Model(2).eval();
    const x = randn([5, 4], { generator: new Generator(3) });
    a.getSubmodule('encoder.net.1').buffers()[0].data.set([0.1, 0.2, 0.3]);
    expect(b.call(x).toList()).not.toEqual(a.call(x).toList());
    const before = b.parameters();
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.call(x).toList()).toEqual(a.call(x).toList());
    expect(b.parameters()).toEqual(before); // same tensor objects: optimizers keep working
    expect(b.parameters()[0]).toBe(before[0]);
    // The state dict shares memory with the module (as PyTorch's).
    const sd = a.stateDict();
    a.scale.data[0] = 7;
    expect(sd.scale.data[0]).toBe(7);
  });

  it('loadStateDict names the first missing, unexpected or mis-shaped key and changes nothing on error', () => {
    const m = new Model(1);
    const sd = new Model(2).stateDict();
    const snapshot = m.parameters().map((p) => p.toList());

    const missing = { ...sd };
    delete missing['encoder.net.0.bias'];
    delete missing['encoder.head.weight'];
    expect(() => m.loadStateDict(missing)).toThrow(/Model.loadStateDict: missing key 'encoder.net.0.bias' \(and 1 more: encoder.head.weight\)/);

    expect(() => m.loadStateDict({ ...sd, 'encoder.extra': zeros([1]) })).toThrow(/unexpected key 'encoder.extra'/);

    const wrong = { ...sd, 'encoder.net.0.weight': zeros([4, 3]) };
    expect(() => m.loadStateDict(wrong)).toThrow(/size mismatch for 'encoder.net.0.weight': the checkpoint has shape \[4, 3\], the module has \[3, 4\]/);
    expect(() => m.loadStateDict(wrong, { strict: false })).toThrow(/size mismatch/);
    expect(() => m.loadStateDict({ ...sd, scale: [1] as unknown as Tensor })).toThrow(/'scale' is not a Tensor/);
    expect(m.parameters().map((p) => p.toList())).toEqual(snapshot);

    const res = m.loadStateDict({ ...missing, 'encoder.extra': zeros([1]) }, { strict: false });
    expect(res).toEqual({ missingKeys: ['encoder.net.0.bias', 'encoder.head.weight'], unexpectedKeys: ['encoder.extra'] });
    expect(m.scale.toList()).toEqual(sd.scale.toList());
  });

  it('loadStateDict converts dtypes (a float64 checkpoint into float32 parameters)', () => {
    const m = new nn.Linear(2, 1);
    m.loadStateDict({ weight: tensor([[0.25, 0.5]], { dtype: 'float64' }), bias: tensor([1], { dtype: 'float64' }) });
    expect(m.weight.dtype).toBe('float32');
    expect(m.weight.toList()).toEqual([0.25, 0.5]);
  });

  it('train()/eval() reach every descendant', () => {
    const m = new Model();
    expect(m.modules().every((c) => c.training)).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.modules().some((c) => c.training)).toBe(false);
    m.train();
    expect(m.modules().every((c) => c.training)).toBe(true);
    m.train(false);
    expect(m.getSubmodule('encoder.net.3').training).toBe(false);
  });

  it('zeroGrad clears every parameter gradient', () => {
    const m = new Model();
    m.call(randn([3, 4])).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('Dropout: seeded masks repeat, eval is the identity, survivors are scaled by 1/(1 − p)', () => {
    const x = randn([8, 50], { generator: new Generator(1) });
    const run = (seed: number): number[] => new nn.Dropout(0.3, { generator: new Generator(seed) }).call(x).toList();
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    const y = run(5);
    let dropped = 0;
    y.forEach((v, i) => {
      if (v === 0) dropped++;
      else expect(v).toBeCloseTo(x.data[i] / 0.7, 5);
    });
    expect(dropped / y.length).toBeGreaterThan(0.25);
    expect(dropped / y.length).toBeLessThan(0.35);
    const d = new nn.Dropout(0.3).eval();
    expect(d.call(x)).toBe(x);
  });

  it('to(dtype) converts parameters and buffers in place', () => {
    const m = new Model().to('float64');
    expect(m.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(m.buffers().every((b) => b.dtype === 'float64')).toBe(true);
    expect(m.call(randn([2, 4], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('registration errors are clear', () => {
    const m = new nn.Module();
    expect(() => m.registerParameter('a.b', zeros([1]))).toThrow(/invalid name "a.b"/);
    const y = zeros([1], { requiresGrad: true }).mul(2);
    expect(() => m.registerParameter('w', y)).toThrow(/must be a leaf tensor/);
    m.registerParameter('w', zeros([1]));
    expect(() => m.registerBuffer('w', zeros([1]))).toThrow(/'w' is already a parameter/);
    expect(() => m.call(zeros([1]))).toThrow(/Module: forward\(\) is not implemented/);
  });
});
