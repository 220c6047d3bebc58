/**
 * The kernels of a backend with flat arrays in and out: uploads the operands,
 * runs the kernel on storages, reads the result into `out`, frees everything.
 * Kernel tests compare backends this way (inputs as plain arrays, as a user
 * would have them); the storage plumbing they go through is the real one.
 */
import type { Backend, BinaryOp, Conv2dParams, FloatArray, Kernels, MatmulParams, Storage, UnaryOp } from '../../src/index.js';

export interface ArrayKernels {
  readonly backend: Backend;
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void;
  conv2d(x: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void;
  conv2dGradInput(dy: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): void;
  conv2dGradWeight(x: FloatArray, dy: FloatArray, out: FloatArray, p: Conv2dParams): void;
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, p0: number, p1: number): void;
  binary(op: BinaryOp, a: FloatArray, as: readonly number[], b: FloatArray, bs: readonly number[], out: FloatArray, shape: readonly number[]): void;
}

export function arrayKernels(backend: Backend): ArrayKernels {
  const k = backend as Backend & Kernels;
  /** Runs `fn` on uploaded copies of `inputs`, copies the result into `out`, frees what it made. */
  const run = (inputs: FloatArray[], out: FloatArray, fn: (s: Storage[]) => Storage): void => {
    const s = inputs.map((a) => backend.upload(a));
    const r = fn(s);
    try {
      if (r.length !== out.length) throw new Error(`${backend.name}: kernel returned ${r.length} elements, expected ${out.length}`);
      out.set(backend.read(r));
    } finally {
      if (backend.ownsMemory) for (const x of [...s, r]) backend.free(x);
    }
  };
  return {
    backend,
    matmul: (a, b, out, p) => run([a, b], out, ([sa, sb]) => k.matmul(sa, sb, p)),
    conv2d: (x, w, out, p) => run([x, w], out, ([sx, sw]) => k.conv2d(sx, sw, p)),
    conv2dGradInput: (dy, w, out, p) => run([dy, w], out, ([sd, sw]) => k.conv2dGradInput(sd, sw, p)),
    conv2dGradWeight: (x, dy, out, p) => run([x, dy], out, ([sx, sd]) => k.conv2dGradWeight(sx, sd, p)),
    unary: (op, x, out, p0, p1) => run([x], out, ([sx]) => k.unary(op, sx, p0, p1)),
    binary: (op, a, as, b, bs, out, shape) => run([a, b], out, ([sa, sb]) => k.binary(op, sa, as, sb, bs, shape)),
  };
}
