/**
 * Getting the evaluation classifier: the weights shipped with genzoo (the
 * default: no training, a check of their content hash), or one trained on
 * this machine by the documented recipe and kept in a cache folder.
 *
 *   source 'shipped'  the package's assets/classifier-v2.safetensors, checked on load;
 *                     if that file fails its check, said so and handled as 'cached'
 *   source 'cached'   the cache folder's file, checked on load; trained (and cached) when
 *                     it is missing or fails its check (corrupted → retrained, with a message)
 *   source 'retrain'  trained anew, replacing the cache folder's file
 *
 * The cache folder is an option (the library reads no environment variables;
 * the CLI passes $GENZOO_CACHE). A good file there is used even if the folder
 * is read-only. Before any training the folder is created and tested for
 * writing: if it cannot be used, a warning says so and the classifier is
 * trained anyway and returned (with its content hash), just not kept. A classifier that cannot be
 * saved afterwards (disk full, permissions changed) is likewise returned, with
 * a warning: work is never thrown away for a cache.
 *
 * Node-only.
 */
import type { Dataset } from '../../data/dataset.js';
import { mnist } from '../../data/mnist.js';
import { DirectoryError, ensureWritableDirectory } from '../../io/directory.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { errorMessage, nodeModule, nodePath } from '../../io/node.js';
import { backendInfo } from '../../tensor/index.js';
import { VERSION } from '../../version.js';
import { scoreHeldOut } from './held-out.js';
import { CLASSIFIER_VERSION, type DigitClassifier } from './model.js';
import { CLASSIFIER_FILE, encodeClassifierFile, readClassifierFile, type ClassifierInfo } from './store.js';
import { CLASSIFIER_DEFAULTS, trainClassifier, type ClassifierTrainOptions } from './train.js';
import { ValueError } from '../../errors.js';

/** Which classifier {@link loadClassifier} returns: the package's weights, a cached trained one, or one trained anew (see the file comment). */
export type ClassifierSource = 'shipped' | 'cached' | 'retrain';
/** Every {@link ClassifierSource}, for validating user input. */
export const CLASSIFIER_SOURCES: readonly ClassifierSource[] = ['shipped', 'cached', 'retrain'];

/** Where the package keeps its trained weights (assets/ at the package root). Node-only. */
export async function shippedClassifierPath(): Promise<string> {
  const { fileURLToPath } = await nodeModule<typeof import('node:url')>('node:url', 'shippedClassifierPath');
  // src/eval/classifier/ and dist/eval/classifier/ are both three levels below the package root.
  return fileURLToPath(new URL(`../../../assets/${CLASSIFIER_FILE}`, import.meta.url));
}

/** ~/.cache/genzoo: the cache folder when none is given. Node-only. */
export async function defaultCacheDir(): Promise<string> {
  const path = await nodePath('defaultCacheDir');
  const os = await nodeModule<typeof import('node:os')>('node:os', 'defaultCacheDir');
  return path.join(os.homedir(), '.cache', 'genzoo');
}

/** Options of {@link loadClassifier}. */
export interface LoadClassifierOptions {
  /** Which classifier (default 'shipped'; see the file comment). */
  source?: ClassifierSource;
  /** The cache folder for 'cached' and 'retrain' (default ~/.cache/genzoo). */
  cacheDir?: string;
  /** The shipped weights file (default: the package's own; tests point it elsewhere). */
  shippedPath?: string;
  /** Progress and decisions, one line each (default: none). */
  log?: (line: string) => void;
  /** Problems that do not stop the work (the cache cannot be used), one line each (default: log). */
  warn?: (line: string) => void;
  /** Training options for 'cached'/'retrain' (tests use a small budget); the defaults are the documented recipe. */
  train?: ClassifierTrainOptions;
  /** Training digits (default: the embedded MNIST training split). */
  trainData?: Dataset;
  /** Held-out digits to score a trained classifier on (default: the embedded test split). */
  testData?: Dataset;
}

/** What {@link loadClassifier} returns. */
export interface LoadedClassifier {
  /** The calibrated classifier, in eval mode. */
  model: DigitClassifier;
  /** What the weights record about themselves (held-out scores, temperature, hash…). */
  info: ClassifierInfo;
  /** Where they came from: the package, the cache, or training by this call. */
  origin: 'shipped' | 'cache' | 'trained';
  /** The file they were read from or saved to; null when trained and not cached. */
  path: string | null;
}

