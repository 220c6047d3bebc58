/**
 * The model registry: every model kind with its summary, its default
 * configuration per architecture, and its constructor. The CLI, `npm start`
 * and `createModel` all go through here, so a default lives in one place.
 *
 * The defaults are chosen to train in under 10 minutes on a 2-core CPU with the
 * wasm backend and to produce digits of the requested class (measurements in
 * docs/models.md).
 */
import { Generator } from '../tensor/index.js';
import { VAE } from './vae.js';
import { CVAE } from './cvae.js';
import { CGAN } from './cgan.js';
import { CVAEGAN } from './cvaegan.js';
import { MODEL_KINDS, isArch, isModelKind, type Arch, type GenerativeModel, type ModelConfig, type ModelKind } from './types.js';
import { ValueError } from '../errors.js';

/** The training settings a model kind defaults to. */
export interface TrainDefaults {
  /** Epochs over the training digits. */
  epochs: number;
  /** Images per batch. */
  batch: number;
}

/** A model option's value (config.options). */
export type OptionValue = number | boolean | string;

/** One model kind of the zoo: what it is, its defaults, how to build it. */
export interface ModelEntry {
  /** 'vae', 'cvae', 'cgan' or 'cvaegan'. */
  kind: ModelKind;
  /** One line for `genzoo train --help`. */
  summary: string;
  /** Whether it samples a requested class. */
  conditional: boolean;
  /** The architecture used when none is given. */
  defaultArch: Arch;
  /** Default model and training settings for an architecture. */
  defaults(arch: Arch): {
    /** The model configuration. */
    model: ModelConfig;
    /** The training settings. */
    train: TrainDefaults;
  };
  /**
   * Options a config may leave out, with no default value: leaving one out has a
   * documented meaning (CGAN's `dLr`: absent = the config's lr).
   */
  optionalOptions?: readonly string[];
  /**
   * What an option absent from a saved config means: options added after runs
   * were saved, mapped to the value that reproduces how those runs trained.
   * Every other absent option takes its default.
   */
  legacyOptions?: Record<string, OptionValue>;
  /** Builds the model with initial weights drawn from `generator` (from a complete config: see {@link completeConfig}). */
  create(config: ModelConfig, generator: Generator): GenerativeModel;
}

const adam = { beta1: 0.9, beta2: 0.999 };
const ganAdam = { beta1: 0.5, beta2: 0.999 };

/** Every model kind of the zoo, by name. */
export const MODELS: Record<ModelKind, ModelEntry> = {
  vae: {
    kind: 'vae',
    summary: 'variational autoencoder (unconditional): BCE + KL',
    conditional: false,
    defaultArch: 'mlp',
    defaults: (arch) => ({
      model: { kind: 'vae', arch, latent: 8, width: arch === 'mlp' ? 512 : 32, lr: 1e-3, ...adam, options: { klWeight: 1, klWarmup: 0, prior: 'standard' } },
      train: { epochs: arch === 'mlp' ? 30 : 20, batch: 64 },
    }),
    create: (c, g) => new VAE(c, g),
  },
  cvae: {
    kind: 'cvae',
    summary: 'conditional VAE: the class into encoder and every decoder layer',
    conditional: true,
    defaultArch: 'mlp',
    defaults: (arch) => ({
      model: { kind: 'cvae', arch, latent: 8, width: arch === 'mlp' ? 512 : 32, lr: 1e-3, ...adam, options: { klWeight: 1, klWarmup: 0, prior: 'class' } },
      train: { epochs: arch === 'mlp' ? 30 : 15, batch: 64 },
    }),
    create: (c, g) => new CVAE(c, g),
  },
  cgan: {
    kind: 'cgan',
    summary: 'conditional GAN with a projection discriminator, non-saturating loss',
    conditional: true,
    defaultArch: 'mlp',
    defaults: (arch) => ({
      model: {
        kind: 'cgan', arch, latent: 64, width: arch === 'mlp' ? 512 : 32, lr: 2e-4, ...ganAdam,
        options: { realLabel: 0.9, dropout: arch === 'mlp' ? 0.3 : 0, ema: 0.999, batchNorm: true, conditionalNorm: false },
      },
      train: { epochs: arch === 'mlp' ? 40 : 15, batch: 64 },
    }),
    optionalOptions: ['dLr'],
    create: (c, g) => new CGAN(c, g),
  },
  cvaegan: {
    kind: 'cvaegan',
    summary: 'CVAE-GAN (Bao et al. 2017): encoder, generator, discriminator, classifier',
    conditional: true,
    defaultArch: 'mlp',
    defaults: (arch) => ({
      model: {
        kind: 'cvaegan', arch, latent: 32, width: arch === 'mlp' ? 256 : 32, lr: 1e-3, ...ganAdam,
        // The class prior and the gradient cap (both archs), the mode-seeking term (lambdaMs: mlp only; on conv's 8 epochs it cost faithfulness)
        // and 60 mlp epochs: the variants that keep the three-way claim best (docs/models.md).
        options: { lambda1: 3, lambda2: 1, lambda3: 1e-3, lambda4: 1e-3, centreMomentum: 0.9, ema: 0, prior: 'class', gradClip: 100, lambdaAdv: 0, lambdaMs: arch === 'mlp' ? 1 : 0 },
      },
      train: { epochs: arch === 'mlp' ? 60 : 8, batch: 64 },
    }),
    legacyOptions: { ema: 0, prior: 'standard', gradClip: 0, lambdaAdv: 0, lambdaMs: 0 },
    create: (c, g) => new CVAEGAN(c, g),
  },
};

