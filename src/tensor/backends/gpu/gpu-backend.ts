/**
 * The `gpu` Backend object: the js reference for everything, with matmul and
 * the three convolution kernels replaced by GPU.js kernels (kernels.ts) run
 * through the runner (chunks, tiles, cache). convTranspose2d needs no kernel
 * of its own: it is conv2dGradInput (see src/autograd/ops/conv.ts).
 *
 * Each kernel comes twice: the synchronous one the Backend interface asks for,
 * and an `…Async` one (optional members of Backend) that genzoo's async ops
 * await. WebGPU has only the asynchronous kind: its synchronous kernels throw.
 */
import type { Backend, Conv2dParams, MatmulParams } from '../../backend.js';
import type { FloatArray } from '../../dtype.js';
import { Storage } from '../../storage.js';
import { hostBackend } from '../js/host.js';
import { conv2dGradInputKernel, conv2dGradWeightKernel, conv2dKernel, matmulKernel, type ConvConstants } from './kernels.js';
import { runtimeFor, type GpuMode, type GpuRuntime } from './modes.js';
import { chunkRuns, runJob, type KernelJob } from './runner.js';

export interface GpuBackendSettings {
  mode: GpuMode;
  /** Largest tile side; the mode's MAX_TEXTURE_SIZE caps it. */
  tileSize: number;
  maxKernels: number;
}

/** A gpu Backend, with what `backendInfo()` reports about it. */
export interface GpuBackend extends Backend {
  readonly gpu: { settings: GpuBackendSettings; details: Record<string, unknown>; runtime(): GpuRuntime };
}

function float32(op: string, ...arrays: FloatArray[]): Float32Array[] {
  return arrays.map((x) => {
    if (!(x instanceof Float32Array)) throw new Error(`${op} (gpu backend): kernels take float32 arrays, got ${x.constructor.name}`);
    return x;
  });
}

function matmulJobs(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): KernelJob[] {
  const [fa, fb, fo] = float32('matmul', a, b, out);
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  if (batch * m * n === 0) return [];
  if (k === 0) {
    fo.fill(0, 0, batch * m * n);
    return [];
  }
  const constants = {
    m, k, strideA, strideB,
    aRow: transA ? 1 : k, aCol: transA ? m : 1,
    bRow: transB ? 1 : n, bCol: transB ? k : 1,
  };
  const sizeA = m * k;
  const sizeB = k * n;
  const runs = chunkRuns('matmul', batch,
    [strideA ? Math.max(strideA, sizeA) : 0, strideB ? Math.max(strideB, sizeB) : 0],
    [strideA ? 0 : sizeA, strideB ? 0 : sizeB]);
  return runs.map(([b0, b1]) => ({
    name: 'matmul',
    fn: matmulKernel,
    constants,
    rows: (b1 - b0) * m,
    cols: n,
    a: strideA ? fa.subarray(b0 * strideA, (b1 - 1) * strideA + sizeA) : fa.subarray(0, sizeA),
    b: strideB ? fb.subarray(b0 * strideB, (b1 - 1) * strideB + sizeB) : fb.subarray(0, sizeB),
    out: fo,
    outOffset: b0 * m * n,
  }));
}

function convConstants(p: Conv2dParams): ConvConstants {
  const { c, h, w, o, kh, kw, ho, wo, strideH, strideW, padH, padW, dilationH, dilationW } = p;
  return { c, h, w, o, kh, kw, ho, wo, strideH, strideW, padH, padW, dilationH, dilationW };
}

function conv2dJobs(x: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): KernelJob[] {
  const [fx, fw, fo] = float32('conv2d', x, w, out);
  const img = p.c * p.h * p.w;
  const outImg = p.o * p.ho * p.wo;
  if (p.n * outImg === 0) return [];
  return chunkRuns('conv2d', p.n, [img], [fw.length]).map(([n0, n1]) => ({
    name: 'conv2d', fn: conv2dKernel, constants: convConstants(p),
    rows: (n1 - n0) * p.o, cols: p.ho * p.wo,
    a: fx.subarray(n0 * img, n1 * img), b: fw,
    out: fo, outOffset: n0 * outImg,
  }));
}

function conv2dGradInputJobs(dy: FloatArray, w: FloatArray, out: FloatArray, p: Conv2dParams): KernelJob[] {
  const [fdy, fw, fo] = float32('conv2dGradInput', dy, w, out);
  const dyImg = p.o * p.ho * p.wo;
  const img = p.c * p.h * p.w;
  if (p.n * img === 0) return [];
  return chunkRuns('conv2dGradInput', p.n, [dyImg], [fw.length]).map(([n0, n1]) => ({
    name: 'conv2dGradInput', fn: conv2dGradInputKernel, constants: convConstants(p),
    rows: (n1 - n0) * p.c, cols: p.h * p.w,
    a: fdy.subarray(n0 * dyImg, n1 * dyImg), b: fw,
    out: fo, outOffset: n0 * img,
  }));
}

