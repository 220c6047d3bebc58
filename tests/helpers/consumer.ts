/**
 * A consumer project with genzoo installed from its packed tarball, the way a
 * user gets it — without the network: every dependency comes from the npm
 * cache, pinned to the versions in this repository's package-lock.json (which
 * `npm install` in the repository has put in the cache).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}
export type LockPackages = Record<string, LockEntry>;

export interface PackedFile {
  path: string;
  size: number;
}

export interface Packed {
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes of its files. */
  unpackedSize: number;
  files: PackedFile[];
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, e) => Math.max(m, newestMtime(join(path, e))), 0);
}

/**
 * Runs `npm run build` unless dist/ is complete (the tsc output, the wasm
 * kernels, the browser bundle) and newer than src/ and scripts/. `npm test`
 * builds first, so this only builds when a test file runs alone.
 */
export function ensureBuilt(root: string): void {
  const outputs = ['dist/index.js', 'dist/tensor/backends/wasm/prebuilt.js', 'dist/genzoo.browser.js'].map((p) => join(root, p));
  const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'scripts')));
  if (outputs.every((p) => existsSync(p) && statSync(p).mtimeMs >= sources)) return;
  run('npm', ['run', 'build'], root, 'npm run build');
}

function run(cmd: string, args: string[], cwd: string, what: string, timeout = 300_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', timeout });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed in ${cwd}: ${err.message}\n${(err.stdout ?? '').slice(-3000)}\n${(err.stderr ?? '').slice(-3000)}`);
  }
}

/** `npm pack` of the repository into `dest` (no scripts: dist/ is built already). */
export function pack(root: string, dest: string): Packed {
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], root, 'npm pack');
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; size: number; unpackedSize: number; files: PackedFile[] }>;
  return { tarball: join(dest, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files };
}

/** Where `name` resolves from the package at lock path `from` (Node's lookup: nested node_modules first, then upwards). */
function resolveInLock(packages: LockPackages, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const path = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[path]) return path;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/** The lock entries of `names` and everything they depend on (optional dependencies included where locked). */
export function lockClosure(packages: LockPackages, names: string[]): LockPackages {
  const out: LockPackages = {};
  const visit = (path: string): void => {
    if (out[path]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[path];
    out[path] = entry as LockEntry;
    for (const [name, optional] of [...Object.keys(entry.dependencies ?? {}).map((n) => [n, false] as const), ...Object.keys(entry.optionalDependencies ?? {}).map((n) => [n, true] as const)]) {
      const dep = resolveInLock(packages, path, name);
      if (dep) visit(dep);
      else if (!optional) throw new Error(`package-lock.json: ${path} needs ${name}, which is not locked`);
    }
  };
  for (const name of names) {
    const path = resolveInLock(packages, '', name);
    if (!path) throw new Error(`package-lock.json has no ${name}: run npm install`);
    visit(path);
  }
  return out;
}

export interface ConsumerOptions {
  /** Extra packages the consumer installs beside genzoo, at the repository's locked versions (e.g. fast-check). */
  alongside: string[];
}

/**
 * Creates `dir` as an ES-module project depending on the tarball and on
 * `alongside`, and installs it offline (`npm install --offline --ignore-scripts`:
 * install scripts would only build gpu.js's optional `gl` from source).
 */
export function installConsumer(root: string, tarball: string, dir: string, opts: ConsumerOptions): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: LockPackages };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const entries = lockClosure(lock.packages, [...Object.keys(pkg.dependencies), ...opts.alongside]);
  const dependencies: Record<string, string> = { genzoo: `file:${tarball}` };
  for (const name of opts.alongside) dependencies[name] = entries[`node_modules/${name}`].version;
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'genzoo-consumer', version: '1.0.0', private: true, type: 'module', dependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const lockfile = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: { '': { name: manifest.name, version: manifest.version, dependencies }, ...entries } };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], dir, 'npm install (offline, from the npm cache)');
}

/** Bytes of one installed package's files (their sizes, not disk blocks), without its nested node_modules. */
export function packageBytes(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  return readdirSync(path).filter((e) => e !== 'node_modules').reduce((s, e) => s + packageBytes(join(path, e)), 0);
}

/** The consumer's installed packages (npm's hidden lockfile, node_modules/.package-lock.json). */
export function installedPackages(dir: string): LockPackages {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: LockPackages }).packages;
}
