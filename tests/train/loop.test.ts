/**
 * training.TrainingLoop, the file-free core that `train()` and the browser
 * playground share: its steps are `train()`'s bit for bit, it restores from a
 * state exactly, it frees each step's tensors (tidy), it moves each batch to
 * the model's backend (a gpu model trains), and it refuses what it cannot do.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, data, getBackend, io, models, setBackend, StateError, training, ValueError } from '../../src/index.js';
import { trainingFixture } from './fixture.js';
import type { GenerativeModel, ModelKind } from '../../src/models/index.js';

const fx = trainingFixture('genzoo-loop-');

const tiny = (kind: ModelKind, seed = 1): GenerativeModel =>
  models.createModel(models.defaultConfig(kind, 'mlp', { width: 16, latent: 4 }), seed);

/** Runs `steps` steps (crossing epoch ends); returns the losses of each. */
function runLoop(loop: training.TrainingLoop, steps: number): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  while (out.length < steps && !loop.done) {
    const r = loop.step();
    if (r.status !== 'ok') throw new Error(`diverged at ${r.step}`);
    out.push(r.losses);
    if (r.epochDone) loop.endEpoch();
  }
  return out;
}

describe('TrainingLoop', () => {
  test.each<ModelKind>(['cvae', 'cgan'])('%s: the same numbers as train() on the same settings, bit for bit (losses, weights)', async (kind) => {
    const dir = join(fx.root, `same-${kind}`);
    const settings = { epochs: 2, batch: 20, seed: 5 };
    const result = await training.train({ model: tiny(kind), data: fx.digits, outDir: dir, train: { ...settings, data: 'test', backend: 'js' } });
    expect(result.status).toBe('completed');
    const model = tiny(kind);
    const loop = new training.TrainingLoop(model, fx.digits, settings);
    const losses = runLoop(loop, 100);
    expect(losses.length).toBe(10);
    expect(loop.done).toBe(true);
    const csv = training.LossLog.parseCSV(readFileSync(join(dir, 'losses.csv'), 'utf8'));
    expect(loop.log.toCSV()).toBe(csv.toCSV());
    expect(csv.rows[3].values[0]).toBe(losses[3][model.lossNames[0]]);
    // The weights too: model.safetensors written from the loop's model is the run's, byte for byte.
    expect(Buffer.from(training.modelFileBytes(model)).equals(readFileSync(join(dir, 'model.safetensors')))).toBe(true);
  });

  test('modelFileBytesAsync (the form that works on WebGPU): the same bytes as modelFileBytes on js and wasm; NaN refused', async () => {
    const before = getBackend().name;
    try {
      for (const be of ['js', 'wasm'] as const) {
        setBackend(be);
        const model = tiny('cvaegan');
        runLoop(new training.TrainingLoop(model, fx.digits, { epochs: 1, batch: 20, seed: 2 }), 2);
        const sync = training.modelFileBytes(model);
        expect(Buffer.from(await training.modelFileBytesAsync(model)).equals(Buffer.from(sync))).toBe(true);
        // The buffers (BatchNorm statistics, class centres) are in it, not only the parameters.
        expect(Object.keys(io.deserialize(sync).tensors)).toEqual(expect.arrayContaining(['centres', 'centreSeen']));
      }
      setBackend('js');
      const bad = tiny('vae');
      bad.parameters()[0].copy_(new Float32Array(bad.parameters()[0].size).fill(NaN));
      await expect(training.modelFileBytesAsync(bad)).rejects.toThrow(/not finite|NaN/);
    } finally {
      setBackend(before as 'js');
    }
  });

  test.each<ModelKind>(['vae', 'cvaegan'])('%s: stepAsync (the WebGPU way) gives step()\'s numbers bit for bit, and frees its batch', async (kind) => {
    const settings = { epochs: 1, batch: 20, seed: 4 };
    const sync = runLoop(new training.TrainingLoop(tiny(kind), fx.digits, settings), 4);
    const viaAsync = new training.TrainingLoop(tiny(kind), fx.digits, settings);
    const asyncLosses: Array<Record<string, number>> = [];
    for (let i = 0; i < 4; i++) {
      const r = await viaAsync.stepAsync();
      if (r.status !== 'ok') throw new Error('diverged');
      asyncLosses.push(r.losses);
    }
    expect(asyncLosses).toEqual(sync);
    const before = backendInfo().name;
    setBackend('wasm');
    try {
      const model = tiny(kind);
      model.to(getBackend());
      const loop = new training.TrainingLoop(model, fx.digits, settings);
      await loop.stepAsync();
      const early = backendInfo().details.residentBlocks as number;
      for (let i = 0; i < 3; i++) await loop.stepAsync();
      expect(backendInfo().details.residentBlocks).toBe(early);
    } finally {
      setBackend(before);
    }
  });

  test('restored from its state, a loop continues exactly as an uninterrupted one', () => {
    const settings = { epochs: 2, batch: 20, seed: 2 };
    const a = new training.TrainingLoop(tiny('cvae'), fx.digits, settings);
    const all = runLoop(a, 10);
    const first = new training.TrainingLoop(tiny('cvae'), fx.digits, settings);
    runLoop(first, 7);
    const state = first.state(1.5);
    expect(state).toMatchObject({ epoch: 1, stepInEpoch: 2, globalStep: 7, elapsedSec: 1.5, loader: { epoch: 1, batch: 2, seed: '2', batchSize: 20 } });
    // Continue with the same model (its weights and optimizer state are the run's) in a fresh loop.
    const second = new training.TrainingLoop(first.model, fx.digits, settings);
    second.restore(state, first.log);
    expect(second.progress().losses.loss).toBeCloseTo((all[5].loss + all[6].loss) / 2, 10);
    const rest = runLoop(second, 10);
    expect(rest).toEqual(all.slice(7));
    expect(second.log.rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('progress: position, running means of the epoch, samples/s and ETA from the step clock', () => {
    let now = 0;
    const loop = new training.TrainingLoop(tiny('vae'), fx.digits, { epochs: 3, batch: 25, seed: 0 }, { now: () => (now += 500) });
    expect(loop.stepsPerEpoch).toBe(4);
    expect(loop.totalSteps).toBe(12);
    const before = loop.progress();
    expect(Number.isNaN(before.samplesPerSec) && Number.isNaN(before.etaSec) && Number.isNaN(before.losses.loss)).toBe(true);
    const losses = runLoop(loop, 6); // epoch 2, step 2
    const p = loop.progress();
    expect(p).toMatchObject({ epoch: 2, epochs: 3, step: 2, stepsPerEpoch: 4, globalStep: 6, totalSteps: 12 });
    expect(p.losses.loss).toBeCloseTo((losses[4].loss + losses[5].loss) / 2, 10);
    // One step every 0.5 s: 2 steps/s = 50 samples/s, 6 steps left = 3 s.
    expect(p.samplesPerSec).toBeCloseTo(50, 10);
    expect(p.etaSec).toBeCloseTo(3, 10);
    loop.resetClock();
    expect(Number.isNaN(loop.progress().samplesPerSec)).toBe(true);
  });

  test('the sample grid is samples.png\'s: row k = class k, from the seed alone', () => {
    const model = tiny('cvae');
    const loop = new training.TrainingLoop(model, fx.digits, { epochs: 1, batch: 20, seed: 4 });
    const grid = loop.sampleGrid();
    expect(grid.shape).toEqual([100, 1, 28, 28]);
    expect(Array.from(loop.sampleGrid().data)).toEqual(Array.from(grid.data));
    expect(Array.from(training.sampleGrid(model, 4).data)).toEqual(Array.from(grid.data));
    expect(Array.from(training.sampleGrid(model, 5).data)).not.toEqual(Array.from(grid.data));
  });

  test('a diverging loss is reported and the step not counted', () => {
    const model = tiny('cvae');
    const real = model.trainStep.bind(model);
    let calls = 0;
    model.trainStep = (b, g) => (++calls === 3 ? { ...real(b, g), rec: Infinity } : real(b, g));
    const loop = new training.TrainingLoop(model, fx.digits, { epochs: 1, batch: 20, seed: 0 });
    expect(loop.step().status).toBe('ok');
    expect(loop.step().status).toBe('ok');
    expect(loop.step()).toEqual({ status: 'diverged', step: 3, epoch: 1, loss: { name: 'rec', value: Infinity, reason: 'non-finite' } });
    expect(loop.globalStep).toBe(2);
    expect(loop.log.rows.length).toBe(2);
  });

  test('refuses data it cannot train on, a step past the end, and an early endEpoch', () => {
    const model = tiny('vae');
    const small = data.makeDataset(new Float32Array(4 * 784), new Int32Array(4), { name: 'four', height: 28, width: 28, classes: 10 });
    expect(() => new training.TrainingLoop(model, small, { epochs: 1, batch: 8, seed: 0 })).toThrow('training: batch size 8 is larger than the 4 training images of four');
    const wide = data.makeDataset(new Float32Array(4 * 900), new Int32Array(4), { name: 'wide', height: 30, width: 30, classes: 10 });
    expect(() => new training.TrainingLoop(model, wide, { epochs: 1, batch: 2, seed: 0 })).toThrow('the models expect 28×28 digits in 10 classes; wide has 30×30 images in 10 classes');
    expect(() => new training.TrainingLoop(model, small, { epochs: 0, batch: 2, seed: 0 })).toThrow('epochs must be a positive integer, got 0');
    expect(() => new training.TrainingLoop(model, small, { epochs: 1, batch: 2, seed: -1 })).toThrow('seed must be a non-negative integer, got -1');
    expect(() => new training.TrainingLoop(model, small, { epochs: 0, batch: 2, seed: 0 })).toThrow(ValueError);
    const loop = new training.TrainingLoop(model, small, { epochs: 1, batch: 2, seed: 0 });
    expect(() => loop.endEpoch()).toThrow('training: epoch 1 is not complete (0 of 2 steps)');
    expect(() => loop.endEpoch()).toThrow(StateError);
    loop.step();
    const last = loop.step();
    expect(last.status === 'ok' && last.epochDone).toBe(true);
    expect(() => loop.step()).toThrow('the epoch is complete; call endEpoch() before the next step');
    expect(() => loop.step()).toThrow(StateError);
    loop.endEpoch();
    expect(loop.done).toBe(true);
    expect(() => loop.step()).toThrow('training: all 1 epochs are done; there is no next step');
    expect(() => loop.step()).toThrow(StateError);
  });

  test('on wasm each step frees what it made: the heap holds as many blocks after 30 steps as after 3', () => {
    const before = backendInfo().name;
    setBackend('wasm');
    try {
      const model = tiny('cvae');
      model.to(getBackend());
      const loop = new training.TrainingLoop(model, fx.digits, { epochs: 10, batch: 10, seed: 0 });
      runLoop(loop, 3);
      const early = backendInfo().details.residentBlocks as number;
      runLoop(loop, 27);
      expect(backendInfo().details.residentBlocks).toBe(early);
    } finally {
      setBackend(before);
    }
  });

  test('a model on the gpu backend trains: each batch is moved to the model\'s device', () => {
    const before = backendInfo().name;
    setBackend('gpu', { mode: 'cpu' });
    try {
      const model = tiny('cvae');
      model.to(getBackend());
      const loop = new training.TrainingLoop(model, fx.digits, { epochs: 1, batch: 20, seed: 0 });
      const losses = runLoop(loop, 2);
      expect(losses.every((l) => Number.isFinite(l.loss))).toBe(true);
    } finally {
      setBackend(before);
    }
  });
});
