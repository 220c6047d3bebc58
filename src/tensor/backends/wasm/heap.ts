/**
 * The wasm backend's heap: tensors live in WebAssembly memory, so kernels
 * read and write them in place, with no copy in or out per call.
 *
 * Allocation. Blocks are multiples of 64 bytes (a cache line; SIMD loads stay
 * aligned) with at least SLACK bytes past the requested size: kernels that run
 * whole vectors read and write up to one vector past the end of an operand
 * (a broadcast op vectorised by rows of 10 floats writes 12 for its last row),
 * and that vector must never be a neighbouring tensor's memory — nor past the
 * end of the wasm memory, where a read would trap. A freed block goes into a bin of its exact size — training repeats
 * the same shapes every step, so most requests are a bin hit. Otherwise the
 * block comes from the top of the heap, growing the memory when needed.
 *
 * Memory pressure. JavaScript's collector cannot see wasm memory: a loop that
 * drops tensors without `dispose()`/`tidy()` leaves their blocks allocated
 * until the tensors are finalized, which V8 does only after full collections
 * that small JS garbage rarely triggers. So once the memory would grow past
 * `budget`, the heap first coalesces its free bins, then *evicts* the least
 * recently used blocks: their values move to a host Float32Array (the
 * collector's business from then on) and the block is reused. A tensor whose
 * block was evicted still works: its next kernel brings it back (an upload).
 * Blocks in use by a running kernel are pinned and never evicted. Past the
 * budget the memory still grows, up to its maximum, before an allocation fails.
 */
import { countReadback, countUpload, type Storage } from '../../storage.js';
import { BackendError, StateError } from '../../../errors.js';

const ALIGN = 64;
/** Bytes every block has beyond its request: one SIMD vector. */
export const SLACK = 16;

/** Past this many bytes of wasm memory the heap evicts unused tensors before growing (tests lower it). */
export const heapTuning = { budgetBytes: 512 * 2 ** 20 };

/** A tensor's memory in the heap: resident at `ptr`, or evicted to `host`. */
export interface Block {
  ptr: number;
  readonly bytes: number;
  /** The values while evicted (ptr = −1). */
  host: Float32Array | null;
  pins: number;
  /** The storage this block backs (used to reuse its host copy when evicting). */
  storage: Storage | null;
}

export interface HeapMemory {
  /** The module's memory (typed structurally, so declaration files need no WebAssembly types). */
  readonly memory: { readonly buffer: ArrayBufferLike; grow(pages: number): number };
  /** First byte the heap may use. */
  readonly base: number;
  /** Largest memory size in bytes. */
  readonly maxBytes: number;
}

export class WasmHeap {
  /** Free blocks by exact size. */
  private readonly bins = new Map<number, number[]>();
  private binnedBytes = 0;
  private top: number;
  /** Resident blocks, least recently used first (Map keeps insertion order). */
  private readonly lru = new Map<Block, true>();
  /** Bytes in resident blocks. */
  liveBytes = 0;
  evictions = 0;

  constructor(private readonly mem: HeapMemory) {
    this.top = mem.base;
  }

  get budget(): number {
    return heapTuning.budgetBytes;
  }

  /** Bytes of wasm memory now (the heap and the fixed areas below it). */
  get memoryBytes(): number {
    return this.mem.memory.buffer.byteLength;
  }

  /** A new resident block of at least `bytes` + SLACK bytes; `pinned` ones are never evicted (a kernel's scratch). */
  allocate(bytes: number, what: string, pinned = false): Block {
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    const block: Block = { ptr: this.place(size, what), bytes: size, host: null, pins: pinned ? 1 : 0, storage: null };
    this.liveBytes += size;
    this.lru.set(block, true);
    return block;
  }

  /** Returns a block's memory (resident or not); the block must not be used again. */
  release(block: Block): void {
    if (block.ptr >= 0) {
      this.lru.delete(block);
      this.liveBytes -= block.bytes;
      this.toBin(block.ptr, block.bytes);
    }
    block.ptr = -1;
    block.host = null;
    block.storage = null;
  }

  /** Makes a block resident (bringing evicted values back) and most recently used; pins it while `pin`. */
  use(block: Block, pin: boolean): void {
    if (block.ptr < 0) {
      const host = block.host;
      if (!host) throw new StateError('wasm backend: a released block was used (a tensor was used after its storage was freed)');
      block.ptr = this.place(block.bytes, 'bringing an evicted tensor back');
      this.liveBytes += block.bytes;
      new Float32Array(this.mem.memory.buffer, block.ptr, host.length).set(host);
      countUpload(host.length * 4);
      block.host = null;
    } else {
      this.lru.delete(block);
    }
    this.lru.set(block, true);
    if (pin) block.pins++;
  }

