/**
 * The playground's tests drive the built site in headless Chromium (Debian's,
 * on SwiftShader, the gpu tests' flags) through playwright-core, as a user
 * would: fill the forms, press the buttons, drop files. The numbers behind
 * the canvases are read from `globalThis.playground` (web/src/state.ts).
 * Without Chromium the tests are skipped on a developer's machine and fail in
 * CI (tests/helpers/prerequisites.ts's rule).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ROOT } from '../gpu/harness.js';
import { chromiumPrerequisite } from '../helpers/prerequisites.js';

export { ROOT };

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

interface ServerTools {
  createIsolatedServer(route: (path: string) => unknown, opts?: { isolate?: boolean }): Server;
  staticRoute(dir: string): (path: string) => unknown;
  listen(server: Server, port?: number, host?: string): Promise<number>;
  launchChromium(profile: string, args?: string[]): Promise<Browser>;
}

const tools = (await import(join(ROOT, 'scripts', 'isolated-server.mjs'))) as ServerTools;

export const missing = await chromiumPrerequisite('playground tests');

/** What a test file shares: the built site, its servers, one browser, a scratch folder. */
export interface Site {
  /** The site's URL, served cross-origin isolated (as `npm run web`). */
  url: string;
  /** The same files served without COOP/COEP (a static host that sends no headers). */
  plainUrl: string;
  browser: Browser;
  /** A folder for the test's files, removed afterwards. */
  tmp: string;
  close(): Promise<void>;
}

export async function openSite(): Promise<Site> {
  const tmp = mkdtempSync(join(tmpdir(), 'genzoo-web-'));
  const { buildWeb } = (await import(join(ROOT, 'scripts', 'build-web.mjs'))) as { buildWeb(out: string): Promise<string> };
  const dir = await buildWeb(join(tmp, 'site'));
  const isolated = tools.createIsolatedServer(tools.staticRoute(dir));
  const plain = tools.createIsolatedServer(tools.staticRoute(dir), { isolate: false });
  const port = await tools.listen(isolated);
  const plainPort = await tools.listen(plain);
  const browser = await tools.launchChromium(join(tmp, 'profile'));
  return {
    url: `http://127.0.0.1:${port}/`,
    plainUrl: `http://127.0.0.1:${plainPort}/`,
    browser, tmp,
    async close() {
      await browser.close();
      await Promise.all([isolated, plain].map((s) => new Promise((ok) => s.close(ok))));
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A page with its console and errors recorded. */
export interface OpenPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  problems: string[];
  log: string[];
}

/**
 * Opens the playground and waits until its scripts have set it up and, by
 * default, wasm has been probed (probe 'all': every backend; false: nothing).
 */
export async function openPage(site: Site, opts: { url?: string; width?: number; height?: number; probe?: 'wasm' | 'all' | false } = {}): Promise<OpenPage> {
  const page = await site.browser.newPage({ viewport: { width: opts.width ?? 1000, height: opts.height ?? 900 }, acceptDownloads: true });
  const problems: string[] = [];
  const log: string[] = [];
  page.on('console', (m) => {
    log.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(opts.url ?? site.url);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
  const probe = opts.probe ?? 'wasm';
  if (probe) await waitForProbe(page, probe);
  return { page, problems, log };
}

/** Waits until the probe worker has reported wasm ('wasm') or every backend ('all'). */
export async function waitForProbe(page: Page, what: 'wasm' | 'all'): Promise<void> {
  await page.waitForFunction((w) => {
    const p = (globalThis as unknown as Playground).playground;
    return w === 'all' ? p.probed : p.backends.some((b) => b.id === 'wasm');
  }, what, { timeout: 180_000, polling: 100 });
}



/** The page's state object, as the tests read it (web/src/state.ts). */
export interface Playground {
  playground: {
    backends: Array<{ id: string; available: boolean; trains: boolean; reason?: string; info?: { name: string; details: Record<string, unknown> } }>;
    probed: boolean;
    train: { status: string; message: string; backend: string | null; lossNames: string[]; rows: number[][]; grid: Float32Array | null; gridStep: number; gridCount: number; progress: { samplesPerSec: number } | null };
    model: { config: { kind: string; latent: number }; source: string } | null;
    explore: { image: Float32Array | null; noise: Float32Array | null; reconstruction: { mu: Float32Array; sigma: Float32Array; image: Float32Array } | null };
    files: { samples: Float32Array | null; seed: number | null; error: string };
    kl: { inputs: Record<string, number>; wrongStep: boolean; formula: number; integrate: { value: number; error: number }; monteCarlo: { value: number; standardError: number }; agrees: boolean } | null;
  };
}

/** Fills the Train form (fields not given keep their values) and starts training. */
export async function startTraining(page: Page, f: { kind?: string; arch?: string; width?: number; latent?: number; epochs?: number; batch?: number; seed?: number; backend?: string; gridEvery?: number }): Promise<void> {
  await page.click('#tab-train');
  if (f.kind) await page.selectOption('#t-kind', f.kind);
  if (f.arch) await page.selectOption('#t-arch', f.arch);
  const fields: Array<[string, number | undefined]> = [['#t-width', f.width], ['#t-latent', f.latent], ['#t-epochs', f.epochs], ['#t-batch', f.batch], ['#t-seed', f.seed], ['#t-grid-every', f.gridEvery]];
  for (const [sel, v] of fields) if (v !== undefined) await page.fill(sel, String(v));
  if (f.backend) await page.selectOption('#t-backend', f.backend);
  await page.click('#t-start');
}

/** Waits until at least `steps` steps are logged (or training ended); returns the status then. */
export async function waitForSteps(page: Page, steps: number, timeoutMs = 300_000): Promise<string> {
  await page.waitForFunction((n) => {
    const t = (globalThis as unknown as Playground).playground.train;
    return t.rows.length >= n || ['completed', 'stopped', 'diverged', 'failed'].includes(t.status);
  }, steps, { timeout: timeoutMs, polling: 100 });
  return page.evaluate(() => {
    const t = (globalThis as unknown as Playground).playground.train;
    return t.status === 'failed' || t.status === 'diverged' ? `${t.status}: ${t.message}` : t.status;
  });
}

/** Waits until training has ended; returns its status (with the message for a failure). */
export function waitForEnd(page: Page, timeoutMs = 300_000): Promise<string> {
  return waitForSteps(page, Number.MAX_SAFE_INTEGER, timeoutMs);
}

/** The RGBA bytes of a canvas, as a plain array. */
export function canvasPixels(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, selector);
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The mean of the first loss term over steps [from, to). */
export function meanLoss(rows: number[][], from: number, to: number): number {
  return mean(rows.slice(from, to).map((r) => r[2]));
}

/** Whether a screenshot should be kept in docs/images (GENZOO_UPDATE_SCREENSHOTS=1), else in the scratch folder. */
export function screenshotPath(site: Site, name: string): string {
  return process.env.GENZOO_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images', name) : join(site.tmp, name);
}
