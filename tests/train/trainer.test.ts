/**
 * The training loop's guarantees, on tiny networks and 100 digits (js backend):
 * resuming from a checkpoint taken mid-epoch gives bit-identical weights and
 * losses to an uninterrupted run, for every model and architecture; a NaN loss
 * stops training and keeps the last good checkpoint; bad checkpoints are refused.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { models, training } from '../../src/index.js';
import { trainingFixture } from './fixture.js';
import type { GenerativeModel, ModelKind, Arch } from '../../src/models/index.js';

const fx = trainingFixture('genzoo-trainer-');

const tiny = (kind: ModelKind, arch: Arch): GenerativeModel =>
  models.createModel(models.defaultConfig(kind, arch, { width: arch === 'mlp' ? 16 : 4, latent: 4 }), 1);

const trainConfig = (epochs: number, batch = 10): training.TrainConfig => ({ epochs, batch, seed: 3, data: 'test', backend: 'js' });

async function run(dir: string, model: GenerativeModel, epochs: number, opts: { resume?: boolean; stopAt?: number; batch?: number } = {}): Promise<training.TrainResult> {
  let stop = false;
  return training.train({
    model, data: fx.digits, outDir: dir, train: trainConfig(epochs, opts.batch), resume: opts.resume,
    shouldStop: () => stop,
    onStep: ({ globalStep }) => { if (globalStep === opts.stopAt) stop = true; },
  });
}

describe('resume', () => {
  // Every model in both architectures (a new model is covered by adding it to models.MODEL_KINDS).
  const cases: Array<[ModelKind, Arch]> = models.ARCHS.flatMap((arch) => models.MODEL_KINDS.map((kind): [ModelKind, Arch] => [kind, arch]));
  test.each(cases)('%s/%s: stopped mid-epoch and resumed = uninterrupted, bit for bit', async (kind, arch) => {
    const a = join(fx.root, `${kind}-${arch}-a`);
    const b = join(fx.root, `${kind}-${arch}-b`);
    // 2 epochs of 5 batches of 20 digits.
    const full = await run(a, tiny(kind, arch), 2, { batch: 20 });
    expect(full.status).toBe('completed');
    expect(full.globalStep).toBe(10);

    const first = await run(b, tiny(kind, arch), 2, { stopAt: 7, batch: 20 }); // epoch 2, step 2 of 5
    expect(first.status).toBe('interrupted');
    expect(first.message).toMatch(/interrupted at step 7 \(epoch 2, step 2\/5\)/);
    // A fresh model object, with other initial weights: the checkpoint replaces them.
    const second = await run(b, models.createModel(models.defaultConfig(kind, arch, { width: arch === 'mlp' ? 16 : 4, latent: 4 }), 99), 2, { resume: true, batch: 20 });
    expect(second.status).toBe('completed');
    expect(readFileSync(join(b, 'model.safetensors')).equals(readFileSync(join(a, 'model.safetensors')))).toBe(true);
    expect(readFileSync(join(b, 'losses.csv'), 'utf8')).toBe(readFileSync(join(a, 'losses.csv'), 'utf8'));
    expect(readFileSync(join(b, 'samples.png')).equals(readFileSync(join(a, 'samples.png')))).toBe(true);
  });
});

describe('safety', () => {
  test('a NaN loss stops training at that step and keeps the last good checkpoint', async () => {
    const dir = join(fx.root, 'nan');
    const model = tiny('cvae', 'mlp');
    const step = model.trainStep.bind(model);
    let calls = 0;
    model.trainStep = (batch, g) => {
      const out = step(batch, g);
      return ++calls === 25 ? { ...out, kl: NaN } : out;
    };
    const result = await run(dir, model, 3);
    expect(result.status).toBe('diverged');
    expect(result.globalStep).toBe(25);
    expect(result.message).toMatch(/loss 'kl' became NaN at step 25 \(epoch 3\); training stopped, the last good checkpoint in .* is kept/);
    // The checkpoint is the one written at the end of epoch 2 (step 20), and it resumes.
    const resumed = await run(dir, tiny('cvae', 'mlp'), 3, { resume: true });
    expect(resumed.status).toBe('completed');
    expect(resumed.globalStep).toBe(30);
    const csv = training.LossLog.parseCSV(readFileSync(join(dir, 'losses.csv'), 'utf8'));
    expect(csv.rows.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('a NaN before any checkpoint says so', async () => {
    const model = tiny('vae', 'mlp');
    model.trainStep = () => ({ loss: Infinity, rec: 1, kl: 1 });
    const result = await run(join(fx.root, 'nan0'), model, 2);
    expect(result.status).toBe('diverged');
    expect(result.message).toMatch(/loss 'loss' became Infinity at step 1 \(epoch 1\); training stopped, no checkpoint had been written yet/);
  });

  test('refuses another model kind, corrupt or missing checkpoints, and overwriting a run', async () => {
    const dir = join(fx.root, 'refuse');
    await run(dir, tiny('cvae', 'mlp'), 1);
    await expect(run(dir, tiny('cgan', 'mlp'), 2, { resume: true })).rejects.toThrow(/holds a cvae run, not cgan/);
    // In the library's terms (the CLI says --resume / --force: tests/cli).
    await expect(run(dir, tiny('cvae', 'mlp'), 2)).rejects.toThrow(/already holds a run's files \(config\.json, .*\); resume it \(resume: true\) or start over \(overwrite: true\)/);
    await expect(run(join(fx.root, 'nothing'), tiny('cvae', 'mlp'), 2, { resume: true })).rejects.toThrow(/run configuration not found/);
    // A checkpoint cut short (a crash mid-copy, a full disk): refused with the reason, model untouched.
    const ckpt = join(dir, 'checkpoint.safetensors');
    const good = readFileSync(ckpt);
    truncateSync(ckpt, good.length - 100);
    const model = tiny('cvae', 'mlp');
    const before = model.stateDict()['E.fc1.weight'].toList();
    await expect(run(dir, model, 2, { resume: true })).rejects.toThrow(/corrupt checkpoint: .*truncated/);
    expect(model.stateDict()['E.fc1.weight'].toList()).toEqual(before);
    writeFileSync(ckpt, 'not a checkpoint at all');
    await expect(run(dir, tiny('cvae', 'mlp'), 2, { resume: true })).rejects.toThrow(/corrupt checkpoint/);
    // Weights of another shape (a different --width) are named.
    writeFileSync(ckpt, good);
    const wide = models.createModel(models.defaultConfig('cvae', 'mlp', { width: 24, latent: 4 }), 1);
    await expect(training.loadCheckpoint(dir, wide)).rejects.toThrow(/does not fit this cvae model: .*size mismatch/);
    // A resume compares the settings first, and names the one that differs.
    await expect(run(dir, wide, 2, { resume: true })).rejects.toThrow(/cannot resume .* with width 24: the run was trained with 16/);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(true);
  });
});
