/**
 * An independent judge for the learning tests: a small MLP digit classifier
 * trained here with genzoo on real digits (about 90% on held-out digits after
 * a few seconds), and a helper that trains a model for a fixed number of steps.
 */
import { Generator, Tensor, argmax, data, models, noGrad, nn, optim } from '../../src/index.js';
import type { GenerativeModel } from '../../src/models/index.js';

export interface Judge {
  /** Predicted class of each image [N, 1, 28, 28]. */
  predict(images: Tensor): Int32Array;
  /** Share of held-out real digits it labels correctly. */
  testAccuracy: number;
}

export async function trainJudge(): Promise<Judge> {
  const train = data.balancedSubset(await data.mnist({ split: 'train' }), 300); // 3,000 digits
  const clf = new models.Classifier({ arch: 'mlp', width: 128, generator: new Generator('judge') });
  const opt = new optim.Adam(clf.parameters(), { lr: 2e-3 });
  const loader = new data.DataLoader(train, { batchSize: 50, seed: 1 });
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const b of loader) {
      const loss = nn.crossEntropy(clf.call(b.x).logits, b.y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  }
  clf.eval();
  const predict = (images: Tensor): Int32Array => noGrad(() => Int32Array.from(argmax(clf.call(images).logits, 1).data));
  const test = await data.mnist({ split: 'test' });
  const p = predict(new Tensor(test.images, [test.n, 1, 28, 28]));
  let ok = 0;
  for (let i = 0; i < test.n; i++) ok += p[i] === test.labels[i] ? 1 : 0;
  return { predict, testAccuracy: ok / test.n };
}

/** Trains `model` for `steps` steps on `ds` (batches of 50); returns every step's losses. */
export function trainSteps(model: GenerativeModel, ds: data.Dataset, steps: number, seed = 2): Array<Record<string, number>> {
  const loader = new data.DataLoader(ds, { batchSize: 50, seed, dropLast: true });
  const g = new Generator(seed);
  const history: Array<Record<string, number>> = [];
  while (history.length < steps) {
    for (const b of loader) {
      if (history.length >= steps) break;
      history.push(model.trainStep(b, g));
    }
  }
  return history;
}

/** Mean of one loss over a slice of the history. */
export function meanOf(history: Array<Record<string, number>>, key: string, from: number, to: number): number {
  const part = history.slice(from, to);
  return part.reduce((s, r) => s + r[key], 0) / part.length;
}

/** Share of class-conditional samples (n per class) the judge labels as their requested class. */
export function conditionalAccuracy(model: GenerativeModel, judge: Judge, perClass = 50): number {
  const labels = Int32Array.from({ length: 10 * perClass }, (_, i) => i % 10);
  const p = judge.predict(model.sample(labels, new Generator('samples')));
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += p[i] === labels[i] ? 1 : 0;
  return ok / labels.length;
}
