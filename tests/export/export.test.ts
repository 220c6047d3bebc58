/**
 * `genzoo export --to pytorch` and `genzoo import --from pytorch` without PyTorch:
 * the files an export writes (names, dtypes, optimizer state), the genzoo → file →
 * genzoo round trip (bit-exact), every way an import can be refused, the flags, and
 * the Python literals model.py is built from. (tests/export/pytorch.test.ts runs the
 * files in PyTorch.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, Tensor, io, models, pytorch, tensor, training } from '../../src/index.js';
import type { Adam } from '../../src/nn/optim/adam.js';
import { cli } from '../cli/helpers.js';
import { missingPrerequisite } from '../helpers/prerequisites.js';
import { CASES, tinyDigits, trainTiny, type Case } from './fixtures.js';

const PICKED = ['vae-mlp', 'cvae-conv', 'cgan-conv-cnorm', 'cvaegan-mlp'];
let root = '';
const runs = new Map<string, { c: Case; run: string; exp: string }>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'genzoo-export-'));
  const ds = await tinyDigits();
  for (const c of CASES.filter((x) => PICKED.includes(x.name))) {
    const r = { c, run: join(root, c.name, 'run'), exp: join(root, c.name, 'export') };
    await trainTiny(c, ds, r.run);
    const res = await cli('export', '--checkpoint', r.run, '--to', 'pytorch', '--out', r.exp);
    if (res.code !== 0) throw new Error(res.err);
    runs.set(c.name, r);
  }
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const get = (name: string): { c: Case; run: string; exp: string } => runs.get(name)!;

async function loadRun(dir: string): Promise<models.GenerativeModel> {
  const model = models.createModel((await training.readRunConfig(dir)).model, 0);
  await training.loadWeights(dir, model);
  return model;
}

describe('what an export writes', () => {
  test('the files, and a one-line report', async () => {
    const out = join(root, 'report');
    const res = await cli('export', '--checkpoint', get('cvae-conv').run, '--to', 'pytorch', '--out', out);
    expect(res.code).toBe(0);
    expect(res.out).toBe(`exported cvae (conv) to ${out}/ for PyTorch: model.safetensors, optimizer.safetensors, config.json, model.py, README.md; optimizer state exported\n`);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    // The three lines that load it, with the folder's absolute path.
    expect(readme).toContain(`import sys; sys.path.insert(0, ${JSON.stringify(out)})`);
    expect(readme).toContain('import model\nnet = model.load()');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual(await training.readRunConfig(get('cvae-conv').run));
  });

  test('model.safetensors: the state dict under its own names, F32, with num_batches_tracked as I64 (as PyTorch keeps it)', async () => {
    const { run, exp } = get('cvae-conv');
    const model = await loadRun(run);
    const file = io.deserialize(readFileSync(join(exp, 'model.safetensors')));
    expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(model.stateDict()).sort());
    const dtypes = Object.entries(file.header).map(([k, h]) => [k, h.dtype]);
    expect(dtypes.filter(([, d]) => d === 'I64').map(([k]) => k).sort()).toEqual(['E.bn2.num_batches_tracked', 'G.bn1.num_batches_tracked', 'G.bn2.num_batches_tracked']);
    expect(dtypes.filter(([, d]) => d !== 'I64' && d !== 'F32')).toEqual([]);
    // 3 training steps: each BatchNorm counted 3 batches.
    expect(file.tensors['G.bn1.num_batches_tracked'].item()).toBe(3);
    for (const [k, t] of Object.entries(model.stateDict())) expect(Array.from(file.tensors[k].data), k).toEqual(Array.from(t.data));
    expect(file.metadata).toMatchObject({ format: 'genzoo-pytorch-export/1', kind: 'cvae', arch: 'conv' });
  });

  test("optimizer.safetensors: each Adam's step, exp_avg and exp_avg_sq under {optimizer}.{parameter}", async () => {
    const { run, exp } = get('cgan-conv-cnorm');
    const model = models.createModel((await training.readRunConfig(run)).model, 0);
    await training.loadCheckpoint(run, model);
    const file = io.deserialize(readFileSync(join(exp, 'optimizer.safetensors')));
    const names = new Map(model.namedParameters().map(([n, t]) => [t, n] as const));
    let checked = 0;
    for (const opt of ['D', 'G']) {
      const adam = model.optimizers[opt] as unknown as Adam;
      for (const p of adam.paramGroups[0].params) {
        const key = `${opt}.${names.get(p)}`;
        const st = adam.state.get(p)!;
        expect(file.header[`${key}.step`].dtype).toBe('I64');
        expect(file.tensors[`${key}.step`].item()).toBe(3);
        expect(Array.from(file.tensors[`${key}.exp_avg`].data), key).toEqual(Array.from((st.expAvg as Tensor).data));
        expect(Array.from(file.tensors[`${key}.exp_avg_sq`].data), key).toEqual(Array.from((st.expAvgSq as Tensor).data));
        expect(file.tensors[`${key}.exp_avg`].shape).toEqual(p.shape);
        checked++;
      }
    }
    expect(Object.keys(file.tensors).length).toBe(3 * checked);
    // model.py's OPTIMIZERS lists the same parameters in genzoo's order, with its hyperparameters.
    const py = readFileSync(join(exp, 'model.py'), 'utf8');
    expect(py).toContain("'G': {\n        'lr': 0.0002, 'betas': (0.5, 0.999), 'eps': 1e-8, 'weight_decay': 0, 'amsgrad': False,\n        'params': [\n            'G.gain1.weight', 'G.shift1.weight', 'G.gain2.weight', 'G.shift2.weight',");
  });

  test('model.py builds the networks the run has', () => {
    const py = (name: string): string => readFileSync(join(get(name).exp, 'model.py'), 'utf8');
    expect(py('cgan-conv-cnorm')).toContain("        self.G = Decoder('conv', latent=64, width=4, cond=10, batch_norm=True, conditional_norm=True)\n        self.D = Discriminator('conv', width=4, cond=10, dropout=0)\n");
    expect(py('cgan-conv-cnorm')).toContain('decay=0.999)');
    expect(py('vae-mlp')).toContain("        self.E = Encoder('mlp', latent=8, width=32, cond=0)\n        self.G = Decoder('mlp', latent=8, width=32, cond=0, batch_norm=False, conditional_norm=False)\n");
    expect(py('vae-mlp')).not.toContain('priorTable =');
    expect(py('cvae-conv')).toContain('self.priorTable = nn.Parameter(torch.zeros(10, 16))');
    expect(py('cvaegan-mlp')).toContain("        self.D = Discriminator('mlp', width=32, cond=0, dropout=0)\n        self.C = Classifier('mlp', width=32, dropout=0)\n");
    expect(py('cvaegan-mlp')).toContain("self.register_buffer('centres', torch.zeros(10, 16))");
    expect(py('cvaegan-mlp')).not.toContain('class ParamEMA');
    expect(py('vae-mlp')).not.toContain('class Discriminator');
  });

  // Python's own compiler checks the syntax of every generated file; needs only some python3.
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['--version']).status === 0) ?? null;
  const noPython = python ? null : missingPrerequisite('no python3 on PATH', 'apt-get install -y python3', 'model.py syntax check');
  test.skipIf(noPython?.skip ?? false)('model.py is valid Python (py_compile)', () => {
    if (!python) throw new Error(noPython!.message);
    for (const name of PICKED) {
      const r = spawnSync(python, ['-m', 'py_compile', join(get(name).exp, 'model.py')], { encoding: 'utf8' });
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
    }
  });

  test('--no-optimizer leaves the Adam state out (and removes an earlier one with --force); a run without a checkpoint says so', async () => {
    const { run, exp } = get('cvae-conv');
    const out = join(root, 'no-opt');
    expect((await cli('export', '--checkpoint', run, '--to', 'pytorch', '--out', out)).code).toBe(0);
    expect(existsSync(join(out, 'optimizer.safetensors'))).toBe(true);
    const res = await cli('export', '--checkpoint', run, '--to', 'pytorch', '--out', out, '--no-optimizer', '--force');
    expect(res.code).toBe(0);
    expect(res.out).toContain('optimizer state left out (--no-optimizer)');
    expect(existsSync(join(out, 'optimizer.safetensors'))).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('No optimizer state');
    // An imported run has weights only.
    const imported = join(root, 'weights-only');
    expect((await cli('import', '--from', 'pytorch', join(exp, 'model.safetensors'), '--config', join(exp, 'config.json'), '--out', imported)).code).toBe(0);
    const again = await cli('export', '--checkpoint', imported, '--to', 'pytorch', '--out', join(root, 'weights-only-export'));
    expect(again.code).toBe(0);
    expect(again.out).toContain(`no optimizer state: ${imported} has no checkpoint.safetensors`);
  });

  test('an export folder is not overwritten without --force', async () => {
    const { run, exp } = get('vae-mlp');
    const res = await cli('export', '--checkpoint', run, '--to', 'pytorch', '--out', exp);
    expect(res.code).toBe(1);
    expect(res.err).toBe(`genzoo export: ${exp} already holds model.py; choose another folder or overwrite it\n`);
  });
});

describe('genzoo → file → genzoo', () => {
  test.each(PICKED)('%s: importing the exported weights gives the same weights, bit for bit, and the same samples', async (name) => {
    const { run, exp } = get(name);
    const dir = join(root, name, 'back');
    const res = await cli('import', '--from', 'pytorch', join(exp, 'model.safetensors'), '--config', join(exp, 'config.json'), '--out', dir);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const a = await loadRun(run);
    const b = await loadRun(dir);
    for (const [k, t] of Object.entries(a.stateDict())) expect(Array.from(b.stateDict()[k].data), k).toEqual(Array.from(t.data));
    const labels = a.conditional ? [0, 3, 9] : 3;
    expect(Array.from(b.sample(labels, new Generator(5)).data)).toEqual(Array.from(a.sample(labels, new Generator(5)).data));
    // The folder is a run's: config.json keeps the training settings it came with.
    expect((await training.readRunConfig(dir)).train).toEqual((await training.readRunConfig(run)).train);
  });
});

describe('import refuses what does not fit, in one line naming the tensor', () => {
  /** The cvae-conv export's tensors with `change` applied, written to a file; returns the import's result. */
  async function importChanged(label: string, change: (t: Record<string, Tensor>, dtypes: Record<string, 'I64'>) => void, config?: string): Promise<{ code: number | null; err: string; out: string; file: string }> {
    const { exp } = get('cvae-conv');
    const file = io.deserialize(readFileSync(join(exp, 'model.safetensors')));
    const tensors = { ...file.tensors };
    const dtypes: Record<string, 'I64'> = {};
    for (const [k, h] of Object.entries(file.header)) if (h.dtype === 'I64') dtypes[k] = 'I64';
    change(tensors, dtypes);
    const path = join(root, `changed-${label}.safetensors`);
    writeFileSync(path, io.serialize(tensors, null, { dtypes }));
    const res = await cli('import', '--from', 'pytorch', path, '--config', config ?? join(exp, 'config.json'), '--out', join(root, `imported-${label}`));
    return { ...res, file: path };
  }

  test.each([
    ['missing', (t: Record<string, Tensor>) => { delete t['G.bn2.running_var']; }, 'tensor "G.bn2.running_var" that the cvae (conv) model needs is missing'],
    ['two missing', (t: Record<string, Tensor>) => { delete t['E.out.bias']; delete t.priorTable; }, 'tensor "priorTable" that the cvae (conv) model needs is missing (2 missing)'],
    ['extra', (t: Record<string, Tensor>) => { t['G.bn3.weight'] = tensor([1]); }, 'unexpected tensor "G.bn3.weight": the cvae (conv) model has no parameter or buffer of that name'],
    ['shape', (t: Record<string, Tensor>) => { t['E.out.weight'] = t['E.out.weight'].reshape([8, 52]); }, 'tensor "E.out.weight" has shape [8, 52] but the cvae (conv) model expects [16, 26]'],
    ['integer weight', (t: Record<string, Tensor>, d: Record<string, 'I64'>) => { t['E.out.bias'] = tensor(new Array(16).fill(1)); d['E.out.bias'] = 'I64'; }, 'tensor "E.out.bias" is I64, but it must be floating point (F32, F64, F16 or BF16)'],
    ['huge counter', (t: Record<string, Tensor>) => { t['G.bn1.num_batches_tracked'] = new Tensor(new Float64Array([2 ** 24 + 1]), []); }, 'tensor "G.bn1.num_batches_tracked" holds 16777217, which float32 cannot hold exactly (genzoo keeps G.bn1.num_batches_tracked as float32)'],
    ['infinite', (t: Record<string, Tensor>) => { const w = Float32Array.from(t['G.fc1.bias'].data); w[5] = -Infinity; t['G.fc1.bias'] = new Tensor(w, t['G.fc1.bias'].shape); }, 'tensor "G.fc1.bias" holds -Infinity at element 5; a model with non-finite weights cannot be used'],
  ])('%s', async (label, change, message) => {
    const res = await importChanged(label, change);
    expect(res.code).toBe(1);
    expect(res.err).toBe(`genzoo import: ${res.file}: ${message}\n`);
    expect(existsSync(join(root, `imported-${label}`))).toBe(false); // nothing written
  });

  test('an unsupported dtype (F8) and a truncated file are refused naming the file', async () => {
    const bad = join(root, 'f8.safetensors');
    let json = '{"G.fc1.bias":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}';
    while (json.length % 8) json += ' ';
    writeFileSync(bad, new Uint8Array([json.length, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from(json), 0]));
    const cfg = join(get('cvae-conv').exp, 'config.json');
    let res = await cli('import', '--from', 'pytorch', bad, '--config', cfg, '--out', join(root, 'f8'));
    expect(res.code).toBe(1);
    expect(res.err).toBe(`genzoo import: safetensors: ${bad}: tensor "G.fc1.bias" has dtype F8_E4M3, which genzoo does not read (F32, F64, F16, BF16, BOOL and integers; in PyTorch convert with tensor.float() before saving)\n`);
    const truncated = join(root, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(join(get('cvae-conv').exp, 'model.safetensors')).subarray(0, 1000));
    res = await cli('import', '--from', 'pytorch', truncated, '--config', cfg, '--out', join(root, 'truncated'));
    expect(res.code).toBe(1);
    expect(res.err).toMatch(new RegExp(`^genzoo import: safetensors: ${truncated}: .*truncated\\?\\)\\n$`));
  });

  test('F64 tensors are rounded to float32 and counted; F16 ones widened and counted', async () => {
    const res = await importChanged('f64', (t) => {
      t['E.out.bias'] = new Tensor(Float64Array.from(t['E.out.bias'].data, (v) => v + 1e-12), t['E.out.bias'].shape);
    });
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('(1 F64 tensors rounded to float32; 3 integer buffers converted (exact))');
    const model = await loadRun(join(root, 'imported-f64'));
    const orig = await loadRun(get('cvae-conv').run);
    // v + 1e-12 rounds back to v in float32.
    expect(Array.from(model.stateDict()['E.out.bias'].data)).toEqual(Array.from(orig.stateDict()['E.out.bias'].data));
  });

  test('the config: a bare model config takes the defaults for the rest; wrong or unreadable configs are refused', async () => {
    const { exp } = get('cvae-conv');
    const bare = join(root, 'bare.json');
    writeFileSync(bare, JSON.stringify({ kind: 'cvae', arch: 'conv', width: 4 }));
    const ok = await cli('import', '--from', 'pytorch', join(exp, 'model.safetensors'), '--config', bare, '--out', join(root, 'bare-run'));
    expect(ok.err).toBe('');
    const run = await training.readRunConfig(join(root, 'bare-run'));
    expect(run.model).toEqual(models.defaultConfig('cvae', 'conv', { width: 4 }));
    expect(run.train).toEqual({ epochs: 15, batch: 64, seed: 0, data: 'mnist', backend: '' });
    const cases: Array<[string, string]> = [
      ['{"kind": "gan"}', 'unknown model kind "gan"'],
      ['{"format": "x"}', 'is not a genzoo configuration (expected a run\'s config.json, "format": "genzoo-run/1", or a model config with "kind")'],
      ['{oops', 'is not valid JSON'],
      ['{"kind": "cvae", "arch": "conv", "width": 8}', 'tensor "E.conv1.weight" has shape [4, 11, 4, 4] but the cvae (conv) model expects [8, 11, 4, 4]'],
      ['{"kind": "cgan", "arch": "conv", "width": 4}', 'tensor "D.trunk.conv1.weight" that the cgan (conv) model needs is missing'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(bare, text);
      const res = await cli('import', '--from', 'pytorch', join(exp, 'model.safetensors'), '--config', bare, '--out', join(root, 'bad-config'));
      expect(res.code, text).toBe(1);
      expect(res.err.split('\n').length, text).toBe(2);
      expect(res.err, text).toContain(message);
    }
    const missing = await cli('import', '--from', 'pytorch', join(exp, 'model.safetensors'), '--config', join(root, 'nope.json'), '--out', join(root, 'bad-config'));
    expect(missing.err).toBe(`genzoo import: cannot read ${join(root, 'nope.json')}: no such file or directory\n`);
  });

  test('a run folder is not overwritten without --force; with it, the old run files go', async () => {
    const { exp, run } = get('cvae-conv');
    const file = join(exp, 'model.safetensors');
    const cfg = join(exp, 'config.json');
    let res = await cli('import', '--from', 'pytorch', file, '--config', cfg, '--out', run);
    expect(res.code).toBe(1);
    expect(res.err).toBe(`genzoo import: ${run} already holds config.json; choose another folder or overwrite it\n`);
    const copy = join(root, 'overwrite');
    expect((await cli('import', '--from', 'pytorch', file, '--config', cfg, '--out', copy)).code).toBe(0);
    writeFileSync(join(copy, 'checkpoint.safetensors'), 'stale');
    res = await cli('import', '--from', 'pytorch', file, '--config', cfg, '--out', copy, '--force');
    expect(res.code).toBe(0);
    expect(existsSync(join(copy, 'checkpoint.safetensors'))).toBe(false);
  });
});

