/**
 * `genzoo train` and `genzoo sample`: outputs, bad input (one line, exit 2 for
 * usage errors and 1 for the rest, no stack trace unless --verbose), and
 * Ctrl-C (checkpoint, exit 130, resume = uninterrupted).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from '../../src/index.js';
import { cli, spawnCli, writeTinyIdx } from './helpers.js';

let root: string;
let idx: string;
let cvaeRun: string;
let vaeRun: string;
// Tiny networks on 200 digits, js backend: each run takes a second or two.
const tinyNet = ['--width', '16', '--latent', '4', '--backend', 'js'];
const tiny = ['--batch', '20', ...tinyNet];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'genzoo-cli-'));
  idx = join(root, 'idx');
  await writeTinyIdx(idx, 20);
  cvaeRun = join(root, 'cvae');
  vaeRun = join(root, 'vae');
  const a = await cli('train', 'cvae', '--data', `idx:${idx}`, '--epochs', '2', ...tiny, '--out', cvaeRun);
  expect(a.err).toBe('');
  expect(a.code).toBe(0);
  const b = await cli('train', 'vae', '--data', `idx:${idx}`, '--epochs', '1', ...tiny, '--out', vaeRun);
  expect(b.code).toBe(0);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Exit code 2, an error line naming the problem, then the usage; no stack trace. */
async function usageError(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code).toBe(2);
  const [first, blank, usage] = r.err.split('\n');
  expect(first).toMatch(message);
  expect(blank).toBe('');
  expect(usage).toMatch(/^Usage: genzoo (train|sample)/);
  expect(r.err).not.toMatch(/\n\s+at /);
}

/** Exit code 1 and exactly one line on stderr. */
async function runtimeError(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code).toBe(1);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(message);
}

describe('genzoo train', () => {
  test('writes the run folder and says where', () => {
    for (const f of ['config.json', 'model.safetensors', 'checkpoint.safetensors', 'samples.png', 'losses.csv', 'losses.svg']) {
      expect(existsSync(join(cvaeRun, f)), f).toBe(true);
    }
    const cfg = JSON.parse(readFileSync(join(cvaeRun, 'config.json'), 'utf8'));
    expect(cfg.model).toMatchObject({ kind: 'cvae', arch: 'mlp', latent: 4, width: 16 });
    expect(cfg.train).toMatchObject({ epochs: 2, batch: 20, seed: 0, backend: 'js', data: `idx:${idx}` });
    const csv = readFileSync(join(cvaeRun, 'losses.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,epoch,loss,rec,kl');
    expect(csv).toHaveLength(1 + 20); // 2 epochs × 10 steps
  });

  test('samples.png is a 10×10 grid of 28×28 digits', async () => {
    const png = await io.readPng(join(cvaeRun, 'samples.png'));
    expect([png.width, png.height]).toEqual([10 * 30 + 2, 10 * 30 + 2]); // 2-pixel padding
  });

  test('bad flags, models and backends are usage errors', async () => {
    await usageError(['train'], /^genzoo train: missing the model to train \(vae, cvae, cgan, cvaegan\)$/);
    await usageError(['train', 'gan'], /^genzoo train: unknown model 'gan' \(expected vae, cvae, cgan, cvaegan\)$/);
    await usageError(['train', 'cvae', '--epoch', '3'], /unknown flag '--epoch'/);
    await usageError(['train', 'cvae', '--epochs'], /--epochs needs a value/);
    await usageError(['train', 'cvae', '--epochs', 'three'], /--epochs must be a positive integer, got 'three'/);
    await usageError(['train', 'cvae', '--lr', '-0.1'], /--lr must be a positive number/);
    await usageError(['train', 'cvae', '--batch', '1'], /--batch must be an integer ≥ 2/);
    await usageError(['train', 'cvae', '--arch', 'rnn'], /--arch must be one of mlp, conv/);
    await usageError(['train', 'cvae', '--backend', 'tpu'], /unknown backend 'tpu'/);
    await usageError(['train', 'cvae', '--backend', 'wasm:fast'], /backend 'wasm' takes no mode/);
    await usageError(['train', 'cvae', '--data', 'cifar'], /--data: unknown dataset "cifar"/);
    await usageError(['train', 'cvae', '--resume', '--force'], /--resume and --force contradict/);
    await usageError(['train', 'cvae', 'extra'], /unexpected extra argument 'extra'/);
    await usageError(['train', 'cvae', '--out', cvaeRun, '--resume', '--lr', '0.5'], /--lr 0.5 conflicts with the run being resumed \(0.001\)/);
  });

  test('runtime errors are one line', async () => {
    await runtimeError(['train', 'cgan', '--out', cvaeRun, '--resume'], /^genzoo train: cannot resume: .* holds a cvae run, not cgan$/m);
    await runtimeError(['train', 'cvae', '--out', join(root, 'none'), '--resume'], /cannot resume: run configuration not found/);
    await runtimeError(['train', 'cvae', '--data', `idx:${join(root, 'nowhere')}`, ...tiny, '--out', join(root, 'x')], /IDX dataset: directory .* does not exist/);
    await runtimeError(['train', 'cvae', '--data', `idx:${idx}`, ...tiny, '--out', cvaeRun], /already holds a training run; pass --resume/);
  });

  test('--force starts over; --resume with more epochs continues', async () => {
    const dir = join(root, 'again');
    expect((await cli('train', 'cvae', '--data', `idx:${idx}`, '--epochs', '1', ...tiny, '--out', dir)).code).toBe(0);
    const more = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '2');
    expect(more.code).toBe(0);
    expect(more.out).toMatch(/^resuming cvae/);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(cvaeRun, 'model.safetensors')))).toBe(true);
    const done = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(done.out).toMatch(/already trained for 2 epochs/);
    expect((await cli('train', 'cvae', '--data', `idx:${idx}`, '--epochs', '1', ...tiny, '--out', dir, '--force')).code).toBe(0);
    expect(readFileSync(join(dir, 'losses.csv'), 'utf8').trim().split('\n')).toHaveLength(11);
  });
});

