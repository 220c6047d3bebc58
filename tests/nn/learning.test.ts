import { describe, expect, it } from 'vitest';
import { argmax, backendInfo, data, Generator, manualSeed, nn, noGrad, optim } from '../../src/index.js';

/** Fraction of images whose argmax logit is their label. */
function accuracy(model: nn.Module, ds: data.Dataset): number {
  const loader = new data.DataLoader(ds, { batchSize: 500, shuffle: false, flatten: true });
  let correct = 0;
  noGrad(() => {
    for (const b of loader) {
      const pred = argmax(model.call(b.x), 1).data;
      for (let i = 0; i < b.size; i++) if (pred[i] === b.y[i]) correct++;
    }
  });
  return correct / ds.n;
}

describe('learning', () => {
  it('a tiny conv net overfits a small batch of digits', async () => {
    const all = await data.mnist({ split: 'train' });
    const small = data.balancedSubset(all, 3); // 30 digits, 3 per class
    const batch = new data.DataLoader(small, { batchSize: 30, shuffle: false }).batch(0, 0);
    const g = new Generator(1);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1, generator: g }), new nn.ReLU(), // 14×14
      new nn.Conv2d(4, 8, 3, { stride: 2, padding: 1, generator: g }), new nn.BatchNorm2d(8), new nn.ReLU(), // 7×7
      new nn.Flatten(), new nn.Linear(8 * 7 * 7, 10, { generator: g }),
    );
    const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      opt.zeroGrad();
      const loss = nn.crossEntropy(net.call(batch.x), batch.y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 20);
  });

  it('an MLP reaches ≥ 95% accuracy on the held-out embedded digits', async () => {
    // 784 → 128 → 10, Adam 3e-3 with cosine annealing over 8 epochs of the 9,003 training digits
    // (about 10 s on the js backend): 96.6% on the 997 held-out digits with seed 0.
    const started = Date.now();
    const train = await data.mnist({ split: 'train' });
    const test = await data.mnist({ split: 'test' });
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const epochs = 8;
    const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const schedule = new optim.CosineAnnealingLR(opt, { tMax: epochs });
    const loader = new data.DataLoader(train, { batchSize: 64, seed: 0, flatten: true });
    let firstLoss = NaN, lastLoss = NaN;
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      for (const b of loader) {
        opt.zeroGrad();
        const loss = nn.crossEntropy(model.call(b.x), b.y);
        loss.backward();
        opt.step();
        if (Number.isNaN(firstLoss)) firstLoss = loss.item();
        lastLoss = loss.item();
      }
      schedule.step();
    }
    model.eval();
    const acc = accuracy(model, test);
    console.log(`MLP: ${(acc * 100).toFixed(2)}% held-out accuracy after ${epochs} epochs, ${((Date.now() - started) / 1000).toFixed(1)} s on the ${backendInfo().name} backend (loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)})`);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });
});