/** The evaluation classifier (see the file comment). Node-only. */
export async function loadClassifier(opts: LoadClassifierOptions = {}): Promise<LoadedClassifier> {
  const source = opts.source ?? 'shipped';
  if (!CLASSIFIER_SOURCES.includes(source)) throw new ValueError(`loadClassifier: source must be one of ${CLASSIFIER_SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
  const log = opts.log ?? (() => {});
  const warn = opts.warn ?? log;
  if (source === 'shipped') {
    const path = opts.shippedPath ?? (await shippedClassifierPath());
    try {
      const { model, info } = await readClassifierFile(path);
      log(`classifier: genzoo's shipped weights (${CLASSIFIER_FILE}, sha256 ${info.sha256.slice(0, 12)}…)`);
      return { model, info, origin: 'shipped', path };
    } catch (err) {
      warn(`the shipped classifier weights cannot be used (${errorMessage(err)}); using one trained on this machine instead`);
    }
  }
  const { join } = await nodePath('loadClassifier');
  const dir = opts.cacheDir ?? (await defaultCacheDir());
  const file = join(dir, CLASSIFIER_FILE);
  if (source !== 'retrain') {
    // Reading needs no writable folder (a read-only cache with a good file is used as it is).
    try {
      const { model, info } = await readClassifierFile(file);
      log(`classifier: loaded ${file} (${(100 * info.heldOut.accuracy).toFixed(1)}% on ${info.heldOut.digits} held-out digits)`);
      return { model, info, origin: 'cache', path: file };
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`classifier: ${errorMessage(err)}; training a new one`);
    }
  }
  // Training takes minutes: find out first whether its result can be kept.
  let cacheProblem: string | null = null;
  try {
    await ensureWritableDirectory(dir);
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    cacheProblem = err.message;
    warn(`classifier cache unusable (${cacheProblem}): the classifier will be trained but not cached`);
  }
  const { model, info } = await trainAndScore(opts, cacheProblem === null ? file : null, log);
  const { bytes, sha256 } = await encodeClassifierFile(model, info);
  const trained = { model, info: { ...info, sha256 }, origin: 'trained' as const };
  if (cacheProblem !== null) return { ...trained, path: null };
  try {
    await writeFileAtomic(file, bytes);
    log(`classifier: cached in ${file}`);
    return { ...trained, path: file };
  } catch (err) {
    warn(`classifier: not cached (${errorMessage(err)}); it is used for this evaluation only`);
    return { ...trained, path: null };
  }
}

async function trainAndScore(opts: LoadClassifierOptions, file: string | null, log: (line: string) => void): Promise<{ model: DigitClassifier; info: Omit<ClassifierInfo, 'sha256'> }> {
  const trainData = opts.trainData ?? (await mnist({ split: 'train' }));
  const testData = opts.testData ?? (await mnist({ split: 'test' }));
  const epochs = opts.train?.epochs ?? CLASSIFIER_DEFAULTS.epochs;
  log(`classifier: training on ${trainData.n} digits (${epochs} epochs, backend ${backendInfo().name})${file ? `; cached afterwards in ${file}` : ''}`);
  const t0 = Date.now();
  const trained = trainClassifier(trainData, {
    ...opts.train,
    onEpoch: (e) => {
      log(`classifier: epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(0)} s`);
      opts.train?.onEpoch?.(e);
    },
  });
  const heldOut = scoreHeldOut(trained.model, testData);
  log(`classifier: ${(100 * heldOut.accuracy).toFixed(1)}% on ${testData.n} held-out digits, ${(100 * heldOut.confidentAccuracy).toFixed(1)}% with p ≥ 0.9; temperature ${trained.model.temperature.toFixed(3)}, ECE ${heldOut.eceBefore.toFixed(4)} → ${heldOut.eceAfter.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return {
    model: trained.model,
    info: {
      version: CLASSIFIER_VERSION,
      heldOut,
      temperature: trained.model.temperature,
      calibrationDigits: trained.calibration?.digits ?? 0,
      trainData: trainData.name,
      testData: testData.name,
      training: { ...trained.settings },
      backend: backendInfo().name,
      genzoo: VERSION,
    },
  };
}
