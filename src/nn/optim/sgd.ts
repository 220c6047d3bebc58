/**
 * Stochastic gradient descent with momentum, as PyTorch computes it:
 *   g ← ∇ + λ·p                                   (weight decay λ, an L2 penalty)
 *   b ← g on the first step, else μ·b + (1 − τ)·g  (momentum μ, dampening τ)
 *   g ← g + μ·b  (Nesterov)  or  g ← b
 *   p ← p − lr·g
 */
import { Tensor, type Storage } from '../../tensor/index.js';
import { checkHyper, Optimizer, type GroupBase, type ParamState, type Params } from './optimizer.js';
import { ValueError } from '../../errors.js';

/** Hyperparameters of {@link SGD} (each may also be set per parameter group). */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening of the momentum (default 0). */
  dampening: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
}

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, as PyTorch's SGD. */
export class SGD extends Optimizer<SGDOptions & GroupBase> {
  constructor(params: Params<SGDOptions & GroupBase>, opts: Partial<SGDOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...opts });
  }

  protected override validate(g: SGDOptions): void {
    checkHyper('SGD', 'lr', g.lr, 0);
    checkHyper('SGD', 'momentum', g.momentum, 0);
    checkHyper('SGD', 'dampening', g.dampening, 0, 1, true);
    checkHyper('SGD', 'weightDecay', g.weightDecay, 0);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new ValueError('SGD: Nesterov momentum needs momentum > 0 and dampening = 0');
  }

  protected override update(p: Tensor, grad: Storage, state: ParamState, g: SGDOptions): void {
    const first = !(state.momentumBuffer instanceof Tensor);
    const buf = g.momentum !== 0 ? this.buffer(state, 'momentumBuffer', p) : null;
    this.kernelFor(p, 'sgd')(p.storage, grad, buf?.storage ?? null, {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay, nesterov: g.nesterov, first,
    });
  }
}
