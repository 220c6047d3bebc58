/**
 * The error classes (src/errors.ts): representative errors of every layer
 * carry the right class and `code`, keep their messages word for word, name
 * themselves, keep their cause, and the special errors sit in the hierarchy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  BackendError, data, DTypeError, evaluation, GenzooError, io, IOError, models, nn, noGrad, optim, setBackend, ShapeError, StateError,
  tensor, training, ValueError, zeros, type ErrorCode,
} from '../src/index.js';
import { UsageError } from '../src/cli/errors.js';

type ErrorClass = abstract new (...args: never[]) => GenzooError;

/** The error `fn` throws (or rejects with), checked to be a GenzooError of `cls` with `code` and `message`. */
async function expectError(fn: () => unknown, cls: ErrorClass, code: ErrorCode, message: string | RegExp): Promise<GenzooError> {
  let caught: unknown = null;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'nothing was thrown').toBeInstanceOf(cls);
  const err = caught as GenzooError;
  expect(err).toBeInstanceOf(GenzooError);
  expect(err).toBeInstanceOf(Error);
  expect(err.code).toBe(code);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  return err;
}

const root = mkdtempSync(join(tmpdir(), 'genzoo-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('each class has its code and its own name', () => {
  test.each([
    ['ShapeError', ShapeError, 'ERR_SHAPE'], ['DTypeError', DTypeError, 'ERR_DTYPE'], ['ValueError', ValueError, 'ERR_VALUE'],
    ['IOError', IOError, 'ERR_IO'], ['BackendError', BackendError, 'ERR_BACKEND'], ['StateError', StateError, 'ERR_STATE'],
  ] as const)('%s', (_, Cls, code) => {
    const err = new Cls('op: what went wrong', { cause: 'why' });
    expect(err.code).toBe(code);
    expect(err.name).toBe(Cls.name);
    expect(String(err)).toBe(`${Cls.name}: op: what went wrong`);
    expect(err.cause).toBe('why');
    expect(err).toBeInstanceOf(GenzooError);
  });
});

