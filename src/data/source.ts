/**
 * Datasets named by a string, as the CLI's `--data` flag takes them:
 *   'mnist'        the embedded digits (data/mnist-digits.gz; see mnist.ts)
 *   'idx:DIR'      MNIST-style IDX files in DIR (train-images-idx3-ubyte, … optionally .gz)
 */
import type { Dataset } from './dataset.js';
import { mnist } from './mnist.js';
import { loadIdxDataset } from './idx.js';
import { ValueError } from '../errors.js';

/** Options of {@link loadDataset}. */
export interface DatasetSpecOptions {
  /** Which split to load (default 'train'). */
  split?: 'train' | 'test';
  /** Classes of an IDX dataset (default 10). */
  classes?: number;
}

/** Checks a `--data` value without loading anything; returns an error message or null. */
export function checkDatasetSpec(spec: string): string | null {
  if (spec === 'mnist') return null;
  if (spec.startsWith('idx:')) return spec.length > 4 ? null : "'idx:' needs a directory, e.g. idx:./data/mnist";
  return `unknown dataset ${JSON.stringify(spec)}: expected 'mnist' (the embedded digits) or 'idx:DIR' (IDX files in DIR)`;
}

/** Loads the dataset a `--data` value names. Node-only. */
export async function loadDataset(spec: string, opts: DatasetSpecOptions = {}): Promise<Dataset> {
  const problem = checkDatasetSpec(spec);
  if (problem) throw new ValueError(problem);
  const split = opts.split ?? 'train';
  if (spec === 'mnist') return mnist({ split });
  return loadIdxDataset(spec.slice(4), { split, classes: opts.classes });
}
