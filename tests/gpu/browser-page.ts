/**
 * The script of the browser test's page: loads genzoo's browser bundle (served
 * as /genzoo.js) and exposes the shared checks to the test driving Chromium.
 */
import { runModeSuite, trainZoo } from './checks.js';
import type { G } from './checks.js';

const load = (): Promise<G> => import(/* @vite-ignore */ '/genzoo.js' as string) as Promise<G>;

const api = {
  suite: async (mode: string, steps: number) => runModeSuite(await load(), mode, steps),
  /** A zoo model trained on a gpu mode and on wasm from the same seeds (checks.ts trainZoo). */
  zoo: async (mode: string, kind: 'cvae' | 'cgan', steps: number) => {
    const G = await load();
    const gpu = await trainZoo(G, ['gpu', { mode }], kind, steps);
    const wasm = await trainZoo(G, ['wasm'], kind, steps);
    return { gpu, wasm };
  },
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
