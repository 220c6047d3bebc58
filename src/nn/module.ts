/**
 * Module: the base class of every layer and model, after PyTorch's nn.Module.
 *
 * A module owns three ordered registries:
 *   - parameters: trainable leaf tensors (requiresGrad), what an optimizer updates;
 *   - buffers: state that is saved but not trained (BatchNorm's running statistics);
 *   - children: sub-modules, whose parameters and buffers are reached through them.
 * Names join with dots along the tree (`encoder.0.weight`), in registration order,
 * so a genzoo module built in the same order as a PyTorch one has the same
 * state_dict keys and checkpoints carry over in both directions.
 *
 * Registration is explicit (`registerParameter`, `registerBuffer`, `registerModule`)
 * where PyTorch hooks attribute assignment; layers expose their parameters through
 * getters that read the registry, so replacing a registered tensor (as a gradient
 * check or a functional call does) is seen by `forward`.
 */
import { cast, keep, moveRaw, resolveBackend, shapeStr, Tensor, type Backend, type BackendName, type DType } from '../tensor/index.js';
import { ShapeError, StateError, ValueError } from '../errors.js';

/** A tensor with its dotted name in the module tree ('encoder.0.weight'). */
export type NamedTensor = [name: string, tensor: Tensor];

/** Any module, whatever its forward's signature (for containers and traversal). */
export type AnyModule = Module<never, unknown>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true); shapes must always match. */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} reports (with `strict: false`, the keys it skipped). */
export interface LoadStateDictResult {
  /** Keys the module has that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict the module does not have. */
  unexpectedKeys: string[];
}

const NAME = /^[A-Za-z_$][\w$]*$|^\d+$/;

function checkName(kind: string, owner: AnyModule, name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValueError(`${owner.constructor.name}.register${kind}: invalid name ${JSON.stringify(name)} (use letters, digits and _, no dots)`);
  }
}

/**
 * The base class of every layer and model, after PyTorch's `nn.Module`: it owns
 * parameters (trained), buffers (saved, not trained) and child modules, all by
 * name, and gives them to optimizers (`parameters()`) and checkpoints
 * (`stateDict()` / `loadStateDict()`). Subclass it, register what you create,
 * override `forward`, and call the module with `call`:
 *
 * ```ts
 * class Classifier extends nn.Module {
 *   readonly head: nn.Linear;
 *   constructor() {
 *     super();
 *     this.head = this.registerModule('head', new nn.Linear(784, 10));
 *   }
 *   override forward(x: Tensor): Tensor {
 *     return this.head.call(x);
 *   }
 * }
 * ```
 *
 * `Args` and `Out` type `forward`'s arguments and result (one tensor in, one out by default).
 */
