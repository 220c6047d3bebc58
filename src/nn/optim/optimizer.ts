/**
 * Optimizer: the base of SGD, Adam and AdamW (PyTorch's torch.optim.Optimizer).
 *
 * Parameters come in groups, each with its own hyperparameters (`lr`, ...), so a
 * learning-rate scheduler or a user can change them between steps. `step()` runs
 * under noGrad and updates each parameter in place, on the backend that
 * holds it, with one fused kernel per parameter (`Kernels.adam`, `.sgd`);
 * per-parameter state (momentum, moment estimates) lives in `state`, keyed by
 * the parameter tensor, as tensors of the parameter's dtype on its backend.
 */
import { noGrad } from '../../autograd/index.js';
import { cast, kernel, keep, moveRaw, placement, shapeStr, storageOn, zerosLike, Tensor, type Storage } from '../../tensor/index.js';
import { ShapeError, ValueError } from '../../errors.js';

/** What every group has; each optimizer adds its hyperparameters. */
export interface GroupBase {
  /** The group's learning rate. */
  lr: number;
  /** Set by learning-rate schedulers: the lr they scale from. */
  initialLr?: number;
}

/** A parameter group: its tensors and their hyperparameters. */
export type ParamGroup<H extends GroupBase> = H & {
  /** The group's parameters. */
  params: Tensor[];
};

/** A group as given to a constructor: its params and any hyperparameters overriding the defaults. */
export type ParamGroupInput<H extends GroupBase> = Partial<H> & {
  /** The group's parameters. */
  params: Iterable<Tensor>;
};

/** What an optimizer is given: parameters (one group), or groups with their own hyperparameters. */
export type Params<H extends GroupBase> = Iterable<Tensor> | ReadonlyArray<ParamGroupInput<H>>;

/** Per-parameter state: a step count and named buffers (tensors shaped like the parameter). */
export interface ParamState {
  /** Updates applied to this parameter. */
  step: number;
  [buffer: string]: number | Tensor;
}

/**
 * A snapshot of an optimizer, for resuming training: tensors are copies.
 * Parameters are referred to by their index across all groups, in order.
 */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index: step counts and buffer copies. */
  state: Record<number, Record<string, number | Tensor>>;
  /** Each group's hyperparameters and the indices of its parameters. */
  paramGroups: Array<Record<string, unknown> & {
    /** Indices of the group's parameters, across all groups in order. */
    params: number[];
  }>;
}

function isGroupList<H extends GroupBase>(p: Params<H>): p is ReadonlyArray<ParamGroupInput<H>> {
  return Array.isArray(p) && p.length > 0 && !(p[0] instanceof Tensor) && typeof p[0] === 'object' && p[0] !== null && 'params' in p[0];
}

/**
 * The base of every optimizer: parameter groups with their hyperparameters,
 * per-parameter state, `zeroGrad()`, `step()` (in place, without recording a
 * graph) and a state dict for resuming exactly. Subclasses give `validate` and `update`.
 */
export abstract class Optimizer<H extends GroupBase = GroupBase> {
  /** The parameter groups, in the order given. */
  readonly paramGroups: Array<ParamGroup<H>> = [];
  /** Per-parameter state (step count, moment buffers…), created on first update. */
  readonly state = new Map<Tensor, ParamState>();
  /** The hyperparameters a group gets where it does not set its own. */
  protected readonly defaults: H;

  constructor(params: Params<H>, defaults: H) {
    this.defaults = defaults;
    const groups = isGroupList(params) ? params : [{ params } as ParamGroupInput<H>];
    for (const g of groups) this.addParamGroup(g);
    if (this.paramGroups.every((g) => g.params.length === 0)) throw new ValueError(`${this.constructor.name}: got an empty parameter list`);
  }

  /** Checks a group's hyperparameters; subclasses throw a clear error naming the bad one. */
  protected abstract validate(group: H): void;

  /** Updates one parameter in place: p ← f(p, grad, state), with `grad` already on p's backend. */
  protected abstract update(p: Tensor, grad: Storage, state: ParamState, group: H): void;

