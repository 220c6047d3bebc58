/**
 * Shared by the PyTorch export tests: tiny trained runs of every model kind and
 * architecture, the fixed inputs both sides evaluate, and genzoo's outputs on them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, Tensor, data, models, noGrad, oneHot, randn, training } from '../../src/index.js';
import type { GenerativeModel, ModelConfig, ModelKind, Arch } from '../../src/models/index.js';
import type { Classifier, Decoder, Discriminator, Encoder, VariationalAutoencoder } from '../../src/models/index.js';
import type { ParamEMA } from '../../src/models/ema.js';

export interface Case {
  name: string;
  kind: ModelKind;
  arch: Arch;
  options?: ModelConfig['options'];
}

/** Every model kind in both architectures, and the CGAN's conditional BatchNorm (per-class gain and shift). */
export const CASES: Case[] = [
  ...models.MODEL_KINDS.flatMap((kind) => models.ARCHS.map((arch) => ({ name: `${kind}-${arch}`, kind, arch }))),
  { name: 'cgan-conv-cnorm', kind: 'cgan', arch: 'conv', options: { conditionalNorm: true } },
];

/**
 * Small widths: the checks are about structure and numbers, not quality.
 * GENZOO_EXPORT_FULL_WIDTH=1 uses each model's default width instead (how the
 * differences in docs/pytorch.md were measured at full size; slower).
 */
export const FULL_WIDTH = process.env.GENZOO_EXPORT_FULL_WIDTH === '1';
export const WIDTH: Record<Arch, number> = { mlp: 32, conv: 4 };

/** 3 digits per class; batch 10 → 3 training steps. */
export async function tinyDigits(): Promise<data.Dataset> {
  return data.balancedSubset(await data.mnist({ split: 'train' }), 3);
}

/** Trains `c` for one epoch (3 steps) on `ds` into `dir`: config.json, model and checkpoint. */
export async function trainTiny(c: Case, ds: data.Dataset, dir: string): Promise<GenerativeModel> {
  const config = models.defaultConfig(c.kind, c.arch, { ...(FULL_WIDTH ? {} : { width: WIDTH[c.arch] }), options: c.options ?? {} });
  const model = models.createModel(config, 0);
  const result = await training.train({ model, data: ds, outDir: dir, train: { epochs: 1, batch: 10, seed: 0, data: 'mnist', backend: 'js' } });
  if (result.status !== 'completed') throw new Error(`training ${c.name}: ${result.message}`);
  return model;
}

export const N = 6;

/** The inputs both sides evaluate: N real digits and their labels, z, and the noise sample() draws. */
export function inputs(model: GenerativeModel, ds: data.Dataset): Record<string, Tensor> {
  const idx = [0, 4, 8, 13, 17, 25];
  const x = new Tensor(Float32Array.from(idx.flatMap((i) => Array.from(ds.images.subarray(i * 784, (i + 1) * 784)))), [N, 1, 28, 28]);
  const y = Float32Array.from(idx, (i) => ds.labels[i]);
  const latent = model.config.latent;
  return {
    x,
    y: new Tensor(y, [N]),
    z: randn([N, latent], { generator: new Generator('z') }),
    // What sample(…, new Generator('eps')) draws first: N(0, I) [N, latent] (the prior, or the class prior's noise).
    eps: randn([N, latent], { generator: new Generator('eps') }),
  };
}

const labelsOf = (inp: Record<string, Tensor>): Int32Array => Int32Array.from(inp.y.data);

function has(model: GenerativeModel, key: string): boolean {
  return Object.hasOwn(model.stateDict(), key);
}

