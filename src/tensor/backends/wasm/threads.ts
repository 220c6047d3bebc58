/**
 * Worker threads for the wasm backend: each worker instantiates the same
 * compiled module over the same shared WebAssembly.Memory and waits for jobs.
 *
 * A job is one export called on several chunks of the output (column blocks,
 * row blocks, images…), described in a job table in the shared memory. Every
 * thread — the caller included — claims chunks with an atomic counter until
 * none are left, so a worker the OS has descheduled (a busy machine) simply
 * takes fewer chunks instead of making the caller wait for its fixed half.
 * Which thread computes a chunk never changes its bits: a chunk is a block of
 * the output, computed by the same sequence of operations wherever it runs.
 *
 * Why Atomics and not postMessage: a kernel call is synchronous, and a message
 * round trip through the event loop costs far more than a small GEMM. After a
 * job a worker spins briefly on its wake counter (kernels in a training step
 * arrive microseconds apart; waking from Atomics.wait is slow), then sleeps.
 *
 * Workers never keep Node alive: each is unref()'d as soon as it is ready.
 * They start on demand (the first kernel large enough to split) or with
 * `await ready()`; until then the caller claims every chunk itself.
 *
 * Node: worker_threads with the source below evaluated in place (no file to
 * locate). Browsers: Web Workers from a Blob, which need a cross-origin
 * isolated page for the shared memory.
 */
import { BackendError } from '../../../errors.js';

/** Int32 slots of one worker's control block. */
const SEQ = 0; // wake counter, bumped by the caller
const READY = 4; // 1 once the worker has instantiated the module
export const CTRL_INTS = 32;

/** Int32 slots of the job table. */
const CLAIM = 0; // next chunk to claim; CLOSED between jobs
const DONE = 1; // chunks finished
const NCHUNKS = 2;
const FN = 3; // export index
const ARGC = 4;
const FAILED = 5; // 1 when a chunk threw
const JOB_ARGS = 8;
/** Arguments per chunk (the executing thread appends its scratch pointer). */
export const MAX_ARGS = 20;
export const MAX_CHUNKS = 16;
export const JOB_INTS = JOB_ARGS + MAX_CHUNKS * MAX_ARGS;
const CLOSED = 1 << 30;

/** Worker spin before sleeping, in polls of the wake counter (~1–2 ns each). */
const WORKER_SPIN = 30_000;
/** Caller spin while the last claimed chunks finish, before sleeping. */
const CALLER_SPIN = 100_000;

