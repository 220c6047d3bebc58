/**
 * genzoo's side of each case, written as a user would write it against the
 * public API: the module `g` and the API object `Z` (genzoo-api.js, which
 * hides the one difference between API generations: how kernel-backed ops
 * are awaited and how a result is read back).
 *
 * `prepare(g, Z, data)` runs with the engine's backend active (tensors and
 * parameters are created there) and returns `run()`, one timed call: it
 * returns the values read back to the host (a Float32Array or numbers).
 */
import { CHAIN, DCGAN, MLP, MODEL_SEED, NOISE_SEED, ZOO_BATCH } from './cases.js';

const param = (g, data, shape) => g.tensor(data, { shape, requiresGrad: true });

/** A result's values on the host; the result itself is released (where the API can). */
async function readResult(Z, t) {
  const v = await Z.read(t);
  Z.dispose(t);
  return v;
}

function matmul(g, Z, d, n) {
  const a = g.tensor(d.a, { shape: [n, n] });
  const b = g.tensor(d.b, { shape: [n, n] });
  return {
    run: async () => readResult(Z, await Z.matmul(a, b)),
  };
}

function chain(g, Z, d) {
  const { layers, batch, width } = CHAIN;
  const x0 = g.tensor(d.x, { shape: [batch, width] });
  const w = [], b = [];
  for (let i = 0; i < layers; i++) {
    w.push(g.tensor(d[`w${i}`], { shape: [width, width] }));
    b.push(g.tensor(d[`b${i}`], { shape: [width] }));
  }
  return {
    run: async () => {
      if (Z.generation !== 'read') {
        let x = x0;
        for (let i = 0; i < layers; i++) x = (await Z.matmul(x, w[i])).add(b[i]).relu();
        return readResult(Z, x);
      }
      // Synchronous ops in a tidy (as a user writes it): intermediates are freed, only the result is kept.
      const x = Z.tidy(() => {
        let t = x0;
        for (let i = 0; i < layers; i++) t = g.matmul(t, w[i]).add(b[i]).relu();
        return t;
      });
      return readResult(Z, x);
    },
  };
}

/** The autoencoder MLP: x → relu(linear) → linear → logits, BCE-with-logits against x itself. */
function mlp(g, Z, d) {
  const { batch, input, hidden } = MLP;
  const x = g.tensor(d.x, { shape: [batch, input] });
  const w1 = param(g, d.w1, [hidden, input]), b1 = param(g, d.b1, [hidden]);
  const w2 = param(g, d.w2, [input, hidden]), b2 = param(g, d.b2, [input]);
  const opt = new g.optim.Adam([w1, b1, w2, b2], { lr: 1e-3, eps: 1e-8 });
  return {
    run: async () => {
      if (Z.generation !== 'read') {
        const h = (await Z.linear(x, w1, b1)).relu();
        const logits = await Z.linear(h, w2, b2);
        const loss = g.nn.bceWithLogits(logits, x);
        opt.zeroGrad();
        await Z.backward(loss);
        opt.step();
        return [await Z.item(loss)];
      }
      const loss = Z.tidy(() => {
        const l = g.nn.bceWithLogits(g.linear(g.linear(x, w1, b1).relu(), w2, b2), x);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l;
      });
      return [(await readResult(Z, loss))[0]];
    },
  };
}

/** A DCGAN-style MNIST discriminator: conv 4×4 s2 → LeakyReLU → conv 4×4 s2 → LeakyReLU → linear → 1. */
function dcganD(g, Z, d) {
  const { batch: B, c1, c2, k } = DCGAN;
  const x = g.tensor(d.x, { shape: [B, 1, 28, 28] });
  const target = g.tensor(d.target, { shape: [B, 1] });
  const w1 = param(g, d.w1, [c1, 1, k, k]), b1 = param(g, new Float32Array(c1), [c1]);
  const w2 = param(g, d.w2, [c2, c1, k, k]), b2 = param(g, new Float32Array(c2), [c2]);
  const w3 = param(g, d.w3, [1, c2 * 49]), b3 = param(g, new Float32Array(1), [1]);
  const opt = new g.optim.Adam([w1, b1, w2, b2, w3, b3], { lr: 2e-4, betas: [0.5, 0.999], eps: 1e-8 });
  const conv = { stride: 2, padding: 1 };
  return {
    run: async () => {
      if (Z.generation === 'read') {
        const loss = Z.tidy(() => {
          const q1 = g.conv2d(x, w1, b1, conv).leakyRelu(0.2);
          const q2 = g.conv2d(q1, w2, b2, conv).leakyRelu(0.2);
          const l = g.nn.bceWithLogits(g.linear(q2.reshape([B, c2 * 49]), w3, b3), target);
          opt.zeroGrad();
          l.backward();
          opt.step();
          return l;
        });
        return [(await readResult(Z, loss))[0]];
      }
      const h1 = (await Z.conv2d(x, w1, b1, conv)).leakyRelu(0.2);
      const h2 = (await Z.conv2d(h1, w2, b2, conv)).leakyRelu(0.2);
      const logits = await Z.linear(h2.reshape([B, c2 * 49]), w3, b3);
      const loss = g.nn.bceWithLogits(logits, target);
      opt.zeroGrad();
      await Z.backward(loss);
      opt.step();
      return [await Z.item(loss)];
    },
  };
}

/** A model of the zoo at its registry defaults, stepped through its own trainStep. */
function zoo(kind) {
  return (g, Z, d) => {
    const model = g.models.createModel(g.models.defaultConfig(kind), MODEL_SEED);
    const batch = { x: g.tensor(d.x, { shape: [ZOO_BATCH, 1, 28, 28] }), y: d.y };
    const generator = new g.Generator(NOISE_SEED);
    return { run: () => Z.trainStep(model, batch, generator) };
  };
}

export const GENZOO_CASES = {
  'matmul-256': (g, Z, d) => matmul(g, Z, d, 256),
  'matmul-512': (g, Z, d) => matmul(g, Z, d, 512),
  chain,
  mlp,
  'dcgan-d': dcganD,
  cvae: zoo('cvae'),
  cgan: zoo('cgan'),
};