  /** Adds a group of parameters (each at most once across groups), with hyperparameters overriding the defaults. */
  addParamGroup(group: ParamGroupInput<H>): void {
    const name = this.constructor.name;
    if (group === null || typeof group !== 'object' || !('params' in group)) throw new ValueError(`${name}: a parameter group must be an object with 'params'`);
    const params = [...group.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${name}: parameter ${i} of group ${this.paramGroups.length} is not a Tensor`);
      if (!p.isLeaf) throw new ValueError(`${name}: parameter ${i}${p.name ? ` ('${p.name}')` : ''} is not a leaf tensor (optimizers update leaves)`);
      if (seen.has(p)) throw new ValueError(`${name}: parameter ${i}${p.name ? ` ('${p.name}')` : ''} appears more than once`);
      seen.add(p);
    });
    const merged = { ...this.defaults, ...group, params } as ParamGroup<H>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Clears every parameter's `.grad`. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        this.validate(group); // a scheduler or user may have changed it
        for (const p of group.params) {
          if (!p.grad) continue;
          if (p.grad.size !== p.size) throw new ShapeError(`${this.constructor.name}.step: gradient ${shapeStr(p.grad.shape)} does not match parameter ${shapeStr(p.shape)}${p.name ? ` ('${p.name}')` : ''}`);
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = { step: 0 }));
          st.step++;
          const be = placement(`${this.constructor.name}.step`, [p, p.grad]);
          this.update(p, storageOn(p.grad, be, p.dtype), st, group);
        }
      }
    });
  }

  /**
   * A state buffer like the parameter (dtype, backend), created as zeros on
   * first use and kept out of tidy(); moved along when the parameter moved to
   * another backend (`module.to('gpu')` after some steps keeps the moments).
   */
  protected buffer(state: ParamState, name: string, like: Tensor): Tensor {
    let b = state[name];
    if (!(b instanceof Tensor) || b.size !== like.size) {
      b = keep(zerosLike(like));
      state[name] = b;
    } else if (b.storage.backend !== like.storage.backend || b.dtype !== like.dtype) {
      b = keep(moveRaw(cast(b, like.dtype), like.storage.backend));
      state[name] = b;
    }
    return b;
  }

  /** The kernel `name` of the backend that holds `p`. */
  protected kernelFor<K extends 'adam' | 'sgd'>(p: Tensor, name: K) {
    return kernel(p.storage.backend, name);
  }

  /** A copy of the hyperparameters and per-parameter state (JSON-friendly apart from the tensors). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return {
        ...structuredClone(hyper),
        params: params.map((p) => {
          const i = index.size;
          index.set(p, i);
          return i;
        }),
      };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const out: Record<string, number | Tensor> = {};
      for (const [k, v] of Object.entries(st)) out[k] = typeof v === 'number' ? v : new Tensor(v.storage.backend.copy(v.storage), p.shape);
      state[i] = out;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` taken from an optimizer over parameters of the same
   * shapes in the same order. Validates everything before changing anything.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw new ValueError(`${name}: expected { state, paramGroups }`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${name}: the saved state has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const params = this.paramGroups.flatMap((g) => g.params);
    const groups = sd.paramGroups.map((sg, gi) => {
      const mine = this.paramGroups[gi];
      if (!Array.isArray(sg.params) || sg.params.length !== mine.params.length) {
        throw new ValueError(`${name}: group ${gi} has ${Array.isArray(sg.params) ? sg.params.length : 'no'} parameters in the saved state, ${mine.params.length} here`);
      }
      const { params: _p, ...hyper } = sg;
      const merged = { ...mine, ...structuredClone(hyper), params: mine.params } as ParamGroup<H>;
      this.validate(merged);
      return merged;
    });
    const states = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const i = Number(key);
      const p = params[i];
      if (!Number.isInteger(i) || !p) throw new ValueError(`${name}: state for parameter ${key}, but there are ${params.length} parameters`);
      const st: ParamState = { step: 0 };
      for (const [k, v] of Object.entries(saved)) {
        if (typeof v === 'number') st[k] = v;
        else if (v instanceof Tensor) {
          if (v.size !== p.size) throw new ShapeError(`${name}: state '${k}' of parameter ${i} has shape ${shapeStr(v.shape)}, the parameter has ${shapeStr(p.shape)}`);
          const b = keep(zerosLike(p));
          b.copy_(v);
          st[k] = b;
        } else throw new ValueError(`${name}: state '${k}' of parameter ${i} must be a number or a Tensor`);
      }
      if (!Number.isInteger(st.step) || st.step < 0) throw new ValueError(`${name}: state 'step' of parameter ${i} must be a non-negative integer, got ${String(st.step)}`);
      states.set(p, st);
    }
    groups.forEach((g, gi) => (this.paramGroups[gi] = g));
    this.state.clear();
    for (const [p, st] of states) this.state.set(p, st);
  }
}

/** Throws unless v is a finite number ≥ min (and < max when given). */
export function checkHyper(op: string, name: string, v: unknown, min: number, max = Infinity, maxInclusive = false): void {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && (maxInclusive ? v <= max : v < max);
  if (!ok) throw new ValueError(`${op}: ${name} must be a number in [${min}, ${max === Infinity ? '∞' : max}${maxInclusive ? ']' : ')'}, got ${String(v)}`);
}
