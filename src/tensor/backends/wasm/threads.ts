/**
 * Worker threads for the wasm backend: each worker instantiates the same
 * compiled module over the same shared WebAssembly.Memory, then waits on a
 * small control block in that memory for a job ("call export F with these
 * i32 arguments"). The calling thread always runs part 0 itself, so two
 * threads means one worker.
 *
 * Why a control block and Atomics instead of postMessage: a kernel call is
 * synchronous, and a message round trip through the event loop costs far
 * more than a small GEMM. After a job the worker spins briefly on the job
 * counter (consecutive kernels in a training step arrive microseconds apart;
 * waking a thread from Atomics.wait is slow), then sleeps in Atomics.wait.
 *
 * Workers never keep Node alive: each is unref()'d as soon as it is ready.
 * They start on demand (the first kernel large enough to split) or with
 * `await ready()`; until a worker is ready its share runs on the caller, so
 * results never depend on start-up timing.
 *
 * Node: worker_threads with the source below evaluated in place (no file to
 * locate). Browsers: Web Workers from a Blob, which need a cross-origin
 * isolated page for the shared memory.
 */

/** Int32 slots of one worker's control block. */
const SEQ = 0; // job counter, bumped by the caller
const DONE = 1; // the job counter the worker last finished
const FN = 2; // export index
const ARGC = 3;
const READY = 4; // 1 once the worker has instantiated the module
const FAILED = 5; // 1 when the last job threw
const ARGS = 8;
export const CTRL_INTS = 32;
export const MAX_ARGS = CTRL_INTS - ARGS;

/** Worker spin before sleeping, in polls of the job counter (~1–2 ns each). */
const WORKER_SPIN = 30_000;
/** Caller spin while waiting for a worker to finish, before sleeping. */
const CALLER_SPIN = 200_000;