export class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** Whether the module is in training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;

  private readonly params = new Map<string, Tensor | null>();
  private readonly bufs = new Map<string, Tensor | null>();
  private readonly nonPersistent = new Set<string>();
  private readonly mods = new Map<string, AnyModule | null>();

  /** The computation; subclasses override it. Call a module with `call`. */
  forward(..._args: Args): Out {
    throw new StateError(`${this.constructor.name}: forward() is not implemented`);
  }

  /** Runs `forward` (PyTorch's `module(x)`). */
  call(...args: Args): Out {
    return this.forward(...args);
  }

  // ---- registration -------------------------------------------------------

  /**
   * Adds (or replaces) a trainable parameter; `null` registers an absent one
   * (a layer built with `bias: false`), which is skipped by `parameters()` and
   * `stateDict()`. The tensor must be a leaf; it is marked requiresGrad.
   */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName('Parameter', this, name);
    if (this.bufs.has(name) || this.mods.has(name)) throw new ValueError(`${this.constructor.name}.registerParameter: '${name}' is already a buffer or a module`);
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new ValueError(`${this.constructor.name}.registerParameter: '${name}' must be a Tensor or null`);
      if (!t.isLeaf) throw new ValueError(`${this.constructor.name}.registerParameter: '${name}' must be a leaf tensor (computed tensors cannot be parameters; use detach())`);
      t.requiresGrad = true;
      t.name ??= name;
      keep(t); // module state outlives any tidy() scope it was made in
    }
    this.params.set(name, t);
    return t;
  }

  /**
   * Adds (or replaces) a buffer: module state that is not trained. Persistent
   * buffers (the default) are part of `stateDict()`.
   */
  registerBuffer(name: string, t: Tensor | null, opts: { persistent?: boolean } = {}): Tensor | null {
    checkName('Buffer', this, name);
    if (this.params.has(name) || this.mods.has(name)) throw new ValueError(`${this.constructor.name}.registerBuffer: '${name}' is already a parameter or a module`);
    if (t !== null && !(t instanceof Tensor)) throw new ValueError(`${this.constructor.name}.registerBuffer: '${name}' must be a Tensor or null`);
    if (t) keep(t);
    this.bufs.set(name, t);
    if (opts.persistent === false) this.nonPersistent.add(name);
    else this.nonPersistent.delete(name);
    return t;
  }

  /** Adds (or replaces) a child module; returns it, so `this.fc = this.registerModule('fc', new Linear(...))`. */
  registerModule<M extends AnyModule | null>(name: string, m: M): M {
    checkName('Module', this, name);
    if (this.params.has(name) || this.bufs.has(name)) throw new ValueError(`${this.constructor.name}.registerModule: '${name}' is already a parameter or a buffer`);
    if (m !== null && !(m instanceof Module)) throw new ValueError(`${this.constructor.name}.registerModule: '${name}' must be a Module or null`);
    this.mods.set(name, m);
    return m;
  }

  /** A registered parameter of this module (not of its children), or null. */
  protected param(name: string): Tensor | null {
    return this.params.get(name) ?? null;
  }

  /** A registered buffer of this module (not of its children), or null. */
  protected buffer(name: string): Tensor | null {
    return this.bufs.get(name) ?? null;
  }

  // ---- traversal ----------------------------------------------------------

  /** Direct children with their names. */
  namedChildren(): Array<[string, AnyModule]> {
    const out: Array<[string, AnyModule]> = [];
    for (const [n, m] of this.mods) if (m) out.push([n, m]);
    return out;
  }

  /** Direct children, in registration order. */
  children(): Array<AnyModule> {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). Each module once. */
  namedModules(prefix = ''): Array<[string, AnyModule]> {
    const out: Array<[string, AnyModule]> = [];
    const seen = new Set<AnyModule>();
    const walk = (m: AnyModule, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [n, c] of m.namedChildren()) walk(c, p ? `${p}.${n}` : n);
    };
    walk(this as unknown as AnyModule, prefix);
    return out;
  }

  /** This module and every descendant, depth first, each once. */
  modules(): Array<AnyModule> {
    return this.namedModules().map(([, m]) => m);
  }

  /** The descendant at a dotted path ('' is this module), as PyTorch's get_submodule. */
  getSubmodule(path: string): AnyModule {
    let m = this as unknown as AnyModule;
    if (path === '') return m;
    for (const part of path.split('.')) {
      const next = m.mods.get(part);
      if (!next) throw new ValueError(`getSubmodule: ${m.constructor.name} has no child module '${part}' (in path '${path}')`);
      m = next;
    }
    return m;
  }

  /**
   * Parameters with dotted names, own first then each child's, in registration
   * order. A tensor shared by two modules is listed once (under its first name).
   */
  namedParameters(prefix = '', recurse = true): NamedTensor[] {
    return this.collect('params', prefix, recurse, true);
  }

  /** Every parameter (of descendants too unless `recurse` is false), each tensor once: what an optimizer takes. */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, t]) => t);
  }

  /** Buffers with dotted names (persistent and not), each tensor once. */
  namedBuffers(prefix = '', recurse = true): NamedTensor[] {
    return this.collect('bufs', prefix, recurse, true);
  }

  /** Every buffer (of descendants too unless `recurse` is false), each tensor once. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, t]) => t);
  }

  private collect(which: 'params' | 'bufs', prefix: string, recurse: boolean, dedupe: boolean): NamedTensor[] {
    const out: NamedTensor[] = [];
    const seen = new Set<Tensor>();
    const mods = recurse ? this.namedModules(prefix) : [[prefix, this as unknown as AnyModule] as const];
    for (const [p, m] of mods) {
      for (const [n, t] of m[which]) {
        if (!t || (dedupe && seen.has(t))) continue;
        seen.add(t);
        out.push([p ? `${p}.${n}` : n, t]);
      }
    }
    return out;
  }

  // ---- modes and gradients ------------------------------------------------

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (`train(false)`): Dropout is the identity, BatchNorm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's `.grad` (set to null, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Moves every parameter and buffer to a backend ('js', 'wasm', 'gpu') or
   * converts it to a dtype ('float32', 'float64'), in place: the tensor
   * objects are kept (their storage changes), so do it before creating an
   * optimizer. Gradients are dropped.
   */
  to(target: DType | BackendName | Backend): this {
    const isDType = target === 'float32' || target === 'float64';
    const backend = isDType ? null : resolveBackend(`${this.constructor.name}.to`, target);
    for (const t of [...this.parameters(), ...this.buffers()]) {
      const moved = isDType ? cast(t, target) : moveRaw(t, backend as Backend);
      if (moved === t) continue;
      t.set_(moved);
      t.grad = null;
    }
    return this;
  }

  /** Calls `fn` on every descendant and this module (children first, as PyTorch's apply); returns this. */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this as unknown as AnyModule);
    return this;
  }

  // ---- state dict ---------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (each
   * module's parameters, then its buffers, then its children). The tensors are
   * detached views sharing the module's memory (as in PyTorch): clone them to
   * keep a snapshot.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of this.stateTargets()) out[k] = new Tensor(t.storage, t.shape);
    return out;
  }

  /**
   * Copies tensors from `sd` into this module's parameters and buffers, in place
   * (optimizers keep their references). Everything is validated before anything
   * is copied: a mis-shaped tensor is always an error; with `strict` (default) a
   * missing or unexpected key is too. Values are converted to each target's dtype.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const who = `${this.constructor.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object') throw new ValueError(`${who}: expected an object of tensors, got ${sd === null ? 'null' : typeof sd}`);
    const targets = this.stateTargets();
    const missingKeys = [...targets.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(sd, k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !targets.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing key '${missingKeys[0]}'${missingKeys.length > 1 ? ` (and ${missingKeys.length - 1} more: ${missingKeys.slice(1, 6).join(', ')}${missingKeys.length > 6 ? ', …' : ''})` : ''}`);
      if (unexpectedKeys.length) parts.push(`unexpected key '${unexpectedKeys[0]}'${unexpectedKeys.length > 1 ? ` (and ${unexpectedKeys.length - 1} more: ${unexpectedKeys.slice(1, 6).join(', ')}${unexpectedKeys.length > 6 ? ', …' : ''})` : ''}`);
      throw new ValueError(`${who}: ${parts.join('; ')}`);
    }
    const copies: Array<[Tensor, Tensor]> = [];
    for (const [k, target] of targets) {
      if (!Object.prototype.hasOwnProperty.call(sd, k)) continue;
      const src = sd[k];
      if (!(src instanceof Tensor)) throw new ValueError(`${who}: '${k}' is not a Tensor (got ${src === null ? 'null' : typeof src})`);
      if (src.ndim !== target.ndim || src.shape.some((d, i) => d !== target.shape[i])) {
        throw new ShapeError(`${who}: size mismatch for '${k}': the checkpoint has shape ${shapeStr(src.shape)}, the module has ${shapeStr(target.shape)}`);
      }
      copies.push([target, src]);
    }
    for (const [target, src] of copies) target.copy_(src);
    return { missingKeys, unexpectedKeys };
  }

  /** The live tensors behind `stateDict()` keys. */
  private stateTargets(): Map<string, Tensor> {
    // Like PyTorch, a module shared at two places appears under both prefixes.
    const out = new Map<string, Tensor>();
    const ancestors = new Set<AnyModule>();
    const walk = (m: AnyModule, p: string): void => {
      if (ancestors.has(m)) throw new ValueError(`stateDict: module '${p}' contains itself`);
      ancestors.add(m);
      const key = (n: string): string => (p ? `${p}.${n}` : n);
      for (const [n, t] of m.params) if (t) out.set(key(n), t);
      for (const [n, t] of m.bufs) if (t && !m.nonPersistent.has(n)) out.set(key(n), t);
      for (const [n, c] of m.mods) if (c) walk(c, key(n));
      ancestors.delete(m);
    };
    walk(this as unknown as AnyModule, '');
    return out;
  }

  // ---- printing -----------------------------------------------------------

  /** The layer's settings, shown by toString (e.g. 'inFeatures=784, outFeatures=10, bias=true'). */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-style tree: `Sequential(\n  (0): Linear(...)\n)`. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const body = kids.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}

/**
 * The backend a module's tensors live on: that of its first parameter (or, for
 * a module without parameters, its first buffer); null for a module with
 * neither. `module.to(backend)` moves them all together, so the first one
 * tells: tensors made for the module (a batch, noise, labels) go there.
 */
export function moduleBackend(module: AnyModule): Backend | null {
  for (const t of module.parameters()) return t.storage.backend;
  for (const t of module.buffers()) return t.storage.backend;
  return null;
}
