/** Real digits for the evaluation tests: the embedded MNIST splits, loaded once per test file. */
import { data } from '../../src/index.js';

export interface Digits {
  images: Float32Array;
  labels: Int32Array;
  n: number;
}

let test: Promise<Digits> | null = null;
let train: Promise<Digits> | null = null;

/** The 997 held-out digits. */
export function testDigits(): Promise<Digits> {
  test ??= data.mnist({ split: 'test' }).then((d) => ({ images: d.images, labels: d.labels, n: d.n }));
  return test;
}

/** The 9,003 training digits. */
export function trainDigits(): Promise<Digits> {
  train ??= data.mnist({ split: 'train' }).then((d) => ({ images: d.images, labels: d.labels, n: d.n }));
  return train;
}

/** The first `perClass` digits of each class (digits are class-major). */
export function firstPerClass(d: Digits, perClass: number): Digits {
  const pick: number[] = [];
  const seen = new Array<number>(10).fill(0);
  for (let i = 0; i < d.n; i++) if (seen[d.labels[i]]++ < perClass) pick.push(i);
  const images = new Float32Array(pick.length * 784);
  pick.forEach((src, j) => images.set(d.images.subarray(src * 784, (src + 1) * 784), j * 784));
  return { images, labels: Int32Array.from(pick, (i) => d.labels[i]), n: pick.length };
}
