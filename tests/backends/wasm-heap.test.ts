/**
 * The wasm heap under pressure: with a budget far below what a workload
 * allocates, least-recently-used tensors are evicted to the host and brought
 * back on use. Every value must survive: random ops on many tensors (kept,
 * dropped, disposed, read) against the same ops on the js backend, and the
 * convolution kernels (which allocate scratch while writing their output).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { conv2d, createWasmBackend, jsBackend, tensor, tidy, withBackend, type Tensor } from '../../src/index.js';
import { wasmTuning } from '../../src/tensor/backends/wasm/index.js';

const wasm = createWasmBackend({ threads: 1 });
const saved = wasmTuning.heapBudget;
afterEach(() => {
  wasmTuning.heapBudget = saved;
});

describe('wasm heap eviction', () => {
  test('random ops on many tensors with a tiny budget give the js backend\'s values', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1e6 })), { minLength: 30, maxLength: 120 }), (script) => {
      wasmTuning.heapBudget = 1 << 20; // 1 MiB: far less than the live tensors below
      const live: Array<[Tensor, Tensor]> = [];
      for (const [op, r] of script) {
        const n = 1000 + (r % 5000);
        if (op <= 1 || live.length < 2) {
          const values = Float32Array.from({ length: n }, (_, i) => Math.sin(r + i));
          live.push([withBackend(wasm, () => tensor(values)), tensor(values, { backend: 'js' })]);
        } else if (op === 2) {
          const [a, b] = [live[r % live.length], live[(r >> 3) % live.length]];
          const m = Math.min(a[0].size, b[0].size);
          live.push([a[0].slice(0, 0, m).mul(b[0].slice(0, 0, m)).add(1), a[1].slice(0, 0, m).mul(b[1].slice(0, 0, m)).add(1)]);
        } else if (op === 3) {
          const [w] = live.splice(r % live.length, 1);
          w[0].dispose();
        } else if (op === 4) {
          const t = live[r % live.length];
          expect(Array.from(t[0].data)).toEqual(Array.from(t[1].data));
        } else {
          live.splice(r % live.length, 1); // dropped without dispose: the garbage collector's (or eviction's) business
        }
      }
      for (const [w, j] of live) expect(Array.from(w.data)).toEqual(Array.from(j.data));
    }), { numRuns: 20, seed: 7 });
  });

  test('convolutions allocating scratch under pressure do not lose their output', () => {
    wasmTuning.heapBudget = 1 << 20;
    const x = Float32Array.from({ length: 8 * 4 * 20 * 20 }, (_, i) => Math.sin(i));
    const w = Float32Array.from({ length: 16 * 4 * 3 * 3 }, (_, i) => Math.cos(i));
    const ref = conv2d(tensor(x, { shape: [8, 4, 20, 20], backend: jsBackend }), tensor(w, { shape: [16, 4, 3, 3], backend: jsBackend }), null, { padding: 1 });
    const junk: Tensor[] = [];
    for (let i = 0; i < 20; i++) {
      const y = withBackend(wasm, () => {
        junk.push(tensor(new Float32Array(60_000).fill(i)));
        return tidy(() => conv2d(tensor(x, { shape: [8, 4, 20, 20] }), tensor(w, { shape: [16, 4, 3, 3] }), null, { padding: 1 }));
      });
      const got = y.data, want = ref.data;
      let worst = 0;
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]));
      expect(worst).toBeLessThan(1e-4);
    }
    for (const [k, t] of junk.entries()) expect(t.data[59_999]).toBe(k);
  });
});
