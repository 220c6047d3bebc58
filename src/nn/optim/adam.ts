/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), as PyTorch
 * computes them. At step t with gradient g:
 *   Adam:  g ← g + λ·p                  (weight decay as an L2 term in the gradient)
 *   AdamW: p ← p·(1 − lr·λ)             (decay decoupled from the adaptive scaling)
 *   m ← β₁·m + (1 − β₁)·g               first moment
 *   v ← β₂·v + (1 − β₂)·g²              second moment
 *   v̂ ← max(v̂, v) with amsgrad, else v
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 * The bias corrections 1 − βᵗ undo the zero initialisation of m and v.
 */
import type { Storage, Tensor } from '../../tensor/index.js';
import { checkHyper, Optimizer, type GroupBase, type ParamState, type Params } from './optimizer.js';
import { ValueError } from '../../errors.js';

/** Hyperparameters of {@link Adam} and {@link AdamW} (each may also be set per parameter group). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates (β₁, β₂) of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Weight decay λ (default 0 for Adam, 0.01 for AdamW). */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad: boolean;
}

/** One parameter group of Adam: its parameters' hyperparameters. */
export type AdamGroup = AdamOptions & GroupBase;

/**
 * Adam, as PyTorch computes it (the update rule is in the file comment of src/nn/optim/adam.ts).
 *
 * ```ts
 * const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class Adam extends Optimizer<AdamGroup> {
  /** True for AdamW: weight decay shrinks the parameters directly instead of entering the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Params<AdamGroup>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...opts });
  }

  protected override validate(g: AdamOptions): void {
    const name = this.constructor.name;
    checkHyper(name, 'lr', g.lr, 0);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new ValueError(`${name}: betas must be a pair [β₁, β₂], got ${JSON.stringify(g.betas)}`);
    checkHyper(name, 'betas[0]', g.betas[0], 0, 1);
    checkHyper(name, 'betas[1]', g.betas[1], 0, 1);
    checkHyper(name, 'eps', g.eps, 0);
    checkHyper(name, 'weightDecay', g.weightDecay, 0);
  }

  protected override update(p: Tensor, grad: Storage, state: ParamState, g: AdamOptions): void {
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    const vmax = g.amsgrad ? this.buffer(state, 'maxExpAvgSq', p) : null;
    this.kernelFor(p, 'adam')(p.storage, grad, m.storage, v.storage, vmax?.storage ?? null, {
      lr: g.lr, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, weightDecay: g.weightDecay, decoupled: this.decoupled, step: state.step,
    });
  }
}

/** Adam with decoupled weight decay (default λ = 0.01, as PyTorch). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Params<AdamGroup>, opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
