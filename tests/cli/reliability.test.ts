/**
 * Issue 14's defects, each as the user met it on the command line (spawned
 * processes where signals, pipes or two processes are involved):
 *   1 two trainings into one --out       2 a run guarded only by its checkpoint
 *   4 NaN weights (sample .npy, resume)  5 --out /proc/genzoo/x spinning
 *   7 a closed pipe killing training     8 SIGTERM / SIGHUP losing an epoch
 *   9 temp files of killed writers       10 misleading messages
 * (3, 6 and the cache half of 5 concern the evaluation classifier's cache.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, io } from '../../src/index.js';
import { checkBuilt, cli, ROOT, spawnCli, writeTinyIdx, type CliResult } from './helpers.js';
import { deadPid, liveProcess } from '../helpers/processes.js';

let root: string;
let idx: string;
let done: string; // a finished 2-epoch cvae run, copied by tests that damage it
// Tiny networks on 200 digits, js backend.
const tinyNet = ['--width', '16', '--latent', '4', '--backend', 'js'];
let small: string[];
/** Batches of 2: 100 short steps per epoch, so a signal lands mid-epoch. */
let slow: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'genzoo-cli-reliability-'));
  idx = join(root, 'idx');
  await writeTinyIdx(idx, 20);
  small = ['--data', `idx:${idx}`, '--batch', '20', ...tinyNet];
  slow = ['--data', `idx:${idx}`, '--batch', '2', ...tinyNet];
  done = join(root, 'done');
  const r = await cli('train', 'cvae', ...small, '--epochs', '2', '--out', done);
  expect(r.code).toBe(0);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function copyRun(from: string, name: string): string {
  const to = join(root, name);
  mkdirSync(to);
  for (const f of readdirSync(from)) copyFileSync(join(from, f), join(to, f));
  return to;
}

const sameFile = (a: string, b: string): boolean => readFileSync(a).equals(readFileSync(b));
const oneLine = (r: CliResult): string => {
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
  return r.err.trim();
};
const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === '.genzoo.lock');

describe('1: one writer per folder', () => {
  test('a second training into the same --out is refused at once; the first finishes whole', async () => {
    const dir = join(root, 'two');
    let second: Promise<CliResult> | undefined;
    const first = await spawnCli(['train', 'cvae', ...slow, '--epochs', '2', '--out', dir], (out) => {
      if (!second && out.includes('training cvae')) second = spawnCli(['train', 'vae', ...small, '--epochs', '1', '--out', dir]);
    });
    const refused = await second!;
    expect(first.code).toBe(0);
    expect(refused.code).toBe(1);
    expect(oneLine(refused)).toMatch(new RegExp(`^genzoo train: ${dir} is in use by training cvae \\(pid \\d+ on .*, since .*\\)$`));
    expect(refused.out).toBe(''); // no banner, nothing done
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).model.kind).toBe('cvae');
    expect((await cli('sample', '--checkpoint', dir, '--out', join(root, 'two.png'))).code).toBe(0);
    expect(tempFiles(dir)).toEqual([]);
  });

  test('eval on a folder another process is writing is refused before any work', async () => {
    const dir = copyRun(done, 'eval-locked');
    const owner = liveProcess();
    try {
      writeFileSync(join(dir, '.genzoo.lock'), JSON.stringify({ pid: owner.pid, host: (await import('node:os')).hostname(), purpose: 'training cvae', since: 'now', token: 'x' }));
      const r = await cli('eval', '--checkpoint', dir);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(new RegExp(`^genzoo eval: ${dir} is in use by training cvae \\(pid ${owner.pid} `));
      expect(existsSync(join(dir, 'eval.json'))).toBe(false);
    } finally {
      owner.kill();
    }
  });
});

describe('2: a finished run is protected by every one of its files', () => {
  test('without checkpoint.safetensors, a plain train still refuses and the model stays', async () => {
    const dir = copyRun(done, 'no-checkpoint');
    unlinkSync(join(dir, 'checkpoint.safetensors'));
    const r = await cli('train', 'cvae', ...small, '--epochs', '1', '--out', dir);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`genzoo train: ${dir} already holds a training run; pass --resume to continue it, or --force to start over (replacing its config.json, model.safetensors, losses.csv, losses.svg, samples.png)`);
    expect(sameFile(join(dir, 'model.safetensors'), join(done, 'model.safetensors'))).toBe(true);
    const resumed = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(resumed.code).toBe(1);
    expect(oneLine(resumed)).toBe(`genzoo train: cannot resume: ${dir} holds no checkpoint yet (the run stopped before its first one was saved); start it over with --force`);
  });
});

