/**
 * The reparameterization trick (Kingma & Welling, 2014): a sample of
 * N(μ, σ²) written as a differentiable function of (μ, log σ²) and noise that
 * does not depend on them,
 *
 *   z = μ + exp(½ log σ²) · ε,   ε ∼ N(0, 1),
 *
 * so ∂z/∂μ = 1 and ∂z/∂log σ² = ½ exp(½ log σ²) · ε = ½(z − μ) flow back
 * through genzoo's autograd. The noise is drawn from a seeded `Generator`.
 */
import { defaultGenerator, Generator, promote, randn, scalar, Tensor, type DType } from '../tensor/index.js';
import { add, exp, mul } from '../autograd/index.js';
import { broadcastAll, checkParam, type Param } from './checks.js';
import { ValueError } from '../errors.js';

/**
 * z = mu + exp(½·logvar)·ε with ε ∼ N(0, 1) of the broadcast shape, drawn from
 * `rng` (default: the global generator, reset by `manualSeed`). Tensors give a
 * tensor on the graph (gradients reach mu and logvar); two numbers give a number.
 */
export function reparameterize(mu: number, logvar: number, rng?: Generator): number;
export function reparameterize(mu: Param, logvar: Param, rng?: Generator): Tensor;
export function reparameterize(mu: Param, logvar: Param, rng?: Generator): Tensor | number {
  const fn = 'reparameterize';
  checkParam(fn, 'mu', mu);
  checkParam(fn, 'logvar', logvar);
  if (rng !== undefined && !(rng instanceof Generator)) {
    throw new ValueError(`${fn}: rng must be a genzoo Generator (new Generator(seed)), got ${rng === null ? 'null' : typeof rng}`);
  }
  const g = rng ?? defaultGenerator();
  if (typeof mu === 'number' && typeof logvar === 'number') return mu + Math.exp(0.5 * logvar) * g.normal();
  const shape = broadcastAll(fn, ['mu', 'logvar'], [mu, logvar]);
  let dtype: DType | null = null;
  for (const t of [mu, logvar]) if (t instanceof Tensor) dtype = dtype ? promote(dtype, t.dtype) : t.dtype;
  // The noise is drawn on the host (the same numbers on every backend) and made where mu/logvar live.
  const like = mu instanceof Tensor ? mu : (logvar as Tensor);
  const eps = randn(shape, { dtype: dtype ?? 'float32', generator: g, backend: like.storage.backend });
  const lv = typeof logvar === 'number' ? scalar(logvar, { dtype: eps.dtype, backend: eps.storage.backend }) : logvar;
  const std = exp(mul(lv, 0.5));
  return add(mu, mul(std, eps));
}
