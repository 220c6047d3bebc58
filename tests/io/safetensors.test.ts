import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, save, load, tensor, scalar, randn, Generator, Tensor, nn } from '../../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genzoo-st-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const hex = (h: string): number[] => h.match(/../g)!.map((b) => parseInt(b, 16));
const u64le = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];

/** A minimal module in the shape nn.Module has: stateDict() + loadStateDict(). */
function fakeModule(tensors: Record<string, Tensor>) {
  return {
    tensors,
    loaded: null as Record<string, Tensor> | null,
    stateDict() {
      return { ...this.tensors };
    },
    loadStateDict(sd: Record<string, Tensor>) {
      this.loaded = sd;
      for (const [k, t] of Object.entries(sd)) this.tensors[k].data.set(t.data);
    },
  };
}

describe('byte-exact compatibility with safetensors.torch.save_file', () => {
  /*
   * What `safetensors.torch.save_file(d, path)` writes for
   *   d = { "weight": torch.tensor([[1., 2.], [3., 4.]]),           # float32 [2, 2]
   *         "bias":   torch.tensor([0.5, -1.]),                     # float32 [2]
   *         "scale":  torch.tensor(2., dtype=torch.float64) }       # float64 []
   * derived by hand from the format and the reference writer (the Rust crate's
   * `prepare`): tensors sorted by dtype alignment, largest first (F64 before
   * F32), then by name; offsets assigned in that order; the header is compact
   * JSON listing the tensors in offset order with keys dtype, shape,
   * data_offsets; it is padded with spaces so that its length N is a multiple
   * of 8; N comes first as a little-endian u64. save_file adds no metadata.
   * The header below is 176 characters, already a multiple of 8: no padding.
   * Data (IEEE-754, little-endian): 2.0 as f64 = 00 00 00 00 00 00 00 40;
   * f32 0.5 = 00 00 00 3f, -1 = 00 00 80 bf, 1 = 00 00 80 3f, 2 = 00 00 00 40,
   * 3 = 00 00 40 40, 4 = 00 00 80 40.
   */
  const header =
    '{"scale":{"dtype":"F64","shape":[],"data_offsets":[0,8]},' +
    '"bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
    '"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}}';
  const fixture = new Uint8Array([
    ...u64le(176),
    ...ascii(header),
    ...hex('0000000000000040'),
    ...hex('0000003f000080bf'),
    ...hex('0000803f000000400000404000008040'),
  ]);
  const dict = () => ({
    weight: tensor([[1, 2], [3, 4]]),
    bias: tensor([0.5, -1]),
    scale: scalar(2, { dtype: 'float64' }),
  });

  test('the fixture is self-consistent (176-byte header, 32 data bytes)', () => {
    expect(header.length).toBe(176);
    expect(fixture.length).toBe(8 + 176 + 32);
  });

  test('genzoo writes exactly these bytes', () => {
    expect(Array.from(io.serialize(dict()))).toEqual(Array.from(fixture));
  });

  test('genzoo reads them', () => {
    const { tensors, metadata } = io.deserialize(fixture, 'fixture');
    expect(metadata).toBeNull();
    expect(Object.keys(tensors)).toEqual(['scale', 'bias', 'weight']);
    expect(tensors.weight.shape).toEqual([2, 2]);
    expect(tensors.weight.dtype).toBe('float32');
    expect(tensors.weight.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensors.bias.toArray()).toEqual([0.5, -1]);
    expect(tensors.scale.shape).toEqual([]);
    expect(tensors.scale.dtype).toBe('float64');
    expect(tensors.scale.item()).toBe(2);
  });

  test('with metadata: "__metadata__" first, then padding with spaces to a multiple of 8', () => {
    // {"__metadata__":{"format":"pt"}, + the same entries = 207 characters → 1 space → N = 208.
    const withMeta = '{"__metadata__":{"format":"pt"},' + header.slice(1);
    expect(withMeta.length).toBe(207);
    const expected = [...u64le(208), ...ascii(withMeta), 0x20, ...fixture.subarray(8 + 176)];
    expect(Array.from(io.serialize(dict(), { format: 'pt' }))).toEqual(expected);
    expect(io.deserialize(new Uint8Array(expected)).metadata).toEqual({ format: 'pt' });
  });

  test("the reference crate's own serialization examples", () => {
    // attn.0: F32 [1, 2, 3] = 0…5: a 64-byte header, no padding.
    const values = new Float32Array([0, 1, 2, 3, 4, 5]);
    const h1 = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(h1.length).toBe(64);
    const le = Array.from(new Uint8Array(values.buffer));
    expect(Array.from(io.serialize({ 'attn.0': new Tensor(values.slice(), [1, 2, 3]) }))).toEqual([...u64le(64), ...ascii(h1), ...le]);
    // attn0: F32 [1, 1, 2, 3]: 65 characters + 7 spaces = 72.
    const h2 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(h2.length).toBe(65);
    expect(Array.from(io.serialize({ attn0: new Tensor(values.slice(), [1, 1, 2, 3]) }))).toEqual([...u64le(72), ...ascii(h2), ...Array(7).fill(0x20), ...le]);
    // No tensors: "{}" + 6 spaces; with metadata {"framework": "pt"}: 35 characters + 5 spaces.
    expect(Array.from(io.serialize({}))).toEqual([...u64le(8), ...ascii('{}'), ...Array(6).fill(0x20)]);
    expect(Array.from(io.serialize({}, { framework: 'pt' }))).toEqual([...u64le(40), ...ascii('{"__metadata__":{"framework":"pt"}}'), ...Array(5).fill(0x20)]);
  });

  test('names sort by UTF-8 bytes within a dtype, as in Rust', () => {
    // 'B' (0x42) < 'a' (0x61) < 'é' (0xC3 0xA9) < '😀' (0xF0…); UTF-16 order would put '😀' (0xD83D) before '' (0xE000).
    const t = () => tensor([1]);
    const names = ['é', 'a', '😀', 'B', '\uE000'];
    const bytes = io.serialize(Object.fromEntries(names.map((n) => [n, t()])));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const order = Object.keys(JSON.parse(headerText));
    expect(order).toEqual(['B', 'a', 'é', '\uE000', '😀']);
  });
});

