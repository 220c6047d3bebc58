/**
 * The playground trains on the gpu backend too: 50 steps of the CVAE on
 * webgl2 (SwiftShader here: the CPU draws the GPU's work, so it is slow, and
 * the first step compiles every kernel) and the loss falls, the same way it
 * does on wasm (playground.test.ts). A file of its own so that it runs beside
 * the other.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { meanLoss, missing, openPage, openSite, startTraining, waitForSteps, type OpenPage, type Playground, type Site } from './harness.js';

let site: Site;
let main: OpenPage;
let startError: Error | null = null;

describe.skipIf(missing?.skip ?? false)('the playground trains on webgl2', () => {
  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      site = await openSite();
      main = await openPage(site);
    } catch (e) {
      startError = e as Error;
    }
  }, 300_000);

  afterAll(async () => {
    if (main?.problems.length) console.warn(main.log.join('\n'));
    await site?.close();
  });

  test('50 steps of the CVAE on gpu:webgl2: the loss falls and the page stays clean', async () => {
    if (startError) throw startError;
    const { page, problems } = main;
    // A narrow network: on SwiftShader a step's time is mostly per-kernel overhead, not its size.
    await startTraining(page, { kind: 'cvae', arch: 'mlp', width: 32, latent: 4, epochs: 1, batch: 32, seed: 0, backend: 'gpu:webgl2', gridEvery: 1000 });
    const status = await waitForSteps(page, 50, 480_000);
    expect(status).toBe('running');
    await page.click('#t-stop');
    const t = await page.evaluate(() => {
      const p = (globalThis as unknown as Playground).playground.train;
      return { rows: p.rows, backend: p.backend, samplesPerSec: p.progress?.samplesPerSec };
    });
    expect(t.backend).toBe('gpu:webgl2');
    expect(meanLoss(t.rows, 40, 50)).toBeLessThan(0.8 * meanLoss(t.rows, 0, 10)); // measured ≈ 545 → ≈ 380
    console.log(`playground on webgl2 (SwiftShader): ${t.samplesPerSec?.toFixed(1)} samples/s over the last steps`);
    expect(problems).toEqual([]);
  }, 600_000);
});
