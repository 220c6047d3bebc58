/**
 * Matmul in hand-written GLSL (webgl2, webgl, headlessgl), through GPU.js's
 * native-function hook.
 *
 * Why: GPU.js's generated code reads one scalar per texture fetch and finds
 * its texel with an integer division and modulo each time (integer division
 * is emulated on SwiftShader, a CPU rasterizer); a matmul does that 2k times
 * per output. Here each thread computes four outputs — one RGBA texel of the
 * result, our storage layout (4 consecutive values per texel) — and reads
 * whole texels where the layout allows:
 *
 *   NN, k and n multiples of 4: a = A[i, q..q+3] (one texel), b_r = B[q+r, j..j+3]
 *       (four texels);  acc += a.x·b_0 + a.y·b_1 + a.z·b_2 + a.w·b_3     5 fetches per 16 multiply-adds
 *   NT, k a multiple of 4: a = A[i, q..q+3], b_c = B[j+c, q..q+3];  acc[c] += dot(a, b_c)   5 per 16
 *   B rows read whole (n a multiple of 4, B not transposed), any k, A either way:
 *       a = A[i, q] (one channel of a texel), b = B[q, j..j+3];  acc += a·b                 2 per 4
 *   anything else: four outputs, each a loop of scalar reads                                 2 per 1
 *
 * Addressing uses float arithmetic (exact below 2^24) with the operands'
 * texture widths baked in as constants: texel t of a texture w wide sits at
 * (t − w·⌊t/w⌋, ⌊t/w⌋), ⌊t/w⌋ taken as floor((t + 0.5)·(1/w)), once per walk:
 * walking along a row of A (1 texel a step) or down a column of B (n/4 texels)
 * keeps the (column, row) position and adds a constant (column, row) step with
 * one compare for the wrap — no floor, multiply or integer division (emulated,
 * slow, on SwiftShader) per fetch; `texture()` rather than `texelFetch` (faster
 * there). Measured on SwiftShader, 512³ with readback: 680 ms with a floor per
 * fetch, 200 ms walking (tfjs-webgl: 203 ms). The same GLSL serves GLSL ES 3.00
 * (webgl2) and 1.00 (webgl, headlessgl: `texture2D`, and a channel picked with
 * a dot product instead of a dynamic index).
 */
import type { MatmulParams } from '../../backend.js';
import type { NativeFunction } from './runner.js';

export interface GLTextureLike {
  texture: unknown;
  size: ArrayLike<number>;
  context: unknown;
  kernel: unknown;
  internalFormat: unknown;
  textureFormat: unknown;
  constructor: new (settings: Record<string, unknown>) => GLTextureLike;
  delete(): void;
}

export const isTexture = (v: unknown): v is GLTextureLike => !!v && typeof v === 'object' && 'texture' in v && 'size' in v;

/** A float literal for GLSL. */
const f = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

export interface NativeMatmul {
  source: string;
  threads: number;
  functions: NativeFunction[];
  /** Rewraps the Array(4) result texture as a flat storage texture of n values (GPU.js's memory-optimized kind). */
  asFlat(value: unknown, n: number): unknown;
}

/** GLSL helpers reading texel `t` (and element `e`) of the sampler `s` of size (w, h). */
export function readers(glsl3: boolean, name: string, w: number, h: number): string {
  const tex = glsl3 ? 'texture' : 'texture2D';
  return [
    `vec4 ${name}Texel(float t) { float y = floor((t + 0.5) * ${f(1 / w)}); return ${tex}(user_${name}, vec2(t - y * ${f(w)} + 0.5, y + 0.5) * vec2(${f(1 / w)}, ${f(1 / h)})); }`,
    // Element e: texel ⌊e/4⌋, channel e mod 4, picked with a dot product (GLSL 1.00 has no dynamic vector index).
    `float ${name}At(float e) { float t = floor((e + 0.5) * 0.25); float c = e - t * 4.0; return dot(${name}Texel(t), vec4(equal(vec4(c), vec4(0.0, 1.0, 2.0, 3.0)))); }`,
    // Walking with a constant stride: the texel's (column, row) kept and advanced, one compare per step instead of a floor and a multiply.
    `vec2 ${name}Pos(float t) { float y = floor((t + 0.5) * ${f(1 / w)}); return vec2(t - y * ${f(w)}, y); }`,
    `vec4 ${name}TexelAt(vec2 p) { return ${tex}(user_${name}, (p + 0.5) * vec2(${f(1 / w)}, ${f(1 / h)})); }`,
    `vec2 ${name}Advance(vec2 p, vec2 d) { p += d; if (p.x >= ${f(w)}) { p.x -= ${f(w)}; p.y += 1.0; } return p; }`,
  ].join('\n');
}