/** genzoo's outputs of every network call on the inputs, in eval mode, under the names the Python side uses. */
export function genzooForwards(model: GenerativeModel, inp: Record<string, Tensor>): Record<string, Tensor> {
  const y = labelsOf(inp);
  const out: Record<string, Tensor> = {};
  model.eval();
  noGrad(() => {
    const c = model.conditional ? oneHot(y, 10) : null;
    if (has(model, 'E.out.weight')) {
      const { mu, logvar } = (model.getSubmodule('E') as unknown as Encoder).call(inp.x, c);
      out.mu = mu;
      out.logvar = logvar;
    }
    out.G = (model.getSubmodule('G') as unknown as Decoder).call(inp.z, c);
    if (has(model, 'D.out.weight')) {
      const { logit, features } = (model.getSubmodule('D') as unknown as Discriminator).call(inp.x, has(model, 'D.embed.weight') ? y : null);
      out['D.logit'] = logit;
      out['D.features'] = features;
    }
    if (has(model, 'C.out.weight')) {
      const { logits, features } = (model.getSubmodule('C') as unknown as Classifier).call(inp.x);
      out['C.logits'] = logits;
      out['C.features'] = features;
    }
    if (model.kind === 'vae' || model.kind === 'cvae') out.reconstruct = (model as unknown as VariationalAutoencoder).reconstruct(inp.x, model.conditional ? y : undefined);
  });
  out.sample = model.sample(model.conditional ? y : y.length, new Generator('eps'));
  return out;
}

/** The gradients both sides apply in one optimizer step, by `{optimizer}.{parameter}`. */
export function stepGradients(model: GenerativeModel): Record<string, Tensor> {
  const named = new Map(model.namedParameters());
  const grads: Record<string, Tensor> = {};
  const nameOf = new Map(model.namedParameters().map(([n, t]) => [t, n] as const));
  for (const [opt, o] of Object.entries(model.optimizers)) {
    const params = (o as unknown as { paramGroups: Array<{ params: Tensor[] }> }).paramGroups.flatMap((g) => g.params);
    for (const p of params) {
      const name = nameOf.get(p)!;
      grads[`${opt}.${name}`] = randn(named.get(name)!.shape, { generator: new Generator(`grad/${opt}/${name}`) }).mul(0.01);
    }
  }
  return grads;
}

/**
 * genzoo's side of the training checks, in the Python side's order: G in
 * training mode (outputs, BatchNorm statistics), one step of every optimizer
 * with `grads`, one EMA update.
 */
export function genzooTrainingSteps(model: GenerativeModel, inp: Record<string, Tensor>, grads: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const G = model.getSubmodule('G') as unknown as Decoder;
  G.train();
  noGrad(() => {
    out['G.train'] = G.call(inp.z, model.conditional ? oneHot(labelsOf(inp), 10) : null);
  });
  for (const [name, b] of G.namedBuffers()) out[`G.buffers.${name}`] = new Tensor(b.data.slice(), b.shape);
  model.eval();
  const nameOf = new Map(model.namedParameters().map(([n, t]) => [t, n] as const));
  for (const [opt, o] of Object.entries(model.optimizers)) {
    for (const p of (o as unknown as { paramGroups: Array<{ params: Tensor[] }> }).paramGroups.flatMap((g) => g.params)) {
      p.grad = grads[`${opt}.${nameOf.get(p)}`];
    }
    o.step();
  }
  for (const [name, p] of model.namedParameters()) out[`stepped.${name}`] = new Tensor(p.data.slice(), p.shape);
  if (has(model, 'Gema.updates')) {
    const ema = model.getSubmodule('Gema') as unknown as ParamEMA;
    ema.update();
    for (const [name, b] of ema.namedBuffers()) out[`ema.${name}`] = new Tensor(b.data.slice(), b.shape);
  }
  return out;
}

/** The largest |a − b| over two tensors of the same shape, and the largest |b| (the scale). */
export function maxDiff(a: Tensor, b: Tensor, what: string): { diff: number; scale: number } {
  if (a.shape.join() !== b.shape.join()) throw new Error(`${what}: shape ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.size; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (Number.isNaN(d)) return { diff: NaN, scale: NaN }; // fails every bound
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  return { diff, scale };
}

export function mkdirs(...dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

export { join };
