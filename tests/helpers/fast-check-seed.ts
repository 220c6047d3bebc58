/**
 * Seeds every fast-check property in the suite (vitest's setupFiles): each
 * `fc.assert` without a seed of its own draws the same cases on every run, so a
 * failure in CI reproduces on a developer's machine. A failure still prints its
 * seed and path. To explore beyond the fixed cases:
 *   GENZOO_FC_SEED=random npm test     (a new seed each run, printed on failure)
 *   GENZOO_FC_SEED=12345 npm test      (another fixed seed)
 * (tests/helpers/op-cases.ts derives its per-op seeds from the same variable.)
 */
import fc from 'fast-check';

export const FC_SEED_DEFAULT = 20240611;

const env = process.env.GENZOO_FC_SEED;
if (env !== 'random') {
  const seed = env !== undefined && env !== '' ? Number(env) : FC_SEED_DEFAULT;
  if (!Number.isInteger(seed)) throw new Error(`GENZOO_FC_SEED must be an integer or 'random', got '${env}'`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
