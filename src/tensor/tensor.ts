/**
 * The Tensor: a shape, a dtype, and a Storage owned by a backend (storage.ts).
 * Tensors are contiguous and row-major; `reshape` views share the storage.
 *
 * Reading values: `.data` (a host array), `.item()`, `.toArray()` read back
 * synchronously where the backend can (every backend but WebGPU) and cache the
 * copy until the storage changes; `await t.read()` works on every backend.
 * On `js` the array `.data` returns *is* the storage; elsewhere it is a copy,
 * so writing into it changes nothing: use `copy_()` to write values.
 *
 * Ops (methods such as `add`, `matmul`) are installed by
 * `src/autograd/methods.ts`; `grad` and `node` are the fields the autograd
 * engine uses, defined here because every tensor carries them.
 */
import type { DType, FloatArray } from './dtype.js';
import { shapeStr, sizeOf } from './shape.js';
import { release, retain, Storage } from './storage.js';
import { jsBackend } from './backends/js/index.js';
import { track } from './scope.js';
import { ShapeError, StateError, ValueError } from '../errors.js';

/** One recorded op: its inputs and the rule that maps the output's gradient to theirs. */
export interface GradNode {
  /** The op's name ('matmul', 'add'…), as error messages show it. */
  readonly op: string;
  /** The op's tensor inputs, in order. */
  readonly inputs: readonly Tensor[];
  /** Returns one gradient per input (null where an input needs none). Null once the graph is freed. */
  backward: ((grad: Tensor) => Array<Tensor | null>) | null;
}

/** A number, or arrays of them nested to any depth: what `tensor()` takes and `toArray()` returns. */
export type NestedArray = number | NestedArray[];

let nextId = 1;

/**
 * An n-dimensional array of float32 or float64 values that records the ops
 * applied to it, so that `backward()` can compute gradients (PyTorch's
 * `torch.Tensor`). Tensors are contiguous and row-major; their memory belongs
 * to a backend (`backend`: 'js', 'wasm' or 'gpu'), and ops run where their
 * inputs live.
 *
 * Make tensors with {@link tensor}, {@link zeros}, {@link randn} and the other
 * creation functions rather than with `new Tensor`. Ops are methods
 * (`x.matmul(w).add(b).relu()`) and functions of the same name (`relu(x)`);
 * they return new tensors and never change their inputs. Values are read with
 * `.data`, `.item()`, `.toArray()` or `await .read()`.
 *
 * ```ts
 * const w = randn([3, 2], { requiresGrad: true });
 * const loss = tensor([[1, 2, 3]]).matmul(w).square().sum();
 * loss.backward();
 * w.grad?.shape;   // [3, 2]
 * ```
 */
export class Tensor {
  /** The size of each dimension; `[]` for a 0-d (scalar) tensor. Frozen: reshape to change it. */
  readonly shape: readonly number[];
  /** A number unique to this tensor in this process, shown in error messages. */
  readonly id: number;
  /** Whether gradients flow to this tensor (set on leaves by the user, on results by the graph). */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;
  /** How this tensor was computed; null for leaves and for results computed without grad. */
  node: GradNode | null = null;
  /** Optional label, used in error messages and by `Module.namedParameters`. */
  name?: string;
  /** Exempt from `tidy()` (parameters, buffers, optimizer state: see `keep`). */
  kept = false;
  #storage: Storage | null;

  /**
   * A tensor over `data`: a host array (wrapped without a copy, on the `js`
   * backend) or a Storage a backend made. Creating functions (`tensor`,
   * `zeros`, `randn`…) put tensors on the active backend.
   */
  constructor(data: FloatArray | Storage, shape: readonly number[]) {
    const storage = data instanceof Storage ? data : jsBackend.adopt(data);
    const n = sizeOf(shape);
    if (storage.length !== n) {
      throw new ShapeError(`Tensor: ${storage.length} elements cannot have shape ${shapeStr(shape)} (${n} elements)`);
    }
    this.#storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.id = nextId++;
    retain(this, storage);
    track(this);
  }

  /** The storage behind this tensor; throws once the tensor is disposed. */
  get storage(): Storage {
    const s = this.#storage;
    if (!s) throw new StateError(`Tensor #${this.id}${this.name ? ` ('${this.name}')` : ''} ${shapeStr(this.shape)} was disposed (by dispose() or at the end of a tidy() scope) and cannot be used`);
    return s;
  }

  /** The element type: 'float32' (the default) or 'float64' (which lives on `js`). */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** The name of the backend that holds this tensor's storage. */
  get backend(): string {
    return this.storage.backend.name;
  }

