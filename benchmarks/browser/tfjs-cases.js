/**
 * TensorFlow.js's side of each case: the same computation written as a tfjs
 * user would write it (tf.tidy for eager chains, optimizer.minimize for steps,
 * `await t.data()` to read back, dispose what is read), on the same data and
 * weights as genzoo's side, laid out as tfjs wants them (see cases.js).
 *
 * Adam's epsilon is always passed (1e-8, genzoo's and PyTorch's): left out,
 * tfjs takes the backend's epsilon, 1e-4 on WebGL where the GPU reports less
 * than 32-bit float precision (SwiftShader does), and trains differently.
 *
 * The zoo twins (cvae, cgan) are genzoo's networks re-written in tfjs with the
 * same shapes, copying the weights of `models.createModel(defaultConfig(kind),
 * MODEL_SEED)`. Their noise (reparameterisation ε, the GAN's z, dropout masks)
 * comes from a provider: `replay` draws it on the host from genzoo's Generator
 * in the order genzoo's trainStep draws it, so the first steps compute what
 * genzoo computes and the agreement check covers the twin itself; the timed
 * steps draw on the device as a tfjs user would (tf.randomNormal and friends).
 * If genzoo's models change their draw order, only the tfjs rows of those two
 * cases disagree — a sign to update the twin, not a slow-but-wrong engine.
 *
 * `prepare(tf, data, ctx)` returns `{ run({ replay }), dispose() }`.
 */
import { transpose } from '../arrays.js';
import { CHAIN, DCGAN, MLP, NOISE_SEED, ZOO_BATCH } from './cases.js';

const ADAM_EPS = 1e-8;

/** Reads tensors back in one transfer as a user would (`await data()`), then disposes them. */
async function readAll(tf, tensors) {
  const all = tensors.length === 1 ? tensors[0] : tf.stack(tensors);
  const v = await all.data();
  tf.dispose([all, ...tensors]);
  return Array.from(v);
}

function matmul(tf, d, n) {
  const a = tf.tensor(d.a, [n, n]);
  const b = tf.tensor(d.b, [n, n]);
  return {
    run: async () => {
      const c = tf.matMul(a, b);
      const v = await c.data();
      c.dispose();
      return v;
    },
    dispose: () => tf.dispose([a, b]),
  };
}

function chain(tf, d) {
  const { layers, batch, width } = CHAIN;
  const x0 = tf.tensor(d.x, [batch, width]);
  const w = [], b = [];
  for (let i = 0; i < layers; i++) {
    w.push(tf.tensor(d[`w${i}`], [width, width]));
    b.push(tf.tensor(d[`b${i}`], [width]));
  }
  return {
    run: async () => {
      const y = tf.tidy(() => {
        let x = x0;
        for (let i = 0; i < layers; i++) x = tf.relu(tf.add(tf.matMul(x, w[i]), b[i]));
        return x;
      });
      const v = await y.data();
      y.dispose();
      return v;
    },
    dispose: () => tf.dispose([x0, ...w, ...b]),
  };
}

const bceWithLogits = (tf, target, logits) => tf.losses.sigmoidCrossEntropy(target, logits);

function mlp(tf, d) {
  const { batch, input, hidden } = MLP;
  const x = tf.tensor(d.x, [batch, input]);
  const w1 = tf.variable(tf.tensor(d.w1T, [input, hidden])), b1 = tf.variable(tf.tensor(d.b1, [hidden]));
  const w2 = tf.variable(tf.tensor(d.w2T, [hidden, input])), b2 = tf.variable(tf.tensor(d.b2, [input]));
  const vars = [w1, b1, w2, b2];
  const opt = tf.train.adam(1e-3, 0.9, 0.999, ADAM_EPS);
  return {
    run: async () => {
      const loss = opt.minimize(() => {
        const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
        return bceWithLogits(tf, x, tf.add(tf.matMul(h, w2), b2));
      }, true, vars);
      return readAll(tf, [loss]);
    },
    dispose: () => {
      tf.dispose([x, ...vars]);
      opt.dispose();
    },
  };
}

