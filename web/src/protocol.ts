/**
 * The messages between the page and its three workers. Everything here is
 * structured-clone safe (plain objects, typed arrays); bytes are transferred.
 *
 *   train worker  (train-worker.ts)  trains one model with training.TrainingLoop,
 *                                    streams losses, progress and sample grids
 *   probe worker  (probe-worker.ts)  finds what each backend can do here
 *   model worker  (model-worker.ts)  holds the model Explore and Load/save use:
 *                                    a snapshot of the trained one, or files dropped
 *                                    in; draws, encodes, gives its files back
 */
import type { BackendInfo, models, training } from 'genzoo';

/** The backends a user can train on (the label is what the page shows). */
export const BACKEND_CHOICES = [
  { id: 'wasm', label: 'wasm (WebAssembly SIMD)' },
  { id: 'wasm-relaxed', label: 'wasm with relaxed SIMD (fused multiply-add)' },
  { id: 'gpu:webgl2', label: 'gpu: WebGL2' },
  { id: 'gpu:webgl', label: 'gpu: WebGL' },
  { id: 'gpu:webgpu', label: 'gpu: WebGPU' },
  { id: 'js', label: 'js (plain TypeScript, the reference)' },
] as const;

export type BackendId = (typeof BACKEND_CHOICES)[number]['id'];

/** What probing a backend found: backendInfo() where it started, and whether training runs there. */
export interface BackendReport {
  id: BackendId;
  label: string;
  /** It started (setBackend and ready() succeeded). */
  available: boolean;
  /** A training step runs there too. */
  trains: boolean;
  /** Why not (the library's own message), when it does not start or does not train. */
  reason?: string;
  /** backendInfo() once started. */
  info?: BackendInfo;
}

/** A training run as the Train form describes it. */
export interface TrainRequest {
  kind: models.ModelKind;
  arch: models.Arch;
  width: number;
  latent: number;
  epochs: number;
  batch: number;
  seed: number;
  backend: BackendId;
  /** Steps between sample grids (also sent at each epoch's end). */
  gridEvery: number;
}

/** One logged step: step number, epoch, then the losses in `lossNames` order. */
export type LossRow = [step: number, epoch: number, ...values: number[]];

/** From the probe worker: each backend as soon as it is known, then 'probed'. */
export type FromProbe = { type: 'backend'; report: BackendReport } | { type: 'probed' };

export type ToTrainer =
  | { type: 'start'; request: TrainRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type TrainEnd = 'completed' | 'stopped' | 'diverged' | 'failed';

export type FromTrainer =
  | {
    type: 'started'; lossNames: string[]; stepsPerEpoch: number; totalSteps: number; parameters: number;
    /** The backend's name as a run records it ('wasm', 'gpu:webgl2'…). */
    backend: string;
    info: BackendInfo;
  }
  | { type: 'progress'; rows: LossRow[]; progress: training.ProgressState; paused: boolean }
  | { type: 'grid'; step: number; pixels: Float32Array }
  /** The model as it stands: model.safetensors bytes and config.json text (what `genzoo sample` reads). */
  | { type: 'model'; step: number; modelBytes: Uint8Array; configText: string }
  | { type: 'finished'; status: TrainEnd; message: string; seconds: number; steps: number };

/** Requests to the model worker; each carries an id its reply repeats. */
export type ModelRequest =
  | { type: 'load'; modelBytes: Uint8Array; modelName: string; configText: string; configName: string; source: string }
  | { type: 'sample'; seed: number }
  | { type: 'generate'; noise: Float32Array; labels: Int32Array | null }
  | { type: 'encode'; image: Float32Array; label: number | null }
  | { type: 'heldOut'; index: number }
  | { type: 'files' };

/** What the model worker holds after a load. */
export interface LoadedModel {
  config: models.ModelConfig;
  train: training.TrainConfig;
  conditional: boolean;
  encoder: boolean;
  parameters: number;
  /** Where it came from, in words. */
  source: string;
  /** The backend it runs on here. */
  backend: string;
}

export type ModelReply =
  | { type: 'loaded'; model: LoadedModel }
  | { type: 'images'; pixels: Float32Array; n: number }
  | { type: 'encoded'; mu: Float32Array; sigma: Float32Array; reconstruction: Float32Array }
  | { type: 'digit'; image: Float32Array; label: number; index: number; count: number }
  | { type: 'files'; modelBytes: Uint8Array; configText: string }
  | { type: 'error'; message: string };

export type ModelMessage = ModelRequest & { id: number };
export type ModelReplyMessage = ModelReply & { id: number };
