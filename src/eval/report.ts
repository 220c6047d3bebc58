/**
 * Reporting: one row of metrics per model, the JSON written as
 * `<checkpoint>/eval.json`, and the table printed by `genzoo eval` and written
 * to `compare.md` by `genzoo compare` (markdown or aligned plain text).
 */
import { VERSION } from '../version.js';
import { IOError, ValueError } from '../errors.js';

/** The metrics of one model (or of real digits, as a reference row). null/undefined = not measured. */
export interface MetricsRow {
  /** 'vae', 'cvae', 'cgan', 'cvaegan', or 'real digits' for a reference row. */
  model: string;
  /** The architecture, 'mlp' or 'conv'. */
  arch?: string;
  /** Faithfulness: the mean calibrated probability of the requested class, in [0, 1] — the share of samples a reader would sign, in expectation. */
  classProbability?: number | null;
  /** Share of samples a calibrated classifier gives p ≥ 0.9 of their requested class, in [0, 1] (the strict reading). */
  confidentAccuracy?: number | null;
  /** Share of samples whose most probable class is the requested one, in [0, 1]. */
  conditionalAccuracy?: number | null;
  /** Entropy of the classifier's labels of the samples over the 10 classes, divided by log 10 (1 = every digit equally often). The VAE's stand-in for accuracy. */
  classEntropy?: number | null;
  /** Fréchet distance of classifier features to held-out real digits (lower is better). */
  frechet?: number | null;
  /** Mean squared Laplacian relative to real digits (1 = as sharp as real). */
  sharpness?: number | null;
  /** Mean within-class pairwise distance relative to real digits (0 = collapsed). */
  diversity?: number | null;
  /** Mean nearest-training-digit distance relative to held-out digits' (0 = copies). */
  memorisation?: number | null;
  /** Test negative ELBO, nats per image (VAE/CVAE). */
  negativeElbo?: number | null;
  /** Importance-weighted NLL estimate, nats per image (VAE/CVAE). */
  iwNll?: number | null;
  /** Wall-clock training time, seconds. */
  trainSeconds?: number | null;
}

/** The name of one metric of a {@link MetricsRow}. */
export type MetricKey = Exclude<keyof MetricsRow, 'model' | 'arch'>;

/** One column of the metrics table. */
export interface MetricColumn {
  /** The metric shown. */
  key: MetricKey;
  /** The column's heading. */
  header: string;
  /** One line for a legend under the table. */
  description: string;
  /** Formats a value of the metric for the table. */
  format(v: number): string;
}

function fixed(digits: number): (v: number) => string {
  return (v) => v.toFixed(digits);
}

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** 172.4 → "2 m 52 s"; under a minute → "41.3 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${m} m` : `${m} m ${s} s`;
}

/** The table's columns, in order. */
export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'classProbability', header: 'faithful', description: "mean probability the calibrated judge gives the requested digit: the share of samples a reader would sign, in expectation (higher is better)", format: percent },
  { key: 'confidentAccuracy', header: 'p ≥ 0.9', description: 'share of samples the judge is at least 90% sure show the requested digit (the strict reading)', format: percent },
  { key: 'conditionalAccuracy', header: 'accuracy', description: "share of samples whose most probable digit is the requested one (counts a smudge that is most like a 3 as a 3)", format: percent },
  { key: 'classEntropy', header: 'class entropy', description: "entropy of the classifier's labels of the samples over the 10 digits, relative to log 10 (1 = every digit equally often, 0 = one digit only)", format: fixed(3) },
  { key: 'frechet', header: 'Fréchet', description: "Fréchet distance between the classifier's features of samples and of held-out digits (lower is better)", format: (v) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3)) },
  { key: 'sharpness', header: 'sharpness', description: 'mean squared Laplacian relative to real digits (1 = as sharp as real)', format: fixed(2) },
  { key: 'diversity', header: 'diversity', description: 'mean within-class pairwise distance relative to real digits (0 = collapsed, 1 = as varied as real)', format: fixed(2) },
  { key: 'memorisation', header: 'novelty', description: 'distance to the nearest training digit relative to held-out digits (0 = copies training digits, 1 = as new as unseen digits)', format: fixed(2) },
  { key: 'negativeElbo', header: '−ELBO', description: 'test negative ELBO, nats per image (lower is better)', format: fixed(1) },
  { key: 'iwNll', header: 'IW-NLL', description: 'importance-weighted NLL estimate (k samples), nats per image (lower is better)', format: fixed(1) },
  { key: 'trainSeconds', header: 'train time', description: 'wall-clock training time', format: formatDuration },
];