function dcganD(tf, d) {
  const { batch: B, c1, c2, k } = DCGAN;
  const x = tf.tensor(d.xNhwc, [B, 28, 28, 1]);
  const target = tf.tensor(d.target, [B, 1]);
  const v1 = tf.variable(tf.tensor(d.w1Hwio, [k, k, 1, c1])), a1 = tf.variable(tf.zeros([c1]));
  const v2 = tf.variable(tf.tensor(d.w2Hwio, [k, k, c1, c2])), a2 = tf.variable(tf.zeros([c2]));
  const v3 = tf.variable(tf.tensor(d.w3Nhwc, [c2 * 49, 1])), a3 = tf.variable(tf.zeros([1]));
  const vars = [v1, a1, v2, a2, v3, a3];
  const opt = tf.train.adam(2e-4, 0.5, 0.999, ADAM_EPS);
  return {
    run: async () => {
      const loss = opt.minimize(() => {
        const h1 = tf.leakyRelu(tf.add(tf.conv2d(x, v1, 2, 1), a1), 0.2);
        const h2 = tf.leakyRelu(tf.add(tf.conv2d(h1, v2, 2, 1), a2), 0.2);
        return bceWithLogits(tf, target, tf.add(tf.matMul(tf.reshape(h2, [B, c2 * 49]), v3), a3));
      }, true, vars);
      return readAll(tf, [loss]);
    },
    dispose: () => {
      tf.dispose([x, target, ...vars]);
      opt.dispose();
    },
  };
}

// ---- the zoo twins

/** Noise drawn on the device, as a tfjs user would. */
function deviceNoise(tf) {
  return {
    normal: (shape) => tf.randomNormal(shape),
    /** Dropout's mask: 1/(1 − p) where kept, 0 where dropped. */
    mask: (shape, p) => tf.tidy(() => tf.mul(tf.cast(tf.greaterEqual(tf.randomUniform(shape), p), 'float32'), 1 / (1 - p))),
  };
}

/**
 * genzoo's draws, replayed on the host from genzoo's Generator: `randn` for
 * normal noise, and dropout's mask as genzoo's dropout makes it (one
 * `random()` per element, kept where ≥ p).
 */
function replayNoise(tf, g, generator) {
  return {
    normal: (shape) => tf.tensor(g.randn(shape, { generator }).data, shape),
    mask: (shape, p) => {
      const m = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < m.length; i++) m[i] = generator.random() >= p ? 1 / (1 - p) : 0;
      return tf.tensor(m, shape);
    },
  };
}

/** Variables from a genzoo state dict: a Linear as x·W + b (W transposed to [in, out]). */
function twinParams(tf, weights) {
  const all = [];
  const keep = (v) => (all.push(v), v);
  const tensor = (name, trainable = true) => keep(tf.variable(tf.tensor(weights[name].data, weights[name].shape), trainable));
  const linear = (name) => {
    const { data, shape: [out, inp] } = weights[`${name}.weight`];
    return { W: keep(tf.variable(tf.tensor(transpose(data, out, inp), [inp, out]))), b: tensor(`${name}.bias`) };
  };
  return { linear, tensor, all };
}

/** One-hot labels [B, 10] (made on the host: no device kernel to trust for them). */
function oneHot(tf, y) {
  const c = new Float32Array(y.length * 10);
  y.forEach((k, i) => (c[i * 10 + k] = 1));
  return tf.tensor(c, [y.length, 10]);
}

function noiseFor(tf, ctx, replayGenerator, replay) {
  return replay ? replayNoise(tf, ctx.g, replayGenerator) : deviceNoise(tf);
}

