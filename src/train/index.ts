/**
 * Training runs: the loop every model shares, checkpoints that resume exactly,
 * the loss log and plot, and the progress display (what `genzoo train` uses).
 *   import { training, models } from 'genzoo';
 *   const result = await training.train({ model, data, outDir: 'runs/x', train: { epochs: 5, batch: 64, seed: 0, data: 'mnist', backend: 'wasm' } });
 */
export { train, sampleGrid, writeSampleGrid, type TrainOptions, type TrainResult, type TrainStatus } from './trainer.js';
export {
  FILES, CHECKPOINT_FORMAT, MODEL_FORMAT, RUN_FORMAT, CheckpointError,
  writeRunConfig, readRunConfig, writeCheckpoint, writeWeights, loadCheckpoint, loadWeights, splitTensors, joinTensors,
  type TrainConfig, type RunConfig, type TrainerState,
} from './checkpoint.js';
export { LossLog, lossPlotSVG, type LossRow } from './losslog.js';
export { Progress, formatProgress, formatDuration, formatLoss, type ProgressState, type ProgressStream, type ProgressOptions } from './progress.js';