describe('round trip', () => {
  test('float32 and float64 tensors, metadata, empty and 0-d tensors, special values', () => {
    const g = new Generator(1);
    const sd = {
      'enc.0.weight': randn([5, 3], { generator: g }),
      'enc.0.bias': randn([5], { generator: g }),
      'dec.w64': randn([2, 2, 2], { generator: g, dtype: 'float64' }),
      empty: new Tensor(new Float32Array(0), [0, 4]),
      zero_d: scalar(-0.25),
      special: tensor([NaN, Infinity, -Infinity, -0, 1e-45]),
    };
    const bytes = io.saveToBuffer(sd, { note: 'hello "world"\n', epoch: '3' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const back = io.deserialize(bytes);
    expect(back.metadata).toEqual({ note: 'hello "world"\n', epoch: '3' });
    for (const [k, t] of Object.entries(sd)) {
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect(back.tensors[k].dtype).toBe(t.dtype);
      expect(Array.from(back.tensors[k].data)).toEqual(Array.from(t.data));
    }
    expect(Object.is(back.tensors.special.data[3], -0)).toBe(true);
    // And writing what was read gives the same bytes.
    expect(Array.from(io.serialize(back.tensors, back.metadata))).toEqual(Array.from(bytes));
  });

  test('save/load a module through files, and an nn.Sequential', async () => {
    const src = fakeModule({ w: randn([4, 3], { generator: new Generator(2) }), b64: randn([4], { generator: new Generator(3), dtype: 'float64' }) });
    const path = join(dir, 'm.safetensors');
    await save(src, path, { metadata: { model: 'fake' } });
    const dst = fakeModule({ w: new Tensor(new Float32Array(12), [4, 3]), b64: new Tensor(new Float64Array(4), [4]) });
    const res = await load(dst, path);
    expect(res).toEqual({ missing: [], unexpected: [], metadata: { model: 'fake' } });
    expect(Array.from(dst.tensors.w.data)).toEqual(Array.from(src.tensors.w.data));
    expect(Array.from(dst.tensors.b64.data)).toEqual(Array.from(src.tensors.b64.data));
    expect((await io.readSafetensors(path)).metadata).toEqual({ model: 'fake' });

    // The real nn.Module (PyTorch names: '0.weight', '0.bias', …).
    const make = () => new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const a = make();
    const b = make();
    for (const t of Object.values(b.stateDict())) t.data.fill(0);
    await save(a, join(dir, 'seq.safetensors'));
    await load(b, join(dir, 'seq.safetensors'));
    for (const [k, t] of Object.entries(a.stateDict())) expect(Array.from(b.stateDict()[k].data)).toEqual(Array.from(t.data));
  });

  test('a plain record of tensors loads in place', () => {
    const bytes = io.serialize({ a: tensor([1, 2, 3]) });
    const target = { a: tensor([0, 0, 0]) };
    const data = target.a.data;
    io.loadFromBuffer(target, bytes.buffer);
    expect(target.a.data).toBe(data);
    expect(Array.from(data)).toEqual([1, 2, 3]);
  });
});

describe('validation', () => {
  const good = () => io.serialize({ 'layer.weight': tensor([[1, 2, 3], [4, 5, 6]]), 'layer.bias': tensor([7, 8]) }, { k: 'v' });
  const target = () => ({ 'layer.weight': tensor([[0, 0, 0], [0, 0, 0]]), 'layer.bias': tensor([0, 0]) });

  test('a file truncated at EVERY byte position gives a clear error, and leaves the target untouched', () => {
    const bytes = good();
    expect(bytes.length).toBeGreaterThan(100);
    for (let len = 0; len < bytes.length; len++) {
      const t = target();
      let err: unknown = null;
      try {
        io.loadFromBuffer(t, bytes.slice(0, len), { source: 'cut.safetensors' });
      } catch (e) {
        err = e;
      }
      expect(err, `truncated to ${len} bytes`).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toMatch(/^safetensors: cut\.safetensors: /);
      expect(msg).toMatch(/truncated\?|not valid JSON|too short/);
      expect(Array.from(t['layer.weight'].data)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(() => io.deserialize(bytes.slice(0, len))).toThrow(/safetensors: buffer: /);
    }
    expect(() => io.loadFromBuffer(target(), bytes)).not.toThrow();
  });

  /** Builds a file from a header object and data bytes (padded like the writer). */
  function build(header: unknown, data: Uint8Array | number[] = []): Uint8Array {
    let json = typeof header === 'string' ? header : JSON.stringify(header);
    while ((json.length % 8) !== 0) json += ' ';
    return new Uint8Array([...u64le(json.length), ...ascii(json), ...data]);
  }
  const f32 = (xs: number[]) => Array.from(new Uint8Array(new Float32Array(xs).buffer));

  test('a header with a wrong shape names the tensor and both shapes', () => {
    const bytes = build({ 'layer.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] }, 'layer.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] } }, f32([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(() => io.loadFromBuffer(target(), bytes, { source: 'x.safetensors' })).toThrow(
      'safetensors: x.safetensors: tensor "layer.weight": shape in the file is [3, 2] but the module expects [2, 3]');
    // A shape that disagrees with its own offsets.
    const inconsistent = build({ w: { dtype: 'F32', shape: [3, 3], data_offsets: [0, 8] } }, f32([1, 2]));
    expect(() => io.deserialize(inconsistent)).toThrow('tensor "w": shape [3, 3] of F32 needs 36 bytes but data_offsets [0, 8] hold 8');
  });

  test('a tensor missing from the file, and an unexpected tensor', () => {
    const onlyWeight = io.serialize({ 'layer.weight': tensor([[1, 2, 3], [4, 5, 6]]) });
    expect(() => io.loadFromBuffer(target(), onlyWeight, { source: 'm.safetensors' })).toThrow(
      'safetensors: m.safetensors: tensor "layer.bias" expected by the module is missing from the file');
    const extra = io.serialize({ 'layer.weight': tensor([[1, 2, 3], [4, 5, 6]]), 'layer.bias': tensor([7, 8]), 'layer.scale': tensor([1]) });
    expect(() => io.loadFromBuffer(target(), extra, { source: 'm.safetensors' })).toThrow(
      'safetensors: m.safetensors: unexpected tensor "layer.scale" in the file');
    // Non-strict: loads what matches, reports the rest.
    const t = target();
    expect(io.loadFromBuffer(t, onlyWeight, { strict: false })).toEqual({ missing: ['layer.bias'], unexpected: [], metadata: null });
    expect(Array.from(t['layer.weight'].data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(io.loadFromBuffer(target(), extra, { strict: false }).unexpected).toEqual(['layer.scale']);
    // A name like "toString" is a name, not an inherited property.
    expect(() => io.loadFromBuffer({ a: tensor([1]) }, io.serialize({ a: tensor([1]), toString: tensor([1]) }))).toThrow('unexpected tensor "toString"');
  });

  test('dtypes: F32 → float64 widens; F64 → float32 only when exact; F8 is unsupported (F16/BF16/integers: safetensors-dtypes.test.ts)', () => {
    const m = { w: new Tensor(new Float64Array(2), [2]) };
    io.loadFromBuffer(m, io.serialize({ w: tensor([0.1, 2]) }));
    expect(Array.from(m.w.data)).toEqual([Math.fround(0.1), 2]);
    const m32 = { w: tensor([0, 0]) };
    io.loadFromBuffer(m32, io.serialize({ w: tensor([0.5, -3], { dtype: 'float64' }) }));
    expect(Array.from(m32.w.data)).toEqual([0.5, -3]);
    expect(() => io.loadFromBuffer(m32, io.serialize({ w: tensor([0.5, 0.1], { dtype: 'float64' }) }), { source: 'd.safetensors' })).toThrow(
      'safetensors: d.safetensors: tensor "w" is F64 in the file but float32 in the module, and element 1 (0.1) is not exactly representable in float32');
    for (const dtype of ['F8_E4M3', 'F8_E5M2']) {
      const bytes = build({ w: { dtype, shape: [2], data_offsets: [0, 2] } }, [0, 0]);
      expect(() => io.deserialize(bytes, 'h.safetensors')).toThrow(`safetensors: h.safetensors: tensor "w" has dtype ${dtype}, which genzoo does not read (F32, F64, F16, BF16, BOOL and integers`);
    }
    expect(() => io.deserialize(build({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, Array(8).fill(0)))).toThrow('dtype C64, which genzoo does not read');
    expect(() => io.deserialize(build({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, [0]))).toThrow('tensor "w": unknown dtype "Q4"');
  });

  test('malformed headers and offsets', () => {
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array([...u64le(8), ...ascii('[1,2,3] ')]), "header does not start with '{'"],
      [new Uint8Array([...u64le(8), ...ascii('{"a":1  ')]), 'header is not valid JSON'],
      [new Uint8Array([...u64le(8), 0x7b, 0xff, 0xfe, 0x7d, 0x20, 0x20, 0x20, 0x20]), 'header is not valid UTF-8'],
      [new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, ...ascii('{}')]), 'exceeds the 100000000-byte limit'],
      [build({ a: 'x' }), 'tensor "a": header entry must be an object'],
      [build({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), '"shape" must be an array of non-negative integers'],
      [build({ a: { dtype: 'F32', shape: [1], data_offsets: [4] } }, f32([1])), '"data_offsets" must be [begin, end]'],
      [build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32([1])), 'end before they begin'],
      [build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), 'tensor "a": data_offsets [4, 8] leave a gap: bytes [0, 4)'],
      [build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), 'tensor "b": data_offsets [4, 8] overlap the previous tensor'],
      [build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])), '(4 extra bytes)'],
      [build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1])), 'tensor "a" F32 [2]: data_offsets [0, 8] run past the end of the data (4 bytes after the header; truncated?)'],
      [build({ __metadata__: { n: 3 } }), '__metadata__ "n" must be a string'],
      [build({ __metadata__: ['x'] }), '__metadata__ must be an object of strings'],
    ];
    for (const [bytes, message] of cases) expect(() => io.deserialize(bytes, 'bad.safetensors'), message).toThrow(message);
    // Entries listed out of offset order are fine (other writers may do that).
    const shuffled = build({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2]));
    const { tensors } = io.deserialize(shuffled);
    expect([tensors.a.item(), tensors.b.item()]).toEqual([1, 2]);
  });

  test('bad arguments and missing files', async () => {
    expect(() => io.saveToBuffer({ a: [1, 2] as unknown as Tensor })).toThrow('"a" is not a Tensor');
    expect(() => io.serialize({ a: tensor([1]) }, { k: 3 as unknown as string })).toThrow('metadata "k" must be a string');
    await expect(load({ a: tensor([1]) }, join(dir, 'nope.safetensors'))).rejects.toThrow(`safetensors: cannot read ${join(dir, 'nope.safetensors')}: no such file or directory`);
    await expect(io.readSafetensors(dir)).rejects.toThrow(/is a directory/);
    await writeFile(join(dir, 'junk.bin'), 'hello, this is not a checkpoint at all');
    await expect(load({ a: tensor([1]) }, join(dir, 'junk.bin'))).rejects.toThrow(`safetensors: ${join(dir, 'junk.bin')}: header length`);
  });
});