/** How {@link formatMetricsTable} writes the table: a markdown table, or aligned plain text. */
export type TableFormat = 'markdown' | 'text';

/** Options of {@link formatMetricsTable}. */
export interface TableOptions {
  /** 'markdown' (default) or 'text'. */
  format?: TableFormat;
  /** Columns to show (default: every column with at least one value). */
  columns?: readonly MetricKey[];
  /** Append a legend with one line per shown column (default false). */
  legend?: boolean;
}

function cell(row: MetricsRow, col: MetricColumn): string {
  const v = row[col.key];
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : col.format(v);
}

/**
 * Formats rows as a table: markdown (for compare.md and docs/evaluation.md) or plain
 * text with aligned columns (for the terminal). Missing values print as '—'.
 */
export function formatMetricsTable(rows: readonly MetricsRow[], opts: TableOptions = {}): string {
  const format = opts.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'text') throw new ValueError(`formatMetricsTable: format must be 'markdown' or 'text', got ${JSON.stringify(format)}`);
  const known = new Set(METRIC_COLUMNS.map((c) => c.key));
  for (const k of opts.columns ?? []) if (!known.has(k)) throw new ValueError(`formatMetricsTable: unknown column ${JSON.stringify(k)}`);
  const cols = METRIC_COLUMNS.filter((c) =>
    opts.columns ? opts.columns.includes(c.key) : rows.some((r) => r[c.key] !== null && r[c.key] !== undefined),
  );
  const header = ['model', ...cols.map((c) => c.header)];
  const body = rows.map((r) => [r.arch ? `${r.model} (${r.arch})` : r.model, ...cols.map((c) => cell(r, c))]);
  let out: string;
  if (format === 'markdown') {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    out = [line(header), `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map(line)].join('\n');
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  }
  if (opts.legend) {
    const bullet = format === 'markdown' ? '- ' : '  ';
    out += '\n\n' + cols.map((c) => `${bullet}${format === 'markdown' ? `**${c.header}**` : c.header}: ${c.description}`).join('\n');
  }
  return out + '\n';
}

/** How the judge is described in eval.json and compare.md: where it came from (never an absolute home path) and what it scores. */
export interface ClassifierSummary {
  /** 'shipped' (genzoo's own weights), 'cache' (trained earlier on this machine), 'trained' (by this run), 'given' (passed in code). */
  origin: 'shipped' | 'cache' | 'trained' | 'given';
  /** The weights file, with the home folder written as ~ (null: shipped, given, or not cached). */
  file: string | null;
  /** Content hash of the weights file (null when given in code or not cached). */
  sha256: string | null;
  /** Its scores on the held-out reference digits, measured now (on this many digits). */
  heldOutDigits: number;
  /** Share of held-out digits whose most probable class is their label, in [0, 1]. */
  heldOutAccuracy: number;
  /** Share of held-out digits given p ≥ 0.9 of their label, in [0, 1]. */
  heldOutConfidentAccuracy: number;
  /** Mean calibrated probability of the label over the held-out digits, in [0, 1]. */
  heldOutMeanProbability: number;
  /** The calibration temperature the logits are divided by. */
  temperature: number;
  /** Expected calibration error (15 bins) on the held-out digits, with that temperature. */
  ece: number;
}

/** `path` with the home folder written as ~ (reports shared beyond this machine should not carry its user's home). */
export function homeRelative(path: string, home: string): string {
  if (!home || home === '/') return path;
  const h = home.endsWith('/') ? home.slice(0, -1) : home;
  return path === h ? '~' : path.startsWith(h + '/') ? '~' + path.slice(h.length) : path;
}

/** One line describing the judge (compare.md's settings, genzoo eval's header): where its weights came from and how it scores held-out digits. */
export function describeClassifier(c: ClassifierSummary): string {
  const from = {
    shipped: "genzoo's shipped weights",
    cache: `trained on this machine, cached as ${c.file}`,
    trained: c.file ? `trained by this run, cached as ${c.file}` : 'trained by this run (not cached)',
    given: 'passed in code',
  }[c.origin];
  const hash = c.sha256 ? ` (sha256 ${c.sha256.slice(0, 12)}…)` : '';
  return `${from}${hash}: on the ${c.heldOutDigits} held-out digits faithful ${(100 * c.heldOutMeanProbability).toFixed(1)}%, ` +
    `${(100 * c.heldOutConfidentAccuracy).toFixed(1)}% with p ≥ 0.9, accuracy ${(100 * c.heldOutAccuracy).toFixed(1)}%; temperature ${c.temperature.toFixed(3)}, ECE ${c.ece.toFixed(4)}`;
}

/** How the metrics were measured: enough to reproduce them. */
export interface EvalSettings {
  /** Samples generated per class (conditional models) or in total / 10 (unconditional). */
  samplesPerClass: number;
  /** The seed of every random draw. */
  seed: number;
  /** The backend that ran the model, e.g. 'wasm'. */
  backend: string;
  /** Importance samples per image for iwNll. */
  k?: number;
  /** The classifier used, and its scores on the held-out real digits. */
  classifier?: ClassifierSummary;
  /** The dataset (a `--data` value) whose test split is the held-out reference and whose training split the novelty reference. */
  data?: string;
  /** Held-out digits the likelihood metrics were measured on (VAE/CVAE). */
  likelihoodDigits?: number;
  /** Monte Carlo draws per image for the negative ELBO. */
  elboSamples?: number;
}

/** The content of `<checkpoint>/eval.json`. */
export interface EvalReport {
  /** Marks the file as a genzoo evaluation. */
  format: 'genzoo-eval';
  /** Version of this layout. */
  formatVersion: 1;
  /** The genzoo version that wrote it. */
  genzoo: string;
  /** When it was written (ISO 8601). */
  createdAt: string;
  /** The run folder scored, if any. */
  checkpoint: string | null;
  /** How the metrics were measured. */
  settings: EvalSettings;
  /** The metrics. */
  metrics: MetricsRow;
  /** Breakdowns (per-class accuracy and diversity, confusion matrix, raw values before normalising…). */
  details: Record<string, unknown>;
}

/** Builds an eval.json object (stamped with genzoo's version and the time). */
export function makeEvalReport(metrics: MetricsRow, settings: EvalSettings, opts: { checkpoint?: string | null; details?: Record<string, unknown>; createdAt?: Date } = {}): EvalReport {
  return {
    format: 'genzoo-eval',
    formatVersion: 1,
    genzoo: VERSION,
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    checkpoint: opts.checkpoint ?? null,
    settings,
    metrics,
    details: opts.details ?? {},
  };
}

/**
 * Checks a parsed eval.json (e.g. one `genzoo compare --reuse` reads back) and
 * returns it typed; a clear error names what is wrong. `source` names the file.
 */
export function parseEvalReport(json: unknown, source = 'eval.json'): EvalReport {
  const fail = (why: string): never => {
    throw new IOError(`${source}: not a genzoo eval report (${why})`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected a JSON object');
  const r = json as Record<string, unknown>;
  if (r.format !== 'genzoo-eval') fail(`format is ${JSON.stringify(r.format)}`);
  if (r.formatVersion !== 1) fail(`unsupported formatVersion ${JSON.stringify(r.formatVersion)}`);
  const m = r.metrics as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) fail('missing metrics');
  if (typeof m!.model !== 'string') fail('metrics.model must be a string');
  for (const c of METRIC_COLUMNS) {
    const v = m![c.key];
    if (v !== undefined && v !== null && typeof v !== 'number') fail(`metrics.${c.key} must be a number or null, got ${typeof v}`);
  }
  const s = r.settings as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) fail('missing settings');
  if (typeof s!.samplesPerClass !== 'number' || typeof s!.seed !== 'number' || typeof s!.backend !== 'string') {
    fail('settings need samplesPerClass, seed and backend');
  }
  return json as EvalReport;
}
