import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, gradcheck, nn, rand, randn, sigmoid, tensor } from '../../src/index.js';
import { hasNonFinite } from './helpers.js';

const F = nn.functional;
const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const expectPass = (r: { ok: boolean; message: string }): void => expect(r.ok, r.message).toBe(true);
const gen = (s: number): Generator => new Generator(s);
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

describe('loss gradients (float64 gradcheck, every reduction, random shapes)', () => {
  it('bceWithLogits (logits and targets), with weight and posWeight', () => {
    fc.assert(fc.property(shapeArb, fc.constantFrom(...REDUCTIONS), fc.integer({ min: 0, max: 1e6 }), (shape, reduction, seed) => {
      const x = randn(shape, { generator: gen(seed), dtype: 'float64', requiresGrad: true }).mul(3).detach().requiresGrad_();
      const y = rand(shape, { generator: gen(seed + 1), dtype: 'float64', requiresGrad: true });
      expectPass(gradcheck((a, b) => F.bceWithLogits(a, b, { reduction }), [x, y]));
      const w = rand(shape, { generator: gen(seed + 2), dtype: 'float64' });
      const pw = rand([shape[shape.length - 1]], { generator: gen(seed + 3), dtype: 'float64' }).mul(3);
      expectPass(gradcheck((a, b) => F.bceWithLogits(a, b, { reduction, weight: w, posWeight: pw }), [x, y]));
    }), { numRuns: 12 });
  });

  it('bce on probabilities (inputs and targets)', () => {
    fc.assert(fc.property(shapeArb, fc.constantFrom(...REDUCTIONS), fc.integer({ min: 0, max: 1e6 }), (shape, reduction, seed) => {
      const p = rand(shape, { generator: gen(seed), dtype: 'float64' }).mul(0.9).add(0.05).detach().requiresGrad_();
      const y = rand(shape, { generator: gen(seed + 1), dtype: 'float64', requiresGrad: true });
      expectPass(gradcheck((a, b) => F.bce(a, b, { reduction }), [p, y]));
    }), { numRuns: 12 });
  });

  it('mse', () => {
    fc.assert(fc.property(shapeArb, fc.constantFrom(...REDUCTIONS), fc.integer({ min: 0, max: 1e6 }), (shape, reduction, seed) => {
      const a = randn(shape, { generator: gen(seed), dtype: 'float64', requiresGrad: true });
      const b = randn(shape, { generator: gen(seed + 1), dtype: 'float64', requiresGrad: true });
      expectPass(gradcheck((u, v) => F.mse(u, v, { reduction }), [a, b]));
    }), { numRuns: 10 });
  });

  it('crossEntropy with integer labels and with soft targets; nllLoss', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.constantFrom(...REDUCTIONS), fc.integer({ min: 0, max: 1e6 }), (n, c, reduction, seed) => {
      const g = gen(seed);
      const x = randn([n, c], { generator: g, dtype: 'float64', requiresGrad: true }).mul(4).detach().requiresGrad_();
      const labels = Array.from({ length: n }, () => g.int(c));
      expectPass(gradcheck((a) => F.crossEntropy(a, labels, { reduction }), [x]));
      expectPass(gradcheck((a) => F.nllLoss(a.logSoftmax(1), tensor(labels), { reduction }), [x]));
      const soft = randn([n, c], { generator: g, dtype: 'float64' }).softmax(1).detach().requiresGrad_();
      expectPass(gradcheck((a, p) => F.crossEntropy(a, p, { reduction }), [x, soft]));
    }), { numRuns: 12 });
  });
});

