/**
 * One home for each default (issue 16, point 1): a model's options take their
 * defaults from models/registry.ts only. Each model class is built straight
 * from its registry entry with one option left out of the default config; it
 * must refuse, naming the option, rather than fall back on a default of its
 * own. A model that grew a private fallback (`options.x ?? 0.5`) would build.
 */
import { describe, expect, test } from 'vitest';
import { Generator, ValueError, models } from '../../src/index.js';

const cases = models.MODEL_KINDS.flatMap((kind) => {
  const entry = models.modelEntry(kind);
  return Object.keys(entry.defaults(entry.defaultArch).model.options)
    .filter((name) => !(entry.optionalOptions ?? []).includes(name))
    .map((name) => [kind, name] as const);
});

describe('model options have their defaults in the registry alone', () => {
  test('every kind has options to check', () => {
    // vae/cvae: klWeight, klWarmup, prior; cgan and cvaegan more: a missing kind or an empty table would make the next test vacuous.
    for (const kind of models.MODEL_KINDS) expect(cases.filter(([k]) => k === kind).length, kind).toBeGreaterThanOrEqual(3);
  });

  test.each(cases)('%s without option %s: refused, naming it', (kind, name) => {
    const entry = models.modelEntry(kind);
    const config = entry.defaults(entry.defaultArch).model;
    const { [name]: _left, ...options } = config.options;
    expect(() => entry.create({ ...config, options }, new Generator(0))).toThrow(ValueError);
    expect(() => entry.create({ ...config, options }, new Generator(0))).toThrow(new RegExp(`^${kind}: option '?${name}'? must be`));
  });

  test('the same configs build when complete (the refusals above are about the one option)', () => {
    for (const kind of models.MODEL_KINDS) {
      const entry = models.modelEntry(kind);
      expect(entry.create(entry.defaults(entry.defaultArch).model, new Generator(0)).kind).toBe(kind);
    }
  });
});
