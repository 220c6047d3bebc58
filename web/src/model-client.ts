/** The page's side of the model worker: each request a promise of its reply (an error reply rejects). */
import { StateError } from 'genzoo';
import type { ModelReply, ModelReplyMessage, ModelRequest } from './protocol.js';

type Reply<T extends ModelReply['type']> = Extract<ModelReply, { type: T }>;

export class ModelClient {
  private readonly worker = new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module' });
  private readonly waiting = new Map<number, (reply: ModelReply) => void>();
  /** Set when the worker has failed (its script did not load, or it crashed): every request then fails with it. */
  private failure: string | null = null;
  private nextId = 1;
  /** Called after every successful load (the Explore and Load panels both show the model). */
  onLoaded: ((reply: Reply<'loaded'>) => void) | null = null;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<ModelReplyMessage>) => {
      const { id, ...reply } = event.data;
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.(reply as ModelReply);
    };
    // A dead worker answers nothing: fail what waits (and what comes) with its reason, never a silent blank canvas.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failure = `the model worker failed: ${event.message || 'its script did not load'}`;
      for (const done of this.waiting.values()) done({ type: 'error', message: this.failure });
      this.waiting.clear();
    };
  }

  /** Sends a request; resolves with the reply of the expected type, rejects with the worker's error message. */
  request<T extends ModelReply['type']>(req: ModelRequest, expect: T, transfer: Transferable[] = []): Promise<Reply<T>> {
    const id = this.nextId++;
    if (this.failure) return Promise.reject(new StateError(this.failure));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => {
        // The worker's error relayed: only its message crosses postMessage (the page shows it, nothing branches on its class).
        if (reply.type === 'error') reject(new Error(reply.message));
        else if (reply.type !== expect) reject(new StateError(`model worker: expected a '${expect}' reply, got '${reply.type}'`));
        else {
          if (reply.type === 'loaded') this.onLoaded?.(reply as Reply<'loaded'>);
          resolve(reply as Reply<T>);
        }
      });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }
}
