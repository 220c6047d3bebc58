/**
 * The gpu backend in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, rendering on SwiftShader (no GPU needed). The page loads
 * genzoo's browser bundle (dist/genzoo.browser.js, built fresh here) from a
 * server on 127.0.0.1 and runs, in each of 'webgl2', 'webgl' and 'webgpu':
 * every kernel of the backend interface against the js reference, the ops
 * and their gradients, training steps (the loss falls, nothing falls back to
 * the CPU, only the loss is read back, the live-resource count stays flat),
 * and the errors. WebGPU reads back asynchronously only: `.data` must refuse.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { bundle, missingPrerequisite, ROOT, tempDir } from './harness.js';
import type { CheckResult, ModeReport } from './checks.js';

const CHROMIUM = '/usr/bin/chromium';
/** Flags measured to give WebGL2, WebGL and WebGPU on SwiftShader in a sandbox without network. */
const FLAGS = [
  '--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu',
];

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

async function prerequisites(): Promise<{ skip: boolean; message: string } | null> {
  if (!existsSync(CHROMIUM)) return missingPrerequisite(`${CHROMIUM} is missing`, 'apt-get install -y chromium');
  try {
    await import('playwright-core');
  } catch (e) {
    return missingPrerequisite(`playwright-core does not load (${(e as Error).message})`, 'npm install');
  }
  return null;
}

const missing = await prerequisites();

let server: Server | null = null;
let browser: Browser | null = null;
let page: Page | null = null;
const pageLog: string[] = [];

const tempDirs: string[] = [];