describe('genzoo sample', () => {
  test('PNG grids and class-major .npy arrays in [0, 1]', async () => {
    const png = join(root, 's.png');
    const r = await cli('sample', '--checkpoint', cvaeRun, '--per-class', '3', '--out', png);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote 3 samples per class from cvae \(mlp\)/);
    const img = await io.readPng(png);
    expect([img.width, img.height]).toEqual([3 * 30 + 2, 10 * 30 + 2]);

    const npy = join(root, 's.npy');
    expect((await cli('sample', '--checkpoint', cvaeRun, '--class', '7', '--n', '5', '--out', npy)).code).toBe(0);
    const arr = await io.loadNpy(npy);
    expect(arr.shape).toEqual([5, 28, 28]);
    expect(arr.data).toBeInstanceOf(Float32Array);
    expect(arr.data.every((v) => v >= 0 && v <= 1)).toBe(true);

    expect((await cli('sample', '--checkpoint', vaeRun, '--n', '12', '--out', npy)).code).toBe(0);
    expect((await io.loadNpy(npy)).shape).toEqual([12, 28, 28]);
  });

  test('the same seed gives the same samples; another seed others', async () => {
    const a = join(root, 'a.npy');
    const b = join(root, 'b.npy');
    const c = join(root, 'c.npy');
    await cli('sample', '--checkpoint', cvaeRun, '--per-class', '2', '--seed', '5', '--out', a);
    await cli('sample', '--checkpoint', cvaeRun, '--per-class', '2', '--seed', '5', '--out', b);
    await cli('sample', '--checkpoint', cvaeRun, '--per-class', '2', '--seed', '6', '--out', c);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  test('bad input', async () => {
    await usageError(['sample', '--checkpoint', cvaeRun, '--class', '10', '--out', 'x.png'], /--class must be a class in 0–9, got '10'/);
    await usageError(['sample', '--checkpoint', cvaeRun, '--class', '-1', '--out', 'x.png'], /--class must be a class in 0–9, got '-1'/);
    await usageError(['sample', '--checkpoint', cvaeRun, '--out', 'x.jpg'], /--out must end in .png or .npy/);
    await usageError(['sample', '--out', 'x.png'], /missing --checkpoint DIR/);
    await usageError(['sample', '--checkpoint', cvaeRun], /missing --out FILE/);
    await usageError(['sample', '--checkpoint', cvaeRun, '--per-class', '2', '--class', '1', '--out', 'x.png'], /--per-class cannot be combined/);
    await usageError(['sample', '--checkpoint', vaeRun, '--class', '1', '--out', 'x.png'], /unconditional vae: it takes --n N/);
    await runtimeError(['sample', '--checkpoint', join(root, 'missing'), '--out', join(root, 'x.png')], /run configuration not found: .*config\.json/);
    // A corrupt weights file, and weights of another model under a run's config.
    const bad = join(root, 'bad');
    mkdirSync(bad);
    copyFileSync(join(cvaeRun, 'config.json'), join(bad, 'config.json'));
    writeFileSync(join(bad, 'model.safetensors'), readFileSync(join(cvaeRun, 'model.safetensors')).subarray(0, 1000));
    await runtimeError(['sample', '--checkpoint', bad, '--out', join(root, 'x.png')], /corrupt checkpoint: .*truncated/);
    copyFileSync(join(vaeRun, 'model.safetensors'), join(bad, 'model.safetensors'));
    await runtimeError(['sample', '--checkpoint', bad, '--out', join(root, 'x.png')], /model\.safetensors holds a vae model, not cvae/);
  });
});

describe('the compiled command', () => {
  test('errors: no stack trace unless --verbose', async () => {
    const r = await spawnCli(['sample', '--checkpoint', join(root, 'missing'), '--out', join(root, 'x.png')]);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    const v = await spawnCli(['sample', '--checkpoint', join(root, 'missing'), '--out', join(root, 'x.png'), '--verbose']);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/\n\s+at /);
  });

  test('Ctrl-C saves a checkpoint and exits 130; --resume then ends where an uninterrupted run does', async () => {
    const dir = join(root, 'sigint');
    // Batches of 2: 100 short steps per epoch, so the signal lands mid-epoch.
    const args = ['train', 'cvae', '--data', `idx:${idx}`, '--epochs', '3', ...tinyNet, '--batch', '2', '--out', dir];
    let sent = false;
    const r = await spawnCli(args, (out, child) => {
      // The first end-of-epoch line: training is under way (and the handler installed).
      if (!sent && /epoch 1\/3 .*100\/100/.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/interrupted (at step \d+ \(epoch \d+, step \d+\/100\)|after epoch \d+); checkpoint saved in /);
    expect(r.out).toMatch(/continue with: genzoo train cvae --out .* --resume/);
    expect(r.err).toBe('');
    const stoppedAt = Number(/interrupted at step (\d+)/.exec(r.out)?.[1] ?? 0);
    expect(stoppedAt).toBeLessThan(300);

    const resumed = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(resumed.code).toBe(0);
    const straight = join(root, 'straight');
    expect((await cli(...args.slice(0, -1), straight)).code).toBe(0);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(straight, 'model.safetensors')))).toBe(true);
    expect(readFileSync(join(dir, 'losses.csv'), 'utf8')).toBe(readFileSync(join(straight, 'losses.csv'), 'utf8'));
  });
});
