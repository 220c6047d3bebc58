/**
 * The files of a run folder (what each holds: see checkpoint.ts and
 * run-config.ts), in one place so that "does this folder hold a run?" and
 * "start over" agree on the list.
 */
export const FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  checkpoint: 'checkpoint.safetensors',
  lossesCsv: 'losses.csv',
  lossesSvg: 'losses.svg',
  samples: 'samples.png',
  /** Written by evaluation (src/eval), not training; starting over must remove it with the weights it scored. */
  evaluation: 'eval.json',
} as const;

/** DIR/FILE without node:path (the train layer's file names are plain). */
export function runFile(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}