// The worker's whole program. Plain JavaScript, runs in Node (CommonJS or ESM eval) and in browsers.
const WORKER_SOURCE = `
'use strict';
function start(msg, post) {
  const inst = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
  const fns = msg.fns.map((n) => inst.exports[n]);
  const ctrl = new Int32Array(msg.memory.buffer, msg.base, ${CTRL_INTS});
  const job = new Int32Array(msg.memory.buffer, msg.job, ${JOB_INTS});
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
    for (;;) {
      const c = Atomics.add(job, ${CLAIM}, 1);
      if (c >= Atomics.load(job, ${NCHUNKS})) break;
      const argc = job[${ARGC}];
      args.length = argc + 1;
      for (let i = 0; i < argc; i++) args[i] = job[${JOB_ARGS} + c * ${MAX_ARGS} + i];
      args[argc] = msg.scratch;
      try {
        fns[job[${FN}]].apply(null, args);
      } catch (e) {
        Atomics.store(job, ${FAILED}, 1);
        post({ error: String(e && e.stack || e) });
      }
      Atomics.add(job, ${DONE}, 1);
      Atomics.notify(job, ${DONE});
    }
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
  failed: string | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly fnIndex = new Map<string, number>();
  private canBlock = true;

  private lastError: string | null = null;

  /**
   * @param ctrlBase byte offset of the control blocks (CTRL_INTS·4 bytes per worker)
   * @param jobBase byte offset of the job table (JOB_INTS·4 bytes)
   * @param scratchOf byte offset of thread t's scratch (t = 0 is the caller)
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    private readonly ctrlBase: number,
    private readonly jobBase: number,
    private readonly scratchOf: (t: number) => number,
    readonly maxWorkers: number,
    private readonly fns: readonly string[],
  ) {
    fns.forEach((f, i) => this.fnIndex.set(f, i));
    const job = new Int32Array(memory.buffer, jobBase, JOB_INTS);
    job.fill(0);
    Atomics.store(job, CLAIM, CLOSED);
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
      const init = {
        module: this.module, memory: this.memory, base: this.ctrlBase + i * CTRL_INTS * 4, job: this.jobBase,
        scratch: this.scratchOf(i + 1), fns: this.fns, spin: WORKER_SPIN,
      };
      let slot: Slot;
      if (isNode) {
        if (!NodeWorker) return false;
        const w = new NodeWorker(WORKER_SOURCE, { eval: true, name: `genzoo-wasm-${i + 1}` });
        slot = { ctrl, worker: w, failed: null, ready: Promise.resolve() };
        slot.ready = new Promise<void>((resolve) => {
          w.on('message', (m: unknown) => {
            if (m === 'ready') {
              w.unref(); // never keep the process alive
              resolve();
            } else if (m && typeof m === 'object' && 'error' in m) {
              this.lastError = String((m as { error: unknown }).error);
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
        slot = { ctrl, worker: w, failed: null, ready: Promise.resolve() };
        slot.ready = new Promise<void>((resolve) => {
          w.onmessage = (e: MessageEvent) => {
            if (e.data === 'ready') resolve();
            else if (e.data && typeof e.data === 'object' && 'error' in e.data) this.lastError = String(e.data.error);
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
    if (problem) throw new BackendError(`wasm backend: threads cannot start: ${problem}`);
    this.start(count);
    await Promise.all(this.slots.slice(0, count).map((s) => s.ready));
    const failed = this.failures();
    if (failed.length) throw new BackendError(`wasm backend: ${failed.join('; ')}`);
  }

  /**
   * Calls export `fn` once per chunk (each chunk's arguments, then the executing
   * thread's scratch pointer), spread over this thread and up to `workers`
   * ready workers. Returns when every chunk is done.
   */
  run(exports: Record<string, (...args: number[]) => void>, fn: string, chunks: readonly number[][], workers: number): void {
    const id = this.fnIndex.get(fn);
    if (id === undefined) throw new BackendError(`wasm backend: '${fn}' cannot run on worker threads`);
    const n = chunks.length;
    const argc = chunks[0].length;
    if (n > MAX_CHUNKS || argc > MAX_ARGS) throw new BackendError(`wasm backend: a job of ${n} chunks × ${argc} arguments does not fit the job table`);
    const job = new Int32Array(this.memory.buffer, this.jobBase, JOB_INTS);
    // The table is written while CLAIM is CLOSED; opening it (CLAIM = 0) publishes it.
    job[FN] = id;
    job[ARGC] = argc;
    job[NCHUNKS] = n;
    for (let c = 0; c < n; c++) for (let i = 0; i < argc; i++) job[JOB_ARGS + c * MAX_ARGS + i] = chunks[c][i];
    Atomics.store(job, DONE, 0);
    Atomics.store(job, FAILED, 0);
    Atomics.store(job, CLAIM, 0);
    for (let t = 0; t < Math.min(workers, n - 1); t++) {
      const ctrl = this.slots[t].ctrl;
      Atomics.add(ctrl, SEQ, 1);
      Atomics.notify(ctrl, SEQ);
    }
    let mine: unknown = null;
    const f = exports[fn];
    const scratch = this.scratchOf(0);
    for (;;) {
      const c = Atomics.add(job, CLAIM, 1);
      if (c >= n) break;
      try {
        f(...chunks[c], scratch);
      } catch (e) {
        mine ??= e;
      }
      Atomics.add(job, DONE, 1);
    }
    // Wait for chunks still running on workers, then close the table.
    let spins = 0;
    for (let done = Atomics.load(job, DONE); done < n; done = Atomics.load(job, DONE)) {
      if (++spins < CALLER_SPIN || !this.canBlock) continue;
      try {
        Atomics.wait(job, DONE, done, 20);
      } catch {
        this.canBlock = false; // a browser's main thread may not block: keep spinning
      }
    }
    Atomics.store(job, CLAIM, CLOSED);
    if (mine) throw mine;
    if (Atomics.load(job, FAILED)) throw new BackendError(`wasm backend: a worker thread failed in ${fn}${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  /** Stops all workers (tests; the process exits fine without this). */
  async terminate(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
