/**
 * A Backend for memory the CPU can address: every kernel is the reference
 * loop (this folder) run on array views of the storages. The `js` backend is
 * exactly this over plain typed arrays; the `wasm` backend is this over
 * blocks of WebAssembly memory, with its SIMD kernels overriding the hot ones
 * (so an op without a SIMD kernel still runs on wasm storage in place, with
 * no copy).
 */
import type { AdamHyper, Backend, Conv2dParams, GatherParams, Kernels, MatmulParams, Pool2dParams, SgdHyper } from '../../backend.js';
import { allocate, type DType, type FloatArray } from '../../dtype.js';
import { countReadback, countUpload, Storage } from '../../storage.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dGradInput, conv2dGradWeight } from './conv.js';
import { avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad } from './pool.js';
import { binary, unary, where } from './elementwise.js';
import { argmax, reduce } from './reduce.js';
import { concat, gather, indexAdd, indexSelect } from './movement.js';
import { adam, sgd } from './optim.js';
import { BackendError } from '../../../errors.js';

/** What a host-memory backend provides; `hostBackend` builds the rest. */
export interface HostMemory {
  /** The backend's name (`Backend.name`). */
  readonly name: string;
  /** Whether it stores float64 (`Backend.supportsFloat64`). */
  readonly supportsFloat64: boolean;
  /** Whether its memory must be freed explicitly (`Backend.ownsMemory`). */
  readonly ownsMemory: boolean;
  /** A new storage of `length` elements (contents unspecified) owned by `backend`. */
  alloc(backend: Backend, dtype: DType, length: number): Storage;
  /** The storage's elements as an array over its memory. Valid until the next `alloc` (which may move memory). */
  view(s: Storage): FloatArray;
  /** Releases a storage's memory (called once, when no tensor refers to it). */
  free(s: Storage): void;
  /**
   * Called before a kernel reads `inputs`: make them addressable and keep them
   * so until `end` (the wasm heap brings evicted blocks back and pins them).
   */
  begin?(inputs: readonly Storage[]): void;
  /** Called after the kernel: the inputs may move or be evicted again. */
  end?(inputs: readonly Storage[]): void;
  /** True when a host array ↔ storage copy is a real transfer worth counting (wasm), false for js. */
  readonly countsTransfers: boolean;
}

