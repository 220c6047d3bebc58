/** Bad input gets a clear error naming the function, the argument, and the shapes. */
import { describe, expect, it } from 'vitest';
import { Generator, kl, reparameterize, type Tensor } from '../../src/index.js';
import { f32, f64 } from './helpers.js';
import * as arbitraries from '../../src/kl/arbitraries.js';

describe('closed forms', () => {
  it('σ ≤ 0 (numbers and tensor elements)', () => {
    expect(() => kl.normal(0, 0, 0, 1)).toThrow(/^kl\.normal: sigma1 must be > 0 \(a standard deviation\), got 0$/);
    expect(() => kl.normal(0, 1, 0, -2)).toThrow(/kl\.normal: sigma2 must be > 0.*got -2/);
    expect(() => kl.normal(f32([0, 0]), f32([1, 2]), 0, f32([[1, 1], [1, -0.5]]))).toThrow(
      /kl\.normal: sigma2 must be > 0 \(a standard deviation\), got -0\.5 at element 3 of a tensor of shape \[2, 2\]/,
    );
  });

  it('non-finite parameters', () => {
    expect(() => kl.stdNormal(NaN, 0)).toThrow(/^kl\.stdNormal: mu must be finite, got NaN$/);
    expect(() => kl.stdNormal(0, Infinity)).toThrow(/kl\.stdNormal: logvar must be finite, got Infinity/);
    expect(() => kl.diagNormal(f64([[0, 1]]), f64([[0, -Infinity]]), 0, 0)).toThrow(
      /kl\.diagNormal: logvar1 must be finite, got -Infinity at element 1 of a tensor of shape \[1, 2\]/,
    );
    expect(() => kl.normal(0, 1, NaN, 1)).toThrow(/kl\.normal: mu2 must be finite/);
    expect(() => kl.normal(0, Infinity, 0, 1)).toThrow(/kl\.normal: sigma1 must be finite/);
  });

  it('shapes that do not broadcast: every argument and its shape is listed', () => {
    expect(() => kl.diagNormal(f32([[0, 0, 0]]), f32([[0, 0, 0, 0]]), 0, 0)).toThrow(
      'kl.diagNormal: shapes cannot be broadcast together: mu1 [1, 3], logvar1 [1, 4], mu2 (number), logvar2 (number)',
    );
    expect(() => kl.stdNormal(f32([[0, 0], [0, 0]]), f32([[0, 0, 0]]))).toThrow('kl.stdNormal: shapes cannot be broadcast together: mu [2, 2], logvar [1, 3]');
    expect(() => kl.normal(f32([1, 2]), f32([1, 2, 3]), 0, 1)).toThrow(/kl\.normal: shapes cannot be broadcast together: mu1 \[2\], sigma1 \[3\]/);
  });

  it('wrong argument types and options', () => {
    expect(() => kl.stdNormal([1, 2] as unknown as Tensor, 0)).toThrow(/kl\.stdNormal: mu must be a Tensor or a number, got an array \(wrap it with tensor\(\.\.\.\)\)/);
    expect(() => kl.normal('0' as unknown as number, 1, 0, 1)).toThrow(/kl\.normal: mu1 must be a Tensor or a number, got string/);
    expect(() => kl.stdNormal(f32([[1]]), f32([[0]]), { reduction: 'batchmean' as 'mean' })).toThrow(
      /kl\.stdNormal: reduction must be 'none', 'sum' or 'mean', got "batchmean"/,
    );
    expect(() => kl.stdNormal(f32([[1]]), f32([[0]]), { axis: 2 })).toThrow(/kl\.stdNormal: axis 2 is out of range for a tensor of 2 dimensions/);
    expect(() => kl.stdNormal(1, 0, { axis: 0 })).toThrow(/kl\.stdNormal: axis 0 is out of range for a tensor of 0 dimensions/);
    expect(() => kl.diagNormal(f32([1]), f32([0]), f32([0]), f32([0]), f32([1]) as unknown as object)).toThrow(/kl\.diagNormal: options must be an object.*too many arguments/);
  });
});

