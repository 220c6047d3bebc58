import { describe, expect, it } from 'vitest';
import { nn, tensor } from '../../src/index.js';

// Two features over a batch of four, small numbers so every step can be done by hand.
const X = [[1, 10], [2, 20], [3, 30], [6, 0]];
// Feature 0: mean 3, biased var (4 + 1 + 0 + 9)/4 = 3.5, unbiased 14/3.
// Feature 1: mean 15, biased var (25 + 25 + 225 + 225)/4 = 125, unbiased 500/3.
const MEAN = [3, 15];
const VAR_B = [3.5, 125];
const VAR_U = [14 / 3, 500 / 3];

describe('BatchNorm matches the formulas', () => {
  it('training: normalises with batch statistics and updates the running ones with momentum', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: 0.1, eps: 1e-5, dtype: 'float64' });
    bn.weight!.data.set([2, 0.5]);
    bn.bias!.data.set([1, -1]);
    const y = bn.call(tensor(X, { dtype: 'float64' })).toArray() as number[][];
    X.forEach((row, i) => row.forEach((v, c) => {
      const want = ((v - MEAN[c]) / Math.sqrt(VAR_B[c] + 1e-5)) * [2, 0.5][c] + [1, -1][c];
      expect(y[i][c]).toBeCloseTo(want, 12);
    }));
    // running ← 0.9·running + 0.1·batch (running var uses the unbiased batch variance)
    bn.runningMean!.toList().forEach((v, c) => expect(v).toBeCloseTo(0.9 * 0 + 0.1 * MEAN[c], 12));
    bn.runningVar!.toList().forEach((v, c) => expect(v).toBeCloseTo(0.9 * 1 + 0.1 * VAR_U[c], 12));
    expect(bn.numBatchesTracked!.item()).toBe(1);

    bn.call(tensor(X, { dtype: 'float64' }));
    bn.runningMean!.toList().forEach((v, c) => expect(v).toBeCloseTo(0.9 * (0.1 * MEAN[c]) + 0.1 * MEAN[c], 12));
    bn.runningVar!.toList().forEach((v, c) => expect(v).toBeCloseTo(0.9 * (0.9 + 0.1 * VAR_U[c]) + 0.1 * VAR_U[c], 12));
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('eval: normalises with the running statistics and leaves them unchanged', () => {
    const bn = new nn.BatchNorm1d(2, { dtype: 'float64' });
    bn.runningMean!.data.set([1, -2]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.weight!.data.set([3, 1]);
    bn.bias!.data.set([0, 0.5]);
    bn.eval();
    const y = bn.call(tensor(X, { dtype: 'float64' })).toArray() as number[][];
    X.forEach((row, i) => row.forEach((v, c) => {
      const want = ((v - [1, -2][c]) / Math.sqrt([4, 0.25][c] + 1e-5)) * [3, 1][c] + [0, 0.5][c];
      expect(y[i][c]).toBeCloseTo(want, 12);
    }));
    expect(bn.runningMean!.toList()).toEqual([1, -2]);
    expect(bn.runningVar!.toList()).toEqual([4, 0.25]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
  });

  it('BatchNorm2d reduces over batch, height and width per channel', () => {
    // Channel 0 holds X's first column spread over [N=2, H=1, W=2]; channel 1 the second.
    const x = tensor([[[[1, 2]], [[10, 20]]], [[[3, 6]], [[30, 0]]]], { dtype: 'float64' });
    const bn = new nn.BatchNorm2d(2, { momentum: 0.5, dtype: 'float64' });
    const y = bn.call(x).toArray() as number[][][][];
    expect(y[0][0][0][0]).toBeCloseTo((1 - 3) / Math.sqrt(3.5 + 1e-5), 12);
    expect(y[1][1][0][0]).toBeCloseTo((30 - 15) / Math.sqrt(125 + 1e-5), 12);
    bn.runningVar!.toList().forEach((v, c) => expect(v).toBeCloseTo(0.5 + 0.5 * VAR_U[c], 12));
    // Batch-normalised output: zero mean and (biased) unit variance per channel.
    for (let c = 0; c < 2; c++) {
      const vals = [y[0][c][0][0], y[0][c][0][1], y[1][c][0][0], y[1][c][0][1]];
      const m = vals.reduce((a, b) => a + b) / 4;
      expect(m).toBeCloseTo(0, 12);
      expect(vals.reduce((a, b) => a + (b - m) ** 2, 0) / 4).toBeCloseTo(VAR_B[c] / (VAR_B[c] + 1e-5), 12);
    }
  });

  it('momentum null keeps a cumulative average; without running stats eval uses the batch', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null, dtype: 'float64' });
    bn.call(tensor(X, { dtype: 'float64' }));
    bn.call(tensor(X.map((r) => r.map((v) => v + 1)), { dtype: 'float64' }));
    bn.runningMean!.toList().forEach((v, c) => expect(v).toBeCloseTo((MEAN[c] + MEAN[c] + 1) / 2, 12));
    bn.runningVar!.toList().forEach((v, c) => expect(v).toBeCloseTo(VAR_U[c], 12));

    const free = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false, dtype: 'float64' }).eval();
    expect(free.buffers()).toHaveLength(0);
    const y = free.call(tensor(X, { dtype: 'float64' })).toArray() as number[][];
    expect(y[0][0]).toBeCloseTo((1 - 3) / Math.sqrt(3.5 + 1e-5), 12);
  });
});
