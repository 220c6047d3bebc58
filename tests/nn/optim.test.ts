import { describe, expect, it } from 'vitest';
import { Generator, nn, optim, randn, tensor, Tensor, type DType } from '../../src/index.js';

/** Runs an optimizer on p = [1, −2] with fixed gradients g1, g2; returns p after each step. */
function run(make: (p: Tensor) => optim.Optimizer<optim.GroupBase>, dtype: DType = 'float64', grads = [[0.5, -1.0], [0.2, 0.4]]): number[][] {
  const p = tensor([1, -2], { dtype, requiresGrad: true });
  const opt = make(p);
  return grads.map((g) => {
    opt.zeroGrad();
    p.grad = tensor(g, { dtype });
    opt.step();
    return p.toList();
  });
}

describe('Adam', () => {
  it('matches a hand-computed two-step update exactly', () => {
    // Step 1: m = 0.1·g, v = 0.001·g²; m̂ = g, v̂ = g²; p ← p − 0.1·g/(|g| + 1e-8).
    // Step 2: m = 0.9·m + 0.1·g₂, v = 0.999·v + 0.001·g₂²; m̂ = m/(1 − 0.9²), v̂ = v/(1 − 0.999²).
    // Expected values computed with 40-digit decimals.
    const [s1, s2] = run((p) => new optim.Adam([p], { lr: 0.1 }));
    // Agreement to 1e-14 (a few ulps: PyTorch's operation order rounds differently from the textbook's).
    expect(s1[0]).toBeCloseTo(0.90000000199999996, 14);
    expect(s1[1]).toBeCloseTo(-1.90000000099999999, 14);
    expect(s2[0]).toBeCloseTo(0.81014248390292759, 14);
    expect(s2[1]).toBeCloseTo(-1.86543941666262571, 14);

    // The same numbers written out as the textbook formula, in double precision.
    let p = [1, -2];
    const m = [0, 0], v = [0, 0];
    [[0.5, -1.0], [0.2, 0.4]].forEach((g, k) => {
      const t = k + 1;
      p = p.map((pi, i) => {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        return pi - (0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      });
    });
    expect(s2[0]).toBeCloseTo(p[0], 14);
    expect(s2[1]).toBeCloseTo(p[1], 14);

    // float32 parameters follow to float32 precision.
    const f32 = run((q) => new optim.Adam([q], { lr: 0.1 }), 'float32');
    expect(f32[1][0]).toBeCloseTo(s2[0], 6);
    expect(f32[1][1]).toBeCloseTo(s2[1], 6);
  });

  it('weight decay: Adam adds λ·p to the gradient, AdamW shrinks p by (1 − lr·λ) first', () => {
    const lr = 0.1, wd = 0.5;
    const [adam] = run((p) => new optim.Adam([p], { lr, weightDecay: wd }), 'float64', [[0.5, -1.0]]);
    // Adam, step 1: g' = g + λp = [1, −2]; the update is lr·g'/(|g'| + ε).
    expect(adam[0]).toBeCloseTo(1 - lr * 1 / (1 + 1e-8), 15);
    expect(adam[1]).toBeCloseTo(-2 + lr * 2 / (2 + 1e-8), 15);
    const [adamw] = run((p) => new optim.AdamW([p], { lr, weightDecay: wd }), 'float64', [[0.5, -1.0]]);
    // AdamW, step 1: p ← p·(1 − 0.05), then p ← p − lr·g/(|g| + ε) with the raw gradient.
    expect(adamw[0]).toBeCloseTo(1 * 0.95 - lr * 0.5 / (0.5 + 1e-8), 15);
    expect(adamw[1]).toBeCloseTo(-2 * 0.95 + lr * 1 / (1 + 1e-8), 15);
    // AdamW's default weight decay is 0.01, Adam's 0.
    expect(new optim.AdamW([tensor([1])]).paramGroups[0].weightDecay).toBe(0.01);
    expect(new optim.Adam([tensor([1])]).paramGroups[0].weightDecay).toBe(0);
  });

  it('amsgrad divides by the largest second moment seen', () => {
    const [, s2] = run((p) => new optim.Adam([p], { lr: 0.1, amsgrad: true }), 'float64', [[2, 2], [0.1, 0.1]]);
    const m = 0.9 * 0.2 + 0.1 * 0.1;
    const v = 0.999 * 0.004 + 0.001 * 0.01;
    const vmax = Math.max(0.004, v); // v₁ = 0.001·4 = 0.004 > v₂
    const p1 = 1 - 0.1 * 2 / (2 + 1e-8);
    expect(s2[0]).toBeCloseTo(p1 - (0.1 * m / (1 - 0.81)) / (Math.sqrt(vmax / (1 - 0.999 ** 2)) + 1e-8), 14);
  });
});

describe('SGD', () => {
  it('momentum with weight decay and dampening, step by step', () => {
    const lr = 0.1, mu = 0.9, wd = 0.01, damp = 0.5;
    const [s1, s2] = run((p) => new optim.SGD([p], { lr, momentum: mu, weightDecay: wd, dampening: damp }));
    // Step 1: d = g + λp; the buffer starts as d (no dampening on the first step).
    const d1 = [0.5 + wd * 1, -1 + wd * -2];
    const p1 = [1 - lr * d1[0], -2 - lr * d1[1]];
    expect(s1[0]).toBeCloseTo(p1[0], 15);
    expect(s1[1]).toBeCloseTo(p1[1], 15);
    // Step 2: b = μ·b + (1 − τ)·d.
    const d2 = [0.2 + wd * p1[0], 0.4 + wd * p1[1]];
    const b2 = [mu * d1[0] + (1 - damp) * d2[0], mu * d1[1] + (1 - damp) * d2[1]];
    expect(s2[0]).toBeCloseTo(p1[0] - lr * b2[0], 15);
    expect(s2[1]).toBeCloseTo(p1[1] - lr * b2[1], 15);
  });

  it('Nesterov momentum and plain SGD', () => {
    const [, s2] = run((p) => new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }));
    const b1 = 0.5, d1 = 0.5 + 0.9 * b1;
    const p1 = 1 - 0.1 * d1;
    const b2 = 0.9 * b1 + 0.2, d2 = 0.2 + 0.9 * b2;
    expect(s2[0]).toBeCloseTo(p1 - 0.1 * d2, 15);
    const [plain] = run((p) => new optim.SGD([p], { lr: 0.5 }));
    expect(plain).toEqual([1 - 0.25, -2 + 0.5]);
  });

  it('parameter groups take their own hyperparameters; parameters without gradients are skipped', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const c = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b, c], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect([a.item(), b.item(), c.item()]).toEqual([expect.closeTo(0.9, 7), 0.5, 1]);
  });
});