describe('flags', () => {
  test.each([
    [['export', '--to', 'pytorch', '--out', 'x'], 'missing --checkpoint DIR'],
    [['export', '--checkpoint', 'r', '--out', 'x'], 'missing --to pytorch'],
    [['export', '--checkpoint', 'r', '--to', 'onnx', '--out', 'x'], "--to must be one of pytorch, got 'onnx'"],
    [['export', '--checkpoint', 'r', '--to', 'pytorch'], 'missing --out OUT'],
    [['export', '--checkpoint', 'r', '--to', 'pytorch', '--out', 'x', '--optimizer'], "unknown flag '--optimizer'"],
    [['import', 'f.safetensors', '--config', 'c.json', '--out', 'd'], 'missing --from pytorch'],
    [['import', '--from', 'tf', 'f.safetensors', '--config', 'c.json', '--out', 'd'], "--from must be one of pytorch, got 'tf'"],
    [['import', '--from', 'pytorch', '--config', 'c.json', '--out', 'd'], 'missing the state dict to import (FILE.safetensors)'],
    [['import', '--from', 'pytorch', 'f.safetensors', '--out', 'd'], 'missing --config CONFIG.json'],
    [['import', '--from', 'pytorch', 'f.safetensors', '--config', 'c.json'], 'missing --out DIR'],
    [['import', '--from', 'pytorch', 'a.safetensors', 'b.safetensors', '--config', 'c.json', '--out', 'd'], "unexpected extra argument 'b.safetensors'"],
  ])('%j → usage error', async (argv, message) => {
    const res = await cli(...argv);
    expect(res.code).toBe(2);
    expect(res.err.split('\n')[0]).toMatch(new RegExp(`^genzoo ${argv[0]}: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(res.err).toContain(`Usage: genzoo ${argv[0]}`);
  });

  test('a missing run is a one-line error', async () => {
    const res = await cli('export', '--checkpoint', join(root, 'nothing'), '--to', 'pytorch', '--out', join(root, 'x'));
    expect(res.code).toBe(1);
    expect(res.err).toBe(`genzoo export: run configuration not found: ${join(root, 'nothing')}/config.json\n`);
  });
});

describe('Python literals for model.py', () => {
  test('numbers, booleans, None, strings, lists and dicts', () => {
    expect(pytorch.pyLiteral({ a: [1, 0.5, 1e-8, -2e21], b: true, c: false, d: null, e: 'x' })).toBe("{'a': [1, 0.5, 1e-8, -2e+21], 'b': True, 'c': False, 'd': None, 'e': 'x'}");
    expect(pytorch.pyLiteral([NaN, Infinity, -Infinity])).toBe("[float('nan'), float('inf'), float('-inf')]");
    // Quotes and escapes: single-quoted unless the text holds a single quote.
    expect(pytorch.pyString('say "hi"\n')).toBe(`'say "hi"\\n'`);
    expect(pytorch.pyString("it's")).toBe(`"it's"`);
    expect(pytorch.pyString('back\\slash "q"')).toBe(`'back\\\\slash "q"'`);
    expect(() => pytorch.pyLiteral(() => 1)).toThrow('pyLiteral: cannot write a function as Python');
  });
});
