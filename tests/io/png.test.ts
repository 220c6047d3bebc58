import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, Tensor } from '../../src/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'genzoo-png-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** n images of h×w whose pixel (y, x) of image i has grey level ((i·31 + y·7 + x·3) mod 256) / 255. */
function pattern(n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(i * h + y) * w + x] = ((i * 31 + y * 7 + x * 3) % 256) / 255;
  return out;
}

describe('imageGrid', () => {
  test('PNG round trip: decode and compare every pixel, padding included', async () => {
    const n = 7, h = 5, w = 4;
    const images = new Tensor(pattern(n, h, w), [n, 1, h, w]);
    const png = await io.imageGrid(images, { cols: 3, padding: 2, padValue: 0.5 });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png[8 + 8 + 8 + 1]).toBe(0); // IHDR colour type 0: grey (bit depth is the byte before)
    const img = await io.decodePng(png);
    const rows = 3, cols = 3;
    expect(img.width).toBe(cols * (w + 2) + 2);
    expect(img.height).toBe(rows * (h + 2) + 2);
    const pad = Math.round(0.5 * 255);
    for (let Y = 0; Y < img.height; Y++) {
      for (let X = 0; X < img.width; X++) {
        const r = Math.floor((Y - 2) / (h + 2)), yy = (Y - 2) % (h + 2);
        const c = Math.floor((X - 2) / (w + 2)), xx = (X - 2) % (w + 2);
        const i = r * cols + c;
        const inside = Y >= 2 && X >= 2 && yy < h && xx < w && i < n;
        const want = inside ? (i * 31 + yy * 7 + xx * 3) % 256 : pad;
        if (img.data[Y * img.width + X] !== want) throw new Error(`pixel (${Y}, ${X}): ${img.data[Y * img.width + X]} ≠ ${want}`);
      }
    }
  });

  test('layouts, scaling, clamping and input shapes', () => {
    const flat = pattern(10, 28, 28);
    expect(io.gridPixels(flat).width).toBe(4 * 30 + 2); // ⌈√10⌉ = 4 columns, 3 rows
    expect(io.gridPixels(flat).height).toBe(3 * 30 + 2);
    expect(io.gridPixels(flat, { rows: 1 }).width).toBe(10 * 30 + 2);
    expect(io.gridPixels(new Tensor(flat, [10, 28, 28]), { rows: 2, cols: 5, padding: 0 })).toMatchObject({ width: 140, height: 56 });
    expect(io.gridPixels(new Tensor(flat, [10, 784]), { cols: 10, padding: 0 })).toMatchObject({ width: 280, height: 28 });
    const scaled = io.gridPixels(new Tensor(Float32Array.from([0, 1, 0.5, 2, -1, 0.25]), [1, 1, 2, 3]), { padding: 0, scale: 2 });
    expect(scaled.width).toBe(6);
    expect(Array.from(scaled.data.subarray(0, 6))).toEqual([0, 0, 255, 255, 128, 128]);
    expect(Array.from(scaled.data.subarray(12, 18))).toEqual([255, 255, 0, 0, 64, 64]); // 2 → 255, −1 → 0 (clamped)
  });

  test('bad input', () => {
    expect(() => io.gridPixels(new Tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]))).toThrow('expected grey images [N, 1, H, W], got [2, 3, 4, 4] (3 channels)');
    expect(() => io.gridPixels(new Float32Array(100))).toThrow('100 values are not a whole number of 28×28 images');
    expect(() => io.gridPixels(pattern(10, 28, 28), { rows: 2, cols: 3 })).toThrow('a 2×3 grid has room for 6 images, got 10');
    expect(() => io.gridPixels(pattern(1, 28, 28), { scale: 0 })).toThrow('scale must be an integer ≥ 1');
    const nan = pattern(2, 28, 28);
    nan[784 + 28 * 3 + 5] = NaN;
    expect(() => io.gridPixels(nan)).toThrow('image 1 has NaN at pixel (3, 5)');
  });
});

test('savePng writes atomically and readPng reads it back', async () => {
  const path = join(dir, 'samples.png');
  const images = pattern(100, 28, 28);
  await io.savePng(path, images, { rows: 10, cols: 10 });
  const img = await io.readPng(path);
  expect([img.width, img.height]).toEqual([302, 302]);
  expect(img.data[2 * 302 + 2]).toBe(0); // image 0, pixel (0, 0)
  expect(img.data[(2 + 30) * 302 + 2 + 1]).toBe((10 * 31 + 3) % 256); // image 10 (row 1), pixel (0, 1)
  expect(await readdir(dir)).toEqual(['samples.png']);
  expect((await readFile(path)).length).toBeGreaterThan(100);
  await expect(io.readPng(join(dir, 'none.png'))).rejects.toThrow('no such file or directory');
});
