/**
 * What `training.train` guarantees when things go wrong (issue 14), in the
 * library's own terms, on tiny networks and 100 digits (js backend):
 * a locked folder, a folder holding a run, NaN weights before a write and in
 * files read, a run-away loss, leftovers of killed writers, resumes that would
 * change the recorded settings, a lost or damaged losses.csv, the backend a
 * run asks for, and messages free of command-line words.
 */
import { describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Generator, Tensor, backendInfo, data, io, models, setBackend, training } from '../../src/index.js';
import { trainingFixture } from './fixture.js';
import type { GenerativeModel } from '../../src/models/index.js';
import { deadPid, liveProcess } from '../helpers/processes.js';

const fx = trainingFixture('genzoo-reliability-');

const tiny = (kind: models.ModelKind = 'cvae', seed = 1, lr?: number): GenerativeModel =>
  models.createModel(models.defaultConfig(kind, 'mlp', { width: 16, latent: 4, ...(lr ? { lr } : {}) }), seed);

const cfg = (epochs: number, backend = 'js'): training.TrainConfig => ({ epochs, batch: 20, seed: 3, data: 'test', backend });

interface RunOptions extends Partial<training.TrainOptions> { stopAt?: number }

async function run(dir: string, model: GenerativeModel, epochs: number, o: RunOptions = {}): Promise<training.TrainResult> {
  let stop = false;
  return training.train({
    model, data: fx.digits, outDir: dir, train: cfg(epochs), shouldStop: () => stop,
    onStep: ({ globalStep }) => { if (globalStep === o.stopAt) stop = true; },
    ...o,
  });
}

async function rejection(p: Promise<unknown>): Promise<training.RunError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(training.RunError);
  return err as training.RunError;
}

/** No command-line words in what the library says. */
function expectNoCliWords(text: string): void {
  expect(text).not.toMatch(/--\w|genzoo (train|eval|sample)/);
}

describe('one writer per folder', () => {
  test('a second training in the same folder is refused while the first runs, naming it', async () => {
    const dir = join(fx.root, 'two');
    let second: Promise<training.RunError> | undefined;
    const first = await run(dir, tiny(), 1, {
      onStart: () => { second = rejection(run(dir, tiny('vae'), 1)); },
    });
    expect(first.status).toBe('completed');
    const err = await second!;
    expect(err.problem).toBe('locked');
    expect(err.message).toMatch(new RegExp(`^${dir} is in use by training cvae \\(pid ${process.pid} on ${hostname()}, since .*\\)$`));
    // The folder holds the first run, whole.
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).model.kind).toBe('cvae');
    expect(existsSync(join(dir, '.genzoo.lock'))).toBe(false);
  });

  test('a lock of a live process refuses; one of a dead process is taken over, with a note', async () => {
    const dir = join(fx.root, 'locks');
    mkdirSync(dir);
    const child = liveProcess();
    try {
      writeFileSync(join(dir, '.genzoo.lock'), JSON.stringify({ pid: child.pid, host: hostname(), purpose: 'evaluating', since: 'then', token: 'x' }));
      const err = await rejection(run(dir, tiny(), 1));
      expect(err.problem).toBe('locked');
      expect(err.message).toContain(`is in use by evaluating (pid ${child.pid}`);
      expect(readdirSync(dir)).toEqual(['.genzoo.lock']); // nothing written
    } finally {
      child.kill();
    }
    const pid = deadPid();
    writeFileSync(join(dir, '.genzoo.lock'), JSON.stringify({ pid, host: hostname(), purpose: 'training cgan', since: 'then', token: 'x' }));
    let notes: string[] = [];
    const result = await run(dir, tiny(), 1, { onStart: (s) => { notes = s.notes; } });
    expect(result.status).toBe('completed');
    expect(notes).toContain(`took over the lock of training cgan (pid ${pid}), which is no longer running`);
  });
});

