/**
 * `genzoo eval` and `genzoo compare` end to end, on tiny runs of all four
 * models and a tiny IDX dataset (100 training, 50 held-out digits), judged by
 * the shipped classifier (and, for `--classifier cached`, a small stand-in
 * cached in a temporary GENZOO_CACHE; fixtures in cli-fixtures.ts). What is
 * checked: the files written and their fields, every metric against its
 * definition recomputed from the breakdowns, the table, determinism for a
 * seed, the classifier's sources and cache problems, and bad input (usage
 * errors exit 2; missing or broken run folders exit 1 with one line naming
 * what is wrong).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluation, io } from '../../src/index.js';
import { MODELS, type ModelKind } from '../../src/models/index.js';
import { cli, spawnCli } from '../cli/helpers.js';
import { cacheSmallClassifier, KINDS, TINY_CONV_TRAIN, trainTinyRuns, writeIdxSplits } from './cli-fixtures.js';

let root: string;
let idx: string;
let runs: Record<ModelKind, string>;
let savedCache: string | undefined;
let shippedSha: string;
// 5 samples per class, likelihood on 30 held-out digits with k = 100, js backend.
const FAST = ['--n-per-class', '5', '--nll-digits', '30', '--backend', 'js'];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'genzoo-eval-cli-'));
  idx = join(root, 'idx');
  await writeIdxSplits(idx, 10, 5);
  savedCache = process.env.GENZOO_CACHE;
  process.env.GENZOO_CACHE = join(root, 'cache');
  await cacheSmallClassifier(join(root, 'cache'));
  shippedSha = (await evaluation.readClassifierFile(await evaluation.shippedClassifierPath())).info.sha256;
  runs = await trainTinyRuns(root, idx);
});

afterAll(() => {
  if (savedCache === undefined) delete process.env.GENZOO_CACHE;
  else process.env.GENZOO_CACHE = savedCache;
  rmSync(root, { recursive: true, force: true });
});

/** −Σ (c/N)·log(c/N) / log 10 of class counts, by hand. */
function entropyOf(counts: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return -counts.filter((c) => c > 0).reduce((s, c) => s + (c / n) * Math.log(c / n), 0) / Math.log(10);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function readEval(dir: string): evaluation.EvalReport {
  return evaluation.parseEvalReport(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')), join(dir, 'eval.json'));
}

/** Exit code 2, the error line, a blank line, the command's usage; no stack trace. */
async function usageError(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code, r.err).toBe(2);
  const [first, blank, usage] = r.err.split('\n');
  expect(first).toMatch(message);
  expect(blank).toBe('');
  expect(usage).toMatch(new RegExp(`^Usage: genzoo ${args[0]}`));
  expect(r.err).not.toMatch(/\n\s+at /);
}

/** Exit code 1 and exactly one line on stderr. */
async function runtimeError(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code, r.err).toBe(1);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(message);
}