/** Builds a Backend over host memory: reference kernels on views, `overrides` replacing any of them. */
export function hostBackend(mem: HostMemory, overrides: (backend: Backend) => Partial<Kernels> = () => ({})): Backend {
  const self = {} as Backend;
  const alloc = (dtype: DType, n: number): Storage => mem.alloc(self, dtype, n);
  /** A view of any host storage: this backend's own, or a js array (e.g. maxPool's argmax). */
  const view = (s: Storage): FloatArray => (s.backend === self ? mem.view(s) : (s.handle as FloatArray));
  /** Runs `body` with `inputs` addressable and pinned. */
  const run = <T>(inputs: readonly Storage[], body: () => T): T => {
    mem.begin?.(inputs);
    try {
      return body();
    } finally {
      mem.end?.(inputs);
    }
  };
  const map = (x: Storage, n: number, fn: (xv: FloatArray, ov: FloatArray) => void): Storage =>
    run([x], () => {
      const out = alloc(x.dtype, n);
      fn(view(x), view(out));
      return out;
    });

  const kernels: Kernels = {
    unary: (op, x, p0, p1) => map(x, x.length, (xv, ov) => unary(op, xv, ov, p0, p1)),
    binary: (op, a, as, b, bs, shape) =>
      run([a, b], () => {
        const out = alloc(a.dtype, shape.reduce((s, d) => s * d, 1));
        binary(op, view(a), as, view(b), bs, view(out), shape);
        return out;
      }),
    where: (c, cs, a, as, b, bs, shape) =>
      run([c, a, b], () => {
        const out = alloc(a.dtype, shape.reduce((s, d) => s * d, 1));
        where(view(c), cs, view(a), as, view(b), bs, view(out), shape);
        return out;
      }),
    reduce: (op, x, outer, r, inner) => map(x, outer * inner, (xv, ov) => reduce(op, xv, ov, outer, r, inner)),
    argmax: (x, outer, r, inner) => map(x, outer * inner, (xv, ov) => argmax(xv, ov, outer, r, inner)),
    matmul: (a, b, p: MatmulParams) =>
      run([a, b], () => {
        const out = alloc(a.dtype, p.batch * p.m * p.n);
        matmul(view(a), view(b), view(out), p);
        return out;
      }),
    conv2d: (x, w, p: Conv2dParams) =>
      run([x, w], () => {
        const out = alloc(x.dtype, p.n * p.o * p.ho * p.wo);
        conv2d(view(x), view(w), view(out), p);
        return out;
      }),
    conv2dGradInput: (dy, w, p: Conv2dParams) =>
      run([dy, w], () => {
        const out = alloc(dy.dtype, p.n * p.c * p.h * p.w);
        conv2dGradInput(view(dy), view(w), view(out), p);
        return out;
      }),
    conv2dGradWeight: (x, dy, p: Conv2dParams) =>
      run([x, dy], () => {
        const out = alloc(x.dtype, p.o * p.c * p.kh * p.kw);
        conv2dGradWeight(view(x), view(dy), view(out), p);
        return out;
      }),
    maxPool2d: (x, p: Pool2dParams) =>
      run([x], () => {
        const n = p.n * p.c * p.ho * p.wo;
        // Flat input indices as floats: float64 where the backend has it, else float32 (exact below 2^24 positions).
        if (!mem.supportsFloat64 && x.length > 2 ** 24) throw new BackendError(`maxPool2d (${mem.name} backend): inputs past 2^24 elements are not supported`);
        const out = alloc(x.dtype, n);
        const argmax = alloc(mem.supportsFloat64 ? 'float64' : 'float32', n);
        maxPool2d(view(x), view(out), view(argmax), p);
        return { out, argmax };
      }),
    maxPool2dGrad: (dy, am, p: Pool2dParams) =>
      run([dy, am], () => {
        const out = alloc(dy.dtype, p.n * p.c * p.h * p.w);
        maxPool2dGrad(view(dy), view(am), view(out));
        return out;
      }),
    avgPool2d: (x, p: Pool2dParams) => map(x, p.n * p.c * p.ho * p.wo, (xv, ov) => avgPool2d(xv, ov, p)),
    avgPool2dGrad: (dy, p: Pool2dParams) => map(dy, p.n * p.c * p.h * p.w, (dv, ov) => avgPool2dGrad(dv, ov, p)),
    gather: (x, g: GatherParams) => map(x, g.shape.reduce((s, d) => s * d, 1), (xv, ov) => gather(xv, ov, g)),
    concat: (xs, outer, widths) =>
      run(xs, () => {
        const out = alloc(xs[0].dtype, outer * widths.reduce((s, w) => s + w, 0));
        concat(xs.map(view), view(out), outer, widths);
        return out;
      }),
    indexSelect: (x, idx, outer, n, inner) => map(x, outer * idx.length * inner, (xv, ov) => indexSelect(xv, ov, idx, outer, n, inner)),
    indexAdd: (g, idx, outer, n, inner) => map(g, outer * n * inner, (gv, ov) => indexAdd(gv, ov, idx, outer, n, inner)),
    adam: (p, g, m, v, vmax, h: AdamHyper) =>
      run(vmax ? [p, g, m, v, vmax] : [p, g, m, v], () => {
        adam(view(p), view(g), view(m), view(v), vmax ? view(vmax) : null, h);
        for (const s of vmax ? [p, m, v, vmax] : [p, m, v]) s.touch();
      }),
    sgd: (p, g, buf, h: SgdHyper) =>
      run(buf ? [p, g, buf] : [p, g], () => {
        sgd(view(p), view(g), buf ? view(buf) : null, h);
        p.touch();
        buf?.touch();
      }),
  };

  const memory: Omit<Backend, keyof Kernels> = {
    name: mem.name,
    device: 'cpu',
    supportsFloat64: mem.supportsFloat64,
    ownsMemory: mem.ownsMemory,
    upload(values) {
      const s = alloc(values instanceof Float64Array ? 'float64' : 'float32', values.length);
      mem.view(s).set(values);
      if (mem.countsTransfers) countUpload(s.bytes);
      return s;
    },
    adopt(values) {
      if (!mem.countsTransfers) return new Storage(self, values instanceof Float64Array ? 'float64' : 'float32', values.length, values);
      return self.upload(values);
    },
    full(dtype, length, value) {
      const s = alloc(dtype, length);
      mem.view(s).fill(value);
      return s;
    },
    read(s) {
      if (!mem.countsTransfers) return s.handle as FloatArray;
      return run([s], () => {
        const v = mem.view(s);
        const out = allocate(s.dtype, s.length);
        out.set(v);
        countReadback(s.bytes);
        return out;
      });
    },
    readAsync(s) {
      return Promise.resolve(self.read(s));
    },
    write(s, values) {
      run([s], () => mem.view(s).set(values));
      s.touch();
      if (mem.countsTransfers) countUpload(s.bytes);
    },
    assign(dst, src) {
      run([dst, src], () => mem.view(dst).set(mem.view(src)));
      dst.touch();
    },
    copy(s) {
      return run([s], () => {
        const out = alloc(s.dtype, s.length);
        mem.view(out).set(mem.view(s));
        return out;
      });
    },
    free(s) {
      mem.free(s);
    },
  };
  return Object.assign(self, memory, kernels, overrides(self));
}