// The worker's whole program. Plain JavaScript, runs in Node (CommonJS eval) and in browsers.
const WORKER_SOURCE = `
'use strict';
function start(msg, post) {
  const inst = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
  const fns = msg.fns.map((n) => inst.exports[n]);
  const ctrl = new Int32Array(msg.memory.buffer, msg.base, ${CTRL_INTS});
  const args = [];
  Atomics.store(ctrl, ${READY}, 1);
  post('ready');
  let seen = Atomics.load(ctrl, ${SEQ});
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, ${SEQ}) === seen) {
      if (++spins > msg.spin) { Atomics.wait(ctrl, ${SEQ}, seen); spins = 0; }
    }
    seen = Atomics.load(ctrl, ${SEQ});
    const argc = ctrl[${ARGC}];
    args.length = argc;
    for (let i = 0; i < argc; i++) args[i] = ctrl[${ARGS} + i];
    try {
      fns[ctrl[${FN}]].apply(null, args);
      Atomics.store(ctrl, ${FAILED}, 0);
    } catch (e) {
      Atomics.store(ctrl, ${FAILED}, 1);
      post({ error: String(e && e.stack || e) });
    }
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
}
// Node evaluates this as CommonJS or, under --input-type=module, as ESM: import() works in both.
if (typeof process === 'object' && process.versions && process.versions.node) {
  import('node:worker_threads').then(({ parentPort }) => {
    parentPort.once('message', (msg) => start(msg, (m) => parentPort.postMessage(m)));
  });
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

interface NodeWorkerLike {
  postMessage(msg: unknown): void;
  on(event: string, fn: (arg: any) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerCtor = new (src: string, opts: { eval: true; name?: string }) => NodeWorkerLike;

const isNode = typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node;
let NodeWorker: NodeWorkerCtor | null = null;
let nodeWorkerError: string | null = null;
// Loaded in the background so that module import stays synchronous; `ready()` awaits it.
const nodeWorkerLoad: Promise<void> | null = isNode
  ? import('node:worker_threads').then(
      (m) => { NodeWorker = m.Worker as unknown as NodeWorkerCtor; },
      (e) => { nodeWorkerError = `worker_threads cannot be loaded (${(e as Error).message})`; },
    )
  : null;

/** Why threads cannot start in this environment, or null if they can. */
export function threadSupportProblem(): string | null {
  if (isNode) return nodeWorkerError;
  if (typeof (globalThis as { Worker?: unknown }).Worker !== 'function') return 'no Worker in this environment';
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return 'the page is not cross-origin isolated';
  return null;
}

interface Slot {
  ctrl: Int32Array;
  worker: NodeWorkerLike | Worker;
  ready: Promise<void>;
  lastError: string | null;
  failed: string | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly fnIndex = new Map<string, number>();
  private canBlock = true;

  /**
   * @param ctrlBase byte offset of the control blocks (CTRL_INTS·4 bytes per worker)
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    private readonly ctrlBase: number,
    readonly maxWorkers: number,
    private readonly fns: readonly string[],
  ) {
    fns.forEach((f, i) => this.fnIndex.set(f, i));
  }

  /** Workers started so far (ready or not). */
  get started(): number {
    return this.slots.length;
  }

  private ctrlOf(i: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.ctrlBase + i * CTRL_INTS * 4, CTRL_INTS);
  }

  /** Workers that have instantiated the module and wait for jobs. */
  readyCount(): number {
    let n = 0;
    for (const s of this.slots) {
      if (s.failed || Atomics.load(s.ctrl, READY) !== 1) break;
      n++;
    }
    return n;
  }

  /** Problems of workers that failed to start. */
  failures(): string[] {
    return this.slots.filter((s) => s.failed).map((s) => s.failed as string);
  }

  /** Starts workers until `count` exist (without waiting for them). Returns false if threads cannot start yet. */
  start(count: number): boolean {
    count = Math.min(count, this.maxWorkers);
    while (this.slots.length < count) {
      const i = this.slots.length;
      const ctrl = this.ctrlOf(i);
      ctrl.fill(0);
      const init = { module: this.module, memory: this.memory, base: this.ctrlBase + i * CTRL_INTS * 4, fns: this.fns, spin: WORKER_SPIN };
      let slot: Slot;
      if (isNode) {
        if (!NodeWorker) return false;
        const w = new NodeWorker(WORKER_SOURCE, { eval: true, name: `genzoo-wasm-${i + 1}` });
        slot = { ctrl, worker: w, lastError: null, failed: null, ready: Promise.resolve() };
        slot.ready = new Promise<void>((resolve) => {
          w.on('message', (m: unknown) => {
            if (m === 'ready') {
              w.unref(); // never keep the process alive
              resolve();
            } else if (m && typeof m === 'object' && 'error' in m) {
              slot.lastError = String((m as { error: unknown }).error);
            }
          });
          w.on('error', (e: Error) => {
            slot.failed = `worker thread ${i + 1} failed: ${e.message}`;
            resolve();
          });
          w.on('exit', () => {
            if (!slot.failed) slot.failed = `worker thread ${i + 1} exited`;
            resolve();
          });
        });
        w.postMessage(init);
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const w = new Worker(url, { name: `genzoo-wasm-${i + 1}` });
        slot = { ctrl, worker: w, lastError: null, failed: null, ready: Promise.resolve() };
        slot.ready = new Promise<void>((resolve) => {
          w.onmessage = (e: MessageEvent) => {
            if (e.data === 'ready') resolve();
            else if (e.data && typeof e.data === 'object' && 'error' in e.data) slot.lastError = String(e.data.error);
          };
          w.onerror = (e: ErrorEvent) => {
            slot.failed = `worker thread ${i + 1} failed: ${e.message}`;
            resolve();
          };
        });
        w.postMessage(init);
      }
      this.slots.push(slot);
    }
    return true;
  }

  /** Starts `count` workers and waits until they are ready; throws if one fails. */
  async whenReady(count: number): Promise<void> {
    if (nodeWorkerLoad) await nodeWorkerLoad;
    const problem = threadSupportProblem();
    if (problem) throw new Error(`wasm backend: threads cannot start: ${problem}`);
    this.start(count);
    await Promise.all(this.slots.slice(0, count).map((s) => s.ready));
    const failed = this.failures();
    if (failed.length) throw new Error(`wasm backend: ${failed.join('; ')}`);
  }

  /**
   * Calls export `fn` once per part: part 0 on this thread, part t on worker t
   * (which must be ready). Returns when all parts are done.
   */
  run(exports: Record<string, (...args: number[]) => void>, fn: string, parts: readonly number[][]): void {
    const id = this.fnIndex.get(fn);
    if (id === undefined) throw new Error(`wasm backend: '${fn}' cannot run on worker threads`);
    const seqs: number[] = [];
    for (let t = 1; t < parts.length; t++) {
      const args = parts[t];
      if (args.length > MAX_ARGS) throw new Error(`wasm backend: too many arguments for ${fn}`);
      const ctrl = this.slots[t - 1].ctrl;
      ctrl[FN] = id;
      ctrl[ARGC] = args.length;
      for (let i = 0; i < args.length; i++) ctrl[ARGS + i] = args[i];
      const seq = (Atomics.load(ctrl, SEQ) + 1) | 0;
      seqs.push(seq);
      Atomics.store(ctrl, SEQ, seq);
      Atomics.notify(ctrl, SEQ);
    }
    let mine: unknown = null;
    try {
      exports[fn](...parts[0]);
    } catch (e) {
      mine = e;
    }
    const failures: string[] = [];
    for (let t = 1; t < parts.length; t++) {
      const slot = this.slots[t - 1];
      this.waitDone(slot.ctrl, seqs[t - 1]);
      if (Atomics.load(slot.ctrl, FAILED)) failures.push(`worker thread ${t} failed in ${fn}${slot.lastError ? `: ${slot.lastError}` : ''}`);
    }
    if (mine) throw mine;
    if (failures.length) throw new Error(`wasm backend: ${failures.join('; ')}`);
  }

  private waitDone(ctrl: Int32Array, seq: number): void {
    let spins = 0;
    while (Atomics.load(ctrl, DONE) !== seq) {
      if (++spins < CALLER_SPIN) continue;
      if (this.canBlock) {
        try {
          Atomics.wait(ctrl, DONE, Atomics.load(ctrl, DONE), 50);
        } catch {
          this.canBlock = false; // a browser's main thread may not block: keep spinning
        }
      }
    }
  }

  /** Stops all workers (tests; the process exits fine without this). */
  async terminate(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
