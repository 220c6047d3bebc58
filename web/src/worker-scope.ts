/** The little of a dedicated worker's global scope the workers use (the page's TypeScript library is DOM's). */
export interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

export const scope = globalThis as unknown as WorkerScope;

/** The digits file, next to the worker scripts (the built site's data/ folder). */
export const DIGITS_URL = new URL('./data/mnist-digits.gz', import.meta.url).href;

const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** Lets the worker's event loop run (messages from the page) and continues at once after. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
