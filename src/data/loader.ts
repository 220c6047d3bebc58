/**
 * DataLoader: a Dataset in mini-batches, in a seeded order, resumable mid-epoch.
 *
 *   const loader = new DataLoader(train, { batchSize: 64, seed: 1 });
 *   for (let epoch = loader.position.epoch; epoch < 10; epoch++) {
 *     for (const { x, y } of loader) { … }   // one `for` = one epoch
 *   }
 *
 * The order of epoch e is a function of (seed, e) only: a Fisher–Yates
 * permutation drawn from `new Generator(`${seed}:epoch:${e}`)`. So an epoch can
 * be replayed or resumed from (epoch, batch) alone, without saving generator
 * state, and the loader's shuffling never disturbs the global generator that
 * model initialisation and sampling use.
 *
 * Resuming: `loader.position` is the next batch the loader will produce; it is
 * advanced as each batch is handed out. Save `loader.state()` after the step on
 * the current batch has finished (with the model), and on restart call
 * `loader.seek(savedState)`: the next `for` continues with exactly the batches
 * an uninterrupted run would have seen.
 */
import { Tensor } from '../tensor/tensor.js';
import { fromArray, oneHot } from '../tensor/create.js';
import { allocate, type DType } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import type { Dataset } from './dataset.js';
import { DTypeError, ValueError } from '../errors.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Images per batch (default 64). */
  batchSize?: number;
  /** Shuffle each epoch (default true); false keeps dataset order. */
  shuffle?: boolean;
  /** Seed of the epoch orders (default 0). */
  seed?: number | string;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Give x as [B, H·W] instead of [B, 1, H, W] (for MLPs; default false). */
  flatten?: boolean;
  /** dtype of x and yOneHot (default 'float32'). */
  dtype?: DType;
}

/** Where the loader stands: the next batch it will produce. */
export interface LoaderPosition {
  /** The epoch (0-based). */
  epoch: number;
  /** The batch within the epoch (0-based). */
  batch: number;
}

/** A position plus what must match for it to mean the same batches (stored in checkpoints). */
export interface LoaderState extends LoaderPosition {
  /** The loader's seed, as a string. */
  seed: string;
  /** Images per batch. */
  batchSize: number;
  /** Whether epochs are shuffled. */
  shuffle: boolean;
  /** Whether a short last batch is dropped. */
  dropLast: boolean;
  /** Dataset size, and name: resuming on other data is refused. */
  n: number;
  /** The dataset's name. */
  dataset: string;
}

/** One mini-batch. */
export class Batch {
  /** Images [B, 1, H, W] (or [B, H·W] with `flatten`), grey levels in [0, 1]. */
  readonly x: Tensor;
  /** Class labels, B integers in [0, classes). */
  readonly y: Int32Array;
  /** Which dataset images these are. */
  readonly indices: Int32Array;
  /** The epoch this batch belongs to. */
  readonly epoch: number;
  /** This batch's index within its epoch. */
  readonly index: number;
  /** Number of classes (the width of `yOneHot`). */
  readonly classes: number;
  private oneHotCache: Tensor | null = null;

  constructor(x: Tensor, y: Int32Array, indices: Int32Array, epoch: number, index: number, classes: number) {
    this.x = x;
    this.y = y;
    this.indices = indices;
    this.epoch = epoch;
    this.index = index;
    this.classes = classes;
  }

  /** Number of images in the batch. */
  get size(): number {
    return this.y.length;
  }

  /** Labels one-hot, [B, classes], in x's dtype; computed on first use. */
  get yOneHot(): Tensor {
    if (!this.oneHotCache) this.oneHotCache = oneHot(this.y, this.classes, { dtype: this.x.dtype });
    return this.oneHotCache;
  }
}

