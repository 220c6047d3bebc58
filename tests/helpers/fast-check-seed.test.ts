/** The suite's fast-check properties are seeded (tests/helpers/fast-check-seed.ts, vitest's setupFiles). */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { FC_SEED_DEFAULT } from './fast-check-seed.js';

test('fast-check runs with a fixed seed unless GENZOO_FC_SEED says otherwise', () => {
  const env = process.env.GENZOO_FC_SEED;
  const seed = fc.readConfigureGlobal().seed;
  if (env === 'random') expect(seed).toBeUndefined();
  else expect(seed).toBe(env ? Number(env) : FC_SEED_DEFAULT);
  // The same property draws the same values twice.
  const draw = (): number[] => fc.sample(fc.integer(), { numRuns: 5, seed: fc.readConfigureGlobal().seed });
  if (seed !== undefined) expect(draw()).toEqual(draw());
});
