/**
 * What the page shows, in one object: each panel writes its part, and it is
 * exposed as `globalThis.playground` so that the tests (and a curious user in
 * devtools) can read the numbers behind the canvases — the exact losses,
 * sample pixels and KL values, not a screenshot of them.
 */
import type { training } from 'genzoo';
import type { BackendReport, LoadedModel, LossRow, TrainEnd } from './protocol.js';

export interface PlaygroundState {
  /** What each backend reported when probed, in the order they were known (wasm and js first). */
  backends: BackendReport[];
  /** Every backend has been probed. */
  probed: boolean;
  train: {
    status: 'idle' | 'starting' | 'running' | 'paused' | TrainEnd;
    message: string;
    backend: string | null;
    lossNames: string[];
    /** Every step's losses: [step, epoch, ...values]. */
    rows: LossRow[];
    progress: training.ProgressState | null;
    /** The last sample grid (100 × 784 values) and the step it was drawn after. */
    grid: Float32Array | null;
    gridStep: number;
    gridCount: number;
  };
  /** The model Explore and Load/save use (null until one is trained or loaded). */
  model: LoadedModel | null;
  explore: {
    /** The pixels of the slider image, and the noise it was drawn from. */
    image: Float32Array | null;
    noise: Float32Array | null;
    reconstruction: { mu: Float32Array; sigma: Float32Array; image: Float32Array } | null;
  };
  files: {
    /** The last grid drawn from a loaded model (what `genzoo sample --seed` draws), and its seed. */
    samples: Float32Array | null;
    seed: number | null;
    error: string;
  };
  kl: {
    inputs: { mu1: number; sigma1: number; mu2: number; sigma2: number };
    wrongStep: boolean;
    /** The formula shown (the closed form, or the mistaken one with the toggle). */
    formula: number;
    integrate: { value: number; error: number };
    monteCarlo: { value: number; standardError: number; n: number };
    agrees: boolean;
  } | null;
}

export const state: PlaygroundState = {
  backends: [],
  probed: false,
  train: { status: 'idle', message: '', backend: null, lossNames: [], rows: [], progress: null, grid: null, gridStep: -1, gridCount: 0 },
  model: null,
  explore: { image: null, noise: null, reconstruction: null },
  files: { samples: null, seed: null, error: '' },
  kl: null,
};

(globalThis as unknown as { playground: PlaygroundState }).playground = state;
