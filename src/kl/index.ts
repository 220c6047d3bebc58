/**
 * Gaussian KL divergences, property-testable: closed forms (differentiable
 * through autograd), numeric references (quadrature, Monte Carlo), the
 * reparameterization trick, and fast-check arbitraries. Derivations: docs/kl.md.
 *
 *   import { kl } from 'genzoo';          // or: import { stdNormal } from 'genzoo/kl';
 *   const loss = kl.stdNormal(mu, logvar, { reduction: 'mean' });
 */
export { normal, stdNormal, diagNormal, type KLOptions, type KLReduction } from './closedForms.js';
export { integrate, type IntegrateOptions, type IntegrateResult } from './integrate.js';
export { monteCarlo, type MonteCarloResult } from './monteCarlo.js';
export { reparameterize } from './reparameterize.js';
export type { Density1D, Gaussian1D, LogDensity1D } from './density.js';
export * as arbitraries from './arbitraries.js';