describe('a folder holding a run', () => {
  test.each(['config.json', 'model.safetensors', 'checkpoint.safetensors', 'samples.png', 'losses.csv', 'losses.svg', 'eval.json'])(
    'any one run file (%s) makes a fresh run refuse; overwrite removes exactly the run files', async (file) => {
      const dir = join(fx.root, `holds-${file}`);
      mkdirSync(dir);
      writeFileSync(join(dir, file), 'precious');
      writeFileSync(join(dir, 'notes.txt'), 'mine');
      const err = await rejection(run(dir, tiny(), 1));
      expect(err.problem).toBe('holds-run');
      expect(err.details.files).toEqual([file]);
      expect(err.message).toBe(`${dir} already holds a run's files (${file}); resume it (resume: true) or start over (overwrite: true)`);
      expect(readFileSync(join(dir, file), 'utf8')).toBe('precious');
      let notes: string[] = [];
      expect((await run(dir, tiny(), 1, { overwrite: true, onStart: (s) => { notes = s.notes; } })).status).toBe('completed');
      expect(notes).toContain(`started over: removed ${file}`);
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
      expect(existsSync(join(dir, 'eval.json'))).toBe(false);
    });

  test('a kill before the first checkpoint leaves nothing in the way: a plain retry runs', async () => {
    const dir = join(fx.root, 'early');
    // Stopped before the first step: nothing is written, not even config.json.
    const stopped = await training.train({ model: tiny(), data: fx.digits, outDir: dir, train: cfg(1), shouldStop: () => true });
    expect(stopped).toMatchObject({ status: 'interrupted', checkpointStep: null, message: 'stopped before the first step; nothing was written' });
    expect(readdirSync(dir)).toEqual([]);
    const err = await rejection(run(dir, tiny(), 1, { resume: true }));
    expect(err.problem).toBe('no-run');
    expect(err.message).toBe(`run configuration not found: ${join(dir, 'config.json')} (no checkpoint was ever saved in ${dir})`);
    expect((await run(dir, tiny(), 1)).status).toBe('completed');
  });

  test('config.json without a checkpoint: resuming says to start over', async () => {
    const dir = join(fx.root, 'no-ckpt');
    await run(dir, tiny(), 1);
    unlinkSync(join(dir, 'checkpoint.safetensors'));
    const err = await rejection(run(dir, tiny(), 1, { resume: true }));
    expect(err.problem).toBe('no-checkpoint');
    expect(err.message).toBe(`${dir} holds no checkpoint: the run stopped before its first one was saved; start it over (overwrite: true)`);
  });

  test('impossible folders fail before any work, in one line', async () => {
    writeFileSync(join(fx.root, 'afile'), 'x');
    const err = await rejection(run(join(fx.root, 'afile'), tiny(), 1));
    expect(err.problem).toBe('bad-folder');
    expect(err.message).toBe(`${join(fx.root, 'afile')} is not a directory`);
    if (existsSync('/proc/self')) {
      const t0 = performance.now();
      expect((await rejection(run('/proc/genzoo/x', tiny(), 1))).message).toBe('cannot create directory /proc/genzoo/x: /proc does not accept new folders');
      expect((await rejection(run('/proc', tiny(), 1))).message).toBe('cannot write in directory /proc: it does not accept new files');
      expect(performance.now() - t0).toBeLessThan(5000); // Node 20's recursive mkdir loops forever on /proc/genzoo/x
    }
  });

  test('a batch larger than the data is refused before the folder is touched', async () => {
    const dir = join(fx.root, 'bigbatch');
    const err = await rejection(training.train({ model: tiny(), data: fx.digits, outDir: dir, train: { ...cfg(1), batch: 101 } }));
    expect(err.problem).toBe('bad-data');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('nothing non-finite is written or read', () => {
  /** `model` with one element of one tensor replaced (through loadStateDict: no writes into tensor storage). */
  function poison(model: GenerativeModel, name: string, index: number, value: number): void {
    const sd = model.stateDict();
    const values = sd[name].data.slice();
    values[index] = value;
    model.loadStateDict({ ...sd, [name]: new Tensor(values, sd[name].shape) });
  }

  test('a NaN weight after the last step of an epoch stops training; the checkpoint before it stays', async () => {
    const dir = join(fx.root, 'nan-weight');
    const model = tiny();
    const step = model.trainStep.bind(model);
    let calls = 0;
    model.trainStep = (batch, g) => {
      const out = step(batch, g);
      // The update of step 10 (the last of epoch 2) leaves a NaN weight behind a finite loss.
      if (++calls === 10) poison(model, 'E.fc1.weight', 3, NaN);
      return out;
    };
    const result = await run(dir, model, 3);
    expect(result.status).toBe('diverged');
    expect(result.divergence).toMatchObject({ step: 10, epoch: 2, checkpointStep: 5, nonFinite: { tensor: 'E.fc1.weight', index: 3 } });
    expect(result.message).toBe(`after step 10 (epoch 2) the tensor 'E.fc1.weight' holds NaN (element 3 of ${16 * 794}); training stopped, the last good checkpoint in ${dir} (step 5) is kept`);
    expectNoCliWords(result.message);
    expect((await training.loadCheckpoint(dir, tiny())).globalStep).toBe(5);
    expect(training.LossLog.parseCSV(readFileSync(join(dir, 'losses.csv'), 'utf8')).rows).toHaveLength(5);
  });

  test('a checkpoint or model file holding NaN is refused on load, naming the file and the tensor', async () => {
    const dir = join(fx.root, 'nan-file');
    await run(dir, tiny(), 1);
    for (const file of ['model.safetensors', 'checkpoint.safetensors']) {
      const path = join(dir, file);
      const decoded = io.deserialize(readFileSync(path));
      const key = file === 'model.safetensors' ? 'G.out.bias' : 'model.G.out.bias';
      const bad = decoded.tensors[key].data.slice();
      bad[1] = NaN;
      writeFileSync(path, io.serialize({ ...decoded.tensors, [key]: new Tensor(bad, decoded.tensors[key].shape) }, decoded.metadata));
    }
    await expect(training.loadWeights(dir, tiny())).rejects.toThrow(`${join(dir, 'model.safetensors')}: tensor 'G.out.bias' holds NaN (element 1 of 784); it was saved from a diverged run or is damaged`);
    await expect(run(dir, tiny(), 2, { resume: true })).rejects.toThrow(`${join(dir, 'checkpoint.safetensors')}: tensor 'model.G.out.bias' holds NaN (element 1 of 784)`);
  });

  test('writeCheckpoint refuses non-finite values and writes nothing', async () => {
    const dir = join(fx.root, 'refuse-write');
    mkdirSync(dir);
    const model = tiny();
    poison(model, 'G.fc1.bias', 0, Infinity);
    const state = { epoch: 0, stepInEpoch: 0, globalStep: 0, generator: new Generator('x').state(), loader: new data.DataLoader(fx.digits, { batchSize: 20 }).state(), elapsedSec: 0 };
    await expect(training.writeCheckpoint(dir, model, state)).rejects.toThrow(`refusing to write ${join(dir, 'model.safetensors')}: tensor 'G.fc1.bias' holds Infinity (element 0 of 16)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('divergence', () => {
  test('a loss past 1e5 stops the run at that step, keeping the last good checkpoint', async () => {
    const dir = join(fx.root, 'exploded');
    const model = tiny('cgan');
    const step = model.trainStep.bind(model);
    let calls = 0;
    model.trainStep = (batch, g) => {
      const out = step(batch, g);
      return ++calls === 7 ? { ...out, g: 2.5e5 } : out;
    };
    const result = await run(dir, model, 3);
    expect(result).toMatchObject({ status: 'diverged', globalStep: 7, divergence: { step: 7, epoch: 2, checkpointStep: 5, loss: { name: 'g', value: 2.5e5, reason: 'exploded' } } });
    expect(result.message).toBe(`loss 'g' reached 2.50e+5 at step 7 (epoch 2), past the divergence limit of 1e5; training stopped, the last good checkpoint in ${dir} (step 5) is kept`);
    expect(training.LossLog.parseCSV(readFileSync(join(dir, 'losses.csv'), 'utf8')).rows).toHaveLength(5);
  });

  test('a real CGAN at learning rate 10 runs away at once and is stopped', async () => {
    const result = await run(join(fx.root, 'lr10'), tiny('cgan', 1, 10), 2);
    expect(result.status).toBe('diverged');
    expect(result.divergence?.loss?.reason).toBe('exploded');
    expect(Math.abs(result.divergence!.loss!.value)).toBeGreaterThan(training.LOSS_LIMIT);
  });

  test('the rule, value by value', () => {
    const names = ['a', 'b'];
    expect(training.checkLosses({ a: 1e5, b: -1e5 }, names)).toBeNull(); // the limit itself is allowed
    expect(training.checkLosses({ a: 1, b: -100001 }, names)).toEqual({ name: 'b', value: -100001, reason: 'exploded' });
    expect(training.checkLosses({ a: NaN, b: 2e9 }, names)).toMatchObject({ name: 'a', reason: 'non-finite' });
    expect(training.checkLosses({ a: 0, b: -Infinity }, names)).toMatchObject({ name: 'b', reason: 'non-finite' });
  });
});

describe('leftovers of killed writers', () => {
  test('temporary files of dead writers are removed when a run starts; live writers\' are kept', async () => {
    const dir = join(fx.root, 'leftovers');
    await run(dir, tiny(), 1);
    const dead = deadPid();
    const own = `.samples.png.${process.pid}.77.tmp`;
    for (const f of [`.checkpoint.safetensors.${dead}.4.tmp`, `.losses.csv.${dead}.2.tmp`, own]) writeFileSync(join(dir, f), 'partial');
    let notes: string[] = [];
    await run(dir, tiny(), 2, { resume: true, onStart: (s) => { notes = s.notes; } });
    expect(notes[0]).toMatch(/^removed 2 temporary files left by an interrupted write \(/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([own]);
  });
});

describe('resume never changes the recorded settings silently', () => {
  test('fewer epochs are refused; more extend the run and are recorded', async () => {
    const dir = join(fx.root, 'epochs');
    await run(dir, tiny(), 2);
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    const err = await rejection(run(dir, tiny(), 1, { resume: true }));
    expect(err).toMatchObject({ problem: 'fewer-epochs', details: { saved: 2, given: 1 } });
    expect(err.message).toBe(`cannot resume ${dir} for 1 epochs: the run is planned for 2 (a resume can extend a run, not shorten it)`);
    // The same plan: config.json is not rewritten at all.
    const mtime = statSync(join(dir, 'config.json')).mtimeMs;
    expect((await run(dir, tiny(), 2, { resume: true })).alreadyComplete).toBe(true);
    expect(statSync(join(dir, 'config.json')).mtimeMs).toBe(mtime);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    let notes: string[] = [];
    expect((await run(dir, tiny(), 3, { resume: true, onStart: (s) => { notes = s.notes; } })).globalStep).toBe(15);
    expect(notes).toEqual(['extending the run from 2 to 3 epochs']);
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as training.RunConfig;
    expect(saved.train.epochs).toBe(3);
    expect(saved.history).toEqual([{ atStep: 10, setting: 'epochs', from: 2, to: 3, genzoo: saved.genzoo }]);
  });

  test('another learning rate (or any model setting, batch, seed, data) is refused, naming it', async () => {
    const dir = join(fx.root, 'mismatch');
    await run(dir, tiny(), 1);
    const err = await rejection(run(dir, tiny('cvae', 1, 0.5), 2, { resume: true }));
    expect(err).toMatchObject({ problem: 'config-mismatch', details: { setting: 'lr', saved: 0.001, given: 0.5 } });
    expect(err.message).toBe(`cannot resume ${dir} with lr 0.5: the run was trained with 0.001`);
    const batch = await rejection(training.train({ model: tiny(), data: fx.digits, outDir: dir, resume: true, train: { ...cfg(2), batch: 10 } }));
    expect(batch.details).toMatchObject({ setting: 'batch', saved: 20, given: 10 });
  });

  test('another backend is stated in a note and recorded in the history', async () => {
    const dir = join(fx.root, 'backend');
    await run(dir, tiny(), 1, { stopAt: 3 });
    let start: training.TrainStart | undefined;
    const result = await training.train({ model: tiny(), data: fx.digits, outDir: dir, resume: true, train: cfg(1, 'wasm'), onStart: (s) => { start = s; } });
    expect(result.status).toBe('completed');
    expect(start?.backend).toBe('wasm');
    expect(start?.notes).toEqual(['the run trained on js so far and continues on wasm: its numbers will differ (in the last bits) from an uninterrupted run on js']);
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as training.RunConfig;
    expect(saved.train.backend).toBe('js'); // what it started on
    expect(saved.history).toEqual([{ atStep: 3, setting: 'backend', from: 'js', to: 'wasm', genzoo: saved.genzoo }]);
    expect(training.lastBackend(saved)).toBe('wasm');
    expect(backendInfo().name).toBe('js'); // restored after the run
  });
});

describe('the loss log survives losses.csv', () => {
  async function interruptedRun(name: string): Promise<{ dir: string; straight: string }> {
    const dir = join(fx.root, name);
    const straight = join(fx.root, `${name}-straight`);
    await run(straight, tiny(), 2);
    await run(dir, tiny(), 2, { stopAt: 7 });
    return { dir, straight };
  }

  test.each([
    ['deleted', (p: string) => unlinkSync(p), /losses\.csv is missing; rebuilt from the checkpoint$/],
    ['cut mid-line', (p: string) => truncateSync(p, statSync(p).size - 4), /losses\.csv: the last line is incomplete .*; rebuilt from the checkpoint$/],
    ['garbled', (p: string) => writeFileSync(p, 'step,epoch,loss,rec,kl\n1,1,oops,2,3\n'), /losses\.csv: line 2 is malformed .*; rebuilt from the checkpoint$/],
  ] as const)('%s: resume rebuilds it from the checkpoint, says so, and ends as an uninterrupted run', async (name, damage, note) => {
    const { dir, straight } = await interruptedRun(`csv-${name.replace(/ /g, '-')}`);
    damage(join(dir, 'losses.csv'));
    let notes: string[] = [];
    const result = await run(dir, tiny(), 2, { resume: true, onStart: (s) => { notes = s.notes; } });
    expect(result.status).toBe('completed');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(note);
    expect(readFileSync(join(dir, 'losses.csv'), 'utf8')).toBe(readFileSync(join(straight, 'losses.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(straight, 'model.safetensors')))).toBe(true);
  });
});

describe('the backend a run asks for is the one it trains on', () => {
  test('train({ train: { backend: "js" } }) under wasm trains on js, records js, and restores wasm', async () => {
    setBackend('wasm');
    try {
      const seen = new Set<string>();
      const dir = join(fx.root, 'on-js');
      const model = tiny();
      const result = await training.train({ model, data: fx.digits, outDir: dir, train: cfg(1, 'js'), onStep: () => { seen.add(backendInfo().name); } });
      expect(result.status).toBe('completed');
      expect([...seen]).toEqual(['js']);
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).train.backend).toBe('js');
      expect(backendInfo().name).toBe('wasm');
      // Bit for bit what a run with js active from the start gives.
      setBackend('js');
      await run(join(fx.root, 'on-js-2'), tiny(), 1);
      expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(fx.root, 'on-js-2', 'model.safetensors')))).toBe(true);
      // An empty backend records the one that ran.
      await training.train({ model: tiny(), data: fx.digits, outDir: join(fx.root, 'on-current'), train: cfg(1, '') });
      expect(JSON.parse(readFileSync(join(fx.root, 'on-current', 'config.json'), 'utf8')).train.backend).toBe('js');
      await expect(training.train({ model: tiny(), data: fx.digits, outDir: join(fx.root, 'on-tpu'), train: cfg(1, 'tpu') })).rejects.toThrow(/^cannot train on backend 'tpu': setBackend: unknown backend 'tpu'/);
    } finally {
      setBackend('js');
    }
  });
});

describe('the library speaks its own terms', () => {
  test('results and errors mention no command-line flags', async () => {
    const dir = join(fx.root, 'words');
    const r1 = await run(dir, tiny(), 1, { stopAt: 2 });
    expectNoCliWords(r1.message);
    const r2 = await run(dir, tiny(), 1, { resume: true });
    expectNoCliWords(r2.message);
    const r3 = await run(dir, tiny(), 1, { resume: true });
    expect(r3.message).toBe('already trained for 1 epochs; nothing to do');
    const failing = [
      () => run(dir, tiny(), 1),
      () => run(join(fx.root, 'nowhere'), tiny(), 1, { resume: true }),
      () => run(dir, tiny(), 1, { resume: true, train: { ...cfg(1), seed: 9 } }),
      () => run(dir, tiny(), 2, { resume: true, overwrite: true }),
    ];
    for (const attempt of failing) {
      const err = await attempt().then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expectNoCliWords(err!.message);
    }
  });
});
