/**
 * Training runs: the loop every model shares, checkpoints that resume exactly,
 * the loss log and plot, and the progress display (what `genzoo train` uses).
 *   import { training, models } from 'genzoo';
 *   const result = await training.train({ model, data, outDir: 'runs/x', train: { epochs: 5, batch: 64, seed: 0, data: 'mnist', backend: 'wasm' } });
 */
export {
  train, sampleGrid, writeSampleGrid,
  type TrainOptions, type TrainResult, type TrainStatus, type TrainStart, type Divergence, type ProgressSink,
} from './trainer.js';
export {
  FILES, CHECKPOINT_FORMAT, MODEL_FORMAT, RUN_FORMAT, CheckpointError,
  writeRunConfig, runConfigText, readRunConfig, parseRunConfig, validateTrainConfig,
  writeCheckpoint, writeWeights, prepareCheckpoint, loadCheckpoint, readCheckpoint, restoreCheckpoint, loadWeights, splitTensors, joinTensors,
  modelFileBytes, modelFileBytesAsync, restoreWeights,
  type TrainConfig, type RunConfig, type RunChange, type TrainerState, type RestoredCheckpoint, type PreparedCheckpoint,
} from './checkpoint.js';
export { lastBackend } from './run-config.js';
export { loadRun, readRunProgress, RunFolderError, type LoadedRun, type RunProgress } from './load-run.js';
export { RunError, type RunProblem } from './errors.js';
export { LOSS_LIMIT, checkLosses, firstNonFinite, NonFiniteError, type LossProblem, type NonFiniteValue } from './divergence.js';
export { currentBackendName } from './backend.js';
export { TrainingLoop, dataProblem, type LoopSettings, type StepOutcome } from './loop.js';
export { LossLog, lossPlotSVG, type LossRow } from './losslog.js';
export { Progress, formatProgress, formatDuration, formatLoss, type ProgressState, type ProgressStream, type ProgressOptions } from './progress.js';