describe('loss values', () => {
  const x = [-3, -0.5, 0, 0.7, 4];
  const y = [0, 1, 0.3, 1, 0.2];
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));

  it('bceWithLogits and bce agree with −y·log p − (1 − y)·log(1 − p)', () => {
    const want = x.map((v, i) => -(y[i] * Math.log(sig(v)) + (1 - y[i]) * Math.log(1 - sig(v))));
    const xt = tensor(x, { dtype: 'float64' });
    const yt = tensor(y, { dtype: 'float64' });
    F.bceWithLogits(xt, yt, { reduction: 'none' }).toList().forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    F.bce(sigmoid(xt), yt, { reduction: 'none' }).toList().forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    expect(F.bceWithLogits(xt, yt).item()).toBeCloseTo(want.reduce((a, b) => a + b) / 5, 12);
    expect(F.bceWithLogits(xt, yt, { reduction: 'sum' }).item()).toBeCloseTo(want.reduce((a, b) => a + b), 12);
    // A number target fills the input's shape (GAN "real" = 1).
    expect(F.bceWithLogits(xt, 1).item()).toBeCloseTo(x.reduce((a, v) => a - Math.log(sig(v)), 0) / 5, 12);
    // posWeight w scales the positive term: −w·y·log p − (1 − y)·log(1 − p)
    const pw = F.bceWithLogits(xt, yt, { reduction: 'none', posWeight: tensor([2], { dtype: 'float64' }) }).toList();
    pw.forEach((v, i) => expect(v).toBeCloseTo(-(2 * y[i] * Math.log(sig(x[i])) + (1 - y[i]) * Math.log(1 - sig(x[i]))), 12));
  });

  it('mse and crossEntropy by hand', () => {
    expect(F.mse(tensor([1, 2, 3]), tensor([1, 0, 6])).item()).toBeCloseTo((0 + 4 + 9) / 3, 6);
    const logits = [[1, 2, 3], [0, 0, 0]];
    const ce = F.crossEntropy(tensor(logits, { dtype: 'float64' }), [2, 0], { reduction: 'none' }).toList();
    expect(ce[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 12);
    expect(ce[1]).toBeCloseTo(Math.log(3), 12);
    const loss = new nn.CrossEntropyLoss();
    expect(loss.call(tensor(logits, { dtype: 'float64' }), new Int32Array([2, 0])).item()).toBeCloseTo((ce[0] + ce[1]) / 2, 12);
  });

  it('no NaN or Inf at logits ±100, in values or gradients, in float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const logits = tensor([100, -100, 100, -100, 0], { dtype, requiresGrad: true });
      const targets = tensor([0, 1, 1, 0, 1], { dtype });
      const l = F.bceWithLogits(logits, targets, { reduction: 'none' });
      expect(hasNonFinite(l)).toBe(false);
      const lv = l.toList();
      expect(lv[0]).toBeCloseTo(100, 4);
      expect(lv[1]).toBeCloseTo(100, 4);
      expect(lv[2]).toBeCloseTo(0, 12);
      expect(lv[3]).toBeCloseTo(0, 12);
      l.sum().backward();
      expect(hasNonFinite(logits.grad)).toBe(false);
      // ∂ℓ/∂x = σ(x) − y
      expect(logits.grad!.toList().map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, -1, 0, 0, -0.5]);

      // bce on sigmoid(±100): the probabilities are exactly 0 or 1 in float32; logs clamp at −100.
      const z = tensor([100, -100, 100, -100, 30], { dtype, requiresGrad: true });
      const p = sigmoid(z);
      const b = F.bce(p, targets, { reduction: 'none' });
      expect(hasNonFinite(b)).toBe(false);
      expect(b.toList()[0]).toBeCloseTo(100, 4); // −log(1 − p) with p = 1 → clamped at 100
      expect(b.toList()[1]).toBeCloseTo(100, 1); // float32 sigmoid(−100) is the denormal 3.8e-44: −log = 99.98
      b.sum().backward();
      expect(hasNonFinite(z.grad)).toBe(false);

      const ceLogits = tensor([[100, -100, 0], [-100, 100, -100]], { dtype, requiresGrad: true });
      const ce = F.crossEntropy(ceLogits, [1, 1], { reduction: 'none' });
      expect(hasNonFinite(ce)).toBe(false);
      expect(ce.toList()[0]).toBeCloseTo(200, 3);
      expect(ce.toList()[1]).toBeCloseTo(0, 12);
      ce.sum().backward();
      expect(hasNonFinite(ceLogits.grad)).toBe(false);
      expect(ceLogits.grad!.toList().map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, -1, 0, 0, 0, 0]);
    }
  });

  it('gradcheck at logits ±100 (float64): the tails are exact, not just finite', () => {
    const x = tensor([100, -100, 100, -100, 50, -50], { dtype: 'float64', requiresGrad: true });
    const y = tensor([0, 1, 1, 0, 0.5, 0.5], { dtype: 'float64' });
    expectPass(gradcheck((a) => F.bceWithLogits(a, y), [x]));
    const logits = tensor([[100, -100, 0], [-100, 100, -100]], { dtype: 'float64', requiresGrad: true });
    expectPass(gradcheck((a) => F.crossEntropy(a, [0, 2]), [logits]));
  });

  it('shape and argument errors name the loss and both shapes', () => {
    expect(() => F.bceWithLogits(randn([4, 1]), randn([4]))).toThrow(/bceWithLogits: input \[4, 1\] and target \[4\] must have the same shape/);
    expect(() => F.mse(randn([2, 3]), randn([3, 2]))).toThrow(/mse: input \[2, 3\] and target \[3, 2\]/);
    expect(() => F.bce(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(/binaryCrossEntropy: input must be probabilities in \[0, 1\], got 1.5 at index 1/);
    expect(() => F.bce(tensor([NaN]), tensor([0]))).toThrow(/got NaN/);
    expect(() => F.crossEntropy(randn([3, 4]), [0, 1])).toThrow(/crossEntropy: input \[3, 4\] has 3 rows but there are 2 labels/);
    expect(() => F.crossEntropy(randn([2, 4]), [0, 4])).toThrow(/crossEntropy: index 4 at position 1 is not an integer in \[0, 4\)/);
    expect(() => F.crossEntropy(randn([4]), [0])).toThrow(/crossEntropy: input must be 2-D \[N, C\], got \[4\]/);
    expect(() => F.mse(randn([2]), randn([2]), { reduction: 'avg' as 'mean' })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
  });

  it('loss modules call the functions', () => {
    const x = randn([3, 2], { generator: gen(1) });
    const t = rand([3, 2], { generator: gen(2) });
    expect(new nn.BCEWithLogitsLoss({ reduction: 'sum' }).call(x, t).item()).toBeCloseTo(F.bceWithLogits(x, t, { reduction: 'sum' }).item(), 6);
    expect(new nn.BCELoss().call(sigmoid(x), t).item()).toBeCloseTo(F.bce(sigmoid(x), t).item(), 5);
    expect(new nn.MSELoss().call(x, t).item()).toBeCloseTo(F.mse(x, t).item(), 6);
  });
});

describe('every loss and reduction against hand-computed values', () => {
  // Values chosen so each loss is a multiple of ln 2 or a short sum of logs: σ(0) = 1/2, σ(ln 3) = 3/4,
  // softmax([ln 3, 0, 0, 0]) = [1/2, 1/6, 1/6, 1/6], softmax of a constant row = uniform.
  const LN2 = Math.LN2;
  const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });
  const close = (t: { toList(): unknown }, want: number | number[]): void => {
    const got = t.toList() as number | number[];
    if (typeof want === 'number') expect(got as number).toBeCloseTo(want, 12);
    else (got as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  };

  it('bceWithLogits: none, mean (over elements), sum; weight; posWeight', () => {
    const x = f64([0, Math.log(3)]);
    const y = f64([1, 0]);
    // −log σ(0) = ln 2;  −log(1 − σ(ln 3)) = −log(1/4) = 2 ln 2
    close(F.bceWithLogits(x, y, { reduction: 'none' }), [LN2, 2 * LN2]);
    close(F.bceWithLogits(x, y), 1.5 * LN2);
    close(F.bceWithLogits(x, y, { reduction: 'sum' }), 3 * LN2);
    close(F.bceWithLogits(x, y, { reduction: 'sum', weight: f64([2, 1]) }), 4 * LN2);
    close(F.bceWithLogits(x, y, { posWeight: f64([3]) }), (3 * LN2 + 2 * LN2) / 2); // only the y = 1 term is scaled
    close(new nn.BCEWithLogitsLoss({ reduction: 'sum' }).call(x, y), 3 * LN2);
  });

  it('bce on probabilities: none, mean (over elements), sum; weight', () => {
    const p = f64([0.5, 0.75]);
    const y = f64([1, 0]);
    close(F.bce(p, y, { reduction: 'none' }), [LN2, 2 * LN2]);
    close(F.bce(p, y), 1.5 * LN2);
    close(F.bce(p, y, { reduction: 'sum' }), 3 * LN2);
    close(F.bce(p, y, { weight: f64([1, 0.5]) }), LN2);
    close(new nn.BCELoss({ reduction: 'sum' }).call(p, y), 3 * LN2);
    close(new nn.BCELoss({ reduction: 'none' }).call(p, y), [LN2, 2 * LN2]);
  });

  it('mse: none, mean, sum', () => {
    const a = f64([1, 2, 3]);
    const b = f64([1, 0, 6]);
    close(F.mse(a, b, { reduction: 'none' }), [0, 4, 9]);
    close(F.mse(a, b), 13 / 3);
    close(F.mse(a, b, { reduction: 'sum' }), 13);
    close(new nn.MSELoss({ reduction: 'sum' }).call(a, b), 13);
  });

  it('crossEntropy with labels: none, mean (over samples), sum', () => {
    const logits = f64([[0, 0, 0, 0], [Math.log(3), 0, 0, 0]]);
    // row 0: uniform over 4, label 2 → ln 4;  row 1: p(0) = 1/2, label 0 → ln 2
    close(F.crossEntropy(logits, [2, 0], { reduction: 'none' }), [2 * LN2, LN2]);
    close(F.crossEntropy(logits, [2, 0]), 1.5 * LN2);
    close(F.crossEntropy(logits, [2, 0], { reduction: 'sum' }), 3 * LN2);
    close(new nn.CrossEntropyLoss({ reduction: 'sum' }).call(logits, [2, 0]), 3 * LN2);
  });

  it('crossEntropy with soft targets: −Σ_c p_c·log q_c per sample; mean over samples (not over classes)', () => {
    const logits = f64([[0, 0, 0, 0], [Math.log(3), 0, 0, 0]]);
    const soft = f64([[0.5, 0.5, 0, 0], [0.25, 0.75, 0, 0]]);
    const row0 = 2 * LN2; // −(½ log ¼ + ½ log ¼)
    const row1 = 0.25 * LN2 + 0.75 * Math.log(6); // −(¼ log ½ + ¾ log ⅙)
    close(F.crossEntropy(logits, soft, { reduction: 'none' }), [row0, row1]);
    close(F.crossEntropy(logits, soft), (row0 + row1) / 2);
    close(F.crossEntropy(logits, soft, { reduction: 'sum' }), row0 + row1);
    close(new nn.CrossEntropyLoss().call(logits, soft), (row0 + row1) / 2);
  });

  it('nllLoss: −log p at the label (a positive loss), none, mean, sum', () => {
    const logProbs = f64([[0.5, 0.25, 0.25], [0.1, 0.6, 0.3]].map((r) => r.map(Math.log)));
    const want = [LN2, -Math.log(0.3)];
    close(F.nllLoss(logProbs, [0, 2], { reduction: 'none' }), want);
    close(F.nllLoss(logProbs, tensor([0, 2]), {}), (want[0] + want[1]) / 2);
    close(F.nllLoss(logProbs, [0, 2], { reduction: 'sum' }), want[0] + want[1]);
    // crossEntropy is nllLoss of logSoftmax.
    close(F.nllLoss(f64([[0, 0, 0, 0]]).logSoftmax(1), [3]), 2 * LN2);
  });
});
