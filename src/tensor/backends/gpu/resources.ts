/**
 * Live GPU resources, counted at the source. GPU.js owns its textures and
 * buffers, so instead of trusting its bookkeeping we wrap the create/delete
 * calls of the one WebGL context (or WebGPU device) that all of a mode's
 * kernels share: every object created and not yet deleted is live. A leak
 * anywhere (ours or GPU.js's) shows up as a count that keeps growing; tests
 * read `gpuResources()` before and after many training steps.
 */

/** Counts of one mode's live resources. `kernels` are compiled kernels in genzoo's cache. */
export interface ResourceCounts {
  /** Compiled kernels in genzoo's cache. */
  kernels: number;
  /** WebGL textures. */
  textures: number;
  /** WebGL buffers, or WebGPU buffers. */
  buffers: number;
  /** WebGL framebuffers. */
  framebuffers: number;
  /** WebGL renderbuffers. */
  renderbuffers: number;
  /** WebGL programs. */
  programs: number;
  /** WebGL shaders. */
  shaders: number;
  /** WebGL 2 vertex array objects. */
  vertexArrays: number;
  /** WebGL 2 sync objects. */
  syncs: number;
}

export function emptyCounts(): ResourceCounts {
  return { kernels: 0, textures: 0, buffers: 0, framebuffers: 0, renderbuffers: 0, programs: 0, shaders: 0, vertexArrays: 0, syncs: 0 };
}

export function totalOf(c: ResourceCounts): number {
  return Object.values(c).reduce((s, v) => s + v, 0);
}

type GLObjectKind = Exclude<keyof ResourceCounts, 'kernels'>;

/** The WebGL create/delete pairs, by the counter they move. */
const GL_PAIRS: Array<[GLObjectKind, string, string]> = [
  ['textures', 'createTexture', 'deleteTexture'],
  ['buffers', 'createBuffer', 'deleteBuffer'],
  ['framebuffers', 'createFramebuffer', 'deleteFramebuffer'],
  ['renderbuffers', 'createRenderbuffer', 'deleteRenderbuffer'],
  ['programs', 'createProgram', 'deleteProgram'],
  ['shaders', 'createShader', 'deleteShader'],
  ['vertexArrays', 'createVertexArray', 'deleteVertexArray'], // WebGL2
  ['syncs', 'fenceSync', 'deleteSync'], // WebGL2 (asynchronous readback fences)
];

const instrumented = new WeakSet<object>();

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Wraps a WebGL(2) context's create/delete methods (on the instance, not the
 * prototype) so `counts` tracks what is live. Deleting an object we never saw
 * created (or twice) does not move the count.
 */
export function instrumentGL(gl: object, counts: ResourceCounts): void {
  if (instrumented.has(gl)) return;
  instrumented.add(gl);
  const ctx = gl as Record<string, AnyFn>;
  for (const [kind, create, del] of GL_PAIRS) {
    const origCreate = ctx[create];
    const origDelete = ctx[del];
    if (typeof origCreate !== 'function' || typeof origDelete !== 'function') continue;
    const live = new WeakSet<object>();
    ctx[create] = function (this: unknown, ...args: unknown[]) {
      const obj = origCreate.apply(gl, args);
      if (obj && typeof obj === 'object' && !live.has(obj)) {
        live.add(obj);
        counts[kind]++;
      }
      return obj;
    };
    ctx[del] = function (this: unknown, ...args: unknown[]) {
      const obj = args[0];
      if (obj && typeof obj === 'object' && live.has(obj)) {
        live.delete(obj);
        counts[kind]--;
      }
      return origDelete.apply(gl, args);
    };
  }
}

/**
 * Wraps a WebGPU device's createBuffer/createTexture so that every buffer or
 * texture counts as live until its `destroy()`.
 */
export function instrumentWebGPU(device: object, counts: ResourceCounts): void {
  if (instrumented.has(device)) return;
  instrumented.add(device);
  const dev = device as Record<string, AnyFn>;
  const wrap = (method: string, kind: GLObjectKind): void => {
    const orig = dev[method];
    if (typeof orig !== 'function') return;
    dev[method] = function (this: unknown, ...args: unknown[]) {
      const obj = orig.apply(device, args) as Record<string, AnyFn>;
      counts[kind]++;
      const destroy = obj.destroy;
      let destroyed = false;
      obj.destroy = function (this: unknown, ...dargs: unknown[]) {
        if (!destroyed) {
          destroyed = true;
          counts[kind]--;
        }
        return destroy.apply(obj, dargs);
      };
      return obj;
    };
  };
  wrap('createBuffer', 'buffers');
  wrap('createTexture', 'textures');
}
