/**
 * The tensors that travel between genzoo and PyTorch, and the rules for them.
 *
 * Names: genzoo's `stateDict()` already uses PyTorch's names for the same
 * structure (`G.fc1.weight`, `G.bn1.running_mean`…), and model.py builds its
 * modules in the same order, so a state dict maps one to one.
 *
 * dtypes, out (export): every tensor as genzoo holds it (F32), except BatchNorm's
 * `num_batches_tracked`, written as I64, as PyTorch keeps it.
 * dtypes, in (import), per tensor of the file:
 *   F32                 loaded as is;
 *   F16, BF16           widened to float32, exactly (every such value is a float32);
 *   F64                 rounded to the nearest float32, as PyTorch's load_state_dict does
 *                       when it copies into a float32 parameter (counted in the notes);
 *   integers (I64…)     only for the integer buffers PyTorch keeps (num_batches_tracked),
 *                       exactly (a count above 2^24, which float32 cannot hold, is an error);
 *                       an integer dtype for a weight is an error naming the tensor;
 *   NaN or ±∞           an error naming the tensor and the element.
 *
 * Optimizer state (export only): genzoo's Adam keeps, per parameter, a step count and
 * the moment estimates; they are written as `{optimizer}.{parameter}.step` (I64),
 * `.exp_avg`, `.exp_avg_sq` (and `.max_exp_avg_sq` with amsgrad): torch.optim.Adam's
 * state, keyed by name so that model.py can match them to its parameters.
 */
import { Tensor, shapeStr } from '../../tensor/index.js';
import { BatchNorm } from '../../nn/batchnorm.js';
import { Adam, AdamW } from '../../nn/optim/adam.js';
import type { DecodedSafetensors, StateDict } from '../../io/safetensors.js';
import type { GenerativeModel } from '../../models/types.js';
import { DTypeError, IOError, ShapeError, ValueError } from '../../errors.js';

/** The safetensors dtype of each tensor written as an integer (by name); the others are F32. */
export type IntegerDTypes = Record<string, 'I64'>;

/** The state-dict names of buffers that PyTorch keeps as int64 (BatchNorm's batch counters). */
export function integerBuffers(model: GenerativeModel): string[] {
  const names: string[] = [];
  for (const [prefix, m] of model.namedModules()) {
    if (m instanceof BatchNorm && m.numBatchesTracked) names.push(prefix ? `${prefix}.num_batches_tracked` : 'num_batches_tracked');
  }
  return names;
}

/** model.safetensors for PyTorch: the state dict, with the integer buffers marked I64. */
export function exportedState(model: GenerativeModel): {
  /** The model's state dict (weights and buffers). */
  tensors: StateDict;
  /** The tensors to write as I64 (BatchNorm's `num_batches_tracked`). */
  dtypes: IntegerDTypes;
} {
  const dtypes: IntegerDTypes = {};
  for (const name of integerBuffers(model)) dtypes[name] = 'I64';
  return { tensors: model.stateDict(), dtypes };
}

/** One of genzoo's optimizers as torch.optim.Adam needs it: hyperparameters and parameter names in order. */
export interface OptimizerSpec {
  /** The optimizer's key in the model's `optimizers` (e.g. 'vae', 'G', 'D'). */
  name: string;
  /** Learning rate. */
  lr: number;
  /** Adam's β₁, β₂. */
  betas: [number, number];
  /** Adam's ε. */
  eps: number;
  /** L2 weight decay (added to the gradient, as torch.optim.Adam's `weight_decay`). */
  weightDecay: number;
  /** Whether the AMSGrad variant is on. */
  amsgrad: boolean;
  /** State-dict names of the parameters it updates, in its order. */
  params: string[];
}

interface AdamGroupView {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  params: Tensor[];
}

function adamOf(model: GenerativeModel, name: string): AdamGroupView {
  const opt = model.optimizers[name];
  if (!(opt instanceof Adam) || opt instanceof AdamW) {
    throw new ValueError(`optimizer '${name}' of the ${model.kind} model is not Adam; only Adam state can be exported`);
  }
  if (opt.paramGroups.length !== 1) throw new ValueError(`optimizer '${name}' has ${opt.paramGroups.length} parameter groups; export handles one`);
  return opt.paramGroups[0] as unknown as AdamGroupView;
}

/** The model's optimizers as specs (names of their parameters via `namedParameters`). */
export function optimizerSpecs(model: GenerativeModel): OptimizerSpec[] {
  const nameOf = new Map(model.namedParameters().map(([n, t]) => [t, n] as const));
  return Object.keys(model.optimizers).map((name) => {
    const g = adamOf(model, name);
    const params = g.params.map((p, i) => {
      const n = nameOf.get(p);
      if (n === undefined) throw new ValueError(`optimizer '${name}': parameter ${i} is not a parameter of the ${model.kind} model`);
      return n;
    });
    return { name, lr: g.lr, betas: [g.betas[0], g.betas[1]], eps: g.eps, weightDecay: g.weightDecay, amsgrad: g.amsgrad, params };
  });
}

