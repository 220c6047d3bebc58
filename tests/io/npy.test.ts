import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, tensor, Tensor } from '../../src/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'genzoo-npy-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const text = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

describe('.npy header bytes exactly as NumPy writes them', () => {
  /*
   * From NumPy's format (numpy/lib/format.py, _write_array_header/_wrap_header), checked against
   * `np.save` in NumPy 2.4: magic "\x93NUMPY", version 1.0, header length (u16 LE), then the dict
   * repr with sorted keys, 21 − len(repr(shape[0])) spaces of growth room (none for 0-d), and spaces
   * plus '\n' up to a multiple of 64 bytes (a full 64 if already aligned).
   */
  const cases: Array<[number[], string, number]> = [
    [[3, 28, 28], "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }", 128],
    [[100, 28, 28], "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 28, 28), }", 128],
    [[5], "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 128],
    [[], "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 128],
    [[0], "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", 128],
    [Array(20).fill(1), `{'descr': '<f4', 'fortran_order': False, 'shape': (${Array(20).fill(1).join(', ')}), }`, 192],
  ];
  for (const [shape, dict, total] of cases) {
    test(`shape (${shape.join(', ')})`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = io.encodeNpy(new Float32Array(n).map((_, i) => i), shape);
      expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      const hlen = bytes[8] | (bytes[9] << 8);
      expect(10 + hlen).toBe(total);
      const growth = shape.length > 0 ? 21 - String(shape[0]).length : 0;
      const padded = dict + ' '.repeat(growth);
      expect(text(bytes, 10, 10 + padded.length)).toBe(padded);
      expect(text(bytes, 10 + padded.length, total - 1)).toBe(' '.repeat(total - 1 - 10 - padded.length));
      expect(bytes[total - 1]).toBe(0x0a);
      expect(bytes.length).toBe(total + 4 * n);
      const values = new Float32Array(bytes.slice(total).buffer);
      expect(values.every((v, i) => v === i)).toBe(true);
    });
  }

  test('the exact bytes for (3, 28, 28), written out', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }" + ' '.repeat(20) + ' '.repeat(33) + '\n';
    expect(header.length).toBe(118);
    const bytes = io.encodeNpy(new Tensor(new Float32Array(3 * 28 * 28), [3, 28, 28]));
    expect(Array.from(bytes.subarray(0, 128))).toEqual([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0, 118, 0, ...Array.from(header, (c) => c.charCodeAt(0))]);
  });

  test('float64 is <f8', () => {
    const bytes = io.encodeNpy(tensor([1, 2], { dtype: 'float64' }));
    expect(text(bytes, 10, 70)).toContain("'descr': '<f8'");
    expect(Array.from(io.decodeNpy(bytes).data)).toEqual([1, 2]);
  });
});

describe('round trip and errors', () => {
  test('saveNpy / loadNpy', async () => {
    const t = new Tensor(Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => (i % 256) / 255), [2, 28, 28]);
    const path = join(dir, 'samples.npy');
    await io.saveNpy(path, t);
    const back = await io.loadNpy(path);
    expect(back.shape).toEqual([2, 28, 28]);
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    expect((await readFile(path)).length).toBe(128 + 4 * 2 * 28 * 28);
  });

  test('bad input', async () => {
    expect(() => io.encodeNpy(new Float32Array(5), [2, 2])).toThrow('encodeNpy: shape [2, 2] needs 4 elements but the array has 5');
    const good = io.encodeNpy(new Float32Array(4), [2, 2]);
    expect(() => io.decodeNpy(good.slice(0, good.length - 1), 'x.npy')).toThrow("npy: x.npy: shape [2, 2] of '<f4' needs 16 data bytes but the file has 15 (truncated?)");
    expect(() => io.decodeNpy(good.slice(0, 50), 'x.npy')).toThrow('runs past the end of the file');
    expect(() => io.decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow('not a .npy file');
    const int = good.slice();
    expect(text(int, 20, 25)).toBe("'<f4'");
    int.set(Array.from("'<i4'", (c) => c.charCodeAt(0)), 20);
    expect(() => io.decodeNpy(int, 'x.npy')).toThrow("dtype '<i4' is not supported");
    await expect(io.loadNpy(join(dir, 'missing.npy'))).rejects.toThrow('no such file or directory');
  });
});
