/** Containers: Sequential (a chain of layers) and ModuleList (an indexed list of modules). */
import type { Tensor } from '../tensor/index.js';
import { Module, type AnyModule } from './module.js';
import { ValueError } from '../errors.js';

/** A layer that maps one tensor to one tensor: what Sequential chains. */
export type Layer = Module<[Tensor], Tensor>;

/**
 * Runs its layers in order. Children are named '0', '1', ... so parameter names
 * ('0.weight', '2.bias') match a PyTorch nn.Sequential built the same way.
 */
export class Sequential extends Module {
  private count = 0;

  constructor(...layers: Layer[]) {
    super();
    for (const l of layers) this.append(l);
  }

  /** Adds a layer at the end (named by its position). */
  append(layer: Layer): this {
    if (!(layer instanceof Module)) throw new ValueError(`Sequential: item ${this.count} is not a Module`);
    this.registerModule(String(this.count++), layer);
    return this;
  }

  /** Number of layers. */
  get length(): number {
    return this.count;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): Layer {
    const k = i < 0 ? i + this.count : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.count) throw new ValueError(`Sequential.at: index ${i} is out of range for ${this.count} layers`);
    return this.getSubmodule(String(k)) as unknown as Layer;
  }

  /** The layers in order. */
  [Symbol.iterator](): Iterator<Layer> {
    return (this.children() as unknown as Layer[])[Symbol.iterator]();
  }

  override forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this) y = layer.call(y);
    return y;
  }
}

/** Holds modules by index so their parameters are registered ('0.weight', ...); it has no forward. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never, unknown> {
  private count = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end (named by its position). */
  append(m: M): this {
    if (!(m instanceof Module)) throw new ValueError(`ModuleList: item ${this.count} is not a Module`);
    this.registerModule(String(this.count++), m);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.count;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const k = i < 0 ? i + this.count : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.count) throw new ValueError(`ModuleList.at: index ${i} is out of range for ${this.count} modules`);
    return this.getSubmodule(String(k)) as M;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }
}