/** A state dict with tensors as plain lists, for deep comparison. */
const plain = (sd: optim.OptimizerStateDict): unknown =>
  JSON.parse(JSON.stringify(sd, (_k, v: unknown) => (v instanceof Tensor ? { shape: v.shape, data: v.toList() } : v)));

describe('optimizer state', () => {
  const makeModel = (): nn.Sequential => new nn.Sequential(new nn.Linear(3, 4, { generator: new Generator(1) }), new nn.Tanh(), new nn.Linear(4, 1, { generator: new Generator(2) }));
  const batches = Array.from({ length: 5 }, (_, i) => randn([6, 3], { generator: new Generator(10 + i) }));
  const train = (model: nn.Sequential, opt: optim.Optimizer<optim.GroupBase>, from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      opt.zeroGrad();
      model.call(batches[i]).square().mean().backward();
      opt.step();
    }
  };

  for (const [name, make] of [
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.05, amsgrad: true })],
    ['AdamW', (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.05 })],
    ['SGD', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 })],
  ] as const) {
    it(`${name}: stateDict/loadStateDict resumes training exactly`, () => {
      const m1 = makeModel();
      const o1 = make(m1.parameters());
      train(m1, o1, 0, 3);
      const modelState = Object.fromEntries(Object.entries(m1.stateDict()).map(([k, t]) => [k, t.clone().detach()]));
      const optState = o1.stateDict();
      const frozen = plain(optState);
      train(m1, o1, 3, 5);
      expect(plain(optState)).toEqual(frozen); // a copy: later steps do not change it

      const m2 = makeModel();
      const o2 = make(m2.parameters());
      m2.loadStateDict(modelState);
      o2.loadStateDict(optState);
      train(m2, o2, 3, 5);
      expect(m2.parameters().map((p) => p.toList())).toEqual(m1.parameters().map((p) => p.toList()));
      const again = make(makeModel().parameters());
      again.loadStateDict(optState);
      expect(plain(again.stateDict())).toEqual(frozen);
    });
  }

  it('loadStateDict rejects a state that does not fit, and changes nothing', () => {
    const m = makeModel();
    const opt = new optim.Adam(m.parameters());
    train(m, opt, 0, 1);
    const sd = opt.stateDict();
    const other = new optim.Adam(new nn.Linear(2, 2).parameters());
    expect(() => other.loadStateDict(sd)).toThrow(/group 0 has 4 parameters in the saved state, 2 here/);
    const bad = { ...sd, state: { ...sd.state, 0: { ...sd.state[0], expAvg: tensor([1, 2]) } } };
    expect(() => new optim.Adam(m.parameters()).loadStateDict(bad)).toThrow(/state 'expAvg' of parameter 0 has shape \[2\], the parameter has \[4, 3\]/);
    expect(() => opt.loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: -1 }] })).toThrow(/Adam: lr must be a number in \[0, ∞\), got -1/);
    expect(opt.paramGroups[0].lr).toBe(1e-3);
  });

  it('constructor errors are clear', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => new optim.Adam([])).toThrow(/Adam: got an empty parameter list/);
    expect(() => new optim.Adam([p], { lr: -1 })).toThrow(/lr must be/);
    expect(() => new optim.Adam([p], { betas: [0.9, 1] })).toThrow(/betas\[1\] must be a number in \[0, 1\)/);
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => new optim.SGD([p, p], { lr: 0.1 })).toThrow(/appears more than once/);
    expect(() => new optim.SGD([p.mul(2)], { lr: 0.1 })).toThrow(/not a leaf tensor/);
  });
});

