/**
 * Grey-level image grids as PNG (sample sheets such as `samples.png`).
 *
 * `gridPixels` lays images out in a grid (8-bit grey, browser-safe: draw it on
 * a canvas); `imageGrid` encodes that grid as PNG bytes with pngjs; `savePng`
 * writes it atomically. pngjs is a Node library (it uses zlib), so it is loaded
 * on first use and the PNG functions are async (see node.ts).
 */
import { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
import { fsReason, nodeFs, nodeModule } from './node.js';
import { IOError, ShapeError, ValueError } from '../errors.js';

/** An 8-bit grey image, row-major: `data[y * width + x]`. */
export interface GreyImage {
  /** Pixels across. */
  width: number;
  /** Pixels down. */
  height: number;
  /** width · height grey levels 0–255. */
  data: Uint8Array;
}

/** Options of `gridPixels`, `imageGrid` and `savePng`: how images are laid out in a grid. */
export interface GridOptions {
  /** Rows of the grid (default: enough for `cols`, or a near-square layout). */
  rows?: number;
  /** Columns of the grid (default: enough for `rows`, or ⌈√N⌉). */
  cols?: number;
  /** Pixels between images and around the grid, before scaling (default 2). */
  padding?: number;
  /** Grey level in [0, 1] of the padding and of empty cells (default 0.5, so black digit backgrounds stay apart). */
  padValue?: number;
  /** Integer upscaling of the whole grid, nearest neighbour (default 1). */
  scale?: number;
  /** Image height and width when `images` is a flat Float32Array or a [N, H·W] tensor (default 28 × 28). */
  height?: number;
  /** Image width when `images` is flat (default 28). */
  width?: number;
}

function positiveInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`imageGrid: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

/** Reads the image stack: returns (values, N, H, W). */
function imageStack(images: Tensor | FloatArray, opts: GridOptions): { data: FloatArray; n: number; h: number; w: number } {
  const h0 = positiveInt('height', opts.height ?? 28, 1);
  const w0 = positiveInt('width', opts.width ?? 28, 1);
  if (images instanceof Tensor) {
    const s = images.shape;
    if (s.length === 4) {
      if (s[1] !== 1) throw new ShapeError(`imageGrid: expected grey images [N, 1, H, W], got ${shapeStr(s)} (${s[1]} channels)`);
      return { data: images.data, n: s[0], h: s[2], w: s[3] };
    }
    if (s.length === 3) return { data: images.data, n: s[0], h: s[1], w: s[2] };
    if (s.length === 2) {
      if (s[1] !== h0 * w0) throw new ShapeError(`imageGrid: rows of ${s[1]} values are not ${h0}×${w0} images (pass { height, width })`);
      return { data: images.data, n: s[0], h: h0, w: w0 };
    }
    throw new ShapeError(`imageGrid: expected images of shape [N, 1, H, W], [N, H, W] or [N, H·W], got ${shapeStr(s)}`);
  }
  if (images instanceof Float32Array || images instanceof Float64Array) {
    if (images.length % (h0 * w0) !== 0) throw new ShapeError(`imageGrid: ${images.length} values are not a whole number of ${h0}×${w0} images`);
    return { data: images, n: images.length / (h0 * w0), h: h0, w: w0 };
  }
  throw new ValueError('imageGrid: images must be a Tensor or a Float32Array');
}

/**
 * Lays N grey images (values in [0, 1]; outside values are clamped, NaN is an
 * error) out row-major in a grid: image i goes to row ⌊i / cols⌋, column i mod cols.
 * Size: (cols·(W + padding) + padding) × (rows·(H + padding) + padding), times `scale`.
 */
export function gridPixels(images: Tensor | FloatArray, opts: GridOptions = {}): GreyImage {
  const { data, n, h, w } = imageStack(images, opts);
  const padding = positiveInt('padding', opts.padding ?? 2, 0);
  const scale = positiveInt('scale', opts.scale ?? 1, 1);
  const padValue = opts.padValue ?? 0.5;
  if (typeof padValue !== 'number' || !(padValue >= 0 && padValue <= 1)) throw new ValueError(`imageGrid: padValue must be in [0, 1], got ${String(padValue)}`);
  let rows: number;
  let cols: number;
  if (opts.rows !== undefined && opts.cols !== undefined) {
    rows = positiveInt('rows', opts.rows, 1);
    cols = positiveInt('cols', opts.cols, 1);
    if (rows * cols < n) throw new ValueError(`imageGrid: a ${rows}×${cols} grid has room for ${rows * cols} images, got ${n}`);
  } else if (opts.cols !== undefined) {
    cols = positiveInt('cols', opts.cols, 1);
    rows = Math.max(1, Math.ceil(n / cols));
  } else if (opts.rows !== undefined) {
    rows = positiveInt('rows', opts.rows, 1);
    cols = Math.max(1, Math.ceil(n / rows));
  } else {
    cols = Math.max(1, Math.ceil(Math.sqrt(n)));
    rows = Math.max(1, Math.ceil(n / cols));
  }
  const gw = cols * (w + padding) + padding;
  const gh = rows * (h + padding) + padding;
  const grid = new Uint8Array(gw * gh).fill(Math.round(padValue * 255));
  for (let i = 0; i < n; i++) {
    const top = padding + Math.floor(i / cols) * (h + padding);
    const left = padding + (i % cols) * (w + padding);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = data[(i * h + y) * w + x];
        if (Number.isNaN(v)) throw new ValueError(`imageGrid: image ${i} has NaN at pixel (${y}, ${x})`);
        grid[(top + y) * gw + left + x] = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 255);
      }
    }
  }
  if (scale === 1) return { width: gw, height: gh, data: grid };
  const sw = gw * scale;
  const out = new Uint8Array(sw * gh * scale);
  for (let y = 0; y < gh * scale; y++) {
    const src = Math.floor(y / scale) * gw;
    for (let x = 0; x < sw; x++) out[y * sw + x] = grid[src + Math.floor(x / scale)];
  }
  return { width: sw, height: gh * scale, data: out };
}

interface PngjsModule {
  PNG: {
    sync: {
      write(png: { width: number; height: number; data: Uint8Array }, opts: Record<string, unknown>): Uint8Array;
      read(buffer: Uint8Array): { width: number; height: number; data: Uint8Array };
    };
  };
}

const pngjs = (feature: string): Promise<PngjsModule> => nodeModule<PngjsModule>('pngjs', feature);

/** Encodes an 8-bit grey image as PNG bytes (colour type 0, bit depth 8). */
export async function encodePng(image: GreyImage): Promise<Uint8Array> {
  if (image.data.length !== image.width * image.height) {
    throw new ShapeError(`encodePng: ${image.data.length} pixels do not make a ${image.width}×${image.height} image`);
  }
  const { PNG } = await pngjs('encodePng');
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const bytes = PNG.sync.write({ width: image.width, height: image.height, data }, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A grid of grey images as PNG bytes: `gridPixels` then `encodePng`. */
export async function imageGrid(images: Tensor | FloatArray, opts: GridOptions = {}): Promise<Uint8Array> {
  return encodePng(gridPixels(images, opts));
}

/** Writes a grid of grey images as a PNG file, atomically. Node-only. */
export async function savePng(path: string, images: Tensor | FloatArray, opts: GridOptions & AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, await imageGrid(images, opts), opts);
}

/**
 * Decodes PNG bytes to grey levels (the red channel of pngjs's RGBA output;
 * exact for grey PNGs). For tests and tools.
 */
export async function decodePng(bytes: Uint8Array, source = 'buffer'): Promise<GreyImage> {
  const { PNG } = await pngjs('decodePng');
  let png: { width: number; height: number; data: Uint8Array };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new IOError(`png: ${source}: cannot decode: ${(err as Error).message}`, { cause: err });
  }
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[4 * i];
  return { width: png.width, height: png.height, data };
}

/** Reads a PNG file as grey levels. Node-only. */
export async function readPng(path: string): Promise<GreyImage> {
  const fs = await nodeFs('readPng');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new IOError(`png: cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
  return decodePng(bytes, path);
}
