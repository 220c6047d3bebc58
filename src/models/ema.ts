/**
 * An exponential moving average of a network's parameters (Polyak averaging;
 * for GANs: Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN
 * Training"). A GAN's generator never settles: each step chases the current
 * discriminator, so its weights oscillate and single snapshots carry the
 * oscillation as speckle and stroke noise. The average over the last ~1/(1 − decay)
 * steps cancels it; sampling from the averaged weights costs nothing in training
 * (one pass over the parameters per step).
 *
 * The averages are buffers (`p0`, `p1`, … in parameter order), so they are
 * saved in checkpoints and resumed exactly. At update t (from 0) the decay is
 * min(decay, t/(t + 1)): the plain mean of all weights so far until that mean
 * spans 1/(1 − decay) steps, so the random initial weights are not over-weighted
 * early on; from then on, the exponential average with `decay`.
 */
import { noGrad } from '../autograd/index.js';
import { Module } from '../nn/module.js';
import { scalar, Tensor } from '../tensor/index.js';

/** Running averages of a set of parameters (see the file comment): `update()` after each optimizer step, `withAverage(fn)` to use them. */
export class ParamEMA extends Module<never, unknown> {
  /** The decay of the exponential average once warmed up. */
  readonly decay: number;
  private readonly targets: Tensor[];

  constructor(params: readonly Tensor[], decay: number) {
    super();
    if (!(decay >= 0 && decay < 1)) throw new Error(`ParamEMA: decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    this.targets = params.slice();
    this.targets.forEach((p, i) => this.registerBuffer(`p${i}`, new Tensor(p.data.slice(), p.shape)));
    this.registerBuffer('updates', scalar(0));
  }

  private avg(i: number): Tensor {
    return this.buffer(`p${i}`)!;
  }

  /** Folds the current parameters into the averages (call after each optimizer step). */
  update(): void {
    const count = this.buffer('updates')!;
    const t = count.data[0];
    const d = Math.min(this.decay, t / (t + 1));
    this.targets.forEach((p, i) => {
      const a = this.avg(i).data;
      const v = p.data;
      for (let j = 0; j < a.length; j++) a[j] = d * a[j] + (1 - d) * v[j];
    });
    count.data[0] = t + 1;
  }

  /** Runs `fn` with the averaged weights in place of the live ones, then restores the live ones. */
  withAverage<T>(fn: () => T): T {
    const live = this.targets.map((p) => p.data);
    this.targets.forEach((p, i) => (p.data = this.avg(i).data.slice()));
    try {
      return noGrad(fn);
    } finally {
      this.targets.forEach((p, i) => (p.data = live[i]));
    }
  }
}
