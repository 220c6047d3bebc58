/**
 * The CVAE-GAN's additions to the paper (options prior, ema, gradClip,
 * lambdaAdv, lambdaMs) and the
 * registry's completion of configs: each option changes what it claims and
 * nothing else, checked against values computed here (norms, averages, the
 * KL of a hand-set prior), and configs with unknown, mistyped or (for saved
 * runs) missing options are completed or refused as documented.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Generator, data, gradcheck, models, tensor, type Tensor } from '../../src/index.js';
import { modeSeekingLoss } from '../../src/models/cvaegan.js';
import { ValueError } from '../../src/errors.js';
import type { CVAEGAN } from '../../src/models/index.js';
import { trainSteps } from './helpers.js';

const digits = async (): Promise<data.Dataset> => data.balancedSubset(await data.mnist({ split: 'train' }), 10);

const tiny = (options: Record<string, number | string | boolean> = {}): CVAEGAN =>
  models.createModel(models.defaultConfig('cvaegan', 'mlp', { width: 16, latent: 3, options }), 4) as CVAEGAN;

const values = (ts: readonly Tensor[]): number[] => ts.flatMap((t) => Array.from(t.data));
const gradNorm = (ps: readonly Tensor[]): number => Math.sqrt(ps.reduce((s, p) => s + Array.from(p.grad!.data).reduce((a, g) => a + g * g, 0), 0));

describe('CVAE-GAN options', () => {
  test('gradClip: E\'s and G\'s gradients are each scaled to the given global norm (and left alone without it)', async () => {
    const ds = await digits();
    const free = tiny({ gradClip: 0 });
    trainSteps(free, ds, 1);
    const freeE = gradNorm(free.E.parameters());
    const freeG = gradNorm(free.G.parameters());
    expect(freeE).toBeGreaterThan(0.05);
    expect(freeG).toBeGreaterThan(0.05);
    const clipped = tiny({ gradClip: 0.01 });
    trainSteps(clipped, ds, 1);
    expect(gradNorm(clipped.E.parameters())).toBeCloseTo(0.01, 5);
    expect(gradNorm(clipped.G.parameters())).toBeCloseTo(0.01, 5);
    // Clipping scales: the direction is the unclipped gradient's.
    const a = values(free.G.parameters().map((p) => p.grad!));
    const b = values(clipped.G.parameters().map((p) => p.grad!));
    for (let i = 0; i < a.length; i += 97) expect(b[i]).toBeCloseTo((a[i] * 0.01) / freeG, 7);
    // D's and C's gradients are not clipped.
    expect(values(clipped.D.parameters().map((p) => p.grad!))).toEqual(values(free.D.parameters().map((p) => p.grad!)));
  });

  test('ema: sampling uses the running average of G (the plain mean of the first two steps\' weights), training is unchanged', async () => {
    const ds = await digits();
    const live = tiny({ ema: 0 });
    const averaged = tiny({ ema: 0.9 });
    const w1: number[] = [];
    trainSteps(live, ds, 1);
    w1.push(...values(live.G.parameters()));
    trainSteps(live, ds, 1, 3);
    trainSteps(averaged, ds, 1);
    trainSteps(averaged, ds, 1, 3);
    const w2 = values(live.G.parameters());
    // The average changes nothing in training: same weights with and without it.
    expect(values(averaged.G.parameters())).toEqual(w2);
    // After two updates the average is min(0.9, 1/2) = ½: (w1 + w2) / 2.
    const avg = values(Object.entries(averaged.stateDict()).filter(([k]) => /^Gema\.p\d+$/.test(k)).sort(([a], [b]) => Number(a.slice(6)) - Number(b.slice(6))).map(([, t]) => t));
    expect(avg.length).toBe(w2.length);
    for (let i = 0; i < avg.length; i += 13) expect(avg[i]).toBeCloseTo((w1[i] + w2[i]) / 2, 6);
    // …and it is what sample() draws from.
    expect(values([averaged.sample([1, 2], new Generator('s'))])).not.toEqual(values([live.sample([1, 2], new Generator('s'))]));
  });

  test('prior "class": a learned table p(z|y), N(0, I) at the start, trained with E by λ1·L_KL', async () => {
    const ds = await digits();
    const standard = tiny({ prior: 'standard' });
    const byClass = tiny({ prior: 'class' });
    expect(standard.namedParameters('', false).some(([n]) => n === 'priorTable')).toBe(false);
    const table = byClass.namedParameters('', false).find(([n]) => n === 'priorTable')![1];
    expect(table.shape).toEqual([10, 6]);
    const [hs] = trainSteps(standard, ds, 1);
    const [hc] = trainSteps(byClass, ds, 1);
    // A zero table is N(0, I): the first step's KL is the standard prior's (the encoder and its noise are the same).
    expect(hc.kl).toBeCloseTo(hs.kl, 5);
    // The table moved (it has a gradient from L_KL), and only through E's optimizer with λ1 > 0.
    expect(Array.from(table.data).some((v) => v !== 0)).toBe(true);
    const noKL = tiny({ prior: 'class', lambda1: 0 });
    trainSteps(noKL, ds, 1);
    const t0 = noKL.namedParameters('', false).find(([n]) => n === 'priorTable')![1];
    expect(Array.from(t0.data).every((v) => v === 0)).toBe(true);
  });

  test('modeSeekingLoss: 1 / (mean |Δx| / mean |Δn| + 1e-5) per pair, averaged (hand-computed)', () => {
    // Pairs (0, 2) and (1, 3). Pair 0: |Δx| = [1, 0, 1, 0] → 0.5, |Δn| = [1, 3] → 2: r = 0.25.
    // Pair 1: |Δx| = [0.5, 0.5, 0.5, 0.5] → 0.5, |Δn| = [0.5, 0.5] → 0.5: r = 1.
    const xp = tensor([[0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0.5, 0.5, -0.5, 0.5]]);
    const n = tensor([[0, 0], [1, 1], [1, 3], [0.5, 1.5]]);
    expect(modeSeekingLoss(xp, n, 2).item()).toBeCloseTo((1 / (0.25 + 1e-5) + 1 / (1 + 1e-5)) / 2, 4);
    // Image-shaped samples [B, 1, H, W] average over all pixels the same way.
    expect(modeSeekingLoss(xp.reshape([4, 1, 2, 2]), n, 2).item()).toBeCloseTo(modeSeekingLoss(xp, n, 2).item(), 6);
    // An odd batch: the last sample is in no pair.
    expect(modeSeekingLoss(tensor([[0, 0], [1, 1], [9, 9]]), tensor([[0], [1], [5]]), 1).item()).toBeCloseTo(1 / (1 + 1e-5), 4);
  });

  test('modeSeekingLoss: gradient check in x_p over random shapes (float64)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (h, d, k, seed) => {
        const g = new Generator(seed);
        // Pairs kept apart (|Δx| ≥ 0.2 per pixel) so that |·| is differentiable where the check probes.
        const a = Array.from({ length: h * d }, () => g.random() * 0.5);
        const b = a.map((v, i) => v + (i % 2 ? -1 : 1) * (0.2 + g.random()));
        const xp = tensor([...a, ...b], { shape: [2 * h, d], dtype: 'float64', requiresGrad: true });
        const noise = tensor(Array.from({ length: 2 * h * k }, () => g.normal()), { shape: [2 * h, k], dtype: 'float64' });
        const r = gradcheck((x) => modeSeekingLoss(x, noise, h), [xp]);
        expect(r.ok, JSON.stringify(r.mismatches?.slice(0, 2))).toBe(true);
      }),
      { seed: 15, numRuns: 25 },
    );
  });

  test('lambdaMs and lambdaAdv: extra loss terms for G only (E\'s and D\'s gradients unchanged), reported by name', async () => {
    const ds = await digits();
    const base = tiny({ lambdaMs: 0 });
    const [hb] = trainSteps(base, ds, 1);
    expect(base.lossNames).toEqual(['c', 'd', 'kl', 'g', 'gd', 'gc']);
    expect(Object.keys(hb).sort()).toEqual(['c', 'd', 'g', 'gc', 'gd', 'kl']);
    for (const [opt, name] of [['lambdaMs', 'ms'], ['lambdaAdv', 'adv']] as const) {
      const m = tiny({ lambdaMs: 0, [opt]: 1 });
      const [h] = trainSteps(m, ds, 1);
      expect(m.lossNames).toEqual(['c', 'd', 'kl', 'g', 'gd', 'gc', name]);
      expect(Number.isFinite(h[name]) && h[name] > 0).toBe(true);
      // E's objective (L_KL, L_G on the reconstructions) does not see x_p: the same gradient.
      expect(values(m.E.parameters().map((p) => p.grad!))).toEqual(values(base.E.parameters().map((p) => p.grad!)));
      expect(h.kl).toBe(hb.kl);
      expect(h.g).toBe(hb.g);
      // G's gradient gains the term.
      expect(values(m.G.parameters().map((p) => p.grad!))).not.toEqual(values(base.G.parameters().map((p) => p.grad!)));
      if (opt === 'lambdaAdv') {
        // The adversarial term draws nothing: x_p and D's loss are the base run's.
        expect(h.d).toBe(hb.d);
        expect(h.gd).toBe(hb.gd);
      }
    }
    // The weight scales the term's gradient: with every other G term off, G's gradient doubles with λ.
    const only = (l: number): number[] => {
      const m = tiny({ lambda2: 0, lambda3: 0, lambda4: 0, lambdaMs: 0, lambdaAdv: l });
      trainSteps(m, ds, 1);
      return values(m.G.parameters().map((p) => p.grad!));
    };
    const g1 = only(1);
    const g2 = only(2);
    expect(g1.some((v) => v !== 0)).toBe(true);
    for (let i = 0; i < g1.length; i += 11) expect(g2[i]).toBeCloseTo(2 * g1[i], 6);
  });

  test('bad option values are refused with the option named', () => {
    expect(() => tiny({ lambdaMs: -1 })).toThrow(/options lambdaAdv and lambdaMs must be ≥ 0/);
    expect(() => tiny({ gradClip: -1 })).toThrow(/cvaegan: option gradClip must be ≥ 0.*got -1/);
    expect(() => tiny({ prior: 'uniform' })).toThrow(ValueError);
    expect(() => tiny({ ema: 1 })).toThrow(/decay must be in \[0, 1\), got 1/);
  });
});

describe('registry: completing configs', () => {
  const base = models.defaultConfig('cvaegan', 'mlp');

  test('an unknown or misspelt option is an error naming it and the known ones', () => {
    expect(() => models.completeConfig({ ...base, options: { ...base.options, lamda1: 2 } })).toThrow(/unknown cvaegan option 'lamda1' \(known: lambda1, lambda2/);
  });

  test('an option of the wrong type is an error naming the type', () => {
    expect(() => models.completeConfig({ ...base, options: { ...base.options, ema: '0.9' } })).toThrow(/cvaegan option 'ema' must be a number, got "0\.9"/);
  });

  test('an absent option takes its default, or in a saved run the value that reproduces older runs', () => {
    const { ema: _e, prior: _p, gradClip: _g, lambdaAdv: _a, lambdaMs: _m, ...older } = base.options;
    const fresh = models.completeConfig({ ...base, options: older });
    expect(fresh.options).toEqual(base.options);
    const saved = models.completeConfig({ ...base, options: older }, { saved: true });
    expect(saved.options).toMatchObject({ ema: 0, prior: 'standard', gradClip: 0, lambdaAdv: 0, lambdaMs: 0 });
    expect(saved.options.lambda1).toBe(base.options.lambda1);
  });
});