describe('genzoo eval', () => {
  test('scores a cvae: eval.json with every metric, the settings, the reference row; a table on stdout', async () => {
    const r = await cli('eval', '--checkpoint', runs.cvae, ...FAST);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = readEval(runs.cvae);
    const m = report.metrics;
    expect(m).toMatchObject({ model: 'cvae', arch: 'mlp' });
    for (const key of ['confidentAccuracy', 'classProbability', 'conditionalAccuracy', 'classEntropy', 'frechet', 'sharpness', 'diversity', 'memorisation', 'negativeElbo', 'iwNll', 'trainSeconds'] as const) {
      expect(typeof m[key], key).toBe('number');
      expect(Number.isFinite(m[key]), key).toBe(true);
    }
    const d = report.details as Record<string, any>;
    expect(d.samples).toBe(50);
    // Every class-faithfulness number is what its breakdown says (5 samples per class).
    const confusion = d.accuracy.confusion as number[][];
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(50);
    expect(confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(5));
    expect(m.conditionalAccuracy).toBeCloseTo(confusion.reduce((s, row, k) => s + row[k], 0) / 50, 12);
    expect(m.confidentAccuracy).toBeCloseTo(mean(d.accuracy.perClassConfident), 12);
    expect(m.classProbability).toBeCloseTo(mean(d.accuracy.perClassProbability), 12);
    expect(d.accuracy.threshold).toBe(0.9);
    // p ≥ 0.9 of the requested class makes it the most probable one: confident ⊆ right.
    expect(m.confidentAccuracy).toBeLessThanOrEqual(m.conditionalAccuracy as number);
    // Five optimiser steps of a width-16 cvae draw smudges: a judge that signs them would be broken.
    expect(m.classProbability).toBeLessThan(0.3);
    expect(m.classEntropy).toBeCloseTo(entropyOf(d.classBalance.counts), 12);
    expect(m.frechet).toBeGreaterThan(d.reference.frechet);
    expect(m.iwNll).toBeLessThanOrEqual(m.negativeElbo as number);
    expect(report.settings).toMatchObject({ samplesPerClass: 5, seed: 0, backend: 'js', k: 100, likelihoodDigits: 30, elboSamples: 10, data: `idx:${idx}` });
    // The judge: the shipped weights, described without a file path; its scores on the 50 held-out digits.
    expect(report.settings.classifier).toMatchObject({ origin: 'shipped', file: null, sha256: shippedSha, heldOutDigits: 50 });
    expect(report.settings.classifier!.heldOutMeanProbability).toBeGreaterThanOrEqual(0.9);
    expect(d.reference.classProbability).toBe(report.settings.classifier!.heldOutMeanProbability);
    expect(d.reference.confidentAccuracy).toBe(report.settings.classifier!.heldOutConfidentAccuracy);
    expect(r.out).toMatch(/^classifier: genzoo's shipped weights \(sha256 [0-9a-f]{12}…\): on the 50 held-out digits faithful \d+\.\d%, \d+\.\d% with p ≥ 0\.9, accuracy \d+\.\d%; temperature \d\.\d{3}, ECE \d\.\d{4}$/m);
    expect(d.likelihood).toMatchObject({ digits: 30, iwNll: { k: 100 } });
    expect(d.reference).toMatchObject({ model: 'real digits', memorisation: 1 });
    expect(d.reference.frechet).toBeGreaterThan(0);
    expect(d.run).toMatchObject({ kind: 'cvae', epochsDone: 1, epochs: 1, steps: 5, complete: true });
    // The table: a header, the model row, the reference row, the legend, and where the file went.
    expect(r.out).toMatch(/^model\s+faithful\s+p ≥ 0\.9\s+accuracy\s+class entropy\s+Fréchet\s+sharpness\s+diversity\s+novelty\s+−ELBO\s+IW-NLL\s+train time$/m);
    expect(r.out).toMatch(/^cvae \(mlp\)\s+\d+\.\d%/m);
    expect(r.out).toMatch(/^real digits\s+\d+\.\d%/m);
    expect(r.out).toContain(`wrote ${join(runs.cvae, 'eval.json')}`);
  });

  test('the vae reports its class balance instead of accuracy; the GANs have no likelihood', async () => {
    expect((await cli('eval', '--checkpoint', runs.vae, ...FAST)).code).toBe(0);
    const vae = readEval(runs.vae);
    expect(vae.metrics.conditionalAccuracy).toBeNull();
    expect(vae.metrics.confidentAccuracy).toBeNull();
    expect(vae.metrics.classProbability).toBeNull();
    expect(vae.metrics.classEntropy).toBeCloseTo(entropyOf((vae.details as Record<string, any>).classBalance.counts), 12);
    expect(typeof vae.metrics.iwNll).toBe('number');
    const balance = (vae.details as Record<string, any>).classBalance;
    expect(balance.counts.reduce((a: number, b: number) => a + b, 0)).toBe(50); // 10 × 5 unconditional samples
    expect(vae.settings.samplesPerClass).toBe(5);

    expect((await cli('eval', '--checkpoint', runs.cgan, ...FAST)).code).toBe(0);
    const cgan = readEval(runs.cgan);
    expect(typeof cgan.metrics.conditionalAccuracy).toBe('number');
    expect(cgan.metrics.negativeElbo ?? null).toBeNull();
    expect(cgan.metrics.iwNll ?? null).toBeNull();
    expect(cgan.settings.k).toBeUndefined();
  });

  test('is deterministic for a seed, and another seed draws other samples', async () => {
    const metrics = async (seed: string): Promise<evaluation.MetricsRow> => {
      expect((await cli('eval', '--checkpoint', runs.cvaegan, ...FAST, '--seed', seed)).code).toBe(0);
      const { trainSeconds, ...rest } = readEval(runs.cvaegan).metrics;
      return rest;
    };
    const a = await metrics('3');
    expect(await metrics('3')).toEqual(a);
    expect((await metrics('4')).sharpness).not.toBe(a.sharpness);
  });

  test('--classifier cached uses the classifier trained into $GENZOO_CACHE', async () => {
    const r = await cli('eval', '--checkpoint', runs.cgan, ...FAST, '--classifier', 'cached');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = readEval(runs.cgan);
    expect(report.settings.classifier).toMatchObject({ origin: 'cache', file: join(root, 'cache', evaluation.CLASSIFIER_FILE) });
    expect(report.settings.classifier!.sha256).not.toBe(shippedSha);
    expect(r.out).toContain(`classifier: trained on this machine, cached as ${join(root, 'cache', evaluation.CLASSIFIER_FILE)}`);
  });

  test('an impossible $GENZOO_CACHE does not matter to the shipped classifier (the cache is never touched)', async () => {
    process.env.GENZOO_CACHE = '/proc/genzoo';
    try {
      const r = await cli('eval', '--checkpoint', runs.cgan, ...FAST);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    } finally {
      process.env.GENZOO_CACHE = join(root, 'cache');
    }
  });

  test('GENZOO_CACHE=/proc/genzoo with --classifier cached: one warning line before the training starts, not a hang', async () => {
    process.env.GENZOO_CACHE = '/proc/genzoo';
    let errAtTraining: string | null = null;
    try {
      const r = await spawnCli(['eval', '--checkpoint', runs.cgan, ...FAST, '--classifier', 'cached'], (out, child) => {
        if (errAtTraining === null && /classifier: training on/.test(out)) {
          errAtTraining = 'seen';
          child.kill('SIGKILL'); // the full recipe takes minutes; what matters is what came before it
        }
      });
      expect(r.out).toMatch(new RegExp(`^classifier: training on 9003 digits \\(${evaluation.CLASSIFIER_DEFAULTS.epochs} epochs, backend js\\)$`, 'm')); // no "cached afterwards"
      expect(r.err.trimEnd().split('\n')).toEqual(['genzoo eval: warning: classifier cache unusable (cannot create directory /proc/genzoo: /proc does not accept new folders): the classifier will be trained but not cached']);
    } finally {
      process.env.GENZOO_CACHE = join(root, 'cache');
    }
    expect(errAtTraining).toBe('seen');
  }, 60_000);

  test('bad flags are usage errors', async () => {
    await usageError(['eval'], /^genzoo eval: missing --checkpoint DIR/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--samples', '5'], /unknown flag '--samples'/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--n-per-class', '1'], /--n-per-class must be an integer from 2 to 10000, got '1'/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--iw-k', '0'], /--iw-k must be a positive integer/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--seed', '-1'], /--seed must be a non-negative integer/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--backend', 'tpu'], /unknown backend 'tpu'/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--data', 'cifar'], /--data: unknown dataset "cifar"/);
    await usageError(['eval', '--checkpoint', runs.cvae, 'extra'], /unexpected argument 'extra'/);
    await usageError(['eval', '--checkpoint', runs.cvae, '--classifier', 'download'], /--classifier must be one of shipped, cached, retrain, got 'download'/);
  });

  test('a missing folder, a folder that is not a run, and a broken run are one-line errors', async () => {
    await runtimeError(['eval', '--checkpoint', join(root, 'nowhere')], /^genzoo eval: .*nowhere does not exist$/m);
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    await runtimeError(['eval', '--checkpoint', empty], /is not a genzoo run: config\.json is missing/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await runtimeError(['eval', '--checkpoint', file], /is not a folder/);
    const noWeights = join(root, 'no-weights');
    mkdirSync(noWeights, { recursive: true });
    cpSync(join(runs.cgan, 'config.json'), join(noWeights, 'config.json'));
    await runtimeError(['eval', '--checkpoint', noWeights], /is not a complete run: model\.safetensors is missing/);
    const badConfig = join(root, 'bad-config');
    cpSync(runs.cgan, badConfig, { recursive: true });
    writeFileSync(join(badConfig, 'config.json'), '{"format": "genzoo-run/1", "model": {"kind": "gan"}, "train": {}}');
    await runtimeError(['eval', '--checkpoint', badConfig], /unknown model kind "gan"/);
    const corrupt = join(root, 'corrupt');
    cpSync(runs.cgan, corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'model.safetensors'), 'not a safetensors file');
    await runtimeError(['eval', '--checkpoint', corrupt], /corrupt/);
    // Reference digits that cannot be loaded (an IDX folder without a test split) say how to fix it.
    await runtimeError(['eval', '--checkpoint', runs.cvae, '--data', `idx:${join(root, 'empty')}`, ...FAST], /cannot load the reference digits .*the embedded digits, 'mnist', need no files/);
  });
});

