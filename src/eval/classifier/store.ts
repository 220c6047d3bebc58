/**
 * The classifier's weights file: a safetensors file whose metadata records
 * what the weights were checked at (held-out scores, temperature, calibration
 * error, training settings) and a SHA-256 content hash over everything else
 * in the file, so a damaged file — one flipped weight, an edited number — is
 * refused on load instead of judging samples wrongly.
 *
 *   hash = SHA-256(safetensors bytes of the same tensors and metadata, without the hash entry)
 *
 * (genzoo's safetensors writer is canonical: sorted names and keys, fixed
 * padding, so the bytes to hash can be rebuilt from the file's content.)
 * Node-only (node:crypto, node:fs).
 */
import { deserialize, saveToBuffer, serialize, type StateDict } from '../../io/safetensors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { errorMessage, fsReason, nodeFs, nodeModule } from '../../io/node.js';
import { CLASSIFIER_VERSION, DigitClassifier } from './model.js';
import type { HeldOutScores } from './held-out.js';
import { IOError } from '../../errors.js';

/** The `format` tag in a classifier weights file's metadata. */
export const CLASSIFIER_FORMAT = 'genzoo-classifier';
/** The weights' file name, in the package's assets/ and in a cache folder. */
export const CLASSIFIER_FILE = `classifier-v${CLASSIFIER_VERSION}.safetensors`;

/** What a weights file records about itself. */
export interface ClassifierInfo {
  /** The classifier version (`CLASSIFIER_VERSION`) the weights belong to. */
  version: number;
  /** Scores on the held-out digits, measured when the file was written. */
  heldOut: HeldOutScores;
  /** Calibration temperature T (also the `temperature` buffer). */
  temperature: number;
  /** Digits the temperature was fitted on (held back from training). */
  calibrationDigits: number;
  /** The name of the dataset it was trained on (e.g. 'mnist:train'). */
  trainData: string;
  /** The name of the dataset `heldOut` was measured on (e.g. 'mnist:test'). */
  testData: string;
  /** The training settings (train.ts options). */
  training: Record<string, unknown>;
  /** Backend the weights were trained on. */
  backend: string;
  /** genzoo version that trained them. */
  genzoo: string;
  /** SHA-256 (hex) of the file's content without this entry. */
  sha256: string;
}

/** A weights file that must not be used: the message says why in one line. */
export class ClassifierFileError extends IOError {
  constructor(
    /** The weights file. */
    readonly path: string,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
    this.name = 'ClassifierFileError';
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const crypto = await nodeModule<typeof import('node:crypto')>('node:crypto', 'classifier weights check');
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function metadataOf(info: Omit<ClassifierInfo, 'sha256'>): Record<string, string> {
  return {
    format: CLASSIFIER_FORMAT,
    classifierVersion: String(info.version),
    heldOut: JSON.stringify(info.heldOut),
    temperature: String(info.temperature),
    calibrationDigits: String(info.calibrationDigits),
    trainData: info.trainData,
    testData: info.testData,
    training: JSON.stringify(info.training),
    backend: info.backend,
    genzoo: info.genzoo,
  };
}

/** The weights file's bytes for `model` and `info` (the hash computed and added). */
export async function encodeClassifierFile(model: DigitClassifier, info: Omit<ClassifierInfo, 'sha256'>): Promise<{
  /** The whole file. */
  bytes: Uint8Array;
  /** The content hash recorded in it (hex). */
  sha256: string;
}> {
  const metadata = metadataOf(info);
  const sha256 = await sha256Hex(saveToBuffer(model, metadata));
  return { bytes: saveToBuffer(model, { ...metadata, sha256 }), sha256 };
}

/** Writes the weights file atomically; returns its hash. */
export async function saveClassifierFile(model: DigitClassifier, path: string, info: Omit<ClassifierInfo, 'sha256'>): Promise<string> {
  const { bytes, sha256 } = await encodeClassifierFile(model, info);
  await writeFileAtomic(path, bytes);
  return sha256;
}

function parseInfo(path: string, meta: Record<string, string>): Omit<ClassifierInfo, 'sha256'> {
  const fail = (why: string): never => {
    throw new ClassifierFileError(path, `${path}: ${why}`);
  };
  const num = (key: string): number => {
    const v = Number(meta[key]);
    if (meta[key] === undefined || !Number.isFinite(v)) fail(`metadata "${key}" is ${JSON.stringify(meta[key])}, not a number`);
    return v;
  };
  const json = (key: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(meta[key] ?? '') as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* reported below */ }
    return fail(`metadata "${key}" is not a JSON object`);
  };
  const heldOut = json('heldOut') as unknown as HeldOutScores;
  for (const k of ['digits', 'accuracy', 'confidentAccuracy', 'meanProbability', 'eceBefore', 'eceAfter'] as const) {
    if (typeof heldOut[k] !== 'number' || !Number.isFinite(heldOut[k])) fail(`metadata "heldOut.${k}" is not a number`);
  }
  return {
    version: num('classifierVersion'),
    heldOut,
    temperature: num('temperature'),
    calibrationDigits: num('calibrationDigits'),
    trainData: meta.trainData ?? '',
    testData: meta.testData ?? '',
    training: json('training'),
    backend: meta.backend ?? '',
    genzoo: meta.genzoo ?? '',
  };
}

/**
 * Reads and checks a weights file: a genzoo classifier of this version whose
 * content matches its recorded hash, with tensors of the right shapes and a
 * finite temperature. Anything else is a ClassifierFileError naming the file
 * and the first thing wrong.
 */
export async function readClassifierFile(path: string): Promise<{
  /** The classifier with the file's weights and temperature, in eval mode. */
  model: DigitClassifier;
  /** What the file records about itself. */
  info: ClassifierInfo;
}> {
  const fs = await nodeFs('readClassifierFile');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new ClassifierFileError(path, `cannot read ${path}: ${fsReason(err)}`, { cause: err });
  }
  let tensors: StateDict;
  let metadata: Record<string, string> | null;
  try {
    ({ tensors, metadata } = deserialize(bytes, path));
  } catch (err) {
    throw new ClassifierFileError(path, errorMessage(err), { cause: err });
  }
  if (metadata?.format !== CLASSIFIER_FORMAT) throw new ClassifierFileError(path, `${path} is not a genzoo classifier (metadata format ${JSON.stringify(metadata?.format ?? null)})`);
  if (metadata.classifierVersion !== String(CLASSIFIER_VERSION)) {
    throw new ClassifierFileError(path, `${path} holds a version-${metadata.classifierVersion} classifier; this genzoo uses version ${CLASSIFIER_VERSION}`);
  }
  const { sha256: recorded, ...rest } = metadata;
  if (recorded === undefined) throw new ClassifierFileError(path, `${path} records no content hash (sha256)`);
  const actual = await sha256Hex(serialize(tensors, rest));
  if (actual !== recorded) throw new ClassifierFileError(path, `${path} is corrupted: its content hash ${actual.slice(0, 12)}… does not match the recorded ${recorded.slice(0, 12)}…`);
  const info = { ...parseInfo(path, rest), sha256: recorded };
  const model = new DigitClassifier();
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    throw new ClassifierFileError(path, `${path}: ${errorMessage(err)}`, { cause: err });
  }
  if (!(model.temperature > 0 && Number.isFinite(model.temperature))) throw new ClassifierFileError(path, `${path}: temperature ${model.temperature} is not a finite number > 0`);
  model.eval();
  return { model, info };
}