describe('reparameterize', () => {
  it('rejects bad parameters, shapes and generators', () => {
    expect(() => reparameterize(f32([NaN]), f32([0]))).toThrow(/reparameterize: mu must be finite, got NaN at element 0/);
    expect(() => reparameterize(f32([0, 0]), f32([0, 0, 0]))).toThrow('reparameterize: shapes cannot be broadcast together: mu [2], logvar [3]');
    expect(() => reparameterize(f32([0]), f32([0]), { seed: 1 } as unknown as Generator)).toThrow(/reparameterize: rng must be a genzoo Generator/);
    expect(() => reparameterize(0, Infinity)).toThrow(/reparameterize: logvar must be finite/);
  });
});

describe('numeric references', () => {
  it('kl.integrate: bad densities and options', () => {
    expect(() => kl.integrate({ mu: 0, sigma: 0 }, { mu: 0, sigma: 1 })).toThrow(/kl\.integrate: p\.sigma must be a finite number > 0/);
    expect(() => kl.integrate({ mu: NaN, sigma: 1 }, { mu: 0, sigma: 1 })).toThrow(/kl\.integrate: p\.mu must be a finite number, got NaN/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, 5 as unknown as kl.Density1D)).toThrow(/kl\.integrate: q is number; expected a Gaussian \{ mu, sigma \}/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, {} as kl.Density1D)).toThrow(/q has neither mu\/sigma nor logPdf/);
    expect(() => kl.integrate({ logPdf: () => 0, scale: -1 }, { mu: 0, sigma: 1 })).toThrow(/p\.scale must be a finite number > 0/);
    expect(() => kl.integrate(() => NaN, { mu: 0, sigma: 1 })).toThrow(/kl\.integrate: p's log-density at x = .* is NaN/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, { mu: 0, sigma: 1 }, { epsRel: -1 })).toThrow(/epsRel must be a finite number ≥ 0/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, { mu: 0, sigma: 1 }, { epsRel: 0 })).toThrow(/epsRel and epsAbs cannot both be 0/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, { mu: 0, sigma: 1 }, { maxIntervals: 1.5 })).toThrow(/maxIntervals must be a positive integer/);
    expect(() => kl.integrate({ mu: 0, sigma: 1 }, { mu: 0, sigma: 1 }, { breakpoints: [0, NaN] })).toThrow(/breakpoints must be an array of finite numbers/);
  });

  it('kl.monteCarlo: bad n, rng, or a p it cannot sample', () => {
    const p = { mu: 0, sigma: 1 };
    expect(() => kl.monteCarlo(p, p, 1)).toThrow(/kl\.monteCarlo: n must be an integer ≥ 2/);
    expect(() => kl.monteCarlo(p, p, 10.5)).toThrow(/n must be an integer ≥ 2/);
    expect(() => kl.monteCarlo(p, p, 10, 7 as unknown as Generator)).toThrow(/rng must be a genzoo Generator/);
    expect(() => kl.monteCarlo((x) => -x * x, p, 10)).toThrow(/kl\.monteCarlo: p has no sample\(rng\) method/);
    expect(() => kl.monteCarlo({ logPdf: () => -Infinity, sample: () => 3 }, p, 10)).toThrow(/the sample must lie in p's support/);
  });

  it('arbitraries: impossible ranges', () => {
    expect(() => arbitraries.gaussian({ sigma: { min: 0, max: 1 } })).toThrow(/kl\.arbitraries: sigma must be \{ min, max \} with finite min ≤ max and min > 0/);
    expect(() => arbitraries.gaussianPair({ maxSigmaRatio: 0.5 })).toThrow(/maxSigmaRatio must be a finite number ≥ 1/);
    expect(() => arbitraries.diagGaussian({ dim: { min: 0, max: 3 } })).toThrow(/dim must be integers ≥ 1/);
    expect(() => arbitraries.logvar({ min: 2, max: 1 })).toThrow(/logvar must be \{ min, max \}/);
  });
});