describe('4: NaN weights never pass', () => {
  function poisonFile(path: string, key: string): void {
    const file = io.deserialize(readFileSync(path));
    const values = file.tensors[key].data.slice();
    values[5] = NaN;
    writeFileSync(path, io.serialize({ ...file.tensors, [key]: new Tensor(values, file.tensors[key].shape) }, file.metadata));
  }

  test('sample --out x.npy refuses a model file holding NaN, naming the file and the tensor', async () => {
    const dir = copyRun(done, 'nan-model');
    poisonFile(join(dir, 'model.safetensors'), 'G.out.weight');
    const npy = join(root, 'nan.npy');
    const r = await cli('sample', '--checkpoint', dir, '--out', npy);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`genzoo sample: ${join(dir, 'model.safetensors')}: tensor 'G.out.weight' holds NaN (element 5 of ${784 * 26}); it was saved from a diverged run or is damaged`);
    expect(existsSync(npy)).toBe(false);
  });

  test('--resume from a checkpoint holding NaN names the file and the tensor (not a KL deep inside)', async () => {
    const dir = copyRun(done, 'nan-checkpoint');
    poisonFile(join(dir, 'checkpoint.safetensors'), 'model.E.out.bias');
    const r = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '3');
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`genzoo train: ${join(dir, 'checkpoint.safetensors')}: tensor 'model.E.out.bias' holds NaN (element 5 of 8); it was saved from a diverged run or is damaged`);
  });
});

describe('5 and 10: impossible --out folders, before any work', () => {
  test.runIf(existsSync('/proc/self'))('--out /proc/genzoo/x fails in one line instead of spinning; --out /proc too', async () => {
    const t0 = performance.now();
    const r = await spawnCli(['train', 'cvae', ...small, '--out', '/proc/genzoo/x'], undefined, 30_000);
    expect(r.signal).toBeNull(); // not killed by the 30 s guard: it did not spin
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe('genzoo train: --out /proc/genzoo/x: cannot create directory /proc/genzoo/x: /proc does not accept new folders');
    expect(performance.now() - t0).toBeLessThan(30_000);
    const p = await cli('train', 'cvae', ...small, '--out', '/proc');
    expect(oneLine(p)).toBe('genzoo train: --out /proc: cannot write in directory /proc: it does not accept new files');
  });

  test('--out naming a file says so', async () => {
    const file = join(root, 'afile');
    writeFileSync(file, 'x');
    const r = await cli('train', 'cvae', ...small, '--out', file);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`genzoo train: --out ${file}: ${file} is not a directory`);
    expect(r.out).toBe('');
  });
});

