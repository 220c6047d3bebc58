import { describe, expect, it } from 'vitest';
import { evaluation, VERSION } from '../../src/index.js';

const { formatMetricsTable, formatDuration, makeEvalReport, parseEvalReport } = evaluation;

const rows: evaluation.MetricsRow[] = [
  { model: 'real digits', conditionalAccuracy: 0.981, sharpness: 1, diversity: 1, memorisation: 1 },
  { model: 'cvae', arch: 'mlp', conditionalAccuracy: 0.9634, frechet: 12.3456, sharpness: 0.412, diversity: 0.78, memorisation: 0.66, negativeElbo: 101.27, iwNll: 96.04, trainSeconds: 172.4 },
  { model: 'cgan', arch: 'mlp', conditionalAccuracy: 0.95, frechet: 0.0456, sharpness: 1.21, diversity: null, trainSeconds: 41.25 },
];

describe('formatMetricsTable', () => {
  it('writes a markdown table with only the measured columns and — for missing values', () => {
    expect(formatMetricsTable(rows)).toBe(
      [
        '| model | accuracy | Fréchet | sharpness | diversity | novelty | −ELBO | IW-NLL | train time |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        '| real digits | 98.1% | — | 1.00 | 1.00 | 1.00 | — | — | — |',
        '| cvae (mlp) | 96.3% | 12.35 | 0.41 | 0.78 | 0.66 | 101.3 | 96.0 | 2 m 52 s |',
        '| cgan (mlp) | 95.0% | 0.046 | 1.21 | — | — | — | — | 41.3 s |',
        '',
      ].join('\n'),
    );
  });

  it('writes aligned plain text, chosen columns, and a legend', () => {
    const text = formatMetricsTable(rows, { format: 'text', columns: ['conditionalAccuracy', 'sharpness'], legend: true });
    expect(text).toBe(
      [
        'model        accuracy  sharpness',
        '-----------  --------  ---------',
        'real digits     98.1%       1.00',
        'cvae (mlp)      96.3%       0.41',
        'cgan (mlp)      95.0%       1.21',
        '',
        "  accuracy: share of samples whose most probable digit is the requested one (counts a smudge that is most like a 3 as a 3)",
        '  sharpness: mean squared Laplacian relative to real digits (1 = as sharp as real)',
        '',
      ].join('\n'),
    );
    expect(() => formatMetricsTable(rows, { columns: ['speed' as 'sharpness'] })).toThrow(/unknown column "speed"/);
    expect(() => formatMetricsTable(rows, { format: 'html' as 'text' })).toThrow(/format must be/);
  });

  it('shows faithfulness (mean probability of the requested digit) and the share with p ≥ 0.9 before plain accuracy', () => {
    const md = formatMetricsTable([{ model: 'cvae', confidentAccuracy: 0.7123, classProbability: 0.80456, conditionalAccuracy: 0.9 }]);
    expect(md.split('\n').slice(0, 3)).toEqual(['| model | faithful | p ≥ 0.9 | accuracy |', '|---|---:|---:|---:|', '| cvae | 80.5% | 71.2% | 90.0% |']);
  });

  it('formats durations', () => {
    expect(formatDuration(5.04)).toBe('5.0 s');
    expect(formatDuration(600)).toBe('10 m 0 s');
    expect(formatDuration(3725)).toBe('1 h 2 m');
  });
});

describe('describing the judge without this machine\'s home folder', () => {
  it('writes the home folder as ~, only as a whole path component', () => {
    expect(evaluation.homeRelative('/home/ann/.cache/genzoo/c.safetensors', '/home/ann')).toBe('~/.cache/genzoo/c.safetensors');
    expect(evaluation.homeRelative('/home/ann', '/home/ann/')).toBe('~');
    expect(evaluation.homeRelative('/home/anna/x', '/home/ann')).toBe('/home/anna/x');
    expect(evaluation.homeRelative('runs/cvae', '/home/ann')).toBe('runs/cvae');
    expect(evaluation.homeRelative('/x', '/')).toBe('/x');
  });

  it('says where the weights came from, their hash and their held-out scores', () => {
    const base = { file: null, sha256: 'ab'.repeat(32), heldOutDigits: 997, heldOutAccuracy: 0.9859, heldOutConfidentAccuracy: 0.9729, heldOutMeanProbability: 0.97, temperature: 1.23456, ece: 0.00712 };
    expect(evaluation.describeClassifier({ ...base, origin: 'shipped' })).toBe(
      "genzoo's shipped weights (sha256 abababababab…): on the 997 held-out digits faithful 97.0%, 97.3% with p ≥ 0.9, accuracy 98.6%; temperature 1.235, ECE 0.0071");
    expect(evaluation.describeClassifier({ ...base, origin: 'cache', file: '~/.cache/genzoo/classifier-v2.safetensors' })).toMatch(/^trained on this machine, cached as ~\/\.cache\/genzoo\/classifier-v2\.safetensors \(sha256/);
    expect(evaluation.describeClassifier({ ...base, origin: 'trained', sha256: null })).toMatch(/^trained by this run \(not cached\): on the 997/);
  });
});

describe('eval.json', () => {
  it('round-trips through JSON and is validated on load', () => {
    const report = makeEvalReport(rows[1], { samplesPerClass: 100, seed: 0, backend: 'js', k: 100 }, {
      checkpoint: 'runs/cvae', details: { perClassAccuracy: [1, 0.9] }, createdAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(report.genzoo).toBe(VERSION);
    expect(report.createdAt).toBe('2026-01-02T03:04:05.000Z');
    const back = parseEvalReport(JSON.parse(JSON.stringify(report)));
    expect(back).toEqual(report);
    expect(() => parseEvalReport([], 'x/eval.json')).toThrow(/x\/eval.json: not a genzoo eval report \(expected a JSON object\)/);
    expect(() => parseEvalReport({ ...report, format: 'other' })).toThrow(/format is "other"/);
    expect(() => parseEvalReport({ ...report, metrics: { ...report.metrics, sharpness: 'high' } })).toThrow(/metrics.sharpness must be a number or null/);
    expect(() => parseEvalReport({ ...report, settings: {} })).toThrow(/settings need samplesPerClass, seed and backend/);
  });
});