/** genzoo's CVAE (nets.ts Encoder/Decoder, mlp; variational.ts losses with cvae.ts's learned class prior). */
function cvae(tf, d, ctx) {
  const B = ZOO_BATCH;
  const cfg = ctx.g.models.defaultConfig('cvae');
  const L = cfg.latent;
  const P = twinParams(tf, ctx.zooWeights('cvae'));
  const E1 = P.linear('E.fc1'), E2 = P.linear('E.fc2'), E3 = P.linear('E.out');
  const G1 = P.linear('G.fc1'), G2 = P.linear('G.fc2'), G3 = P.linear('G.out');
  const priorTable = P.tensor('priorTable');
  const x = tf.tensor(d.x, [B, 784]);
  const y = tf.tensor(d.y, [B], 'int32');
  const c = oneHot(tf, d.y);
  const opt = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, ADAM_EPS);
  const generator = new ctx.g.Generator(NOISE_SEED);
  const dense = (l, h) => tf.add(tf.matMul(h, l.W), l.b);
  const cat = (h) => tf.concat([h, c], 1);
  const lrelu = (h) => tf.leakyRelu(h, 0.2);
  return {
    run: async ({ replay = false } = {}) => {
      const noise = noiseFor(tf, ctx, generator, replay);
      let rec, kl;
      const loss = opt.minimize(() => {
        let h = lrelu(dense(E1, cat(x)));
        h = lrelu(dense(E2, cat(h)));
        const stats = dense(E3, cat(h));
        const mu = tf.slice(stats, [0, 0], [B, L]), logvar = tf.slice(stats, [0, L], [B, L]);
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise.normal([B, L])));
        h = tf.relu(dense(G1, cat(z)));
        h = tf.relu(dense(G2, cat(h)));
        const logits = dense(G3, cat(h));
        rec = tf.keep(tf.mean(tf.sum(tf.losses.sigmoidCrossEntropy(x, logits, undefined, 0, tf.Reduction.NONE), 1)));
        // KL(N(μ, σ²) ‖ N(μ_y, σ_y²)) per sample, the prior's row picked by the label.
        const rows = tf.gather(priorTable, y);
        const pmu = tf.slice(rows, [0, 0], [B, L]), plv = tf.slice(rows, [0, L], [B, L]);
        const terms = tf.sub(tf.add(tf.sub(plv, logvar), tf.div(tf.add(tf.exp(logvar), tf.square(tf.sub(mu, pmu))), tf.exp(plv))), 1);
        kl = tf.keep(tf.mean(tf.mul(tf.sum(terms, 1), 0.5)));
        return tf.add(rec, kl);
      }, true, P.all);
      return readAll(tf, [loss, rec, kl]);
    },
    dispose: () => {
      tf.dispose([x, y, c, ...P.all]);
      opt.dispose();
    },
  };
}

/**
 * genzoo's CGAN (cgan.ts): G with BatchNorm, a projection discriminator with
 * dropout, one D step then one G step, and the moving average of G's weights.
 * tfjs's minimize cannot reuse the forward pass of an earlier tape, so G runs
 * twice (once untaped for D's fakes, once for G's loss) where genzoo runs it once.
 */
