/**
 * A tiny WebAssembly assembler: just enough of the binary format to emit the
 * wasm backend's kernels from TypeScript, so the build needs no toolchain and
 * the kernels ship as ordinary JavaScript.
 *
 * Code is written as nested arrays that read like folded WAT:
 *
 *   set(acc, f32x4.add(acc, f32x4.mul(a, b)))      ;; (local.set $acc (f32x4.add ...))
 *
 * A `Code` tree is bytes (numbers), locals (read as `local.get`), nested
 * arrays (emitted in order, so operands come first, as on the wasm stack), and
 * structured control nodes whose branch targets are `Label` objects, resolved
 * to relative depths when the module is emitted.
 *
 * Spec: https://webassembly.github.io/spec/core/binary/ (and the SIMD and
 * relaxed-SIMD proposals for the 0xfd opcodes).
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export class Local {
  constructor(readonly index: number, readonly type: ValType, readonly name: string) {}
}

export class Label {
  constructor(readonly name: string) {}
}

interface Control {
  kind: 'block' | 'loop' | 'if';
  label: Label;
  body: Code;
  orElse?: Code;
}

interface Branch {
  kind: 'br' | 'br_if';
  label: Label;
}

export type Code = number | Local | Control | Branch | readonly Code[];

// ---------------------------------------------------------------- encodings

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const f32Scratch = new Float32Array(1);
const f32ScratchBytes = new Uint8Array(f32Scratch.buffer);
function f32Bytes(x: number): number[] {
  f32Scratch[0] = x;
  return [f32ScratchBytes[0], f32ScratchBytes[1], f32ScratchBytes[2], f32ScratchBytes[3]];
}

function str(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

/** Appends src to dst (a loop: spreading large arrays is slow and can overflow the stack). */
function append(dst: number[], src: readonly number[]): number[] {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
  return dst;
}

function vec(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const item of items) append(out, item);
  return out;
}

// ------------------------------------------------------------- instructions

let labelCount = 0;
export const label = (name = 'L'): Label => new Label(`${name}${labelCount++}`);

export const block = (l: Label, ...body: Code[]): Control => ({ kind: 'block', label: l, body });
export const loop = (l: Label, ...body: Code[]): Control => ({ kind: 'loop', label: l, body });
/** `if cond then … else …` (no result value). */
export const if_ = (cond: Code, then: Code, orElse?: Code): Code => [cond, { kind: 'if', label: label('if'), body: then, orElse }];
export const br = (l: Label): Branch => ({ kind: 'br', label: l });
export const br_if = (l: Label, cond: Code): Code => [cond, { kind: 'br_if', label: l }];
export const ret: Code = 0x0f;
export const drop = (x: Code): Code => [x, 0x1a];
export const select = (a: Code, b: Code, cond: Code): Code => [a, b, cond, 0x1b];

export const set = (l: Local, value: Code): Code => [value, 0x21, ...uleb(l.index)];
export const tee = (l: Local, value: Code): Code => [value, 0x22, ...uleb(l.index)];

const mem = (op: number, align: number) => (addr: Code, offset = 0): Code => [addr, op, align, ...uleb(offset)];
const store = (op: number, align: number) => (addr: Code, value: Code, offset = 0): Code => [addr, value, op, align, ...uleb(offset)];
const un = (op: number) => (a: Code): Code => [a, op];
const bin = (op: number) => (a: Code, b: Code): Code => [a, b, op];

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(n)],
  load: mem(0x28, 2),
  store: store(0x36, 2),
  eqz: un(0x45),
  eq: bin(0x46), ne: bin(0x47), lt_s: bin(0x48), lt_u: bin(0x49), gt_s: bin(0x4a), gt_u: bin(0x4b),
  le_s: bin(0x4c), le_u: bin(0x4d), ge_s: bin(0x4e), ge_u: bin(0x4f),
  add: bin(0x6a), sub: bin(0x6b), mul: bin(0x6c), div_s: bin(0x6d), div_u: bin(0x6e), rem_s: bin(0x6f), rem_u: bin(0x70),
  and: bin(0x71), or: bin(0x72), xor: bin(0x73), shl: bin(0x74), shr_s: bin(0x75), shr_u: bin(0x76),
  trunc_f32_s: un(0xa8),
  reinterpret_f32: un(0xbc),
};

export const i64 = {
  load: mem(0x29, 3),
  store: store(0x37, 3),
};

