/**
 * The KL explorer: two 1-D Gaussians p₁ = N(μ₁, σ₁²) and p₂ = N(μ₂, σ₂²),
 * their densities and the integrand p₁·log(p₁/p₂) (whose area is the KL), and
 * three numbers that must agree: the closed form (`kl.normal`), the integral
 * by quadrature (`kl.integrate`, with its error estimate) and a Monte Carlo
 * estimate (`kl.monteCarlo`, 10,000 seeded draws, with its standard error).
 * Beside them, docs/kl.md's derivation (put in the page when it is built),
 * its Step 4 — the second moment E[(X − μ₁)²] = σ₁², the step that is easy
 * to get wrong — highlighted; the toggle plugs in the mistake (the first
 * moment, 0) and the check against the integral visibly fails.
 */
import { Generator, kl } from 'genzoo';
import { byId } from './dom.js';
import { state } from './state.js';

const MC_SAMPLES = 10_000;
/** The agreement asked of the closed form: kl.integrate is accurate to ~1e-10 relative. */
const REL_TOL = 1e-6;

type Key = 'mu1' | 'sigma1' | 'mu2' | 'sigma2';
const KEYS: Key[] = ['mu1', 'sigma1', 'mu2', 'sigma2'];

const wrong = byId<HTMLInputElement>('k-wrong');
const plot = byId<HTMLCanvasElement>('k-plot');
const out = {
  formulaName: byId('k-formula-name'),
  formula: byId('k-formula'),
  integrate: byId('k-integrate'),
  mc: byId('k-mc'),
  check: byId('k-check'),
  mcCheck: byId('k-mc-check'),
};

/** The KL with Step 4 done wrong: E[(X − μ₁)²] taken as the first moment, 0 — which drops σ₁²/(2σ₂²) and the −½. */
export function mistakenKL(mu1: number, sigma1: number, mu2: number, sigma2: number): number {
  return Math.log(sigma2 / sigma1) + (mu1 - mu2) ** 2 / (2 * sigma2 ** 2);
}

function readInputs(): Record<Key, number> {
  return Object.fromEntries(KEYS.map((k) => [k, Number(byId<HTMLInputElement>(`k-${k}`).value)])) as Record<Key, number>;
}

const normalPdf = (x: number, mu: number, sigma: number): number => Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));

function draw(v: Record<Key, number>): void {
  const ctx = plot.getContext('2d')!;
  const W = plot.width;
  const H = plot.height;
  const lo = Math.min(v.mu1 - 4 * v.sigma1, v.mu2 - 4 * v.sigma2);
  const hi = Math.max(v.mu1 + 4 * v.sigma1, v.mu2 + 4 * v.sigma2);
  const N = 400;
  const xs = Array.from({ length: N + 1 }, (_, i) => lo + ((hi - lo) * i) / N);
  const p1 = xs.map((x) => normalPdf(x, v.mu1, v.sigma1));
  const p2 = xs.map((x) => normalPdf(x, v.mu2, v.sigma2));
  // p₁·log(p₁/p₂) from the log densities (no 0/0 where both underflow).
  const integrand = xs.map((x, i) => {
    const l1 = -Math.log(v.sigma1) - 0.5 * ((x - v.mu1) / v.sigma1) ** 2;
    const l2 = -Math.log(v.sigma2) - 0.5 * ((x - v.mu2) / v.sigma2) ** 2;
    return p1[i] * (l1 - l2);
  });
  const top = Math.max(...p1, ...p2, ...integrand);
  const bottom = Math.min(0, ...integrand);
  const pad = 22;
  const X = (i: number): number => (i / N) * W;
  const Y = (y: number): number => pad / 2 + (1 - (y - bottom) / (top - bottom || 1)) * (H - pad * 1.5);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#bbb';
  ctx.beginPath();
  ctx.moveTo(0, Y(0));
  ctx.lineTo(W, Y(0));
  ctx.stroke();
  // The integrand's area, shaded: the KL.
  ctx.fillStyle = 'rgba(0, 158, 115, 0.18)';
  ctx.beginPath();
  ctx.moveTo(X(0), Y(0));
  integrand.forEach((y, i) => ctx.lineTo(X(i), Y(y)));
  ctx.lineTo(X(N), Y(0));
  ctx.fill();
  const line = (ys: number[], colour: string, dash: number[] = []): void => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ys.forEach((y, i) => (i ? ctx.lineTo(X(i), Y(y)) : ctx.moveTo(X(i), Y(y))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(p1, '#0072B2');
  line(p2, '#D55E00', [6, 4]);
  line(integrand, '#009E73');
  ctx.fillStyle = '#444';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(lo.toFixed(1), 2, H - 4);
  const right = hi.toFixed(1);
  ctx.fillText(right, W - ctx.measureText(right).width - 2, H - 4);
}

const fmt = (v: number, digits = 10): string => (Number.isFinite(v) ? v.toPrecision(digits) : String(v));

function update(): void {
  const v = readInputs();
  for (const k of KEYS) byId<HTMLOutputElement>(`k-${k}-out`).value = v[k].toFixed(2);
  const p = { mu: v.mu1, sigma: v.sigma1 };
  const q = { mu: v.mu2, sigma: v.sigma2 };
  const isWrong = wrong.checked;
  const formula = isWrong ? mistakenKL(v.mu1, v.sigma1, v.mu2, v.sigma2) : kl.normal(v.mu1, v.sigma1, v.mu2, v.sigma2);
  const integral = kl.integrate(p, q);
  const mc = kl.monteCarlo(p, q, MC_SAMPLES, new Generator('kl-explorer'));
  const agrees = Math.abs(formula - integral.value) <= REL_TOL * Math.abs(integral.value) + 1e-12;
  const mcAgrees = Math.abs(formula - mc.value) <= 4 * mc.standardError + 1e-12;
  state.kl = {
    inputs: { mu1: v.mu1, sigma1: v.sigma1, mu2: v.mu2, sigma2: v.sigma2 }, wrongStep: isWrong, formula,
    integrate: { value: integral.value, error: integral.error }, monteCarlo: { value: mc.value, standardError: mc.standardError, n: mc.n }, agrees,
  };
  out.formulaName.textContent = isWrong ? 'the mistaken formula (Step 4 with the first moment)' : 'closed form, kl.normal';
  out.formula.textContent = fmt(formula);
  out.formula.dataset.value = String(formula);
  out.integrate.textContent = `${fmt(integral.value)} ± ${integral.error.toExponential(1)}`;
  out.mc.textContent = `${fmt(mc.value, 5)} ± ${mc.standardError.toPrecision(2)} (n = ${MC_SAMPLES.toLocaleString('en')})`;
  out.check.textContent = agrees ? '✓ agrees with the integral' : `✗ off by ${fmt(formula - integral.value, 4)}: the formula is wrong`;
  out.check.className = agrees ? 'ok' : 'bad';
  out.mcCheck.textContent = mcAgrees ? '✓ within 4 standard errors' : `✗ ${((formula - mc.value) / mc.standardError).toFixed(1)} standard errors away`;
  out.mcCheck.className = mcAgrees ? 'ok' : 'bad';
  document.querySelectorAll('.kl-step4-right').forEach((e) => ((e as HTMLElement).hidden = isWrong));
  document.querySelectorAll('.kl-step4-wrong').forEach((e) => ((e as HTMLElement).hidden = !isWrong));
  draw(v);
}

export function setupKLPanel(): void {
  for (const k of KEYS) byId<HTMLInputElement>(`k-${k}`).addEventListener('input', update);
  wrong.addEventListener('change', update);
  update();
}
