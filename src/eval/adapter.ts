/**
 * The bridge from the model zoo's VAE and CVAE to the likelihood metrics
 * (likelihood.ts), which need a model's three densities separately:
 *
 *   encode(x, y)        q(z | x[, y]) = N(μ, diag σ²)      the model's encoder E
 *   decodeLogits(z, y)  p(x | z[, y]) = Bernoulli(σ(l))    the model's decoder G
 *   prior(y)            p(z[| y])                           the model's latentPrior: N(0, I),
 *                                                           or the CVAE's learned class prior N(μ_y, diag σ²_y)
 *
 * Each call runs in eval mode (BatchNorm with its running statistics, as when
 * sampling), without a graph, and restores the model's previous mode.
 * The GANs (and CVAE-GAN, whose decoder is trained adversarially and whose
 * encoder is only an amortised helper) have no likelihood here: null.
 */
import { noGrad } from '../autograd/index.js';
import { oneHot, type Tensor } from '../tensor/index.js';
import type { GenerativeModel } from '../models/types.js';
import { NUM_CLASSES } from '../models/types.js';
import { VariationalAutoencoder } from '../models/variational.js';
import type { LatentVariableModel } from './likelihood.js';
import { ValueError } from '../errors.js';

function inEvalMode<T>(model: GenerativeModel, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(wasTraining);
  }
}

/**
 * A `LatentVariableModel` view of a VAE or CVAE (null for the other models).
 * For the CVAE, `y` is required by every call (the class of each image). The
 * prior is the model's own (`latentPrior`): a CVAE with its learned class
 * prior is never scored under N(0, I).
 */
export function likelihoodModel(model: GenerativeModel): LatentVariableModel | null {
  if (!(model instanceof VariationalAutoencoder)) return null;
  const conditional = model.conditional;
  const cond = (op: string, y: Int32Array | undefined, n: number): Tensor | null => {
    if (!conditional) return null;
    if (!y || y.length !== n) throw new ValueError(`${model.kind} ${op}: a conditional model needs one class label per image (${n}), got ${y ? y.length : 'none'}`);
    return oneHot(y, NUM_CLASSES);
  };
  const adapter: LatentVariableModel = {
    encode: (x, y) => inEvalMode(model, () => model.E.call(x, cond('encode', y, x.shape[0]))),
    decodeLogits: (z, y) => inEvalMode(model, () => model.G.call(z, cond('decode', y, z.shape[0]))),
  };
  if (model.priorKind === 'class') {
    adapter.prior = (y, count) => {
      if (!y || y.length !== count) throw new ValueError(`${model.kind} prior: the class prior needs one class label per image (${count})`);
      return inEvalMode(model, () => model.latentPrior(y)!);
    };
  }
  return adapter;
}
