/**
 * The CVAE-GAN's additions to the paper (options prior, ema, gradClip) and the
 * registry's completion of configs: each option changes what it claims and
 * nothing else, checked against values computed here (norms, averages, the
 * KL of a hand-set prior), and configs with unknown, mistyped or (for saved
 * runs) missing options are completed or refused as documented.
 */
import { describe, expect, test } from 'vitest';
import { Generator, data, models, type Tensor } from '../../src/index.js';
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

  test('bad option values are refused with the option named', () => {
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
    const { ema: _e, prior: _p, gradClip: _g, ...older } = base.options;
    const fresh = models.completeConfig({ ...base, options: older });
    expect(fresh.options).toEqual(base.options);
    const saved = models.completeConfig({ ...base, options: older }, { saved: true });
    expect(saved.options).toMatchObject({ ema: 0, prior: 'standard', gradClip: 0 });
    expect(saved.options.lambda1).toBe(base.options.lambda1);
  });
});
