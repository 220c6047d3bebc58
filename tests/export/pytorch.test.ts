/**
 * The round trip with real PyTorch (Debian's python3-torch, in /usr/bin/python3),
 * for every model kind in both architectures, each trained 3 steps:
 *   genzoo → PyTorch: `genzoo export`, then model.py's load() (load_state_dict strict=True)
 *     gives genzoo's encoder μ and log σ², decoder/generator logits, discriminator and
 *     classifier logits and features, reconstructions and samples (from genzoo's noise);
 *     in training mode the same G outputs and BatchNorm statistics; one Adam step from the
 *     exported optimizer state the same parameters; one EMA update the same averages.
 *   PyTorch → genzoo: a state dict with PyTorch's own weights (int64 num_batches_tracked),
 *     written by hand in the safetensors layout, imports with `genzoo import` and gives
 *     PyTorch's outputs; so do its F16 and BF16 versions; malformed files are refused with
 *     a one-line error naming the tensor; `genzoo sample` works on the imported folder.
 * All the Python work runs in ONE process (tests/export/pytorch_roundtrip.py).
 *
 * Without torch the suite is skipped with a message, except in CI (CI=true), where
 * it fails: CI installs python3-torch (.ci/run), so a gap there is a broken setup.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, models, training, type Tensor } from '../../src/index.js';
import { cli, ROOT } from '../cli/helpers.js';
import { missingPrerequisite } from '../helpers/prerequisites.js';
import {
  CASES, genzooForwards, genzooTrainingSteps, inputs, maxDiff, mkdirs, stepGradients, tinyDigits, trainTiny, type Case,
} from './fixtures.js';

const PYTHON = process.env.GENZOO_TORCH_PYTHON ?? '/usr/bin/python3';

function torchVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

const version = torchVersion();
const missing = version === null
  ? missingPrerequisite(`${PYTHON} cannot import torch`, 'apt-get install -y python3-torch (or set GENZOO_TORCH_PYTHON to a Python with torch)', 'PyTorch round-trip tests')
  : null;

/** Which cases also round-trip through half precision, and which get the malformed files. */
const HALF: Record<string, 'F16' | 'BF16'> = { 'cgan-conv': 'F16', 'cvaegan-mlp': 'BF16', 'cvae-conv': 'F16' };
const MALFORMED_CASE = 'cvae-conv';

/**
 * Float32 agreement: |genzoo − PyTorch| ≤ 1e-5 · max(1, largest |value|) per output.
 * Both compute in float32 with different summation orders (and genzoo's Adam and EMA in
 * float64 before rounding); measured worst: 6e-7 at the test widths, 7.2e-6 on logits up
 * to 12.8 at the models' default widths (docs/pytorch.md).
 */
const RTOL = 1e-5;

interface CaseRun {
  c: Case;
  run: string;
  exp: string;
  work: string;
  /** genzoo's eval-mode outputs, and its training-step results (G in training mode, Adam step, EMA update). */
  forward: Record<string, Tensor>;
  steps: Record<string, Tensor>;
  /** Everything the Python side wrote (export.*, pytorch.*, half.*). */
  torch: Record<string, Tensor>;
}

const runs = new Map<string, CaseRun>();
/** The worst |difference| of a comparison: its size, which output, and that output's largest |value|. */
interface Worst {
  diff: number;
  name: string;
  scale: number;
}
type Part = 'exported' | 'imported' | 'half' | 'training';
/** Worst difference per case and part, printed at the end (the numbers docs/pytorch.md states). */
const worst = new Map<string, Partial<Record<Part, Worst>>>();
let root = '';
let setupError: Error | null = null;

/** Compares genzoo's outputs with PyTorch's `prefix + name` for each name; returns the worst difference. */
function compare(ours: Record<string, Tensor>, theirs: Record<string, Tensor>, prefix: string, where: string): Worst {
  const names = Object.keys(ours).sort();
  expect(names.length, `${where}: outputs to compare`).toBeGreaterThan(0);
  let w: Worst = { diff: 0, name: '', scale: 0 };
  for (const name of names) {
    const { diff, scale } = maxDiff(ours[name], theirs[prefix + name], `${where} ${name}`);
    expect(diff, `${where} ${name}: worst |genzoo − PyTorch| (values up to ${scale.toPrecision(3)})`).toBeLessThanOrEqual(RTOL * Math.max(1, scale));
    if (diff >= w.diff) w = { diff, name, scale };
  }
  return w;
}

