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
import { add, mul, noGrad } from '../autograd/index.js';
import { Module } from '../nn/module.js';
import { HostMirror } from '../nn/mirror.js';
import { scalar, Tensor } from '../tensor/index.js';
import { ValueError } from '../errors.js';

/** Running averages of a set of parameters (see the file comment): `update()` after each optimizer step, `withAverage(fn)` to use them. */
export class ParamEMA extends Module<never, unknown> {
  /** The decay of the exponential average once warmed up. */
  readonly decay: number;
  private readonly targets: Tensor[];

  constructor(params: readonly Tensor[], decay: number) {
    super();
    if (!(decay >= 0 && decay < 1)) throw new ValueError(`ParamEMA: decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    this.targets = params.slice();
    this.targets.forEach((p, i) => this.registerBuffer(`p${i}`, new Tensor(p.storage.backend.copy(p.storage), p.shape)));
    this.registerBuffer('updates', scalar(0, { backend: params[0]?.storage.backend }));
  }

  /** The update count, mirrored on the host so that no step reads it back. */
  private readonly updates = new HostMirror(() => this.buffer('updates')!);

  private avg(i: number): Tensor {
    return this.buffer(`p${i}`)!;
  }

  /** Folds the current parameters into the averages (call after each optimizer step). */
  update(): void {
    const t = this.updates.values()[0];
    const d = Math.min(this.decay, t / (t + 1));
    noGrad(() => this.targets.forEach((p, i) => {
      const a = this.avg(i);
      a.copy_(add(mul(a, d), mul(p, 1 - d)));
    }));
    this.updates.set([t + 1]);
  }

  /** Runs `fn` with the averaged weights in place of the live ones, then restores the live ones. */
  withAverage<T>(fn: () => T): T {
    // Views that hold the live storages while the parameters point at copies of the averages.
    const live = this.targets.map((p) => new Tensor(p.storage, p.shape));
    this.targets.forEach((p, i) => {
      const a = this.avg(i).storage;
      p.set_(new Tensor(a.backend.copy(a), p.shape));
    });
    try {
      return noGrad(fn);
    } finally {
      this.targets.forEach((p, i) => {
        p.set_(live[i]);
        live[i].dispose();
      });
    }
  }
}
