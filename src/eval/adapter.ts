/**
 * The bridge from the model zoo's VAE and CVAE to the likelihood metrics
 * (likelihood.ts), which need a model's three densities separately:
 *
 *   encode(x, y)        q(z | x[, y]) = N(μ, diag σ²)      the model's encoder E
 *   decodeLogits(z, y)  p(x | z[, y]) = Bernoulli(σ(l))    the model's decoder G
 *   prior(y)            p(z[| y])                           N(0, I), or the CVAE's learned
 *                                                           class prior N(μ_y, diag σ²_y)
 *
 * Each call runs in eval mode (BatchNorm with its running statistics, as when
 * sampling), without a graph, and restores the model's previous mode.
 * The GANs (and CVAE-GAN, whose decoder is trained adversarially and whose
 * encoder is only an amortised helper) have no likelihood here: null.
 */
import { noGrad } from '../autograd/index.js';
import { fromArray, oneHot, Tensor } from '../tensor/index.js';
import type { GenerativeModel } from '../models/types.js';
import { NUM_CLASSES } from '../models/types.js';
import { VAE } from '../models/vae.js';
import type { LatentVariableModel } from './likelihood.js';
import { ShapeError, ValueError } from '../errors.js';

function inEvalMode<T>(model: GenerativeModel, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(wasTraining);
  }
}

/** The learned class-prior table [10, 2·latent] (row k = μ_k, log σ²_k), or null for N(0, I). */
function priorTable(model: VAE): Tensor | null {
  const found = model.namedParameters('', false).find(([name]) => name === 'priorTable');
  return found ? found[1] : null;
}

/**
 * A `LatentVariableModel` view of a VAE or CVAE (null for the other models).
 * For the CVAE, `y` is required by every call (the class of each image).
 */
export function likelihoodModel(model: GenerativeModel): LatentVariableModel | null {
  if (!(model instanceof VAE)) return null;
  const conditional = model.conditional;
  const latent = model.config.latent;
  const cond = (op: string, y: Int32Array | undefined, n: number): Tensor | null => {
    if (!conditional) return null;
    if (!y || y.length !== n) throw new ValueError(`${model.kind} ${op}: a conditional model needs one class label per image (${n}), got ${y ? y.length : 'none'}`);
    return oneHot(y, NUM_CLASSES);
  };
  const table = priorTable(model);
  // The model's own rule (models/vae.ts): the CVAE defaults to the learned class prior. Never score
  // such a model under N(0, I) because its table could not be found.
  const wantsClassPrior = String(model.config.options.prior ?? (conditional ? 'class' : 'standard')) === 'class';
  if (wantsClassPrior !== (table !== null)) {
    throw new ValueError(`likelihoodModel: ${model.kind} is configured with prior '${wantsClassPrior ? 'class' : 'standard'}' but ${table ? 'has' : 'has no'} 'priorTable' parameter; the adapter (src/eval/adapter.ts) no longer matches models/vae.ts`);
  }
  if (table && (table.ndim !== 2 || table.shape[0] !== NUM_CLASSES || table.shape[1] !== 2 * latent)) {
    throw new ShapeError(`likelihoodModel: ${model.kind}'s priorTable has shape [${table.shape.join(', ')}], expected [${NUM_CLASSES}, ${2 * latent}]`);
  }
  const adapter: LatentVariableModel = {
    encode: (x, y) => inEvalMode(model, () => model.E.call(x, cond('encode', y, x.shape[0]))),
    decodeLogits: (z, y) => inEvalMode(model, () => model.G.call(z, cond('decode', y, z.shape[0]))),
  };
  if (table) {
    adapter.prior = (y, count) => {
      if (!y || y.length !== count) throw new ValueError(`${model.kind} prior: the class prior needs one class label per image (${count})`);
      const rows = table.data;
      const width = 2 * latent;
      const mu = new Float32Array(count * latent);
      const logvar = new Float32Array(count * latent);
      for (let i = 0; i < count; i++) {
        const o = y[i] * width;
        mu.set(rows.subarray(o, o + latent), i * latent);
        logvar.set(rows.subarray(o + latent, o + width), i * latent);
      }
      return { mu: fromArray(mu, [count, latent]), logvar: fromArray(logvar, [count, latent]) };
    };
  }
  return adapter;
}
