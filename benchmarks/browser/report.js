/**
 * The tables of `npm run bench:browser` (markdown, for stdout, the JSON and
 * the README): median times, genzoo's ratios to tfjs-webgl and tfjs-webgpu,
 * agreement with genzoo js, and what one call moves between host and device.
 */
import { ENGINES } from './engines.js';

/** Relative difference from genzoo js above which an engine is marked as disagreeing. */
export const DISAGREES = 1e-3;

const label = (id) => ENGINES.find((e) => e.id === id).label;

export function formatMs(ms) {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function formatRatio(r) {
  return `${r >= 10 ? r.toFixed(0) : r.toPrecision(2)}×`;
}

export function formatBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function markdown(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Footnotes for errors: the same message gets one number across all tables. */
function footnotes() {
  const notes = [];
  return {
    mark(message) {
      let i = notes.indexOf(message);
      if (i < 0) i = notes.push(message) - 1;
      return `error [${i + 1}]`;
    },
    text: () => notes.map((m, i) => `[${i + 1}] ${m}`).join('\n'),
  };
}

function timeCell(r, notes) {
  if (!r) return '—';
  if (r.ms === undefined) return notes.mark(r.error ?? 'no timed call');
  const few = r.runs < 3 ? ` (${r.runs} call${r.runs > 1 ? 's' : ''})` : '';
  return formatMs(r.ms) + few + (r.error ? ` (${notes.mark(r.error)})` : '');
}

function agreementCell(r) {
  const a = r?.agreement;
  if (!a) return '—';
  if (a.nonFinite) return `✗ ${a.nonFinite} non-finite`;
  if (a.maxAbsDiff === null) return `✗ ${a.note}`;
  return `${a.maxAbsDiff.toExponential(1)}${a.relative > DISAGREES ? ' ✗' : ''}`;
}

function countsCell(r) {
  const c = r?.counts?.perCall;
  const kernels = r?.profile?.kernels;
  if (!c) return r && r.family === 'genzoo' && r.ms !== undefined ? '— (no backendCounters yet)' : '—';
  const parts = [];
  if (c.kernels !== undefined) parts.push(`${c.kernels} kernels`);
  else if (kernels !== undefined) parts.push(`${kernels} kernels`);
  if (c.fallbacks !== undefined) parts.push(`${c.fallbacks} fallbacks`);
  if (c.uploads !== undefined) parts.push(`${c.uploads} up (${formatBytes(c.uploadBytes)})`);
  if (c.readbacks !== undefined) parts.push(`${c.readbacks} read (${formatBytes(c.readbackBytes)})`);
  if (c.tensors) parts.push(`${c.tensors > 0 ? '+' : ''}${c.tensors} tensors`);
  if (r.countError) parts.push(r.countError);
  return parts.length ? parts.join(' · ') : '—';
}

/** All tables for `cases` (each: { name, engines: { id: result } }) over the engine ids that ran. */
export function reportTables(cases, engineIds) {
  const notes = footnotes();
  const labels = engineIds.map(label);
  const times = markdown(['case', ...labels], cases.map((c) => [c.name, ...engineIds.map((id) => timeCell(c.engines[id], notes))]));
  const genzooIds = engineIds.filter((id) => id !== 'js' && ENGINES.find((e) => e.id === id).family === 'genzoo');
  const peers = ['tfjs-webgl', 'tfjs-webgpu'].filter((id) => engineIds.includes(id));
  const ratio = (id, p, c) => {
    const a = c.engines[id], b = c.engines[p];
    return a?.ms !== undefined && b?.ms !== undefined ? formatRatio(a.ms / b.ms) : '—';
  };
  const ratios = genzooIds.length && peers.length
    ? markdown(['case', ...genzooIds.map((id) => `${label(id)} ÷ ${peers.join(' / ')}`)], cases.map((c) => [c.name, ...genzooIds.map((id) => peers.map((p) => ratio(id, p, c)).join(' / '))]))
    : '';
  const agreement = markdown(['case', ...labels], cases.map((c) => [c.name, ...engineIds.map((id) => agreementCell(c.engines[id]))]));
  const counts = markdown(['case', 'engine', 'per call, after warm-up'], cases.flatMap((c) => engineIds.map((id) => [c.name, label(id), countsCell(c.engines[id])])));
  return [
    '#### Median ms per call, result read back (lower is better)',
    '',
    times,
    ...(ratios ? ['', '#### genzoo ÷ tfjs, same case (above 1×: genzoo slower)', '', ratios] : []),
    '',
    `#### Agreement: max |Δ| against genzoo js (kernels: the result; steps: the losses of the first two steps; ✗: relative difference above ${DISAGREES})`,
    '',
    agreement,
    '',
    '#### Moved per call (genzoo: backendCounters(); tfjs: KernelBackend write/read calls, kernels from tf.profile, tensors left behind)',
    '',
    counts,
    ...(notes.text() ? ['', notes.text()] : []),
  ].join('\n');
}