export const f32 = {
  const: (x: number): Code => [0x43, ...f32Bytes(x)],
  load: mem(0x2a, 2),
  store: store(0x38, 2),
  eq: bin(0x5b), ne: bin(0x5c), lt: bin(0x5d), gt: bin(0x5e), le: bin(0x5f), ge: bin(0x60),
  abs: un(0x8b), neg: un(0x8c), ceil: un(0x8d), floor: un(0x8e), trunc: un(0x8f), nearest: un(0x90), sqrt: un(0x91),
  add: bin(0x92), sub: bin(0x93), mul: bin(0x94), div: bin(0x95), min: bin(0x96), max: bin(0x97),
  convert_i32_s: un(0xb2),
  demote_f64: un(0xb6),
  reinterpret_i32: un(0xbe),
};

const f64Scratch = new Float64Array(1);
const f64ScratchBytes = new Uint8Array(f64Scratch.buffer);

export const f64 = {
  const: (x: number): Code => {
    f64Scratch[0] = x;
    return [0x44, ...f64ScratchBytes];
  },
};

/** memory.copy / memory.fill (bulk memory), byte counts. */
export const memory = {
  copy: (dst: Code, src: Code, bytes: Code): Code => [dst, src, bytes, 0xfc, 10, 0, 0],
  fill: (dst: Code, byte: Code, bytes: Code): Code => [dst, byte, bytes, 0xfc, 11, 0],
};

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const vun = (op: number) => (a: Code): Code => [a, ...simd(op)];
const vbin = (op: number) => (a: Code, b: Code): Code => [a, b, ...simd(op)];

