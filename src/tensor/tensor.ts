/**
 * The Tensor: a contiguous row-major float array with a shape.
 *
 * This file knows storage only. Ops (methods such as `add`, `matmul`) are
 * installed by `src/autograd/methods.ts`, which records the graph that
 * `backward()` walks; `grad` and `node` are the fields it uses.
 */
import { dtypeOf, type DType, type FloatArray } from './dtype.js';
import { shapeStr, sizeOf } from './shape.js';

/** One recorded op: its inputs and the rule that maps the output's gradient to theirs. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Returns one gradient per input (null where an input needs none). Null once the graph is freed. */
  backward: ((grad: Tensor) => Array<Tensor | null>) | null;
  /**
   * Optional asynchronous rule, preferred by `backwardAsync` (ops recorded by
   * the async ops, whose gradients are again async kernels). Null once freed.
   */
  backwardAsync?: ((grad: Tensor) => Promise<Array<Tensor | null>>) | null;
}

export type NestedArray = number | NestedArray[];

let nextId = 1;

export class Tensor {
  /** Contiguous row-major elements. Shared (not copied) by `reshape` views. */
  data: FloatArray;
  readonly shape: number[];
  readonly id: number;
  /** Whether gradients flow to this tensor (set on leaves by the user, on results by the graph). */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;
  /** How this tensor was computed; null for leaves and for results computed without grad. */
  node: GradNode | null = null;
  /** Optional label, used in error messages and by `Module.namedParameters`. */
  name?: string;

  constructor(data: FloatArray, shape: readonly number[]) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new Error(`Tensor: ${data.length} elements cannot have shape ${shapeStr(shape)} (${n} elements)`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.id = nextId++;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors the user created (not produced by a recorded op). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
    const { data, shape } = this;
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

  /** A flat copy as a plain array. */
  toList(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    // Not JSON.stringify: it would print NaN and ±Infinity as null.
    const fmt = (v: NestedArray): string => (Array.isArray(v) ? `[${v.map(fmt).join(',')}]` : String(v));
    const body = this.size <= 64 ? fmt(this.toArray()) : `[${Array.from(this.data.subarray(0, 8)).join(', ')}, …]`;
    return `Tensor(shape=${shapeStr(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''}) ${body}`;
  }

  /** Sets `requiresGrad` on a leaf; returns this for chaining (PyTorch's `requires_grad_`). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new Error('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    this.requiresGrad = flag;
    return this;
  }
}