/** The registry entry of a model kind; throws naming the known kinds when `kind` is not one. */
export function modelEntry(kind: string): ModelEntry {
  if (!isModelKind(kind)) throw new ValueError(`unknown model '${kind}' (expected one of ${MODEL_KINDS.join(', ')})`);
  return MODELS[kind];
}

/** The default configuration of a model kind (and architecture), with overrides applied. */
export function defaultConfig(kind: ModelKind, arch?: Arch, overrides: Partial<Omit<ModelConfig, 'kind'>> = {}): ModelConfig {
  const entry = modelEntry(kind);
  const a = overrides.arch ?? arch ?? entry.defaultArch;
  const base = entry.defaults(a).model;
  return { ...base, ...overrides, kind, arch: a, options: { ...base.options, ...(overrides.options ?? {}) } };
}

/** Checks a configuration (from a file or a user) before a model is built from it. */
export function validateConfig(c: unknown, where = 'model config'): ModelConfig {
  const cfg = c as ModelConfig;
  const bad = (msg: string): never => {
    throw new ValueError(`${where}: ${msg}`);
  };
  if (!cfg || typeof cfg !== 'object') bad('not an object');
  if (!isModelKind(String(cfg.kind))) bad(`unknown model kind ${JSON.stringify(cfg.kind)}`);
  if (!isArch(String(cfg.arch))) bad(`unknown architecture ${JSON.stringify(cfg.arch)} (expected mlp or conv)`);
  for (const k of ['latent', 'width'] as const) if (!Number.isInteger(cfg[k]) || cfg[k] < 1) bad(`${k} must be a positive integer, got ${JSON.stringify(cfg[k])}`);
  if (!(cfg.lr > 0) || !Number.isFinite(cfg.lr)) bad(`lr must be a positive number, got ${JSON.stringify(cfg.lr)}`);
  for (const k of ['beta1', 'beta2'] as const) if (!(cfg[k] >= 0 && cfg[k] < 1)) bad(`${k} must be in [0, 1), got ${JSON.stringify(cfg[k])}`);
  if (!cfg.options || typeof cfg.options !== 'object') bad('options must be an object');
  return cfg;
}

/**
 * A valid config with every option present: an option it leaves out takes its
 * default for the kind and architecture — or, in a config read from a saved run
 * (`saved`), the value that reproduces runs saved before the option existed
 * (`legacyOptions`). Unknown options and options of the wrong type are errors
 * (a misspelt option would otherwise be ignored).
 */
export function completeConfig(c: unknown, { where = 'model config', saved = false }: { where?: string; saved?: boolean } = {}): ModelConfig {
  const cfg = validateConfig(c, where);
  const entry = MODELS[cfg.kind];
  const defaults = entry.defaults(cfg.arch).model.options;
  const optional = entry.optionalOptions ?? [];
  for (const [k, v] of Object.entries(cfg.options)) {
    if (!(k in defaults) && !optional.includes(k)) {
      throw new ValueError(`${where}: unknown ${cfg.kind} option '${k}' (known: ${[...Object.keys(defaults), ...optional].join(', ')})`);
    }
    const want = k in defaults ? typeof defaults[k] : 'number';
    if (typeof v !== want) throw new ValueError(`${where}: ${cfg.kind} option '${k}' must be a ${want}, got ${JSON.stringify(v)}`);
  }
  const options: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(defaults)) options[k] = cfg.options[k] ?? (saved ? entry.legacyOptions?.[k] : undefined) ?? v;
  for (const k of optional) if (cfg.options[k] !== undefined) options[k] = cfg.options[k];
  return { ...cfg, options };
}

/**
 * Builds a model. Its initial weights are drawn from `seed` (a number, or a
 * Generator), so the same config and seed give the same model.
 */
export function createModel(config: ModelConfig, seed: number | Generator = 0): GenerativeModel {
  const cfg = completeConfig(config);
  const g = seed instanceof Generator ? seed : new Generator(`${seed}/init`);
  return MODELS[cfg.kind].create(cfg, g);
}
