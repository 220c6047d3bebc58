import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Every fast-check property is seeded (GENZOO_FC_SEED=random explores).
    setupFiles: ['tests/helpers/fast-check-seed.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: keep workers to two so timing-sensitive learning tests are not starved.
    maxWorkers: 2,
    // .ci/run reads the JSON report to print CI's 'N passed, N failed' line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
