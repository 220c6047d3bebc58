/**
 * The one place that knows which generation of genzoo's API the page runs.
 * Every genzoo case (genzoo-cases.js) is written against the object returned
 * here, so a change of API is a change in this file alone.
 *
 *   'read'       the backend-owned-storage API: every op synchronous in every
 *                mode, `await t.read()` reads a tensor back (detected by
 *                `Tensor.prototype.read`).
 *   'async-ops'  today's API on WebGPU, which has no synchronous readback:
 *                matmulAsync / linearAsync / conv2dAsync and backwardAsync for
 *                the kernel-backed ops; everything else runs on the CPU.
 *   'sync'       today's API elsewhere: plain ops, results in `t.data`.
 *
 * Every member returns a promise, so a case reads the same under all three
 * (`await Z.linear(...)`); under 'read' and 'sync' the await costs a microtask.
 * Only public names are used: what a user of each generation would write.
 */

/** Which generation `g` (the genzoo module) offers for an engine; `needsAsyncOps`: the engine is WebGPU. */
export function apiGeneration(g, needsAsyncOps) {
  if (typeof g.Tensor.prototype.read === 'function') return 'read';
  return needsAsyncOps ? 'async-ops' : 'sync';
}

/** Values of a readback as a plain Float32Array (or numbers as they are). */
const asFloats = (v) => (v instanceof Float32Array ? v : Float32Array.from(v));

export function genzooApi(g, needsAsyncOps) {
  const generation = apiGeneration(g, needsAsyncOps);
  const asyncOps = generation === 'async-ops';
  /** The host's copy of a tensor's values. */
  const read = generation === 'read' ? async (t) => asFloats(await t.read()) : async (t) => t.data;
  return {
    generation,
    /** How results reach the host, for the report. */
    readback: generation === 'read' ? 'await t.read()' : 't.data',
    read,
    item: async (t) => (await read(t))[0],
    /** Runs `fn` freeing the tensors it makes but does not return (tf.tidy), where the API has it. */
    tidy: typeof g.tidy === 'function' ? (fn) => g.tidy(fn) : (fn) => fn(),
    /** Releases a result the case is done with, where the API can (tfjs's dispose()). */
    dispose: (t) => (typeof t.dispose === 'function' ? t.dispose() : undefined),
    matmul: asyncOps ? (a, b) => g.matmulAsync(a, b) : async (a, b) => g.matmul(a, b),
    linear: asyncOps ? (x, w, b) => g.linearAsync(x, w, b) : async (x, w, b) => g.linear(x, w, b),
    conv2d: asyncOps ? (x, w, b, o) => g.conv2dAsync(x, w, b, o) : async (x, w, b, o) => g.conv2d(x, w, b, o),
    backward: asyncOps ? (loss) => g.backwardAsync(loss) : async (loss) => loss.backward(),
    /**
     * A zoo model's training step, its losses as numbers in the model's
     * `lossNames` order. Today `trainStep` returns numbers; a step that returns
     * a promise, or tensors, is awaited and read back here.
     */
    async trainStep(model, batch, generator) {
      const losses = typeof model.trainStepAsync === 'function' ? await model.trainStepAsync(batch, generator) : await model.trainStep(batch, generator);
      const out = [];
      for (const name of model.lossNames) {
        const v = losses[name];
        out.push(typeof v === 'number' ? v : await this.item(v));
      }
      return out;
    },
  };
}
