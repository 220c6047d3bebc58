/**
 * Gaussian KL divergences, property-testable: closed forms (differentiable
 * through autograd), numeric references (quadrature, Monte Carlo) and the
 * reparameterization trick. Derivations: docs/kl.md.
 *
 *   import { kl } from 'genzoo';          // or: import { stdNormal } from 'genzoo/kl';
 *   const loss = kl.stdNormal(mu, logvar, { reduction: 'mean' });
 *
 * The fast-check arbitraries live in their own entry point, 'genzoo/kl/arbitraries'
 * (src/kl/arbitraries.ts): fast-check is an optional peer dependency, loaded only
 * by those who import them, and typed against the user's own copy.
 *
 * @module genzoo/kl
 */
export { normal, stdNormal, diagNormal, type KLOptions, type KLReduction } from './closedForms.js';
export { integrate, type IntegrateOptions, type IntegrateResult } from './integrate.js';
export { monteCarlo, type MonteCarloResult } from './monteCarlo.js';
export { reparameterize } from './reparameterize.js';
export type { Density1D, Gaussian1D, LogDensity1D } from './density.js';
export type { Param } from './checks.js';
