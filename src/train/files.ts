/**
 * The files of a run folder (what each holds: see checkpoint.ts and
 * run-config.ts), in one place so that "does this folder hold a run?" and
 * "start over" agree on the list.
 */
export const FILES = {
  /** The model's configuration and the training settings (run-config.ts). */
  config: 'config.json',
  /** The weights and buffers alone: what sampling and `load` read. */
  model: 'model.safetensors',
  /** Everything a resume needs: weights, optimizer states, trainer state, the loss log. */
  checkpoint: 'checkpoint.safetensors',
  /** One row per step: step, epoch, then each loss. */
  lossesCsv: 'losses.csv',
  /** The loss curves. */
  lossesSvg: 'losses.svg',
  /** A 10×10 grid of samples (row k = class k for conditional models), rewritten every epoch. */
  samples: 'samples.png',
  /** Written by evaluation (src/eval), not training; starting over must remove it with the weights it scored. */
  evaluation: 'eval.json',
} as const;

/** DIR/FILE without node:path (the train layer's file names are plain). */
export function runFile(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}
