/**
 * The lists an op must be added to, derived instead of kept by hand: each
 * check below fails when an op is exported without the place that tests it.
 *
 *  - every function src/autograd exports is a differentiable op with a case in
 *    tests/helpers/op-cases.ts (run by every gradcheck suite: float64 and
 *    float32 on js, wasm, gpu), or is listed here as not an op, with the reason;
 *  - every Tensor method methods.ts installs equals its functional form
 *    (methods.test.ts: zero-argument methods are paired automatically);
 *  - every class a file of src/nn exports is exported by nn, and a layer with a
 *    functional form in autograd has it in nn.functional;
 *  - every unary kernel op (the js table, backends/js/elementwise.ts) is
 *    checked on the gpu backend against js (tests/gpu/checks.ts); the wasm
 *    test takes the js table itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as autograd from '../../src/autograd/index.js';
import { nn, Tensor } from '../../src/index.js';
import { OP_CASES, opOf } from '../helpers/op-cases.js';
import { UNARY as JS_UNARY } from '../../src/tensor/backends/js/elementwise.js';
import { UNARY_CHECKS } from '../gpu/checks.js';
import { METHOD_PAIRS, NOT_OP_METHODS, autoPairedMethods } from '../helpers/method-pairs.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Exports of src/autograd that are not differentiable ops, and why. */
const NOT_OPS: Record<string, string> = {
  backward: 'the engine', noGrad: 'the engine', enableGrad: 'the engine', isGradEnabled: 'the engine',
  record: 'the engine', detach: 'the engine', gradcheck: 'the checker itself',
  gt: 'a comparison (0/1, no gradient)', ge: 'a comparison', lt: 'a comparison', le: 'a comparison', eq: 'a comparison',
  argmax: 'an index (no gradient)',
  cat: "concat's other name (the same function)",
};

/** Differentiable exports whose gradient is checked outside the op-case table: the file that does it. */
const CHECKED_ELSEWHERE: Record<string, string> = {
  // Moves between backends and dtypes: float64 gradcheck cannot see a cast to float32 or a move to the same place.
  to: 'tests/autograd/transfer.test.ts',
};

/** Classes of src/nn that are not part of its public face: why. */
const NN_INTERNAL: Record<string, string> = { HostMirror: "the models' host copy of a buffer (mirror.ts)" };
/** Layers whose op is a tensor method rather than a function of nn.functional (as torch.flatten is not in torch.nn.functional). */
const NOT_FUNCTIONAL: Record<string, string> = { Flatten: 'flatten is a tensor op', Reshape: 'reshape is a tensor op' };

const exportedFunctions = Object.keys(autograd).filter((k) => typeof (autograd as Record<string, unknown>)[k] === 'function');

describe('coverage: every exported op has its checks', () => {
  test('every differentiable op exported by src/autograd has a gradient case (tests/helpers/op-cases.ts)', () => {
    const cased = new Set(OP_CASES.map(opOf));
    const missing = exportedFunctions.filter((name) => !(name in NOT_OPS) && !(name in CHECKED_ELSEWHERE) && !cased.has(name));
    expect(missing, 'add a case to OP_CASES (or, if it is not differentiable, to NOT_OPS with the reason)').toEqual([]);
  });

  test('the lists of exceptions name real exports, and nothing in them also has a case', () => {
    const cased = new Set(OP_CASES.map(opOf));
    for (const name of [...Object.keys(NOT_OPS), ...Object.keys(CHECKED_ELSEWHERE)]) {
      expect(exportedFunctions, `${name} is not exported by src/autograd any more`).toContain(name);
      expect(cased.has(name), `${name} has an op case: take it off the exceptions`).toBe(false);
    }
    expect((autograd as Record<string, unknown>).cat).toBe(autograd.concat);
    for (const [name, file] of Object.entries(CHECKED_ELSEWHERE)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, `${file} must check ${name}'s gradient`).toMatch(new RegExp(`\\b${name}\\(`));
      expect(text).toMatch(/backward\(|gradcheck\(/);
    }
  });

  test('matmul is checked in each of its forms (one export, four cases)', () => {
    const names = OP_CASES.map((c) => c.name);
    for (const form of ['matmul 2-D', 'matmul batched (broadcast batch dims)', 'matmul 1-D operands', 'matmul transpose flags']) expect(names).toContain(form);
  });

  test('every op case names an exported function', () => {
    for (const c of OP_CASES) expect(exportedFunctions, `op case '${c.name}'`).toContain(opOf(c));
  });

  test('every Tensor method installed by methods.ts is compared with its functional form (methods.test.ts)', () => {
    // methods.ts assigns its methods (enumerable); the class's own methods are not enumerable.
    const installed = Object.keys(Tensor.prototype);
    const covered = new Set([...METHOD_PAIRS.map(([name]) => name), ...autoPairedMethods(), ...Object.keys(NOT_OP_METHODS)]);
    expect(installed.filter((m) => !covered.has(m)), 'add a pair to METHOD_PAIRS in methods.test.ts').toEqual([]);
    expect(installed.length).toBeGreaterThan(40);
  });

  test('every unary kernel op has a row in the gpu checks (tests/gpu/checks.ts UNARY_CHECKS)', () => {
    const rows = new Set(UNARY_CHECKS.map(([op]) => op));
    expect(Object.keys(JS_UNARY).filter((op) => !rows.has(op as never)), 'add the op with its parameters and ulps').toEqual([]);
  });

  test('every class a file of src/nn exports is exported by nn', async () => {
    const dir = join(ROOT, 'src', 'nn');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['index.ts', 'functional.ts', 'init.ts'].includes(f));
    const exported = new Set<unknown>(Object.values(nn));
    const missing: string[] = [];
    for (const f of files) {
      const mod = (await import(join(dir, f))) as Record<string, unknown>;
      for (const [name, v] of Object.entries(mod)) {
        if (typeof v === 'function' && /^[A-Z]/.test(name) && !exported.has(v) && !(name in NN_INTERNAL)) missing.push(`${f}: ${name}`);
      }
    }
    expect(missing, 'export these from src/nn/index.ts').toEqual([]);
  });

  test("a layer with a functional form in autograd has it in nn.functional (ReLU → relu, GELU → gelu, Conv2d → conv2d…)", () => {
    const byLower = new Map(exportedFunctions.map((f) => [f.toLowerCase(), f]));
    const F = nn.functional as Record<string, unknown>;
    const missing: string[] = [];
    for (const [name, v] of Object.entries(nn)) {
      if (typeof v !== 'function' || !(v.prototype instanceof nn.Module) || name in NOT_FUNCTIONAL) continue;
      const fn = byLower.get(name.toLowerCase());
      if (fn && F[fn] !== (autograd as Record<string, unknown>)[fn]) missing.push(`nn.${name} → functional.${fn}`);
    }
    expect(missing, 'export these from src/nn/functional.ts').toEqual([]);
  });
});