describe('genzoo compare', () => {
  test('--reuse of four runs writes compare.md (table, runs, machine) and a compare.png of four labelled grids', async () => {
    const out = join(root, 'compare');
    const r = await cli('compare', '--reuse', runs.vae, runs.cvae, runs.cgan, '--reuse', runs.cvaegan, '--out', out, '--data', `idx:${idx}`, ...FAST);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md).toMatch(/^# genzoo compare/);
    expect(md).toMatch(/^\| model \| faithful \| p ≥ 0\.9 \| accuracy \| class entropy \| Fréchet \| sharpness \| diversity \| novelty \| −ELBO \| IW-NLL \| train time \|$/m);
    for (const row of ['real digits', 'vae (mlp)', 'cvae (mlp)', 'cgan (mlp)', 'cvaegan (mlp)']) expect(md).toMatch(new RegExp(`^\\| ${row.replace(/[()]/g, '\\$&')} \\|`, 'm'));
    // The vae row has no accuracy; only the gans lack likelihoods.
    expect(md).toMatch(/^\| vae \(mlp\) \| — \| — \| — \| \d/m);
    expect(md).toMatch(/^\| cgan \(mlp\) \|( [^|]+ \|){6} [^|]+ \| [^|]+ \| — \| — \|/m);
    expect(md).toMatch(/^- classifier: genzoo's shipped weights \(sha256 [0-9a-f]{12}…\): /m);
    expect(md).toContain('![vae, cvae, cgan and cvaegan samples](compare.png)');
    for (const kind of KINDS) expect(md).toContain(`| ${kind} | \`${runs[kind]}\` (reused) | mlp | 1 | 5 | 20 |`);
    for (const key of ['CPU', 'cores', 'memory', 'OS', 'Node.js', 'backend']) expect(md).toMatch(new RegExp(`^- ${key}: \\S`, 'm'));
    expect(md).toContain(`- Node.js: ${process.version}`);
    expect(md).toMatch(/^- backend: js/m);
    // Each reused run got its eval.json, scored against the same reference.
    for (const kind of KINDS) expect(readEval(runs[kind]).settings.data).toBe(`idx:${idx}`);

    // The nearest-training-digit table: ten relative distances per run, the closest, the novelty.
    for (const kind of KINDS) expect(md).toMatch(new RegExp(`^\\| ${kind} \\(mlp\\)( \\| \\d+\\.\\d+){12} \\|$`, 'm'));
    expect(md).toContain('Left to right: vae, cvae, cgan, cvaegan (mlp). Each panel shows');
    expect(md).toMatch(/^- figure: sample grids drawn with seed 0 .*relative to the held-out digits' mean nearest distance \d+\.\d\d$/m);

    const png = await io.readPng(join(out, 'compare.png'));
    const size = evaluation.comparisonFigureSize(4, { columns: 4, interpolationRows: 3, nearest: true });
    expect([png.width, png.height]).toEqual([size.width, size.height]);
    // The second panel (cvae) holds the cvae's sample sheet, drawn as its samples.png is (seed 0).
    const sheet = await io.readPng(join(runs.cvae, 'samples.png'));
    const L = evaluation.FIGURE_LAYOUT;
    const left = L.margin + (L.labelWidth + L.grid + L.panelGap) + L.labelWidth;
    const top = L.margin + 7 * L.titleScale + L.titleGap;
    for (const [y, x] of [[2, 2], [50, 120], [290, 299]]) expect(png.data[(top + y) * png.width + left + x]).toBe(sheet.data[y * sheet.width + x]);
    // Titles are drawn (dark pixels in the title band above each grid).
    expect(png.data.subarray(L.margin * png.width, (L.margin + 14) * png.width).some((v) => v === 0)).toBe(true);
  });

  test('trains the models not reused, through genzoo train (here the vae: --epochs-scale 0.01 → 1 epoch of 1 step)', async () => {
    const out = join(root, 'compare-train');
    const r = await cli('compare', '--reuse', runs.cvae, runs.cgan, runs.cvaegan, '--epochs-scale', '0.01', '--out', out, '--data', `idx:${idx}`, '--n-per-class', '2', '--nll-digits', '5', '--backend', 'js');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('reusing cvae (mlp), cgan (mlp), cvaegan (mlp); training vae (mlp) (not among --reuse)');
    expect(r.out).toContain(`== genzoo train vae --arch mlp --out ${join(out, 'vae')} --seed 0 --epochs 1 --backend js --data idx:${idx}`);
    const cfg = JSON.parse(readFileSync(join(out, 'vae', 'config.json'), 'utf8'));
    const vaeDefaults = MODELS.vae.defaults('mlp').model;
    expect(cfg.model).toMatchObject({ kind: 'vae', width: vaeDefaults.width, latent: vaeDefaults.latent }); // the vae's defaults
    expect(cfg.train).toMatchObject({ epochs: 1, batch: 64, seed: 0 });
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md).toContain(`| vae | \`${join(out, 'vae')}\` | mlp | 1 | 1 | 64 |`);
    expect(md).toContain(`| cvae | \`${runs.cvae}\` (reused) |`);
    expect(readEval(join(out, 'vae')).settings.samplesPerClass).toBe(2);
  });

  test('--reuse refuses folders that are not complete runs, and duplicates', async () => {
    await usageError(['compare', '--reuse'], /--reuse needs at least one run folder/);
    await usageError(['compare', '--reuse', runs.cvae, '--epochz', '2'], /unknown flag '--epochz'/);
    await usageError(['compare', '--reuse', runs.cvae, runs.cvae], /are both cvae \(mlp\) runs \(give one run per model and architecture\)/);
    await usageError(['compare', '--reuse', runs.vae, runs.cvae, runs.cgan, runs.cvaegan, '--epochs-scale', '0.5'], /--epochs-scale has no effect/);
    await runtimeError(['compare', '--reuse', join(root, 'nowhere')], /nowhere does not exist/);
    await runtimeError(['compare', '--reuse', join(root, 'idx')], /is not a genzoo run: config\.json is missing/);
    // A run that stopped early: its config asks for 2 epochs, its checkpoint has 1.
    const partial = join(root, 'partial');
    cpSync(runs.cgan, partial, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(partial, 'config.json'), 'utf8'));
    cfg.train.epochs = 2;
    writeFileSync(join(partial, 'config.json'), JSON.stringify(cfg));
    await runtimeError(['compare', '--reuse', partial], /is not a complete run: it stopped after epoch 1 of 2 \(continue it with: genzoo train cgan --out .* --resume\)/);
    // A model left to train whose folder under --out already holds a run.
    const out = join(root, 'compare-taken');
    cpSync(runs.cgan, join(out, 'cgan'), { recursive: true });
    await runtimeError(['compare', '--reuse', runs.vae, runs.cvae, runs.cvaegan, '--out', out], /compare-taken\/cgan already holds a run \(compare would train cgan \(mlp\) there\): reuse it with --reuse/);
    expect(existsSync(join(out, 'compare.md'))).toBe(false);
    // An impossible --out is one line before any work (Node 20's recursive mkdir would loop forever on /proc).
    await runtimeError(['compare', '--reuse', runs.vae, runs.cvae, runs.cgan, runs.cvaegan, '--out', '/proc/genzoo/cmp'], /^genzoo compare: cannot create directory \/proc\/genzoo\/cmp: \/proc does not accept new folders$/m);
  });
});