/**
 * The GLSL of a matmul kernel for these operands, or null where the operands
 * are not textures (the portable kernel runs instead).
 */
export function matmulNative(p: MatmulParams, a: unknown, b: unknown, glsl3: boolean): NativeMatmul | null {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  if (!isTexture(a) || !isTexture(b)) return null;
  const [wa, ha] = [a.size[0], a.size[1]];
  const [wb, hb] = [b.size[0], b.size[1]];
  // A[b, i, q] and B[b, q, j] as flat element indices (aRow/aCol, bRow/bCol: the layouts' steps).
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  const vecRows = n % 4 === 0 && (batch === 1 || (strideB % 4 === 0 && (m * n) % 4 === 0));
  const lines: string[] = [
    // Output texel t holds flat outputs 4t..4t+3; with n % 4 = 0 they share a row.
    'float tf = float(t);',
  ];
  /** A walk of `d` texels in a texture `w` wide, as a (column, row) step. */
  const step = (d: number, w: number): string => `vec2(${f(d % w)}, ${f(Math.floor(d / w))})`;
  let body: string;
  if (vecRows && !transB) {
    const n4 = n / 4;
    lines.push(
      `float row = floor((tf + 0.5) * ${f(1 / n4)});`, // batch·m + i
      `float j4 = tf - row * ${f(n4)};`,
      `float bi = floor((row + 0.5) * ${f(1 / m)});`,
      `float i = row - bi * ${f(m)};`,
      `float aBase = bi * ${f(strideA)} + i * ${f(aRow)};`,
      `float bT = (bi * ${f(strideB)}) * 0.25 + j4;`,
      'vec4 acc = vec4(0.0);',
    );
    const alignedA = !transA && k % 4 === 0 && (batch === 1 || strideA % 4 === 0);
    if (alignedA) {
      // A row of A: texels one apart; a column of B: n/4 apart. Each as a (column, row) step in its texture.
      lines.push(
        'vec2 aP = aPos(aBase * 0.25);',
        'vec2 bP = bPos(bT);',
        `vec2 aD = ${step(1, wa)}; vec2 bD = ${step(n4, wb)};`,
        `for (int q = 0; q < ${k / 4}; q++) {`,
        '  vec4 av = aTexelAt(aP); aP = aAdvance(aP, aD);',
        '  vec4 b0 = bTexelAt(bP); bP = bAdvance(bP, bD);',
        '  vec4 b1 = bTexelAt(bP); bP = bAdvance(bP, bD);',
        '  vec4 b2 = bTexelAt(bP); bP = bAdvance(bP, bD);',
        '  vec4 b3 = bTexelAt(bP); bP = bAdvance(bP, bD);',
        '  acc += av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;',
        '}',
      );
    } else {
      lines.push(
        'float ae = aBase;',
        'vec2 bP = bPos(bT);',
        `vec2 bD = ${step(n4, wb)};`,
        `for (int q = 0; q < ${k}; q++) {`,
        `  acc += aAt(ae) * bTexelAt(bP); ae += ${f(aCol)}; bP = bAdvance(bP, bD);`,
        '}',
      );
    }
    lines.push('return acc;');
    body = lines.join('\n  ');
  } else if (vecRows && transB && !transA && k % 4 === 0 && (batch === 1 || (strideA % 4 === 0 && strideB % 4 === 0))) {
    const n4 = n / 4, k4 = k / 4;
    lines.push(
      `float row = floor((tf + 0.5) * ${f(1 / n4)});`,
      `float j = (tf - row * ${f(n4)}) * 4.0;`,
      `float bi = floor((row + 0.5) * ${f(1 / m)});`,
      `float i = row - bi * ${f(m)};`,
      `float aT = (bi * ${f(strideA)} + i * ${f(k)}) * 0.25;`,
      // B stored [n, k]: rows j..j+3 are four runs of k/4 texels.
      `float bT = (bi * ${f(strideB)} + j * ${f(k)}) * 0.25;`,
      'vec4 acc = vec4(0.0);',
      'vec2 aP = aPos(aT);',
      `vec2 b0 = bPos(bT); vec2 b1 = bPos(bT + ${f(k4)}); vec2 b2 = bPos(bT + ${f(2 * k4)}); vec2 b3 = bPos(bT + ${f(3 * k4)});`,
      `vec2 aD = ${step(1, wa)}; vec2 bD = ${step(1, wb)};`,
      `for (int q = 0; q < ${k4}; q++) {`,
      '  vec4 av = aTexelAt(aP); aP = aAdvance(aP, aD);',
      '  acc += vec4(dot(av, bTexelAt(b0)), dot(av, bTexelAt(b1)), dot(av, bTexelAt(b2)), dot(av, bTexelAt(b3)));',
      '  b0 = bAdvance(b0, bD); b1 = bAdvance(b1, bD); b2 = bAdvance(b2, bD); b3 = bAdvance(b3, bD);',
      '}',
      'return acc;',
    );
    body = lines.join('\n  ');
  } else {
    // Any shape: four outputs, each its own row and column, scalar reads.
    const one = (c: number): string[] => [
      `{ float o = tf * 4.0 + ${f(c)};`,
      `  float bi = floor((o + 0.5) * ${f(1 / (m * n))}); float r = o - bi * ${f(m * n)};`,
      `  float i = floor((r + 0.5) * ${f(1 / n)}); float j = r - i * ${f(n)};`,
      `  float ae = bi * ${f(strideA)} + i * ${f(aRow)}; float be = bi * ${f(strideB)} + j * ${f(bCol)};`,
      `  float s = 0.0;`,
      `  for (int q = 0; q < ${k}; q++) { s += aAt(ae) * bAt(be); ae += ${f(aCol)}; be += ${f(bRow)}; }`,
      `  acc[${c}] = s; }`,
    ];
    body = [...lines, 'vec4 acc = vec4(0.0);', ...one(0), ...one(1), ...one(2), ...one(3), 'return acc;'].join('\n  ');
  }
  const name = 'genzooMatmul';
  return {
    source: `function (a, b) { return ${name}(this.thread.x); }`,
    threads: Math.ceil((batch * m * n) / 4),
    functions: [{
      name, returnType: 'Array(4)',
      // The prototype first: GPU.js reads the argument list of the first function in a native source.
      source: `vec4 ${name}(int t);\n${readers(glsl3, 'a', wa, ha)}\n${readers(glsl3, 'b', wb, hb)}\nvec4 ${name}(int t) {\n  ${body}\n}`,
    }],
    asFlat: (value: unknown, total: number) => asFlat(a, value, total),
  };
}

/**
 * Rewraps the texture of an Array(4) kernel's result as a flat storage texture
 * of `total` values: GPU.js's memory-optimized kind (every gpu storage
 * texture is one, `like` among them), which reads 4 values per texel as written.
 */
export function asFlat(like: GLTextureLike, value: unknown, total: number): unknown {
  const t = value as GLTextureLike;
  const MemoryOptimized = like.constructor;
  const flat = new MemoryOptimized({
    texture: t.texture, size: t.size, dimensions: [total, 1, 1], output: [total], context: t.context,
    kernel: t.kernel, internalFormat: t.internalFormat, textureFormat: t.textureFormat,
  });
  t.delete(); // the new wrapper holds the GL texture now (GPU.js counts references per texture)
  return flat;
}
