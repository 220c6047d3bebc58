/**
 * The cases of `npm run bench:browser`: what each one is, and its data.
 *
 * The data is made once, on the host (Node), from fixed seeds, and served to
 * the page, where every engine builds its tensors from the same arrays. Where
 * tfjs wants another layout (x·W with W [in, out], NHWC images, HWIO filters,
 * an NHWC flattening order) the host converts once, so the two sides compute
 * the same numbers and their results can be compared.
 *
 * The zoo's models (cvae, cgan) take only their batch from here: their weights
 * come from genzoo's own seeded initialisation (`models.createModel(config,
 * MODEL_SEED)`), and their tfjs twins copy those weights in the page.
 *
 * Plain ES module without Node imports: the page loads it too (for names).
 */
import { nchwToNhwc, oihwToHwio, randomArray, transpose } from '../arrays.js';

/** Seed of the zoo models' initial weights, and of the generator their steps draw noise from. */
export const MODEL_SEED = 7;
export const NOISE_SEED = 11;

const scaled = (a, s) => a.map((v) => v * s);
/** Uniform in [0, 1): pixel intensities. */
const unit = (n, seed) => randomArray(n, seed).map((v) => (v + 1) / 2);
/** He-uniform weights for a layer with `fanIn` inputs: activations keep their scale through ReLU. */
const he = (n, fanIn, seed) => scaled(randomArray(n, seed), Math.sqrt(6 / fanIn));

function matmulData(n) {
  return () => ({ a: randomArray(n * n, 1), b: randomArray(n * n, 2) });
}

export const CHAIN = { layers: 10, batch: 64, width: 512 };

function chainData() {
  const { layers, batch, width } = CHAIN;
  const d = { x: randomArray(batch * width, 3) };
  for (let i = 0; i < layers; i++) {
    d[`w${i}`] = he(width * width, width, 100 + i); // [in, out]: x·W
    d[`b${i}`] = scaled(randomArray(width, 200 + i), 0.1);
  }
  return d;
}

export const MLP = { batch: 64, input: 784, hidden: 512 };

function mlpData() {
  const { batch, input, hidden } = MLP;
  const w1 = he(hidden * input, input, 21); // [out, in], genzoo's Linear layout
  const w2 = he(input * hidden, hidden, 22);
  return {
    x: unit(batch * input, 20),
    w1, b1: new Float32Array(hidden), w2, b2: new Float32Array(input),
    w1T: transpose(w1, hidden, input), w2T: transpose(w2, input, hidden),
  };
}

export const DCGAN = { batch: 64, c1: 64, c2: 128, k: 4 };

function dcganData() {
  const { batch: B, c1, c2, k } = DCGAN;
  const flat = c2 * 7 * 7;
  const w1 = scaled(randomArray(c1 * 1 * k * k, 31), 0.25);
  const w2 = scaled(randomArray(c2 * c1 * k * k, 32), 0.03);
  const w3 = scaled(randomArray(flat, 33), 0.012); // [1, C·7·7] over genzoo's NCHW flattening
  const x = unit(B * 28 * 28, 30);
  // The same linear layer over tfjs's NHWC flattening: the weight of (c, y, x) moves to (y, x, c).
  const w3Nhwc = nchwToNhwc(w3, [1, c2, 7, 7]);
  return {
    x, target: new Float32Array(B).map((_, i) => i % 2),
    w1, w2, w3,
    xNhwc: nchwToNhwc(x, [B, 1, 28, 28]),
    w1Hwio: oihwToHwio(w1, [c1, 1, k, k]), w2Hwio: oihwToHwio(w2, [c2, c1, k, k]), w3Nhwc,
  };
}

export const ZOO_BATCH = 64;

function zooData() {
  return {
    x: unit(ZOO_BATCH * 784, 40),
    y: new Int32Array(ZOO_BATCH).map((_, i) => i % 10),
  };
}

/**
 * kind 'kernel': one call and its result read back; 'step': a training step
 * (forward, backward, optimizer update) with its loss(es) read back.
 * `flops` counts multiply-adds ×2 of the matmuls/convolutions only (forward
 * and backward), a scale for GFLOP/s, not the whole work.
 */
export const CASES = [
  { id: 'matmul-256', name: 'matmul 256³ with readback', kind: 'kernel', flops: 2 * 256 ** 3, data: matmulData(256) },
  { id: 'matmul-512', name: 'matmul 512³ with readback', kind: 'kernel', flops: 2 * 512 ** 3, data: matmulData(512) },
  {
    id: 'chain', name: '10-op chain x ← relu(x·Wᵢ + bᵢ), 64×512, one readback', kind: 'kernel',
    flops: CHAIN.layers * 2 * CHAIN.batch * CHAIN.width ** 2, data: chainData,
  },
  {
    id: 'mlp', name: 'MLP step 64×784 → 512 → 784, BCE, backward, Adam', kind: 'step',
    flops: 3 * 2 * 2 * MLP.batch * MLP.input * MLP.hidden, data: mlpData,
  },
  {
    id: 'dcgan-d', name: 'DCGAN D step 64×1×28×28 → conv 64 → conv 128 → 1, BCE, Adam', kind: 'step',
    flops: 3 * 2 * 64 * (64 * 16 * 14 * 14 + 128 * 64 * 16 * 7 * 7) - 2 * 64 * 64 * 16 * 14 * 14 + 3 * 2 * 64 * 6272, data: dcganData,
  },
  { id: 'cvae', name: 'zoo CVAE step (mlp defaults, batch 64)', kind: 'step', flops: null, data: zooData },
  { id: 'cgan', name: 'zoo CGAN step, D then G (mlp defaults, batch 64)', kind: 'step', flops: null, data: zooData },
];

/** The case whose id is `only`, else those whose id or name contains it (all without it). */
export function selectCases(only) {
  if (!only) return CASES;
  const exact = CASES.filter((c) => c.id === only);
  return exact.length ? exact : CASES.filter((c) => c.id.includes(only) || c.name.includes(only));
}

// ---- the wire format between host and page: named typed arrays in one buffer

const TYPES = { Float32Array, Int32Array };

/** Named Float32/Int32 arrays → one ArrayBuffer: u32 header length, JSON header, 8-aligned data. */
export function packArrays(arrays) {
  const header = {};
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    header[name] = { type: a.constructor.name, offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((4 + json.length) / 8) * 8;
  const buf = new ArrayBuffer(start + offset);
  new DataView(buf).setUint32(0, json.length, true);
  new Uint8Array(buf, 4).set(json);
  for (const [name, a] of Object.entries(arrays)) new Uint8Array(buf, start + header[name].offset, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return buf;
}

/** The inverse of packArrays (views into `buf`). */
export function unpackArrays(buf) {
  const len = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, len)));
  const start = Math.ceil((4 + len) / 8) * 8;
  const out = {};
  for (const [name, { type, offset, length }] of Object.entries(header)) {
    const T = TYPES[type];
    if (!T) throw new Error(`bench data: array '${name}' has unknown type ${type}`);
    out[name] = new T(buf, start + offset, length);
  }
  return out;
}