describe('clipGradNorm', () => {
  it('scales all gradients by maxNorm / norm when the global norm is larger, and returns the norm', () => {
    const a = tensor([1, 1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const c = tensor([1], { requiresGrad: true }); // no gradient: skipped
    a.grad = tensor([3, 4]);
    b.grad = tensor([12]);
    expect(optim.clipGradNorm([a, b, c], 6.5)).toBeCloseTo(13, 6);
    const k = 6.5 / (13 + 1e-6);
    expect(a.grad.toList()).toEqual([expect.closeTo(3 * k, 6), expect.closeTo(4 * k, 6)]);
    expect(b.grad.toList()).toEqual([expect.closeTo(12 * k, 6)]);
    // Below the limit nothing changes.
    expect(optim.clipGradNorm([a, b], 100)).toBeCloseTo(6.5, 5);
    expect(b.grad.toList()[0]).toBeCloseTo(12 * k, 6);
    // The max norm.
    b.grad = tensor([-20]);
    expect(optim.clipGradNorm([a, b], 10, { normType: Infinity })).toBe(20);
    expect(b.grad.toList()[0]).toBeCloseTo(-10, 4);
    b.grad = tensor([NaN]);
    expect(Number.isNaN(optim.clipGradNorm([b], 1))).toBe(true);
    expect(() => optim.clipGradNorm([b], 1, { errorIfNonfinite: true })).toThrow(/total norm of the gradients is NaN/);
  });
});

describe('learning-rate schedulers', () => {
  it('StepLR multiplies by gamma every stepSize epochs', () => {
    const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
    const s = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs = [opt.paramGroups[0].lr];
    for (let e = 0; e < 5; e++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    expect(s.getLastLr()).toEqual([0.25]);
  });

  it('CosineAnnealingLR follows ηmin + (η₀ − ηmin)(1 + cos(πt/T))/2 per group, and resumes from its state', () => {
    const opt = new optim.Adam([{ params: [tensor([1], { requiresGrad: true })], lr: 1 }, { params: [tensor([1], { requiresGrad: true })], lr: 0.5 }]);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.1 });
    for (let t = 1; t <= 4; t++) {
      s.step();
      expect(opt.paramGroups[0].lr).toBeCloseTo(0.1 + 0.9 * (1 + Math.cos((Math.PI * t) / 4)) / 2, 12);
      expect(opt.paramGroups[1].lr).toBeCloseTo(0.1 + 0.4 * (1 + Math.cos((Math.PI * t) / 4)) / 2, 12);
    }
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1, 12);
    const saved = s.stateDict();
    const opt2 = new optim.Adam([{ params: [tensor([1], { requiresGrad: true })], lr: 1 }, { params: [tensor([1], { requiresGrad: true })], lr: 0.5 }]);
    const s2 = new optim.CosineAnnealingLR(opt2, { tMax: 4, etaMin: 0.1 });
    s2.loadStateDict(saved);
    expect(s2.getLastLr()).toEqual(s.getLastLr());
    expect(() => new optim.CosineAnnealingLR(opt2, { tMax: 0 })).toThrow(/tMax must be a positive integer/);
  });
});
