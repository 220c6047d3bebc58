/**
 * Fixtures for the `genzoo eval` / `genzoo compare` tests, kept small enough
 * for the test budget:
 *   - a tiny IDX dataset with a training AND a test split (so the reference
 *     digits are small: 100 training, 50 held-out digits);
 *   - a small digit classifier, trained on 300 digits for 2 epochs and cached
 *     in a temporary GENZOO_CACHE, for `--classifier cached` (the default, the
 *     shipped classifier, needs no training);
 *   - one tiny run of each model, trained through `genzoo train` on that data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { data, evaluation } from '../../src/index.js';
import type { ModelKind } from '../../src/models/index.js';
import { cli } from '../cli/helpers.js';

export const KINDS: readonly ModelKind[] = ['vae', 'cvae', 'cgan', 'cvaegan'];

function writeSplit(dir: string, prefix: 'train' | 't10k', ds: data.Dataset): void {
  const bytes = Uint8Array.from(ds.images, (v) => Math.round(v * 255));
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), data.encodeIdx(bytes, [ds.n, 28, 28]));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), data.encodeIdx(Uint8Array.from(ds.labels), [ds.n]));
}

/** IDX files in `dir`: `trainPerClass` training and `testPerClass` held-out digits per class. */
export async function writeIdxSplits(dir: string, trainPerClass: number, testPerClass: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeSplit(dir, 'train', data.balancedSubset(await data.mnist({ split: 'train' }), trainPerClass));
  writeSplit(dir, 't10k', data.balancedSubset(await data.mnist({ split: 'test' }), testPerClass));
}

/**
 * Trains a small stand-in classifier into `cacheDir` (what GENZOO_CACHE then
 * points at), for `--classifier cached`: 300 digits, 2 epochs.
 */
export async function cacheSmallClassifier(cacheDir: string): Promise<evaluation.LoadedClassifier> {
  const trainData = data.balancedSubset(await data.mnist({ split: 'train' }), 30);
  const testData = data.balancedSubset(await data.mnist({ split: 'test' }), 10);
  const loaded = await evaluation.loadClassifier({ source: 'retrain', cacheDir, trainData, testData, train: { epochs: 2, batchSize: 20, maxShift: 0 } });
  expect(loaded.origin).toBe('trained');
  expect(loaded.path).not.toBeNull();
  return loaded;
}

/** Tiny networks, one epoch of 5 batches (js backend): about a second per model. */
export const TINY_TRAIN = ['--epochs', '1', '--batch', '20', '--width', '16', '--latent', '4', '--backend', 'js'];

/** The same for the conv nets (8 channels): a few seconds per model. */
export const TINY_CONV_TRAIN = ['--arch', 'conv', '--epochs', '1', '--batch', '20', '--width', '8', '--latent', '4', '--backend', 'js'];

/** Trains one tiny run of each model into root/<kind> through the CLI. */
export async function trainTinyRuns(root: string, idx: string): Promise<Record<ModelKind, string>> {
  const runs = {} as Record<ModelKind, string>;
  for (const kind of KINDS) {
    runs[kind] = join(root, kind);
    const r = await cli('train', kind, '--data', `idx:${idx}`, ...TINY_TRAIN, '--out', runs[kind]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }
  return runs;
}
