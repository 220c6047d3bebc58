#!/usr/bin/env node
// Regenerates the evaluation classifier's shipped weights, assets/classifier-v<N>.safetensors:
// trains it with the documented recipe (src/eval/classifier/train.ts, seed 0) on the wasm backend,
// scores it on the 997 held-out digits, and writes the file atomically with those scores and its
// content hash in the metadata. Same code, same backend → the same bytes (nothing time-dependent
// is recorded), so a rerun reproduces the shipped file exactly.
//
//   npm run build && node scripts/train-classifier.mjs            # rewrite assets/…
//   node scripts/train-classifier.mjs --check                     # retrain, compare with the shipped file, exit 1 if they differ
//   node scripts/train-classifier.mjs --out /tmp/c.safetensors    # write elsewhere
//
// Takes a few minutes on an idle 2-core machine (longer when it is shared).
import { readFile } from 'node:fs/promises';
import { evaluation, data, io, setBackend, backendInfo, VERSION } from '../dist/index.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const outAt = args.indexOf('--out');
if (args.some((a, i) => a !== '--check' && a !== '--out' && args[i - 1] !== '--out') || (outAt >= 0 && !args[outAt + 1])) {
  console.error('usage: node scripts/train-classifier.mjs [--check] [--out FILE]');
  process.exit(2);
}
const shipped = await evaluation.shippedClassifierPath();
const out = outAt >= 0 ? args[outAt + 1] : shipped;

setBackend('wasm');
const train = await data.mnist({ split: 'train' });
const test = await data.mnist({ split: 'test' });
console.log(`training the evaluation classifier v${evaluation.CLASSIFIER_VERSION} on ${train.n} digits (backend ${backendInfo().name}, seed 0)`);
const t0 = Date.now();
const { model, calibration, settings } = evaluation.trainClassifier(train, {
  onEpoch: (e) => console.log(`  epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(0)} s`),
});
const heldOut = evaluation.scoreHeldOut(model, test);
const info = {
  version: evaluation.CLASSIFIER_VERSION,
  heldOut,
  temperature: model.temperature,
  calibrationDigits: calibration?.digits ?? 0,
  trainData: train.name,
  testData: test.name,
  training: { ...settings },
  backend: backendInfo().name,
  genzoo: VERSION,
};
const { bytes, sha256 } = await evaluation.encodeClassifierFile(model, info);
const pct = (v) => `${(100 * v).toFixed(2)}%`;
console.log(`trained in ${((Date.now() - t0) / 1000).toFixed(0)} s; temperature ${model.temperature.toFixed(4)} (NLL on ${calibration?.digits} calibration digits ${calibration?.nllBefore.toFixed(4)} → ${calibration?.nllAfter.toFixed(4)})`);
console.log(`held-out (${heldOut.digits} digits): accuracy ${pct(heldOut.accuracy)}, p ≥ 0.9 ${pct(heldOut.confidentAccuracy)}, mean p ${heldOut.meanProbability.toFixed(4)}, ECE ${heldOut.eceBefore.toFixed(4)} → ${heldOut.eceAfter.toFixed(4)}`);
console.log(`sha256 ${sha256}`);

if (check) {
  const existing = await evaluation.readClassifierFile(out);
  const same = Buffer.compare(Buffer.from(await readFile(out)), Buffer.from(bytes)) === 0;
  console.log(same ? `identical to ${out}` : `DIFFERS from ${out} (sha256 ${existing.info.sha256})`);
  process.exit(same ? 0 : 1);
}
await io.writeFileAtomic(out, bytes);
console.log(`wrote ${out}`);
