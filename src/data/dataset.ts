/**
 * A labelled set of grey images, held as two flat arrays. Both the embedded
 * MNIST digits and IDX files on disk load into this one shape, and the
 * `DataLoader` batches it.
 */
import { ShapeError, ValueError } from '../errors.js';

/** A labelled set of grey images: what `data.mnist()`, `data.loadIdxDataset()` and `makeDataset()` return, and what a `DataLoader` batches. */
export interface Dataset {
  /** Where it came from, for messages and configs: 'mnist:train', 'idx:/data/mnist:test', … */
  readonly name: string;
  /** n · height · width grey levels in [0, 1]: image after image, each row-major. */
  readonly images: Float32Array;
  /** n class indices in [0, classes). */
  readonly labels: Int32Array;
  /** Number of images. */
  readonly n: number;
  /** Image height in pixels (28 for MNIST). */
  readonly height: number;
  /** Image width in pixels (28 for MNIST). */
  readonly width: number;
  /** Always 1: grey images. A batch's x is [B, channels, height, width]. */
  readonly channels: 1;
  /** Number of classes; labels lie in [0, classes). */
  readonly classes: number;
}

/** What `makeDataset` needs besides the arrays. */
export interface DatasetInfo {
  /** Where the data came from, for messages and configs. */
  name: string;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Number of classes. */
  classes: number;
}

/**
 * Builds a Dataset from flat arrays, checking that sizes agree, every grey level
 * is in [0, 1] and every label is an integer in [0, classes). The arrays are
 * used as given (not copied).
 */
export function makeDataset(images: Float32Array, labels: Int32Array, info: DatasetInfo): Dataset {
  const { name, height, width, classes } = info;
  for (const [k, v] of [['height', height], ['width', width], ['classes', classes]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ValueError(`dataset ${name}: ${k} must be a positive integer, got ${v}`);
  }
  if (!(images instanceof Float32Array)) throw new ValueError(`dataset ${name}: images must be a Float32Array`);
  if (!(labels instanceof Int32Array)) throw new ValueError(`dataset ${name}: labels must be an Int32Array`);
  const pixels = height * width;
  if (images.length % pixels !== 0) throw new ShapeError(`dataset ${name}: ${images.length} grey levels are not a whole number of ${height}×${width} images`);
  const n = images.length / pixels;
  if (labels.length !== n) throw new ShapeError(`dataset ${name}: ${n} images but ${labels.length} labels`);
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (!(v >= 0 && v <= 1)) throw new ValueError(`dataset ${name}: image ${Math.floor(i / pixels)} has grey level ${v} outside [0, 1]`);
  }
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= classes) throw new ValueError(`dataset ${name}: label ${labels[i]} of image ${i} is not in [0, ${classes})`);
  }
  return { name, images, labels, n, height, width, channels: 1, classes };
}

/** The images at `indices` (copied), in that order: e.g. a small training subset for a test. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): Dataset {
  const pixels = ds.height * ds.width;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new ValueError(`subset of ${ds.name}: index ${i} is not in [0, ${ds.n})`);
    images.set(ds.images.subarray(i * pixels, (i + 1) * pixels), j * pixels);
    labels[j] = ds.labels[i];
  }
  return { name, images, labels, n: indices.length, height: ds.height, width: ds.width, channels: 1, classes: ds.classes };
}

/** The first `perClass` images of each class, class-major (0s first): a small balanced subset. */
export function balancedSubset(ds: Dataset, perClass: number): Dataset {
  if (!Number.isInteger(perClass) || perClass <= 0) throw new ValueError(`balancedSubset: perClass must be a positive integer, got ${perClass}`);
  const picked: number[][] = Array.from({ length: ds.classes }, () => []);
  for (let i = 0; i < ds.n; i++) {
    const list = picked[ds.labels[i]];
    if (list.length < perClass) list.push(i);
  }
  for (let c = 0; c < ds.classes; c++) {
    if (picked[c].length < perClass) throw new ValueError(`balancedSubset: ${ds.name} has only ${picked[c].length} images of class ${c}, asked for ${perClass}`);
  }
  return subset(ds, picked.flat(), `${ds.name}[${perClass} per class]`);
}

/** How many images each class has. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classes).fill(0);
  for (let i = 0; i < ds.n; i++) counts[ds.labels[i]]++;
  return counts;
}