function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`DataLoader: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

/**
 * Batches a {@link Dataset} epoch after epoch, in an order that depends only on
 * (seed, epoch): a run that stops and resumes with `state()` / `seek()` sees
 * exactly the batches of an uninterrupted one. Each `for … of` over it is one
 * epoch, from the current position.
 *
 * ```ts
 * const loader = new data.DataLoader(await data.mnist(), { batchSize: 64, seed: 0 });
 * for (const { x, y, yOneHot } of loader) { … }   // x: [64, 1, 28, 28]
 * ```
 */
export class DataLoader implements Iterable<Batch> {
  /** The dataset batched. */
  readonly dataset: Dataset;
  /** Images per batch. */
  readonly batchSize: number;
  /** Whether each epoch is shuffled. */
  readonly shuffle: boolean;
  /** The seed of the epoch orders, as a string. */
  readonly seed: string;
  /** Whether a last batch smaller than `batchSize` is dropped. */
  readonly dropLast: boolean;
  /** Whether x is [B, H·W] rather than [B, 1, H, W]. */
  readonly flatten: boolean;
  /** dtype of x and yOneHot. */
  readonly dtype: DType;
  private pos: LoaderPosition = { epoch: 0, batch: 0 };

  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    if (!dataset || !(dataset.images instanceof Float32Array) || !(dataset.labels instanceof Int32Array)) {
      throw new ValueError('DataLoader: expected a Dataset ({ images: Float32Array, labels: Int32Array, n, height, width, classes })');
    }
    this.dataset = dataset;
    this.batchSize = checkInt('batchSize', opts.batchSize ?? 64, 1);
    this.shuffle = opts.shuffle ?? true;
    const seed = opts.seed ?? 0;
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new ValueError(`DataLoader: seed must be finite, got ${seed}`);
    this.seed = String(seed);
    this.dropLast = opts.dropLast ?? false;
    this.flatten = opts.flatten ?? false;
    this.dtype = opts.dtype ?? 'float32';
    if (this.dtype !== 'float32' && this.dtype !== 'float64') throw new DTypeError(`DataLoader: dtype must be 'float32' or 'float64', got ${String(this.dtype)}`);
    if (this.length === 0) {
      throw new ValueError(dataset.n === 0
        ? `DataLoader: dataset ${dataset.name} is empty`
        : `DataLoader: dropLast with batchSize ${this.batchSize} and only ${dataset.n} images gives no batches`);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the dataset (a permutation of 0…n−1). */
  order(epoch: number): Int32Array {
    checkInt('epoch', epoch, 0);
    const n = this.dataset.n;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return new Generator(`${this.seed}:epoch:${epoch}`).permutation(n);
  }

  /** Batch `index` of epoch `epoch`, computed directly. */
  batch(epoch: number, index: number): Batch {
    checkInt('batch index', index, 0);
    if (index >= this.length) throw new ValueError(`DataLoader: batch ${index} does not exist (an epoch has ${this.length})`);
    return this.makeBatch(this.order(epoch), epoch, index);
  }

  /** The batches of one epoch from batch `start` on, without touching `position`. */
  *epochBatches(epoch: number, start = 0): IterableIterator<Batch> {
    checkInt('start batch', start, 0);
    const order = this.order(epoch);
    for (let b = start; b < this.length; b++) yield this.makeBatch(order, epoch, b);
  }

  /** The next batch the loader will produce (normalised: never past the end of an epoch). */
  get position(): LoaderPosition {
    return { ...this.pos };
  }

  /** The position together with the settings that must match to resume (JSON-safe, for checkpoints). */
  state(): LoaderState {
    const { dataset } = this;
    return { ...this.pos, seed: this.seed, batchSize: this.batchSize, shuffle: this.shuffle, dropLast: this.dropLast, n: dataset.n, dataset: dataset.name };
  }

  /**
   * Makes the next `for` start at `to`: a position, or a saved `state()`, whose
   * settings are then checked against this loader's (a different seed, batch
   * size or dataset would silently change the batches: refused).
   * `batch` may equal `length` (the end of an epoch: moves to the next epoch).
   */
  seek(to: LoaderPosition | LoaderState): void {
    const epoch = checkInt('epoch', to?.epoch, 0);
    const batch = checkInt('batch', to?.batch, 0);
    if (batch > this.length) throw new ValueError(`DataLoader: cannot seek to batch ${batch}: an epoch has ${this.length}`);
    if ('seed' in to) {
      const mine = this.state();
      for (const key of ['seed', 'batchSize', 'shuffle', 'dropLast', 'n', 'dataset'] as const) {
        if (to[key] !== mine[key]) {
          throw new ValueError(`DataLoader: cannot resume: the saved loader had ${key} ${JSON.stringify(to[key])} but this one has ${JSON.stringify(mine[key])}`);
        }
      }
    }
    this.pos = batch === this.length ? { epoch: epoch + 1, batch: 0 } : { epoch, batch };
  }

  /** Iterates the rest of the current epoch (all of it, unless resumed mid-epoch), advancing `position`. */
  *[Symbol.iterator](): IterableIterator<Batch> {
    const { epoch, batch: start } = this.pos;
    const order = this.order(epoch);
    for (let b = start; b < this.length; b++) {
      const out = this.makeBatch(order, epoch, b);
      this.pos = b + 1 === this.length ? { epoch: epoch + 1, batch: 0 } : { epoch, batch: b + 1 };
      yield out;
    }
  }

  private makeBatch(order: Int32Array, epoch: number, index: number): Batch {
    const { dataset, batchSize } = this;
    const begin = index * batchSize;
    const end = Math.min(begin + batchSize, dataset.n);
    const size = end - begin;
    const pixels = dataset.height * dataset.width;
    const x = allocate(this.dtype, size * pixels);
    const y = new Int32Array(size);
    const indices = order.slice(begin, end);
    for (let j = 0; j < size; j++) {
      const i = indices[j];
      x.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), j * pixels);
      y[j] = dataset.labels[i];
    }
    const shape = this.flatten ? [size, pixels] : [size, 1, dataset.height, dataset.width];
    return new Batch(fromArray(x, shape), y, indices, epoch, index, dataset.classes);
  }
}