export const v128 = {
  /** A constant with the same f32 in all four lanes. */
  f32: (x: number): Code => [...simd(0x0c), ...f32Bytes(x), ...f32Bytes(x), ...f32Bytes(x), ...f32Bytes(x)],
  /** A constant with the same i32 in all four lanes. */
  i32: (n: number): Code => {
    const b = Array.from(new Uint8Array(new Int32Array([n]).buffer));
    return [...simd(0x0c), ...b, ...b, ...b, ...b];
  },
  load: (addr: Code, offset = 0): Code => [addr, ...simd(0x00), 4, ...uleb(offset)],
  load32_splat: (addr: Code, offset = 0): Code => [addr, ...simd(0x09), 2, ...uleb(offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, ...simd(0x0b), 4, ...uleb(offset)],
  and: vbin(0x4e), andnot: vbin(0x4f), or: vbin(0x50), xor: vbin(0x51),
  bitselect: (a: Code, b: Code, mask: Code): Code => [a, b, mask, ...simd(0x52)],
  /** Lane shuffle over 32-bit lanes (0–3 from a, 4–7 from b), encoded as i8x16.shuffle. */
  shuffle32: (a: Code, b: Code, lanes: readonly [number, number, number, number]): Code => [
    a, b, ...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ],
};

export const f64x2 = {
  splat: vun(0x14),
  sqrt: vun(0xef),
  add: vbin(0xf0), sub: vbin(0xf1), mul: vbin(0xf2), div: vbin(0xf3), min: vbin(0xf4), max: vbin(0xf5),
  promote_low_f32x4: vun(0x5f),
  /** Two f64 lanes → f32 lanes 0–1; lanes 2–3 are zero. */
  demote_to_f32x4_zero: vun(0x5e),
};

export const i32x4 = {
  splat: vun(0x11),
  shl: vbin(0xab), shr_s: vbin(0xac), shr_u: vbin(0xad), add: vbin(0xae), sub: vbin(0xb1),
  trunc_sat_f32x4_s: vun(0xf8),
};

export const f32x4 = {
  splat: vun(0x13),
  nearest: vun(0x6a),
  convert_i32x4_s: vun(0xfa),
  extract_lane: (a: Code, lane: number): Code => [a, ...simd(0x1f), lane],
  eq: vbin(0x41), ne: vbin(0x42), lt: vbin(0x43), gt: vbin(0x44), le: vbin(0x45), ge: vbin(0x46),
  abs: vun(0xe0), neg: vun(0xe1), sqrt: vun(0xe3),
  add: vbin(0xe4), sub: vbin(0xe5), mul: vbin(0xe6), div: vbin(0xe7), min: vbin(0xe8), max: vbin(0xe9),
  pmin: vbin(0xea), pmax: vbin(0xeb),
  /** Relaxed SIMD: a·b + c, fused or not as the hardware prefers. */
  relaxed_madd: (a: Code, b: Code, c: Code): Code => [a, b, c, ...simd(0x105)],
};

// ------------------------------------------------------------------ helpers

/** `for (i = start; i < end; i += step) body` (signed compare; `end` is re-read each pass). */
export function forRange(i: Local, start: Code, end: Code, step: Code, ...body: Code[]): Code {
  const brk = label('brk');
  const cont = label('cont');
  return [set(i, start), block(brk, loop(cont, br_if(brk, i32.ge_s(i, end)), body, set(i, i32.add(i, step)), br(cont)))];
}

/** `while (cond) body`. */
export function whileLoop(cond: Code, ...body: Code[]): Code {
  const brk = label('brk');
  const cont = label('cont');
  return block(brk, loop(cont, br_if(brk, i32.eqz(cond)), body, br(cont)));
}

// ------------------------------------------------------------------ functions

export class Func {
  readonly params: Local[];
  readonly locals: Local[] = [];
  body: Code = [];
  index = -1;

  constructor(readonly name: string, params: ReadonlyArray<readonly [string, ValType]>, readonly result: ValType | null, readonly exported: boolean) {
    this.params = params.map(([n, t], i) => new Local(i, t, n));
  }

  local(type: ValType, name = 'tmp'): Local {
    const l = new Local(this.params.length + this.locals.length, type, name);
    this.locals.push(l);
    return l;
  }

  /** The parameters by name, for destructuring. */
  get p(): Record<string, Local> {
    return Object.fromEntries(this.params.map((l) => [l.name, l]));
  }
}

function emit(code: Code, labels: Label[], out: number[]): void {
  if (typeof code === 'number') {
    out.push(code);
  } else if (code instanceof Local) {
    out.push(0x20, ...uleb(code.index));
  } else if (Array.isArray(code)) {
    for (const c of code as readonly Code[]) emit(c, labels, out);
  } else {
    const node = code as Control | Branch;
    if (node.kind === 'br' || node.kind === 'br_if') {
      const depth = labels.lastIndexOf(node.label);
      if (depth < 0) throw new Error(`assembler: branch to ${node.label.name} outside its block`);
      out.push(node.kind === 'br' ? 0x0c : 0x0d, ...uleb(labels.length - 1 - depth));
    } else {
      const ctl = node as Control;
      out.push(ctl.kind === 'block' ? 0x02 : ctl.kind === 'loop' ? 0x03 : 0x04, 0x40);
      labels.push(ctl.label);
      emit(ctl.body, labels, out);
      if (ctl.orElse !== undefined) {
        out.push(0x05);
        emit(ctl.orElse, labels, out);
      }
      labels.pop();
      out.push(0x0b);
    }
  }
}

export interface MemoryImport {
  initialPages: number;
  maximumPages: number;
  shared: boolean;
}

/** A module that imports one memory (`env.memory`) and defines functions. */
export class ModuleBuilder {
  readonly funcs: Func[] = [];

  constructor(readonly memoryImport: MemoryImport | null) {}

  func(name: string, params: ReadonlyArray<readonly [string, ValType]>, result: ValType | null, build: (f: Func) => Code, exported = true): Func {
    const f = new Func(name, params, result, exported);
    f.index = this.funcs.length;
    this.funcs.push(f);
    f.body = build(f);
    return f;
  }

  /** Declares a function whose body is set later (for mutual references). */
  declare(name: string, params: ReadonlyArray<readonly [string, ValType]>, result: ValType | null, exported = true): Func {
    const f = new Func(name, params, result, exported);
    f.index = this.funcs.length;
    this.funcs.push(f);
    return f;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id, ...uleb(content.length));
      append(out, content);
    };
    const types: string[] = [];
    const typeBytes: number[][] = [];
    const typeOf = (f: Func): number => {
      const t = [0x60, ...vec(f.params.map((p) => [VALTYPE[p.type]])), ...vec(f.result ? [[VALTYPE[f.result]]] : [])];
      const key = t.join(',');
      let i = types.indexOf(key);
      if (i < 0) {
        i = types.push(key) - 1;
        typeBytes.push(t);
      }
      return i;
    };
    const funcTypes = this.funcs.map(typeOf);
    const m = this.memoryImport;
    const imports = m
      ? vec([[...str('env'), ...str('memory'), 0x02, m.shared ? 0x03 : 0x01, ...uleb(m.initialPages), ...uleb(m.maximumPages)]])
      : vec([]);
    const exports = vec(this.funcs.filter((f) => f.exported).map((f) => [...str(f.name), 0x00, ...uleb(f.index)]));
    const code = uleb(this.funcs.length);
    for (const f of this.funcs) {
      // Locals are declared as runs of one type.
      const runs: number[][] = [];
      for (const l of f.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === VALTYPE[l.type]) last[0]++;
        else runs.push([1, VALTYPE[l.type]]);
      }
      const body = vec(runs.map(([n, t]) => [...uleb(n), t]));
      emit(f.body, [], body);
      body.push(0x0b);
      append(append(code, uleb(body.length)), body);
    }
    section(1, vec(typeBytes));
    section(2, imports);
    section(3, vec(funcTypes.map((t) => uleb(t))));
    section(7, exports);
    section(10, code);
    return new Uint8Array(out);
  }
}

/** `call f(args…)`. */
export const call = (f: Func, ...args: Code[]): Code => [args, 0x10, ...uleb(f.index)];