function cgan(tf, d, ctx) {
  const B = ZOO_BATCH;
  const cfg = ctx.g.models.defaultConfig('cgan');
  const L = cfg.latent;
  const p = Number(cfg.options.dropout);
  const realLabel = Number(cfg.options.realLabel);
  const emaDecay = Number(cfg.options.ema);
  const w = ctx.zooWeights('cgan');
  const P = twinParams(tf, w);
  const G1 = P.linear('G.fc1'), G2 = P.linear('G.fc2'), G3 = P.linear('G.out');
  const bn = (name) => ({
    gamma: P.tensor(`${name}.weight`), beta: P.tensor(`${name}.bias`),
    mean: P.tensor(`${name}.running_mean`, false), variance: P.tensor(`${name}.running_var`, false),
  });
  const bn1 = bn('G.bn1'), bn2 = bn('G.bn2');
  const gVars = [G1.W, G1.b, bn1.gamma, bn1.beta, G2.W, G2.b, bn2.gamma, bn2.beta, G3.W, G3.b];
  const D1 = P.linear('D.trunk.fc1'), D2 = P.linear('D.trunk.fc2'), D3 = P.linear('D.out');
  const embed = P.tensor('D.embed.weight');
  const dVars = [D1.W, D1.b, D2.W, D2.b, D3.W, D3.b, embed];
  // G's weights averaged for sampling (ema.ts): the average starts as the initial weights.
  const average = gVars.map((v) => tf.variable(v.clone(), false));
  let averaged = 0;
  const x = tf.tensor(d.x, [B, 784]);
  const y = tf.tensor(d.y, [B], 'int32');
  const c = oneHot(tf, d.y);
  const optD = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, ADAM_EPS);
  const optG = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, ADAM_EPS);
  const generator = new ctx.g.Generator(NOISE_SEED);
  const dense = (l, h) => tf.add(tf.matMul(h, l.W), l.b);
  const cat = (h) => tf.concat([h, c], 1);

  /** BatchNorm1d in training mode; `track`: also update the running statistics (momentum 0.1, unbiased variance). */
  const batchNorm = (h, n, track) => {
    const { mean, variance } = tf.moments(h, 0);
    if (track) {
      tf.tidy(() => {
        n.mean.assign(tf.add(tf.mul(n.mean, 0.9), tf.mul(mean, 0.1)));
        n.variance.assign(tf.add(tf.mul(n.variance, 0.9), tf.mul(variance, 0.1 * B / (B - 1))));
      });
    }
    return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), n.gamma), n.beta);
  };
  const generate = (z, track) => {
    let h = tf.relu(batchNorm(dense(G1, cat(z)), bn1, track));
    h = tf.relu(batchNorm(dense(G2, cat(h)), bn2, track));
    return tf.sigmoid(dense(G3, cat(h)));
  };
  /** The projection discriminator's logit [B]: ψ(φ(x)) + ⟨embed(y), φ(x)⟩. */
  const discriminate = (images, noise) => {
    const h = tf.mul(tf.leakyRelu(dense(D1, images), 0.2), noise.mask([B, D1.W.shape[1]], p));
    const f = tf.mul(tf.leakyRelu(dense(D2, h), 0.2), noise.mask([B, D2.W.shape[1]], p));
    return tf.reshape(tf.add(dense(D3, f), tf.sum(tf.mul(tf.gather(embed, y), f), 1, true)), [B]);
  };
  const bce = (logits, target) => bceWithLogits(tf, tf.fill([B], target), logits);

  return {
    run: async ({ replay = false } = {}) => {
      const noise = noiseFor(tf, ctx, generator, replay);
      const z = noise.normal([B, L]);
      const fake = tf.tidy(() => generate(z, true));
      let dReal, dFake;
      const lossD = optD.minimize(() => {
        const real = discriminate(x, noise);
        const fakeLogits = discriminate(fake, noise);
        dReal = tf.keep(tf.mean(tf.sigmoid(real)));
        dFake = tf.keep(tf.mean(tf.sigmoid(fakeLogits)));
        return tf.add(bce(real, realLabel), bce(fakeLogits, 0));
      }, true, dVars);
      const lossG = optG.minimize(() => bce(discriminate(generate(z, false), noise), 1), true, gVars);
      const decay = Math.min(emaDecay, averaged / (averaged + 1));
      averaged++;
      tf.tidy(() => average.forEach((a, i) => a.assign(tf.add(tf.mul(a, decay), tf.mul(gVars[i], 1 - decay)))));
      tf.dispose([z, fake]);
      return readAll(tf, [lossD, lossG, dReal, dFake]);
    },
    dispose: () => {
      tf.dispose([x, y, c, ...P.all, ...average]);
      optD.dispose();
      optG.dispose();
    },
  };
}

export const TFJS_CASES = {
  'matmul-256': (tf, d) => matmul(tf, d, 256),
  'matmul-512': (tf, d) => matmul(tf, d, 512),
  chain,
  mlp,
  'dcgan-d': dcganD,
  cvae,
  cgan,
};
