/**
 * `npm run bench:browser` as a harness: it rejects bad options with a usage
 * error, and one tiny run (matmul 256³, two engines, one round) starts
 * Chromium, serves the page cross-origin isolated, times both engines, checks
 * them against genzoo js, and writes a JSON report. The benchmark's numbers
 * are not tested here (speed claims come from running it). Without Chromium
 * the browser test is skipped locally and fails in CI (which installs it).
 */
import { describe, expect, test } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../gpu/harness.js';
import { chromiumPrerequisite } from '../helpers/prerequisites.js';
// @ts-expect-error plain JS module of the benchmark (no types)
import { packArrays, unpackArrays, selectCases } from '../../benchmarks/browser/cases.js';

const RUNNER = join(ROOT, 'benchmarks', 'browser', 'run.js');
const missing = await chromiumPrerequisite('bench:browser test');

function runner(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('bench:browser options and data', () => {
  test.each([
    [['--engines', 'tfjs-webgl,bogus'], /unknown engine 'bogus' in --engines \(engines: gpu-webgl2,/],
    [['--rounds', '0'], /--rounds must be a positive integer, got '0'/],
    [['--budget', 'soon'], /--budget must be a positive number of seconds, got 'soon'/],
    [['--only'], /--only needs a value/],
    [['--only', 'nosuchcase'], /--only 'nosuchcase' matches no case \(cases: matmul-256, matmul-512, chain,/],
    [['--fast'], /unknown option '--fast'/],
  ])('%j is a usage error (exit 2) naming the problem', (args, message) => {
    const r = runner(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: npm run bench:browser/);
  });

  test('--only takes an exact case id over a substring (cgan is not dcgan-d)', () => {
    expect(selectCases('cgan').map((c: { id: string }) => c.id)).toEqual(['cgan']);
    expect(selectCases('matmul').map((c: { id: string }) => c.id)).toEqual(['matmul-256', 'matmul-512']);
  });

  test('typed arrays survive the trip from host to page (offsets aligned, types kept)', () => {
    const a = new Float32Array([1.5, -2, 3.25]);
    const y = new Int32Array([7, -1]);
    const back = unpackArrays(packArrays({ a, y, empty: new Float32Array(0) }));
    expect(back.a).toBeInstanceOf(Float32Array);
    expect(Array.from(back.a)).toEqual([1.5, -2, 3.25]);
    expect(back.y).toBeInstanceOf(Int32Array);
    expect(Array.from(back.y)).toEqual([7, -1]);
    expect(back.empty.length).toBe(0);
  });
});

describe.skipIf(missing?.skip ?? false)('bench:browser in headless Chromium', () => {
  test('one tiny run: cross-origin isolated page, both engines timed and checked, JSON written', async () => {
    if (missing) throw new Error(missing.message);
    const out = mkdtempSync(join(tmpdir(), 'genzoo-bench-browser-test-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [
        RUNNER, '--quick', '--only', 'matmul-256', '--engines', 'wasm,tfjs-cpu', '--rounds', '1', '--out-dir', out,
      ], { timeout: 110_000, maxBuffer: 1 << 24 });
      expect(stdout).toMatch(/\| matmul 256³ with readback \| [\d.]+/);
      const report = JSON.parse(readFileSync(join(out, 'browser-latest.json'), 'utf8'));
      // browser-<date>.json beside browser-latest.json
      expect(readdirSync(out).filter((f) => /^browser-\d{4}-\d\d-\d\d\.json$/.test(f))).toHaveLength(1);
      expect(report.page.crossOriginIsolated).toBe(true);
      expect(report.servedHeaders).toEqual({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
      expect(report.chromium.version).toMatch(/^\d+\./);
      expect(report.machine.cores).toBeGreaterThan(0);
      expect(report.loadAverage.start).toHaveLength(3);
      expect(report.cases).toHaveLength(1);
      const c = report.cases[0];
      expect(c.id).toBe('matmul-256');
      expect(c.rounds).toBe(1);
      expect(Object.keys(c.engines).sort()).toEqual(['tfjs-cpu', 'wasm']);
      for (const id of ['wasm', 'tfjs-cpu']) {
        const e = c.engines[id];
        expect(e.error).toBeUndefined();
        expect(e.runs).toBeGreaterThanOrEqual(1);
        expect(e.ms).toBeGreaterThan(0);
        expect(e.agreement.relative).toBeLessThan(1e-3);
      }
      // tfjs sums in another order than genzoo js: a difference of exactly 0 would mean nothing was compared.
      expect(c.engines['tfjs-cpu'].agreement.maxAbsDiff).toBeGreaterThan(0);
      expect(report.markdown).toContain('#### Agreement');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