/** Per-image weight-gradient parts (summed on the host by `sumParts`). */
function conv2dGradWeightJobs(x: FloatArray, dy: FloatArray, out: FloatArray, p: Conv2dParams): { jobs: KernelJob[]; part: Float32Array; runs: Array<[number, number]> } {
  const [fx, fdy, fo] = float32('conv2dGradWeight', x, dy, out);
  const img = p.c * p.h * p.w;
  const dyImg = p.o * p.ho * p.wo;
  const per = p.o * p.c * p.kh * p.kw;
  fo.fill(0, 0, per);
  const runs = per === 0 ? [] : chunkRuns('conv2dGradWeight', p.n, [img, dyImg], []);
  const longest = runs.reduce((s, [n0, n1]) => Math.max(s, n1 - n0), 0);
  const part = new Float32Array(longest * per);
  const jobs = runs.map(([n0, n1]): KernelJob => ({
    name: 'conv2dGradWeight', fn: conv2dGradWeightKernel, constants: convConstants(p),
    rows: (n1 - n0) * p.o, cols: p.c * p.kh * p.kw,
    a: fx.subarray(n0 * img, n1 * img), b: fdy.subarray(n0 * dyImg, n1 * dyImg),
    out: part, outOffset: 0,
  }));
  return { jobs, part, runs };
}

/** dW += part[n] for each image of a run, in image order (the reference's order). */
function sumParts(out: FloatArray, part: Float32Array, images: number): void {
  const per = out.length;
  for (let i = 0; i < images; i++) {
    for (let j = 0; j < per; j++) out[j] += part[i * per + j];
  }
}

export function buildGpuBackend(settings: GpuBackendSettings, details: Record<string, unknown>): GpuBackend {
  const runtime = (): GpuRuntime => runtimeFor(settings.mode, settings.maxKernels);
  const tile = (rt: GpuRuntime): number => Math.min(settings.tileSize, rt.maxTextureSize);

  const sync = (op: string): GpuRuntime => {
    const rt = runtime();
    if (!rt.sync) {
      throw new Error(
        `${op} (gpu backend, ${rt.mode}): WebGPU has no synchronous readback, so this synchronous kernel cannot run on it. ` +
        "Use a synchronous mode ('webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu').",
      );
    }
    return rt;
  };

  const backend = hostBackend(
    {
      name: 'gpu',
      supportsFloat64: false,
      ownsMemory: false,
      countsTransfers: false,
      alloc: (self, dtype, length) => {
        if (dtype !== 'float32') throw new Error(`gpu backend: cannot hold ${dtype} (float32 only)`);
        return new Storage(self, dtype, length, new Float32Array(length));
      },
      view: (s) => s.handle as Float32Array,
      free: () => undefined,
    },
    (self) => {
      const out = (n: number): Storage => new Storage(self, 'float32', n, new Float32Array(n));
      const arr = (s: Storage): Float32Array => s.handle as Float32Array;
      return {
        matmul(a, b, p) {
          const rt = sync('matmul');
          const o = out(p.batch * p.m * p.n);
          for (const job of matmulJobs(arr(a), arr(b), arr(o), p)) runJob(rt, job, tile(rt));
          return o;
        },
        conv2d(x, w, p) {
          const rt = sync('conv2d');
          const o = out(p.n * p.o * p.ho * p.wo);
          for (const job of conv2dJobs(arr(x), arr(w), arr(o), p)) runJob(rt, job, tile(rt));
          return o;
        },
        conv2dGradInput(dy, w, p) {
          const rt = sync('conv2dGradInput');
          const o = out(p.n * p.c * p.h * p.w);
          for (const job of conv2dGradInputJobs(arr(dy), arr(w), arr(o), p)) runJob(rt, job, tile(rt));
          return o;
        },
        conv2dGradWeight(x, dy, p) {
          const rt = sync('conv2dGradWeight');
          const o = out(p.o * p.c * p.kh * p.kw);
          const { jobs, part, runs } = conv2dGradWeightJobs(arr(x), arr(dy), arr(o), p);
          jobs.forEach((job, i) => {
            runJob(rt, job, tile(rt));
            sumParts(arr(o), part, runs[i][1] - runs[i][0]);
          });
          return o;
        },
      };
    },
  ) as GpuBackend;
  return Object.assign(backend, { device: 'gpu' as const, gpu: { settings, details, runtime } });
}