  /** The number of elements (also `numel()`). */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The number of elements (PyTorch's numel). */
  numel(): number {
    return this.size;
  }

  /** The number of dimensions (`shape.length`; 0 for a scalar). */
  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors the user created (not produced by a recorded op). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** True once `dispose()` ran (explicitly or at the end of a `tidy`): the tensor can then only be printed. */
  get isDisposed(): boolean {
    return this.#storage === null;
  }

  /**
   * The values as a host array (row-major). Reads back synchronously from the
   * backend and caches the copy until the storage changes; on WebGPU, where
   * no synchronous readback exists, use `await t.read()`.
   */
  get data(): FloatArray {
    const s = this.storage;
    if (s.backend === jsBackend) return s.handle as FloatArray;
    if (s.host && s.hostVersion === s.version) return s.host;
    const host = s.backend.read(s);
    s.host = host;
    s.hostVersion = s.version;
    return host;
  }

  /** The values as a host array, on every backend (tfjs's `data()`): resolves once the backend has them on the host. */
  async read(): Promise<FloatArray> {
    const s = this.storage;
    if (s.backend === jsBackend) return s.handle as FloatArray;
    if (s.host && s.hostVersion === s.version) return s.host;
    const version = s.version;
    const host = await s.backend.readAsync(s);
    if (s.version === version) {
      s.host = host;
      s.hostVersion = version;
    }
    return host;
  }

  /** Releases the storage now (when no other view shares it); the tensor cannot be used afterwards. Disposing twice is an error. */
  dispose(): void {
    const s = this.#storage;
    if (!s) throw new StateError(`Tensor.dispose: tensor #${this.id} ${shapeStr(this.shape)} was already disposed`);
    this.#storage = null;
    release(this, s);
  }

  /**
   * Makes this tensor share `other`'s storage — its values, backend and dtype
   * — keeping this tensor's identity (PyTorch's `set_`, or `p.data = other`).
   * The number of elements must match.
   */
  set_(other: Tensor): this {
    const s = other.storage;
    if (other === this) return this;
    if (other.size !== this.size) {
      throw new ShapeError(`set_: source ${shapeStr(other.shape)} has ${other.size} elements, this tensor ${shapeStr(this.shape)} has ${this.size}`);
    }
    const old = this.storage;
    retain(this, s);
    this.#storage = s;
    release(this, old);
    return this;
  }

  /**
   * Overwrites this tensor's values in place with `src`'s (a tensor of the same
   * number of elements, or a host array); the storage stays where it is.
   */
  copy_(src: Tensor | ArrayLike<number>): this {
    const s = this.storage;
    if (src instanceof Tensor) {
      if (src.size !== this.size) throw new ShapeError(`copy_: source ${shapeStr(src.shape)} has ${src.size} elements, this tensor ${shapeStr(this.shape)} has ${this.size}`);
      const from = src.storage;
      if (from === s) return this;
      if (from.backend === s.backend && from.dtype === s.dtype) s.backend.assign(s, from);
      else s.backend.write(s, src.data);
      return this;
    }
    if (typeof (src as ArrayLike<number>)?.length !== 'number') throw new ValueError(`copy_: expected a Tensor or an array of numbers, got ${src === null ? 'null' : typeof src}`);
    if (src.length !== this.size) throw new ShapeError(`copy_: ${src.length} values for a tensor of ${this.size} elements (shape ${shapeStr(this.shape)})`);
    const values = src instanceof Float32Array || src instanceof Float64Array ? src : Float64Array.from(src);
    s.backend.write(s, values);
    return this;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
    return nest(this.data, this.shape);
  }

  /** A flat copy as a plain array. */
  toList(): number[] {
    return Array.from(this.data);
  }

  /** `Tensor(shape=[2, 2], dtype=float32) [[1,2],[3,4]]`: the values in full up to 64 elements, else the first 8. */
  toString(): string {
    if (this.isDisposed) return `Tensor(shape=${shapeStr(this.shape)}, disposed)`;
    // Not JSON.stringify: it would print NaN and ±Infinity as null.
    const fmt = (v: NestedArray): string => (Array.isArray(v) ? `[${v.map(fmt).join(',')}]` : String(v));
    const body = this.size <= 64 ? fmt(this.toArray()) : `[${Array.from(this.data.subarray(0, 8)).join(', ')}, …]`;
    return `Tensor(shape=${shapeStr(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''}) ${body}`;
  }

  /** Sets `requiresGrad` on a leaf; returns this for chaining (PyTorch's `requires_grad_`). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new ValueError('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    this.requiresGrad = flag;
    return this;
  }
}

/** Row-major flat values → nested arrays of `shape`. */
export function nest(data: ArrayLike<number>, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  const build = (dim: number, offset: number): NestedArray[] => {
    const n = shape[dim];
    const out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = data[offset + i];
    } else {
      let stride = 1;
      for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
    }
    return out;
  };
  return build(0, 0);
}

