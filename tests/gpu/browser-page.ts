/**
 * The script of the browser test's page: loads genzoo's browser bundle (served
 * as /genzoo.js) and exposes the shared checks to the test driving Chromium.
 */
import { runModeSuite } from './checks.js';
import type { G } from './checks.js';

const load = (): Promise<G> => import(/* @vite-ignore */ '/genzoo.js' as string) as Promise<G>;

const api = {
  suite: async (mode: string, steps: number) => runModeSuite(await load(), mode, steps),
  /** What setBackend says for a mode the browser cannot run, and what 'auto' picks. */
  selection: async () => {
    const G = await load();
    let headlessgl = '';
    try {
      G.setBackend('gpu', { mode: 'headlessgl' });
    } catch (e) {
      headlessgl = (e as Error).message;
    }
    const auto = G.setBackend('gpu', { mode: 'auto' });
    G.setBackend('js');
    return { headlessgl, auto };
  },
  dispose: async () => {
    const G = await load();
    await G.disposeGpu();
    return G.gpuResources();
  },
};

(globalThis as unknown as { genzooGpu: typeof api }).genzooGpu = api;
