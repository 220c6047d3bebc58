/**
 * The file readers fed random and mutated bytes (fast-check, seeded): each
 * either returns data that is consistent with itself, or throws a genzoo error
 * — a plain Error (or a genzoo error class), never a TypeError/RangeError
 * from deep inside — whose message names the file. None may hang (the suite's
 * timeout) or allocate more than the file justifies (the targeted cases at the
 * end: sizes that a header declares but the file does not hold).
 *
 * Readers: safetensors (`deserialize`), IDX plain and gzip (`decodeIdxFile`),
 * `.npy` (`decodeNpy`), config.json (`parseRunConfig`), losses.csv
 * (`LossLog.parseCSV`) and a whole checkpoint (`restoreCheckpoint`).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, Tensor, data, io, models, training } from '../../src/index.js';
import { sizeOf } from '../../src/tensor/shape.js';

const SOURCE = '/runs/fuzzed/file.bin';
const SEED = 14;

/** Fails unless `err` is a genzoo error naming SOURCE. */
function expectGenzooError(err: unknown, source = SOURCE): void {
  expect(err).toBeInstanceOf(Error);
  const e = err as Error;
  for (const internal of [TypeError, RangeError, SyntaxError, ReferenceError]) {
    if (e instanceof internal) throw new Error(`an internal ${internal.name} escaped: ${e.message}`);
  }
  if (!e.message.includes(source)) throw new Error(`the error does not name the file: ${e.message}`);
}

interface Mutation {
  cut: number | null;
  flips: Array<[number, number]>;
  insert: [number, Uint8Array] | null;
}

function applyMutation(valid: Uint8Array, m: Mutation): Uint8Array {
  const b = valid.slice();
  for (const [pos, v] of m.flips) if (pos < b.length) b[pos] = v;
  let out = m.cut === null ? b : b.subarray(0, m.cut);
  if (m.insert) {
    const [at, extra] = m.insert;
    const k = Math.min(at, out.length);
    const grown = new Uint8Array(out.length + extra.length);
    grown.set(out.subarray(0, k));
    grown.set(extra, k);
    grown.set(out.subarray(k), k + extra.length);
    out = grown;
  }
  return out;
}

/** Mutants of a valid file (flips mostly in the first `headerBytes`, where the structure lives), random bytes, or the file itself. */
function bytesNear(valid: Uint8Array, headerBytes = 128): fc.Arbitrary<Uint8Array> {
  const pos = fc.oneof(fc.nat(Math.min(headerBytes, valid.length - 1)), fc.nat(valid.length - 1));
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    cut: fc.option(fc.nat(valid.length), { nil: null }),
    flips: fc.array(fc.tuple(pos, fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    insert: fc.option(fc.tuple(fc.nat(valid.length), fc.uint8Array({ minLength: 1, maxLength: 12 })), { nil: null }),
  });
  return fc.oneof(
    { weight: 6, arbitrary: mutation.map((m) => applyMutation(valid, m)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 96 }) },
    { weight: 1, arbitrary: fc.constant(valid) },
  );
}

const decoder = new TextDecoder();
const text = (b: Uint8Array): string => decoder.decode(b);
const RUNS = { seed: SEED, numRuns: 3000 };

describe('safetensors', () => {
  const valid = io.serialize(
    { 'a.weight': new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]), b: new Tensor(Float64Array.from([0.5]), [1]), 'c.bias': new Tensor(new Float32Array(0), [0]) },
    { format: 'genzoo-model/1', kind: 'cvae' },
  );
  test('deserialize: valid tensors or an error naming the file', () => {
    fc.assert(fc.property(bytesNear(valid), (bytes) => {
      try {
        const file = io.deserialize(bytes, SOURCE);
        let total = 0;
        for (const t of Object.values(file.tensors)) {
          expect(t.data.length).toBe(sizeOf(t.shape));
          total += t.data.byteLength;
        }
        expect(total).toBeLessThanOrEqual(bytes.length); // nothing beyond what the file holds
      } catch (err) {
        expectGenzooError(err);
      }
    }), RUNS);
  });

  test('a header declaring more data than the file holds is refused before anything is allocated', () => {
    const header = new TextEncoder().encode(JSON.stringify({ x: { dtype: 'F32', shape: [1e9], data_offsets: [0, 4e9] } }));
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    expect(() => io.deserialize(bytes, SOURCE)).toThrow(/run past the end of the data \(0 bytes after the header; truncated\?\)/);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(() => io.deserialize(bytes, SOURCE)).toThrow(/header length \d+ exceeds the 100000000-byte limit/);
  });
});