describe('atomic save', () => {
  test('an interrupted save (crash between write and rename) keeps the previous checkpoint intact', async () => {
    const path = join(dir, 'ckpt.safetensors');
    const v1 = { w: tensor([1, 2, 3]) };
    await save(v1, path, { metadata: { step: '1' } });
    const before = await readFile(path);

    let tempSeen = '';
    const v2 = { w: tensor([9, 9, 9]) };
    await expect(save(v2, path, {
      metadata: { step: '2' },
      beforeRename: async (temp) => {
        tempSeen = temp;
        // The new checkpoint is complete on disk under the temporary name …
        expect(io.deserialize(await readFile(temp)).metadata).toEqual({ step: '2' });
        // … and the target still holds the old one.
        expect(Buffer.compare(await readFile(path), before)).toBe(0);
        throw new Error('simulated crash');
      },
    })).rejects.toThrow(`cannot write ${path}: simulated crash (the previous file, if any, is unchanged)`);

    expect(tempSeen.startsWith(join(dir, '.ckpt.safetensors.'))).toBe(true);
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
    const target = { w: tensor([0, 0, 0]) };
    expect((await load(target, path)).metadata).toEqual({ step: '1' });
    expect(Array.from(target.w.data)).toEqual([1, 2, 3]);
    // No half-written or temporary file is left behind.
    expect((await readdir(dir)).filter((f) => f.includes('ckpt'))).toEqual(['ckpt.safetensors']);

    // The next save goes through.
    await save(v2, path);
    await load(target, path);
    expect(Array.from(target.w.data)).toEqual([9, 9, 9]);
  });

  test('a missing directory is a clear error', async () => {
    await expect(save({ w: tensor([1]) }, join(dir, 'no', 'such', 'dir', 'x.safetensors'))).rejects.toThrow(/cannot write .*x\.safetensors: directory .*dir does not exist/);
  });
});

describe('readSafetensorsMetadata: the header alone', () => {
  test('returns the metadata written, null without any, and names a header that does not fit', async () => {
    const withMeta = join(dir, 'meta.safetensors');
    await save({ w: tensor([1, 2, 3]) }, withMeta, { metadata: { format: 'x/1', note: 'two words' } });
    expect(await io.readSafetensorsMetadata(withMeta)).toEqual({ format: 'x/1', note: 'two words' });
    const without = join(dir, 'nometa.safetensors');
    await save({ w: tensor([1]) }, without);
    expect(await io.readSafetensorsMetadata(without)).toBeNull();
    const truncated = join(dir, 'truncated.safetensors');
    const bytes = await readFile(withMeta);
    await writeFile(truncated, bytes.subarray(0, 20));
    await expect(io.readSafetensorsMetadata(truncated)).rejects.toThrow(/header length \d+ does not fit a file of 20 bytes/);
    await writeFile(truncated, bytes.subarray(0, 5));
    await expect(io.readSafetensorsMetadata(truncated)).rejects.toThrow(/shorter than the 8-byte header length/);
  });
});