async function start(): Promise<Page> {
  const dir = tempDir('gpu-browser-');
  const profile = tempDir('gpu-chromium-');
  tempDirs.push(dir, profile);
  const { buildBrowser } = (await import(join(ROOT, 'scripts', 'build-browser.mjs'))) as { buildBrowser(out: string): Promise<string> };
  const files: Record<string, [string, string]> = {
    '/genzoo.js': [await buildBrowser(join(dir, 'genzoo.js')), 'text/javascript'],
    '/page.js': [await bundle('tests/gpu/browser-page.ts', join(dir, 'page.js'), 'browser', ['/genzoo.js']), 'text/javascript'],
  };
  const html = '<!doctype html><meta charset="utf-8"><title>genzoo gpu</title><script type="module" src="/page.js"></script>';
  server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]];
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (f) {
      res.writeHead(200, { 'content-type': f[1] }).end(readFileSync(f[0]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Playwright's default flags would replace the SwiftShader choice; pass exactly ours.
    ignoreDefaultArgs: true,
    args: [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    timeout: 60_000,
  });
  const p = await browser.newPage();
  p.on('console', (m) => pageLog.push(`[${m.type()}] ${m.text()}`));
  p.on('pageerror', (e) => pageLog.push(`[pageerror] ${e.message}`));
  await p.goto(`http://127.0.0.1:${port}/`);
  await p.waitForFunction(() => 'genzooGpu' in globalThis, null, { timeout: 30_000 });
  return p;
}

function expectAllOk(results: CheckResult[]): void {
  for (const c of results) expect(c.ok, `${c.kernel} ${c.spec}: ${c.detail} (${c.worst}× the bound)`).toBe(true);
}

function suite(mode: string, steps: number): Promise<ModeReport> {
  return page!.evaluate(([m, s]) => (globalThis as unknown as { genzooGpu: { suite(m: string, s: number): Promise<ModeReport> } }).genzooGpu.suite(m, s), [mode, steps] as const);
}

interface ZooRun {
  losses: Record<string, number>[];
  perStep: { kernels: number; fallbacks: number; uploads: number; uploadBytes: number; readbacks: number };
  paramBytes: number;
  exported: { tensors: number; values: number; mismatches: number };
}
function zoo(mode: string, kind: 'cvae' | 'cgan', steps: number): Promise<{ gpu: ZooRun; wasm: ZooRun }> {
  return page!.evaluate(([m, k, s]) => (globalThis as unknown as { genzooGpu: { zoo(m: string, k: string, s: number): Promise<{ gpu: ZooRun; wasm: ZooRun }> } }).genzooGpu.zoo(m, k, s), [mode, kind, steps] as const);
}

/**
 * The largest difference between two runs' loss terms, over every step and
 * term, relative to the step's largest term: a small term that is a difference
 * of large ones (the KL when q ≈ p) carries the rounding of the large ones.
 */
function worstLossDiff(a: ZooRun, b: ZooRun): { worst: number; at: string } {
  let worst = 0, at = '';
  a.losses.forEach((row, step) => {
    const scale = Math.max(...Object.values(b.losses[step]).map(Math.abs), 1e-3);
    for (const [k, v] of Object.entries(row)) {
      const d = Math.abs(v - b.losses[step][k]) / scale;
      if (d > worst) [worst, at] = [d, `step ${step} ${k}: ${v} vs ${b.losses[step][k]}`];
    }
  });
  return { worst, at };
}

describe.skipIf(missing?.skip ?? false)('gpu backend in headless Chromium (SwiftShader)', () => {
  // A failed start fails every test (counted as failures, not as skipped tests).
  let startError: Error | null = null;
  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      page = await start();
    } catch (e) {
      startError = e as Error;
    }
  }, 120_000);
  const started = (): void => {
    if (startError) throw startError;
  };

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    if (pageLog.some((l) => l.startsWith('[pageerror]'))) console.warn(pageLog.join('\n'));
  });

  // The zoo on the device: the same losses as the wasm backend from the same seeds (float32 rounding
  // apart, which training compounds: the bound grows with the steps), nothing on the CPU, one readback a
  // step (the losses); uploads are the step's data (labels, noise, dropout masks), never parameters.
  test.each([['webgl2', 'cvae', 100], ['webgl2', 'cgan', 100], ['webgpu', 'cvae', 10], ['webgpu', 'cgan', 10]] as const)(
    '%s: a %s trained %i steps matches the wasm run', async (mode, kind, steps) => {
      started();
      const { gpu, wasm } = await zoo(mode, kind, steps);
      const { worst, at } = worstLossDiff(gpu, wasm);
      console.log(`${mode} ${kind}: worst relative loss difference ${worst.toExponential(2)} (${at}); per step ${JSON.stringify(gpu.perStep)}`);
      expect(gpu.losses).toHaveLength(steps);
      expect(worst, at).toBeLessThan(1e-3);
      expect(gpu.perStep.fallbacks).toBe(0);
      expect(gpu.perStep.readbacks).toBe(1);
      // The step's data goes up (labels, noise, dropout masks: a few kB); never the parameters.
      expect(gpu.perStep.uploadBytes).toBeLessThan(gpu.paramBytes / 10);
      // The playground's model download works on the device (WebGPU included) and holds the model's values exactly.
      expect(gpu.exported.tensors).toBeGreaterThan(5);
      expect(gpu.exported.values * 4).toBe(gpu.paramBytes);
      expect(gpu.exported.mismatches).toBe(0);
    }, 300_000);

  test.each(['webgl2', 'webgl', 'webgpu'])('%s: every kernel, the ops and gradients, training on the device with a flat resource count, the errors', async (mode) => {
    started();
    const r = await suite(mode, 40);
    console.log(mode, r.seconds, JSON.stringify(r.train.perStep));
    expect(r.info.details.mode).toBe(mode);
    expect(r.kernels.length).toBeGreaterThanOrEqual(80);
    expectAllOk(r.kernels);
    expectAllOk(r.ops);
    const { losses, resourcesAfterFirst, resourcesAfterLast, perStep } = r.train;
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    expect(perStep.fallbacks).toBe(0);
    expect(perStep.uploads).toBe(0);
    expect(perStep.readbacks).toBe(1);
    expect(resourcesAfterFirst).toBeGreaterThan(0); // GPU objects are really counted…
    expect(resourcesAfterLast).toBeLessThanOrEqual(resourcesAfterFirst); // …and none leak (the collector may free older ones meanwhile)
    expect(r.errors.disposed).toMatch(/was disposed/);
    expect(r.errors.twice).toMatch(/already disposed/);
    expect(r.errors.mixed).toMatch(/different devices/);
    if (mode === 'webgpu') {
      expect(r.errors.syncRead).toMatch(/WebGPU has no synchronous readback.*await t\.read\(\)/);
      expect(r.errors.hostCopy).toBe('no error');
    }
  }, 240_000);

  test("mode selection: an unavailable mode says why; 'auto' reports what it passed over; dispose releases all", async () => {
    started();
    const sel = await page!.evaluate(() => (globalThis as unknown as { genzooGpu: { selection(): Promise<{ headlessgl: string; auto: { details: Record<string, unknown> } }> } }).genzooGpu.selection());
    expect(sel.headlessgl).toMatch(/mode 'headlessgl' is unavailable: headless-gl runs only in Node/);
    const skipped = sel.auto.details.skipped as Record<string, string>;
    expect(skipped.webgpu).toMatch(/asynchronous/);
    // SwiftShader rasterizes on the CPU, so 'auto' takes webasm over it and says so.
    expect(sel.auto.details.mode).toBe('webasm');
    expect(skipped.webgl2).toMatch(/software renderer.*SwiftShader/i);
    const after = await page!.evaluate(() => (globalThis as unknown as { genzooGpu: { dispose(): Promise<{ total: number }> } }).genzooGpu.dispose());
    expect(after.total).toBe(0);
  }, 60_000);
});