describe('shape, dtype, value, backend and state errors from the tensor layers', () => {
  test('shape mismatches are ShapeErrors', async () => {
    await expectError(() => tensor([1, 2, 3]).reshape(2, 2), ShapeError, 'ERR_SHAPE', 'reshape: cannot reshape tensor of shape [3] (3 elements) into [2, 2] (4 elements)');
    await expectError(() => zeros([2, 3]).add(zeros([4])), ShapeError, 'ERR_SHAPE', 'add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1 of the result: 3 vs 4)');
    await expectError(() => zeros([2, 3]).matmul(zeros([2, 3])), ShapeError, 'ERR_SHAPE', /^matmul: shapes \[2, 3\] and \[2, 3\] are not aligned/);
    await expectError(() => zeros([2, 3]).sum(2), ShapeError, 'ERR_SHAPE', 'sum: axis 2 is out of range for a tensor of 2 dimensions (valid: -2..1)');
    await expectError(() => zeros([1, 3, 8, 8]).conv2d(zeros([4, 2, 3, 3])), ShapeError, 'ERR_SHAPE', 'conv2d: input [1, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 2');
    await expectError(() => new nn.Linear(4, 2).call(zeros([3, 5])), ShapeError, 'ERR_SHAPE', /^linear: input \[3, 5\] does not end in 4 features/);
  });

  test('dtype problems are DTypeErrors', async () => {
    await expectError(() => tensor([1], { dtype: 'int32' as never }), DTypeError, 'ERR_DTYPE', "tensor: unknown dtype \"int32\" (expected 'float32' or 'float64')");
  });

  test('invalid values and options are ValueErrors', async () => {
    await expectError(() => tensor([1]).pow(NaN), ValueError, 'ERR_VALUE', 'pow: exponent must be a finite number, got NaN');
    await expectError(() => new optim.Adam([tensor([1], { requiresGrad: true })], { lr: -1 }), ValueError, 'ERR_VALUE', /lr must be a number in \[0, ∞\), got -1/);
    await expectError(() => noGrad(async () => 1), ValueError, 'ERR_VALUE', /^noGrad: fn returned a Promise/);
    await expectError(() => data.makeDataset(new Float32Array(4), new Int32Array([3]), { name: 'd', height: 2, width: 2, classes: 2 }), ValueError, 'ERR_VALUE', 'dataset d: label 3 of image 0 is not in [0, 2)');
  });

  test('backend problems are BackendErrors', async () => {
    await expectError(() => setBackend('cuda' as never), BackendError, 'ERR_BACKEND', /^setBackend: unknown backend 'cuda'/);
    await expectError(() => tensor([1]).to({} as never), BackendError, 'ERR_BACKEND', 'to: expected a backend name or a Backend, got [object Object]');
  });

  test('what the state does not allow is a StateError', async () => {
    const t = tensor([1, 2]);
    t.dispose();
    await expectError(() => t.add(1), StateError, 'ERR_STATE', /^Tensor #\d+ \[2\] was disposed/);
    await expectError(() => t.dispose(), StateError, 'ERR_STATE', /^Tensor\.dispose: tensor #\d+ \[2\] was already disposed$/);
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    await expectError(() => y.backward(), StateError, 'ERR_STATE', "backward: the graph through 'sum' was already freed by an earlier backward(); pass { retainGraph: true } to the first call");
  });
});

describe('files and runs', () => {
  test('a file that is not what it should be is an IOError', async () => {
    await expectError(() => io.deserialize(new Uint8Array([1, 2, 3]), 'x.safetensors'), IOError, 'ERR_IO', /^safetensors: x\.safetensors: /);
    await expectError(() => training.LossLog.parseCSV('', 'losses.csv'), IOError, 'ERR_IO', 'losses.csv: empty file');
    await expectError(() => data.mnist({ from: new Uint8Array([0, 1, 2, 3]) }), IOError, 'ERR_IO', /^data\.mnist: the given bytes: not a gzip file/);
  });

  test('a missing run file is a CheckpointError, an IOError that keeps the file system error as its cause', async () => {
    const err = await expectError(() => training.readRunConfig(join(root, 'nowhere')), training.CheckpointError, 'ERR_IO', `run configuration not found: ${join(root, 'nowhere', 'config.json')}`);
    expect(err).toBeInstanceOf(IOError);
    expect((err as training.CheckpointError).missing).toBe(true);
    expect((err.cause as { code?: string }).code).toBe('ENOENT');
  });

  test('a run folder that is not ready is a RunError, a StateError with its problem', async () => {
    const model = models.createModel(models.defaultConfig('vae', 'mlp', { width: 8, latent: 2 }), 0);
    const digits = data.makeDataset(new Float32Array(20 * 784), Int32Array.from({ length: 20 }, (_, i) => i % 10), { name: 'blank', height: 28, width: 28, classes: 10 });
    const dir = join(root, 'empty');
    const err = await expectError(
      () => training.train({ model, data: digits, outDir: dir, resume: true, train: { epochs: 1, batch: 10, seed: 0, data: 'blank', backend: 'js' } }),
      training.RunError, 'ERR_STATE', /^run configuration not found: /,
    );
    expect(err).toBeInstanceOf(StateError);
    expect((err as training.RunError).problem).toBe('no-run');
  });

  test('the other special errors sit in the hierarchy', () => {
    expect(new training.NonFiniteError('m.safetensors', { tensor: 'w', index: 0, value: NaN, size: 1 })).toBeInstanceOf(ValueError);
    expect(new evaluation.ClassifierFileError('c.safetensors', 'c.safetensors: corrupted')).toBeInstanceOf(IOError);
    expect(new training.RunFolderError('runs/x does not exist').code).toBe('ERR_IO');
    const usage = new UsageError('--epochs must be a positive integer');
    expect(usage).toBeInstanceOf(ValueError);
    expect(usage.name).toBe('UsageError');
  });
});