describe('IDX', () => {
  const images = data.encodeIdx(Uint8Array.from({ length: 2 * 4 * 3 }, (_, i) => i * 7), [2, 4, 3]);
  const floats = data.encodeIdx([1.5, -2, 3.25, 1e30], [2, 2], 'float32');
  const gz = gzipSync(images);

  const check = async (bytes: Uint8Array): Promise<void> => {
    try {
      const arr = await data.decodeIdxFile(bytes, SOURCE);
      expect(arr.data.length).toBe(sizeOf(arr.shape));
    } catch (err) {
      expectGenzooError(err);
    }
  };

  test('plain files: valid arrays or an error naming the file', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(bytesNear(images, 24), bytesNear(floats, 24)), check), RUNS);
  });

  test('gzip files: mutated compressed bytes, and well-compressed mutated contents', async () => {
    const arb = fc.oneof(bytesNear(gz, 40), bytesNear(images, 24).map((b) => new Uint8Array(gzipSync(b))));
    await fc.assert(fc.asyncProperty(arb, check), { seed: SEED, numRuns: 1500 });
  });

  test('a gzip bomb stops at the size its header declares', async () => {
    // 64 MB of zeros behind a header declaring one 28×28 image: about 64 kB compressed.
    const bomb = new Uint8Array(64 * 2 ** 20);
    bomb.set(data.encodeIdx(new Uint8Array(784), [1, 28, 28]).subarray(0, 16));
    const compressed = gzipSync(bomb);
    expect(compressed.length).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    await expect(data.decodeIdxFile(compressed, SOURCE)).rejects.toThrow(`IDX file ${SOURCE}: its gzip data decompress to more than the 800 bytes its header declares`);
    // Decompression stopped after the first chunk or two, nowhere near 64 MB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });

  test('dimensions no file can hold are refused from the header alone', async () => {
    const huge = new Uint8Array([0, 0, 0x08, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    await expect(data.decodeIdxFile(huge, SOURCE)).rejects.toThrow(/declare more data than any file can hold/);
    await expect(data.decodeIdxFile(new Uint8Array(gzipSync(huge)), SOURCE)).rejects.toThrow(/declare more data than any file can hold/);
  });
});

describe('.npy', () => {
  const valid = io.encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  const v64 = io.encodeNpy(Float64Array.from([1, 2]), [2]);
  test('decodeNpy: valid arrays or an error naming the file', () => {
    fc.assert(fc.property(fc.oneof(bytesNear(valid), bytesNear(v64)), (bytes) => {
      try {
        const arr = io.decodeNpy(bytes, SOURCE);
        expect(arr.data.length).toBe(sizeOf(arr.shape));
        expect(arr.data.byteLength).toBeLessThanOrEqual(bytes.length);
      } catch (err) {
        expectGenzooError(err);
      }
    }), RUNS);
  });
});

describe('config.json', () => {
  const config = {
    format: training.RUN_FORMAT, genzoo: '0.1.0',
    model: models.defaultConfig('cvae', 'mlp', { width: 16, latent: 4 }),
    train: { epochs: 2, batch: 20, seed: 0, data: 'mnist', backend: 'js' },
  };
  const validText = JSON.stringify(config, null, 2) + '\n';
  const validBytes = new TextEncoder().encode(validText);
  // Structural mutants: one field (top level, or in model/train) replaced by any JSON value, or removed.
  const fieldMutant = fc.record({
    where: fc.constantFrom<'top' | 'model' | 'train'>('top', 'model', 'train'),
    key: fc.constantFrom('format', 'model', 'train', 'history', 'kind', 'arch', 'latent', 'width', 'lr', 'beta1', 'options', 'epochs', 'batch', 'seed', 'data', 'backend'),
    value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  }).map(({ where, key, value }) => {
    const c = structuredClone(config) as Record<string, unknown>;
    const target = (where === 'top' ? c : c[where]) as Record<string, unknown>;
    if (value === undefined) delete target[key];
    else target[key] = value;
    return JSON.stringify(c);
  });
  test('parseRunConfig: a validated configuration or an error naming the file', () => {
    fc.assert(fc.property(fc.oneof(fieldMutant, bytesNear(validBytes, validBytes.length).map(text)), (t) => {
      try {
        const run = training.parseRunConfig(t, SOURCE);
        expect(Number.isSafeInteger(run.train.epochs) && run.train.epochs >= 1).toBe(true);
        expect(Number.isSafeInteger(run.train.batch) && run.train.batch >= 1).toBe(true);
        expect(typeof run.train.data).toBe('string');
        expect(models.isModelKind(run.model.kind)).toBe(true);
      } catch (err) {
        expectGenzooError(err);
      }
    }), RUNS);
  });
});

describe('losses.csv', () => {
  const log = new training.LossLog(['loss', 'rec', 'kl']);
  for (let s = 1; s <= 6; s++) log.add(s, s <= 3 ? 1 : 2, { loss: 500 - s * 1.25, rec: 490 - s, kl: 0.1 * s });
  const valid = new TextEncoder().encode(log.toCSV());
  test('parseCSV: a consistent log or an error naming the file', () => {
    fc.assert(fc.property(bytesNear(valid, valid.length), (bytes) => {
      try {
        const parsed = training.LossLog.parseCSV(text(bytes), SOURCE);
        parsed.rows.forEach((r, i) => {
          if (i > 0) expect(r.step).toBe(parsed.rows[i - 1].step + 1);
          expect(r.values).toHaveLength(parsed.names.length);
        });
      } catch (err) {
        expectGenzooError(err);
      }
    }), RUNS);
  });

  test('a line cut short is refused, not read as a smaller number', () => {
    const whole = log.toCSV();
    const cut = whole.slice(0, whole.length - 3); // "…,0.6000000000000001\n" → "…,0.60000000000000"
    expect(() => training.LossLog.parseCSV(cut, SOURCE)).toThrow(`${SOURCE}: the last line is incomplete (no final newline: the file was cut short)`);
  });
});

describe('checkpoint', () => {
  const make = (): models.GenerativeModel => models.createModel(models.defaultConfig('cvae', 'mlp', { width: 4, latent: 2 }), 1);
  const model = make();
  const state: training.TrainerState = {
    epoch: 1, stepInEpoch: 0, globalStep: 2,
    generator: new Generator('0/train').state(),
    loader: { epoch: 1, batch: 0, seed: '0', batchSize: 2, shuffle: true, dropLast: true, n: 4, dataset: 'fuzz' },
    elapsedSec: 1.5,
  };
  /** All weights and buffers as bytes (exact comparison). */
  const weightsOf = (m: models.GenerativeModel): Buffer => Buffer.concat(Object.values(m.stateDict()).map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  test('restoreCheckpoint: a restored model or an error naming the file, the model untouched on error', async () => {
    const lossLog = new training.LossLog(model.lossNames);
    lossLog.add(1, 1, { loss: 3, rec: 2, kl: 1 });
    lossLog.add(2, 1, { loss: 2.5, rec: 2, kl: 0.5 });
    const dir = mkdtempSync(join(tmpdir(), 'genzoo-fuzz-'));
    try {
      await training.writeCheckpoint(dir, model, state, lossLog);
      const valid = new Uint8Array(readFileSync(join(dir, 'checkpoint.safetensors')));
      const target = make();
      fc.assert(fc.property(bytesNear(valid, 1200), (bytes) => {
        const before = weightsOf(target);
        try {
          const restored = training.restoreCheckpoint(bytes, SOURCE, target);
          expect(restored.state.globalStep).toBeGreaterThanOrEqual(0);
        } catch (err) {
          expectGenzooError(err);
          expect(weightsOf(target).equals(before)).toBe(true);
        }
      }), { seed: SEED, numRuns: 1000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
