/**
 * The engines of `npm run bench:browser`, as the page runs them: five genzoo
 * backends and three TensorFlow.js 4.22 backends, switched between in one page.
 *
 * Each engine: `activate()` makes it the active backend of its library (the
 * first call also starts it: worker threads, WebGPU device); `prepare(caseId,
 * data, ctx)` builds that case's tensors on it; `counters()` reads cumulative
 * transfer counts (differences around a step give per-step figures).
 *
 * Counting. genzoo: `backendCounters()` when the library has it (kernel calls,
 * CPU fallbacks, uploads, readbacks, bytes); until then null (shown as '—').
 * tfjs has no such API: uploads and readbacks are counted at the backend's
 * KernelBackend.write / read / readSync (the host arrays handed to the backend,
 * including the constants kernels make, and the values asked back), and
 * kernels per step come from `tf.profile()` in a separate, untimed step (its
 * profiler reads every kernel's output back, so it never wraps a timed one).
 *
 * The ids and labels are plain data, imported by the Node runner too.
 */
import { genzooApi } from './genzoo-api.js';
import { GENZOO_CASES } from './genzoo-cases.js';
import { TFJS_CASES } from './tfjs-cases.js';

export const ENGINES = [
  { id: 'gpu-webgl2', label: 'genzoo gpu webgl2', family: 'genzoo' },
  { id: 'gpu-webgl', label: 'genzoo gpu webgl', family: 'genzoo' },
  { id: 'gpu-webgpu', label: 'genzoo gpu webgpu', family: 'genzoo' },
  { id: 'wasm', label: 'genzoo wasm', family: 'genzoo' },
  { id: 'js', label: 'genzoo js', family: 'genzoo' },
  { id: 'tfjs-webgl', label: 'tfjs-webgl', family: 'tfjs' },
  { id: 'tfjs-webgpu', label: 'tfjs-webgpu', family: 'tfjs' },
  { id: 'tfjs-cpu', label: 'tfjs-cpu', family: 'tfjs' },
];

/** The engine every other one's results are compared against. */
export const REFERENCE_ENGINE = 'js';

const GENZOO_BACKENDS = {
  'gpu-webgl2': ['gpu', { mode: 'webgl2' }],
  'gpu-webgl': ['gpu', { mode: 'webgl' }],
  'gpu-webgpu': ['gpu', { mode: 'webgpu' }],
  wasm: ['wasm', { threads: 2 }],
  js: ['js', {}],
};

const TFJS_BACKENDS = { 'tfjs-webgl': 'webgl', 'tfjs-webgpu': 'webgpu', 'tfjs-cpu': 'cpu' };

function genzooEngine(g, meta) {
  const [backend, options] = GENZOO_BACKENDS[meta.id];
  let Z = null;
  let info = null;
  return {
    ...meta,
    async activate() {
      g.setBackend(backend, options);
      if (!info) {
        info = await g.ready();
        Z = genzooApi(g, options.mode === 'webgpu');
      }
    },
    details: () => ({ backend: info, api: Z?.generation, readback: Z?.readback }),
    counters: () => (typeof g.backendCounters === 'function' ? { ...g.backendCounters() } : null),
    prepare: (caseId, data) => GENZOO_CASES[caseId](g, Z, data),
  };
}

/**
 * Counts the host arrays a tfjs backend receives (write) and the reads it is
 * asked for (read, readSync). Calls a backend makes to itself while serving
 * one (e.g. reading a slice through a copy) are not counted again.
 */
function instrument(backend) {
  const c = { uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0 };
  let depth = 0;
  const bytes = (v) => (v && typeof v.byteLength === 'number' ? v.byteLength : 0);
  const wrap = (name, count) => {
    const original = backend[name].bind(backend);
    backend[name] = (...args) => {
      const outer = depth === 0;
      depth++;
      try {
        const r = original(...args);
        if (outer) count(args, r);
        return r;
      } finally {
        depth--;
      }
    };
  };
  // write(null) only registers an output the backend will fill: nothing crosses.
  wrap('write', ([values]) => {
    if (values == null) return;
    c.uploads++;
    c.uploadBytes += bytes(values);
  });
  wrap('readSync', (_, r) => {
    c.readbacks++;
    c.readbackBytes += bytes(r);
  });
  wrap('read', (_, r) => {
    c.readbacks++;
    Promise.resolve(r).then((v) => (c.readbackBytes += bytes(v)), () => {});
  });
  return c;
}

function tfjsEngine(tf, g, meta) {
  const name = TFJS_BACKENDS[meta.id];
  let counts = null;
  let info = null;
  return {
    ...meta,
    async activate() {
      // The tfjs twins of the zoo models replay genzoo's noise draws (on the host), see tfjs-cases.js.
      g.setBackend('js');
      if (tf.getBackend() !== name) {
        if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend '${name}' failed to start in this browser`);
      }
      await tf.ready();
      if (!counts) {
        // On the cpu backend host arrays are its storage: nothing is uploaded or read back.
        counts = name === 'cpu' ? null : instrument(tf.backend());
        info = { backend: name, epsilon: tf.backend().epsilon(), floatPrecision: tf.backend().floatPrecision() };
      }
    },
    details: () => ({ ...info, readback: 'await t.data()' }),
    counters: () => (counts ? { ...counts, tensors: tf.memory().numTensors } : { tensors: tf.memory().numTensors }),
    /** Kernels that one call runs, from tf.profile (untimed: the profiler reads each kernel's output). */
    async profile(run) {
      const p = await tf.profile(run);
      return { kernels: p.kernels.length, kernelNames: p.kernelNames, newTensors: p.newTensors, newBytes: p.newBytes };
    },
    prepare: (caseId, data, ctx) => TFJS_CASES[caseId](tf, data, ctx),
  };
}

/** The page's engine objects, by id. */
export function makeEngines(g, tf) {
  return Object.fromEntries(ENGINES.map((meta) => [meta.id, meta.family === 'genzoo' ? genzooEngine(g, meta) : tfjsEngine(tf, g, meta)]));
}
