/**
 * A small buffer whose values the host keeps a copy of — a step counter, the
 * classes seen so far — so code that needs them every step does not read
 * them back from a device. The copy is re-read only when something else wrote
 * the buffer (a loaded checkpoint bumps its storage version).
 */
import type { Tensor } from '../tensor/index.js';

export class HostMirror {
  #values: Float64Array | null = null;
  #version = -1;
  #storage: unknown = null;

  /** @param buffer returns the buffer (looked up each time: a module may replace it) */
  constructor(private readonly buffer: () => Tensor) {}

  /** The buffer's values (read back only when the buffer changed behind the mirror's back). */
  values(): Float64Array {
    const t = this.buffer();
    const s = t.storage;
    if (!this.#values || s !== this.#storage || s.version !== this.#version) {
      this.#values = Float64Array.from(t.data);
      this.#storage = s;
      this.#version = s.version;
    }
    return this.#values;
  }

  /** Writes new values to the buffer (one small upload) and remembers them. */
  set(values: ArrayLike<number>): void {
    const t = this.buffer();
    t.copy_(values);
    this.#values = Float64Array.from(values);
    this.#storage = t.storage;
    this.#version = t.storage.version;
  }
}