describe('7: a closed pipe', () => {
  test('training goes on when the reader of its output goes away (| head -n 1)', async () => {
    checkBuilt();
    const dir = join(root, 'pipe');
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'genzoo.js'), 'train', 'cvae', ...slow, '--epochs', '2', '--out', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stdout.once('data', () => child.stdout.destroy()); // head has read its line and exited
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('close', (code) => resolve({ code, err }));
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).train.epochs).toBe(2);
    expect(readFileSync(join(dir, 'losses.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 200);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('8: SIGTERM and SIGHUP are handled like Ctrl-C', () => {
  async function stopWith(signal: 'SIGTERM' | 'SIGHUP', dir: string): Promise<CliResult> {
    let sent = false;
    const r = await spawnCli(['train', 'cvae', ...slow, '--epochs', '3', '--out', dir], (out, child) => {
      // The first end-of-epoch line: training is under way.
      if (!sent && /epoch 1\/3 .*100\/100/.test(out)) {
        sent = true;
        child.kill(signal);
      }
    });
    expect(sent).toBe(true);
    return r;
  }

  test('SIGTERM: a checkpoint at the current step, a message, exit 143; --resume ends bit-identical', async () => {
    const dir = join(root, 'sigterm');
    const r = await stopWith('SIGTERM', dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(143);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/SIGTERM: interrupted (at step \d+ \(epoch \d, step \d+\/100\)|after epoch \d); checkpoint saved in /);
    expect(r.out).toMatch(/continue with: genzoo train cvae --out .* --resume/);
    const stoppedAt = Number(/interrupted at step (\d+)/.exec(r.out)?.[1] ?? 100);
    expect(stoppedAt).toBeLessThan(300);
    expect((await cli('train', 'cvae', '--out', dir, '--resume')).code).toBe(0);
    const straight = join(root, 'sigterm-straight');
    expect((await cli('train', 'cvae', ...slow, '--epochs', '3', '--out', straight)).code).toBe(0);
    expect(sameFile(join(dir, 'model.safetensors'), join(straight, 'model.safetensors'))).toBe(true);
    expect(readFileSync(join(dir, 'losses.csv'), 'utf8')).toBe(readFileSync(join(straight, 'losses.csv'), 'utf8'));
  });

  test('SIGHUP: a checkpoint at the current step and exit 129', async () => {
    const dir = join(root, 'sighup');
    const r = await stopWith('SIGHUP', dir);
    expect(r.code).toBe(129);
    expect(r.out).toMatch(/SIGHUP: interrupted .*; checkpoint saved in /);
    const resumed = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/^resuming cvae .* from step \d+ /);
  });
});

describe('9: temp files of dead writers', () => {
  test('--force and --resume remove them', async () => {
    const dir = copyRun(done, 'leftovers');
    const dead = deadPid();
    writeFileSync(join(dir, `.checkpoint.safetensors.${dead}.7.tmp`), 'partial');
    const resumed = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '3');
    expect(resumed.out).toMatch(/note: removed 1 temporary file left by an interrupted write \(\.checkpoint\.safetensors\.\d+\.7\.tmp\)/);
    writeFileSync(join(dir, `.model.safetensors.${dead}.8.tmp`), 'partial');
    expect((await cli('train', 'cvae', ...small, '--epochs', '1', '--out', dir, '--force')).code).toBe(0);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('10: messages that are true and helpful', () => {
  test('--resume where nothing was saved says to start without --resume', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const r = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(oneLine(r)).toBe(`genzoo train: cannot resume: run configuration not found: ${join(dir, 'config.json')} (no checkpoint was ever saved in ${dir}); start it without --resume`);
  });

  test('a damaged or deleted losses.csv does not block a valid checkpoint: it is rebuilt, and said so', async () => {
    const cut = copyRun(done, 'cut-csv');
    truncateSync(join(cut, 'losses.csv'), 100);
    const r = await cli('train', 'cvae', '--out', cut, '--resume', '--epochs', '3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: .*losses\.csv: the last line is incomplete .*; rebuilt from the checkpoint\n/);
    const gone = copyRun(done, 'no-csv');
    unlinkSync(join(gone, 'losses.csv'));
    const g = await cli('train', 'cvae', '--out', gone, '--resume', '--epochs', '3');
    expect(g.out).toMatch(/note: .*losses\.csv is missing; rebuilt from the checkpoint\n/);
    // Both logs hold all 30 steps, the first 20 as the original run wrote them.
    const original = readFileSync(join(done, 'losses.csv'), 'utf8');
    for (const dir of [cut, gone]) {
      const csv = readFileSync(join(dir, 'losses.csv'), 'utf8');
      expect(csv.startsWith(original)).toBe(true);
      expect(csv.trim().split('\n')).toHaveLength(31);
    }
  });

  test('errors found before training come before the banner', async () => {
    const r = await cli('train', 'cvae', '--data', `idx:${idx}`, '--batch', '300', ...tinyNet, '--out', join(root, 'big'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(oneLine(r)).toMatch(/^genzoo train: batch size 300 is larger than the 200 training images of idx:/);
  });

  test('--resume --epochs 1 on a 2-epoch run is refused and config.json is untouched', async () => {
    const dir = copyRun(done, 'shorter');
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    const r = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`genzoo train: --epochs 1 is fewer than the 2 epochs the run in ${dir} is planned for: --resume can extend a run (a larger --epochs), not shorten it`);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    const same = await cli('train', 'cvae', '--out', dir, '--resume');
    expect(same.out).toMatch(/already trained for 2 epochs \(to train more, pass a larger --epochs with --resume\)/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
  });

  test('--resume --backend wasm on a js run says so and records it', async () => {
    const dir = copyRun(done, 'other-backend');
    const r = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '3', '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: the run trained on js so far and continues on wasm');
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg.train.backend).toBe('js');
    expect(cfg.history.map((h: { setting: string; to: unknown }) => [h.setting, h.to])).toEqual([['epochs', 3], ['backend', 'wasm']]);
    // A later --resume continues on the backend the run last used.
    const again = await cli('train', 'cvae', '--out', dir, '--resume', '--epochs', '4');
    expect(again.out).toMatch(/backend wasm →/);
    expect(again.out).not.toContain('continues on');
  });

  test('a CGAN at --lr 10 is stopped as diverged, exit 1, with the step and a hint', async () => {
    const dir = join(root, 'lr10');
    const r = await cli('train', 'cgan', ...small, '--epochs', '2', '--lr', '10', '--out', dir);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/^genzoo train: loss '\w+' reached [\d.]+e\+\d+ at step \d+ \(epoch 1\), past the divergence limit of 1e5; training stopped, no checkpoint had been written yet \(try a smaller --lr than 10\)$/);
  });
});