describe('genzoo compare --arch', () => {
  /** Tiny conv runs of the cvae, cgan and cvaegan (the vae conv is left for compare to train). */
  const conv = {} as Record<'cvae' | 'cgan' | 'cvaegan', string>;

  beforeAll(async () => {
    for (const kind of ['cvae', 'cgan', 'cvaegan'] as const) {
      conv[kind] = join(root, `${kind}-conv`);
      const r = await cli('train', kind, '--data', `idx:${idx}`, ...TINY_CONV_TRAIN, '--out', conv[kind]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
  });

  test('both: reuses a run per model and architecture, trains the missing one as conv, and reports eight runs in one table and a two-row figure', async () => {
    const out = join(root, 'compare-both');
    const r = await cli('compare', '--arch', 'both', '--reuse', runs.vae, runs.cvae, runs.cgan, runs.cvaegan, conv.cvae, conv.cgan, conv.cvaegan,
      '--epochs-scale', '0.01', '--out', out, '--data', `idx:${idx}`, '--n-per-class', '2', '--nll-digits', '5', '--backend', 'js');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('reusing vae (mlp), cvae (mlp), cgan (mlp), cvaegan (mlp), cvae (conv), cgan (conv), cvaegan (conv); training vae (conv) (not among --reuse)');
    // The conv vae: trained with its conv defaults (round(0.01 × its epochs) → at least 1) into DIR/vae-conv.
    const vaeConv = join(out, 'vae-conv');
    expect(r.out).toContain(`== genzoo train vae --arch conv --out ${vaeConv} --seed 0 --epochs 1 --backend js --data idx:${idx}`);
    const cfg = JSON.parse(readFileSync(join(vaeConv, 'config.json'), 'utf8'));
    expect(cfg.model).toMatchObject({ kind: 'vae', arch: 'conv', width: MODELS.vae.defaults('conv').model.width });
    expect(existsSync(join(out, 'vae'))).toBe(false);

    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    // One metrics table: the reference, then the four mlp rows, then the four conv rows.
    const order = ['real digits', ...KINDS.map((k) => `${k} (mlp)`), ...KINDS.map((k) => `${k} (conv)`)];
    const positions = order.map((row) => md.search(new RegExp(`^\\| ${row.replace(/[()]/g, '\\$&')} \\| [—\\d]`, 'm')));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(md.match(/^\| \w+ \((mlp|conv)\)( \| \d+\.\d+){12} \|$/gm)).toHaveLength(8); // the nearest-digit table
    expect(md).toContain(`| vae | \`${vaeConv}\` | conv | 1 | 1 | 64 |`);
    expect(md).toContain(`| cvae | \`${conv.cvae}\` (reused) | conv | 1 | 5 | 20 |`);
    expect(md).toContain('one row of panels per architecture, top to bottom: mlp, conv.');

    // The figure: two rows of four panels; the second row starts with the conv vae's sample sheet.
    const png = await io.readPng(join(out, 'compare.png'));
    const size = evaluation.comparisonFigureSize(8, { columns: 4, interpolationRows: 3, nearest: true });
    expect([png.width, png.height]).toEqual([size.width, size.height]);
    const L = evaluation.FIGURE_LAYOUT;
    const lay = evaluation.panelLayout({ interpolationRows: 3, nearest: true });
    const sheet = await io.readPng(join(vaeConv, 'samples.png'));
    const top = L.margin + lay.height + L.rowGap;
    for (const [y, x] of [[2, 2], [50, 120], [290, 299]]) expect(png.data[(top + lay.gridTop + y) * png.width + L.margin + L.labelWidth + x]).toBe(sheet.data[y * sheet.width + x]);
    expect(png.data.subarray(top * png.width, (top + 14) * png.width).some((v) => v === 0)).toBe(true); // the second row's titles
  });

  test('refuses a bad --arch, runs of an architecture not compared, and two runs of one model and architecture', async () => {
    await usageError(['compare', '--arch', 'sideways'], /--arch must be one of mlp, conv, both, got 'sideways'/);
    await usageError(['compare', '--reuse', conv.cvae], /--reuse: .*cvae-conv is a cvae \(conv\) run, but --arch mlp compares mlp runs \(give --arch conv or --arch both\)/);
    await usageError(['compare', '--arch', 'conv', '--reuse', runs.cgan], /is a cgan \(mlp\) run, but --arch conv compares conv runs/);
    const copy = join(root, 'cvae-conv-copy');
    cpSync(conv.cvae, copy, { recursive: true });
    const r = await cli('compare', '--arch', 'both', '--reuse', runs.cvae, conv.cvae, copy);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`genzoo compare: --reuse: ${conv.cvae} and ${copy} are both cvae (conv) runs (give one run per model and architecture)`);
  });
});