describe.skipIf(missing?.skip ?? false)(`genzoo ⇄ PyTorch ${version ?? '(missing)'}`, () => {
  beforeAll(async () => {
    try {
      if (missing) throw new Error(missing.message);
      root = mkdtempSync(join(tmpdir(), 'genzoo-pytorch-'));
      const ds = await tinyDigits();
      const jobs: unknown[] = [];
      for (const c of CASES) {
        const dir = join(root, c.name);
        const r: CaseRun = { c, run: join(dir, 'run'), exp: join(dir, 'export'), work: join(dir, 'work'), forward: {}, steps: {}, torch: {} };
        mkdirs(r.work);
        await trainTiny(c, ds, r.run);
        const exported = await cli('export', '--checkpoint', r.run, '--to', 'pytorch', '--out', r.exp);
        if (exported.code !== 0) throw new Error(`export ${c.name}: ${exported.err}`);
        // genzoo's reference: the run as the export read it (weights and optimizer state of the checkpoint).
        const ref = models.createModel((await training.readRunConfig(r.run)).model, 0);
        await training.loadCheckpoint(r.run, ref);
        const inp = inputs(ref, ds);
        const grads = stepGradients(ref);
        writeFileSync(join(r.work, 'inputs.safetensors'), io.serialize(inp));
        writeFileSync(join(r.work, 'grads.safetensors'), io.serialize(grads));
        r.forward = genzooForwards(ref, inp);
        r.steps = genzooTrainingSteps(ref, inp, grads);
        runs.set(c.name, r);
        jobs.push({ name: c.name, export: r.exp, work: r.work, half: HALF[c.name] ?? null, malformed: c.name === MALFORMED_CASE });
      }
      const jobsFile = join(root, 'jobs.json');
      writeFileSync(jobsFile, JSON.stringify(jobs));
      const py = spawnSync(PYTHON, [join(ROOT, 'tests', 'export', 'pytorch_roundtrip.py'), jobsFile], { encoding: 'utf8', timeout: 300_000 });
      if (py.status !== 0) throw new Error(`pytorch_roundtrip.py failed (${py.status ?? py.signal}): ${py.stderr.trim().split('\n').slice(-6).join('\n')}`);
      for (const r of runs.values()) r.torch = io.deserialize(readFileSync(join(r.work, 'torch.safetensors'))).tensors;
    } catch (err) {
      setupError = err as Error;
    }
  }, 600_000);

  afterAll(() => {
    if (worst.size) {
      console.log('worst |genzoo − PyTorch| per case (in which output, whose values reach |v|):');
      const cell = (w: Worst | undefined): string => (w ? `${w.diff.toExponential(2)} ${w.name} (|v| ≤ ${w.scale.toPrecision(3)})` : '—');
      for (const [name, w] of worst) {
        console.log(`  ${name.padEnd(16)} exported ${cell(w.exported)}; imported ${cell(w.imported)}; half ${cell(w.half)}; training steps ${cell(w.training)}`);
      }
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const ready = (name: string): CaseRun => {
    if (setupError) throw setupError;
    return runs.get(name)!;
  };
  const record = (name: string, part: Part, w: Worst): void => {
    worst.set(name, { ...worst.get(name), [part]: w });
  };

  test.each(CASES.map((c) => c.name))('%s: the export loads strictly in PyTorch and gives genzoo\'s outputs, training steps included', (name) => {
    const r = ready(name);
    // PyTorch computed exactly the outputs genzoo did, no more, no fewer.
    expect(Object.keys(r.torch).filter((k) => k.startsWith('export.')).sort()).toEqual([...Object.keys(r.forward), ...Object.keys(r.steps)].map((k) => `export.${k}`).sort());
    record(name, 'exported', compare(r.forward, r.torch, 'export.', `${name} exported`));
    record(name, 'training', compare(r.steps, r.torch, 'export.', `${name} training`));
    const kindOutputs: Record<string, string[]> = {
      vae: ['mu', 'logvar', 'G', 'reconstruct', 'sample'],
      cvae: ['mu', 'logvar', 'G', 'reconstruct', 'sample'],
      cgan: ['G', 'D.logit', 'D.features', 'sample'],
      cvaegan: ['mu', 'logvar', 'G', 'D.logit', 'D.features', 'C.logits', 'C.features', 'sample'],
    };
    expect(Object.keys(r.forward).sort()).toEqual(kindOutputs[r.c.kind].sort());
    const bn = Object.keys(r.steps).filter((k) => k.startsWith('G.buffers.'));
    expect(bn.length, 'G\'s BatchNorm statistics compared').toBe(r.c.kind === 'vae' || r.c.kind === 'cvae' ? (r.c.arch === 'conv' ? 6 : 0) : 6);
    expect(Object.keys(r.steps).some((k) => k.startsWith('ema.')), 'EMA compared').toBe(r.c.kind === 'cgan');
  });

  test.each(CASES.map((c) => c.name))('%s: a state dict saved by PyTorch imports and gives PyTorch\'s outputs; genzoo sample works on it', async (name) => {
    const r = ready(name);
    const dir = join(r.work, 'imported');
    const res = await cli('import', '--from', 'pytorch', join(r.work, 'pytorch.safetensors'), '--config', join(r.exp, 'config.json'), '--out', dir);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    // Only num_batches_tracked (int64 in PyTorch) needed converting, exactly.
    const counters = Object.keys(io.deserialize(readFileSync(join(r.work, 'pytorch.safetensors'))).header).filter((k) => k.endsWith('.num_batches_tracked'));
    if (counters.length) expect(res.out).toContain(`(${counters.length} integer buffers converted (exact))`);
    else expect(res.out).not.toContain('converted');
    const model = models.createModel((await training.readRunConfig(dir)).model, 0);
    await training.loadWeights(dir, model);
    const inp = io.deserialize(readFileSync(join(r.work, 'inputs.safetensors'))).tensors;
    record(name, 'imported', compare(genzooForwards(model, inp), r.torch, 'pytorch.', `${name} imported`));
    const npy = join(r.work, 'imported.npy');
    const sampled = await cli('sample', '--checkpoint', dir, '--n', '4', '--out', npy);
    expect(sampled.err).toBe('');
    expect(sampled.code).toBe(0);
    const images = io.decodeNpy(readFileSync(npy));
    expect(images.shape).toEqual([4, 28, 28]);
    expect(Array.from(images.data).every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  test.each(Object.entries(HALF))('%s: the %s state dict imports (widened exactly) and gives PyTorch\'s outputs with those weights', async (name, dtype) => {
    const r = ready(name);
    const dir = join(r.work, 'imported-half');
    const res = await cli('import', '--from', 'pytorch', join(r.work, 'pytorch-half.safetensors'), '--config', join(r.exp, 'config.json'), '--out', dir);
    expect(res.code, res.err).toBe(0);
    const file = io.deserialize(readFileSync(join(r.work, 'pytorch-half.safetensors')));
    const halves = Object.values(file.header).filter((h) => h.dtype === dtype).length;
    expect(halves).toBeGreaterThan(10);
    expect(res.out).toContain(`${halves} F16/BF16 tensors widened to float32 (exact)`);
    const model = models.createModel((await training.readRunConfig(dir)).model, 0);
    await training.loadWeights(dir, model);
    const inp = io.deserialize(readFileSync(join(r.work, 'inputs.safetensors'))).tensors;
    record(name, 'half', compare(genzooForwards(model, inp), r.torch, 'half.', `${name} ${dtype}`));
  });

  test.each([
    ['missing', 'tensor "G.fc1.bias" that the cvae (conv) model needs is missing'],
    ['extra', 'unexpected tensor "G.fc9.weight": the cvae (conv) model has no parameter or buffer of that name'],
    ['shape', 'tensor "G.fc1.bias" has shape [N + 1] but the cvae (conv) model expects [N]'],
    ['dtype', 'tensor "G.fc1.weight" is I32, but it must be floating point (F32, F64, F16 or BF16)'],
    ['nan', 'tensor "G.fc1.bias" holds NaN at element 0'],
  ])('a PyTorch file with a %s tensor is refused with one line naming it', async (what, message) => {
    const r = ready(MALFORMED_CASE);
    const file = join(r.work, `bad-${what}.safetensors`);
    const dir = join(r.work, `bad-${what}`);
    const res = await cli('import', '--from', 'pytorch', file, '--config', join(r.exp, 'config.json'), '--out', dir);
    expect(res.code).toBe(1);
    const n = io.deserialize(readFileSync(join(r.exp, 'model.safetensors'))).header['G.fc1.bias'].shape[0];
    const expected = message.replace('N + 1', String(n + 1)).replace('[N]', `[${n}]`);
    expect(res.err).toBe(`genzoo import: ${file}: ${expected}${what === 'nan' ? '; a model with non-finite weights cannot be used' : ''}\n`);
  });
});