  unpin(block: Block): void {
    block.pins--;
  }

  private toBin(ptr: number, size: number): void {
    let list = this.bins.get(size);
    if (!list) this.bins.set(size, (list = []));
    list.push(ptr);
    this.binnedBytes += size;
  }

  /** An address for `size` bytes: a bin, the top, reclaimed memory, or grown memory. */
  private place(size: number, what: string): number {
    const list = this.bins.get(size);
    if (list && list.length) {
      this.binnedBytes -= size;
      return list.pop() as number;
    }
    if (this.top + size <= this.memoryBytes) return this.bump(size);
    if (this.top + size > this.budget) {
      const reclaimed = this.reclaim(size);
      if (reclaimed >= 0) return reclaimed;
    }
    this.grow(this.top + size, what);
    return this.bump(size);
  }

  private bump(size: number): number {
    const p = this.top;
    this.top += size;
    return p;
  }

  /**
   * Under pressure: merge free bins (and lower the top), first fit; failing
   * that, evict least recently used blocks and try again. −1 when nothing fits.
   */
  private reclaim(size: number): number {
    let p = this.coalesceAndFit(size);
    if (p >= 0) return p;
    // Evict until the live blocks fit in half the budget (a margin, so eviction is rare).
    const target = this.budget / 2;
    for (const block of [...this.lru.keys()]) {
      if (this.liveBytes + size <= target) break;
      if (block.pins > 0) continue;
      this.evict(block);
    }
    p = this.coalesceAndFit(size);
    return p;
  }

  private evict(block: Block): void {
    const s = block.storage;
    const n = block.bytes / 4;
    let host: Float32Array;
    if (s && s.host instanceof Float32Array && s.hostVersion === s.version) {
      host = s.host;
    } else {
      host = new Float32Array(s ? s.length : n);
      host.set(new Float32Array(this.mem.memory.buffer, block.ptr, host.length));
      countReadback(host.length * 4);
    }
    this.lru.delete(block);
    this.liveBytes -= block.bytes;
    this.toBin(block.ptr, block.bytes);
    block.ptr = -1;
    block.host = host;
    this.evictions++;
  }

  /** Merges adjacent free blocks, drops the free run at the top, and places `size` first-fit. */
  private coalesceAndFit(size: number): number {
    if (this.binnedBytes === 0) return -1;
    const free: Array<[number, number]> = [];
    for (const [sz, ptrs] of this.bins) for (const p of ptrs) free.push([p, sz]);
    this.bins.clear();
    this.binnedBytes = 0;
    free.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [p, sz] of free) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === p) last[1] += sz;
      else merged.push([p, sz]);
    }
    const tail = merged[merged.length - 1];
    if (tail && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      merged.pop();
    }
    let found = -1;
    for (const m of merged) {
      if (found < 0 && m[1] >= size) {
        found = m[0];
        if (m[1] > size) this.toBin(m[0] + size, m[1] - size);
      } else this.toBin(m[0], m[1]);
    }
    if (found < 0 && this.top + size <= this.memoryBytes) found = this.bump(size);
    return found;
  }

  private grow(need: number, what: string): void {
    const have = this.memoryBytes;
    if (need <= have) return;
    if (need > this.mem.maxBytes) {
      throw new BackendError(
        `wasm backend: out of memory: ${what} needs ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory, more than its ${this.mem.maxBytes / 2 ** 20} MiB maximum ` +
        `(${(this.liveBytes / 2 ** 20).toFixed(0)} MiB in live tensors; dispose() tensors or wrap loops in tidy())`,
      );
    }
    // Grow by at least 1/8 of the current size, so a growing workload does not grow page by page.
    const want = Math.min(this.mem.maxBytes, Math.max(need, have + have / 8));
    const pages = Math.ceil((want - have) / 65536);
    try {
      this.mem.memory.grow(pages);
    } catch (e) {
      throw new BackendError(`wasm backend: ${what} needs ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory and growing it failed (${(e as Error).message})`);
    }
  }

  /** What backendInfo reports. */
  stats(): Record<string, number> {
    return {
      memoryMiB: this.memoryBytes / 2 ** 20,
      liveMiB: this.liveBytes / 2 ** 20,
      freeMiB: this.binnedBytes / 2 ** 20,
      budgetMiB: this.budget / 2 ** 20,
      residentBlocks: this.lru.size,
      evictions: this.evictions,
    };
  }
}