/** genzoo's Adam state fields and torch.optim.Adam's names for them. */
const ADAM_FIELDS: Record<string, string> = { expAvg: 'exp_avg', expAvgSq: 'exp_avg_sq', maxExpAvgSq: 'max_exp_avg_sq' };

/** The optimizers' per-parameter state as tensors named `{optimizer}.{parameter}.{field}` (see the file comment). */
export function optimizerState(model: GenerativeModel): {
  /** `{optimizer}.{parameter}.step`, `.exp_avg`, `.exp_avg_sq` (`.max_exp_avg_sq`) per updated parameter. */
  tensors: StateDict;
  /** The `.step` counts, written as I64. */
  dtypes: IntegerDTypes;
} {
  const tensors: StateDict = {};
  const dtypes: IntegerDTypes = {};
  for (const spec of optimizerSpecs(model)) {
    const opt = model.optimizers[spec.name] as Adam;
    const g = adamOf(model, spec.name);
    g.params.forEach((p, i) => {
      const st = opt.state.get(p);
      if (!st) return; // never updated: torch.optim.Adam has no state for it either
      const key = `${spec.name}.${spec.params[i]}`;
      tensors[`${key}.step`] = new Tensor(new Float64Array([st.step]), []);
      dtypes[`${key}.step`] = 'I64';
      for (const [field, value] of Object.entries(st)) {
        if (field === 'step') continue;
        const torchName = ADAM_FIELDS[field];
        if (!torchName || typeof value === 'number') throw new ValueError(`optimizer '${spec.name}': unknown Adam state '${field}' for ${spec.params[i]}`);
        tensors[`${key}.${torchName}`] = new Tensor(value.data.slice(), p.shape);
      }
    });
  }
  return { tensors, dtypes };
}

const FLOAT_DTYPES = new Set(['F32', 'F64', 'F16', 'BF16']);

/** What `convertForImport` did beyond copying float32 tensors, for the user. */
export interface ImportNotes {
  /** F16/BF16 tensors widened exactly. */
  widened: string[];
  /** F64 tensors rounded to float32. */
  rounded: string[];
  /** Integer buffers converted exactly. */
  integers: string[];
}

/**
 * Checks a decoded PyTorch state dict against `model` and converts it to
 * float32 tensors by the rules in the file comment. Throws a one-line error
 * naming `source` and the first offending tensor.
 */
export function convertForImport(file: DecodedSafetensors, model: GenerativeModel, source: string): {
  /** float32 tensors ready for `model.loadStateDict`. */
  tensors: StateDict;
  /** Which tensors were widened, rounded or converted from integers. */
  notes: ImportNotes;
} {
  const what = `the ${model.kind} (${model.config.arch}) model`;
  const expected = model.stateDict();
  const missing = Object.keys(expected).filter((k) => !Object.hasOwn(file.tensors, k));
  if (missing.length) {
    throw new IOError(`${source}: tensor "${missing[0]}" that ${what} needs is missing` + (missing.length > 1 ? ` (${missing.length} missing)` : ''));
  }
  const unexpected = Object.keys(file.tensors).filter((k) => !Object.hasOwn(expected, k));
  if (unexpected.length) {
    throw new IOError(`${source}: unexpected tensor "${unexpected[0]}": ${what} has no parameter or buffer of that name` + (unexpected.length > 1 ? ` (${unexpected.length} unexpected)` : ''));
  }
  const integerNames = new Set(integerBuffers(model));
  const notes: ImportNotes = { widened: [], rounded: [], integers: [] };
  const tensors: StateDict = {};
  for (const [name, want] of Object.entries(expected)) {
    const got = file.tensors[name];
    const dtype = file.header[name].dtype;
    if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
      throw new ShapeError(`${source}: tensor "${name}" has shape ${shapeStr(got.shape)} but ${what} expects ${shapeStr(want.shape)}`);
    }
    if (!FLOAT_DTYPES.has(dtype)) {
      if (!integerNames.has(name)) throw new DTypeError(`${source}: tensor "${name}" is ${dtype}, but it must be floating point (F32, F64, F16 or BF16)`);
      const bad = got.data.findIndex((v) => Math.fround(v) !== v);
      if (bad >= 0) throw new ValueError(`${source}: tensor "${name}" holds ${got.data[bad]}, which float32 cannot hold exactly (genzoo keeps ${name} as float32)`);
      notes.integers.push(name);
    } else if (dtype === 'F16' || dtype === 'BF16') {
      notes.widened.push(name);
    } else if (dtype === 'F64') {
      notes.rounded.push(name);
    }
    const bad = got.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ValueError(`${source}: tensor "${name}" holds ${got.data[bad]} at element ${bad}; a model with non-finite weights cannot be used`);
    tensors[name] = got.dtype === 'float32' ? got : new Tensor(Float32Array.from(got.data), got.shape);
  }
  return { tensors, notes };
}
