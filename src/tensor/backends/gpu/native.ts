/**
 * Matmul in hand-written GLSL (webgl2), through GPU.js's native-function
 * hook. GPU.js's generated code reads one scalar per texture fetch, with an
 * integer division and modulo per read to find the texel; a matmul does k of
 * those per output. Here each thread computes four outputs C[i, j..j+3] — one
 * texel of the result — and reads whole texels:
 *
 *   NN: a = A[i, q..q+3] (one texel), b_r = B[q+r, j..j+3] (four texels);
 *       acc += a.x·b_0 + a.y·b_1 + a.z·b_2 + a.w·b_3      5 fetches per 16 multiply-adds
 *   NT: a = A[i, q..q+3], b_c = B[j+c, q..q+3];  acc[c] += dot(a, b_c)   also 5 per 16
 *   TN: a = A[q, i] (one channel), b = B[q, j..j+3];  acc += a·b        2 per 4
 *
 * The texel coordinates walk incrementally (x + 1, or + a fixed step, with a
 * carry into y) from a start computed once per thread: no division in the
 * inner loop. The operands' texture widths are baked in when the shader is
 * generated (a kernel per shape and layout, cached like every other).
 * Storage layout (4 consecutive values per texel, flat) is that of every gpu
 * storage; the result is an 'Array(4)' texture of the same layout, rewrapped
 * as the memory-optimized texture GPU.js's own kernels read (`asFlat`).
 *
 * Shapes this does not cover (batches, n or k not a multiple of 4, both
 * operands transposed, the other modes) use the portable kernel (kernels.ts).
 */
import type { MatmulParams } from '../../backend.js';
import type { NativeFunction } from './runner.js';

interface GLTextureLike {
  texture: unknown;
  size: ArrayLike<number>;
  context: unknown;
  kernel: unknown;
  internalFormat: unknown;
  textureFormat: unknown;
  constructor: new (settings: Record<string, unknown>) => GLTextureLike;
  delete(): void;
}

const isTexture = (v: unknown): v is GLTextureLike => !!v && typeof v === 'object' && 'texture' in v && 'size' in v;

/** GLSL that keeps (x, y) walking over texels `step` apart in a texture `w` wide. */
function advance(x: string, y: string, step: number, w: number): string {
  const dx = step % w;
  const dy = Math.floor(step / w);
  return `${x} += ${dx}; ${dy ? `${y} += ${dy}; ` : ''}if (${x} >= ${w}) { ${x} -= ${w}; ${y} += 1; }`;
}

export interface NativeMatmul {
  source: string;
  threads: number;
  functions: NativeFunction[];
  /** Rewraps the Array(4) result texture as a flat storage texture of n values. */
  asFlat(value: unknown, n: number): unknown;
}

export function matmulNative(p: MatmulParams, a: unknown, b: unknown): NativeMatmul | null {
  const { batch, m, n, k, transA, transB } = p;
  if (batch !== 1 || n % 4 || k % 4 || (transA && transB) || (transA && m % 4)) return null;
  if (!isTexture(a) || !isTexture(b)) return null;
  const wa = a.size[0];
  const wb = b.size[0];
  const n4 = n / 4, k4 = k / 4, m4 = m / 4;
  const start = (t: string, w: number, x: string, y: string): string => `int ${x} = (${t}) % ${w}; int ${y} = (${t}) / ${w};`;
  let body: string;
  if (!transA && !transB) {
    body = [
      `int i = t / ${n4}; int j4 = t - i * ${n4};`,
      start(`i * ${k4}`, wa, 'ax', 'ay'),
      start('j4', wb, 'bx', 'by'),
      'vec4 acc = vec4(0.0);',
      `for (int q = 0; q < ${k4}; q++) {`,
      '  vec4 av = texelFetch(user_a, ivec2(ax, ay), 0);',
      `  ${advance('ax', 'ay', 1, wa)}`,
      '  vec4 b0 = texelFetch(user_b, ivec2(bx, by), 0);',
      `  ${advance('bx', 'by', n4, wb)}`,
      '  vec4 b1 = texelFetch(user_b, ivec2(bx, by), 0);',
      `  ${advance('bx', 'by', n4, wb)}`,
      '  vec4 b2 = texelFetch(user_b, ivec2(bx, by), 0);',
      `  ${advance('bx', 'by', n4, wb)}`,
      '  vec4 b3 = texelFetch(user_b, ivec2(bx, by), 0);',
      `  ${advance('bx', 'by', n4, wb)}`,
      '  acc += av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;',
      '}',
      'return acc;',
    ].join('\n  ');
  } else if (!transA && transB) {
    // B stored [n, k]: rows j..j+3 of B are four texel runs, each walking one texel per q-step.
    body = [
      `int i = t / ${n4}; int j = (t - i * ${n4}) * 4;`,
      start(`i * ${k4}`, wa, 'ax', 'ay'),
      ...[0, 1, 2, 3].map((c) => start(`(j + ${c}) * ${k4}`, wb, `x${c}`, `y${c}`)),
      'vec4 acc = vec4(0.0);',
      `for (int q = 0; q < ${k4}; q++) {`,
      '  vec4 av = texelFetch(user_a, ivec2(ax, ay), 0);',
      `  ${advance('ax', 'ay', 1, wa)}`,
      ...[0, 1, 2, 3].map((c) => `  acc[${c}] += dot(av, texelFetch(user_b, ivec2(x${c}, y${c}), 0)); ${advance(`x${c}`, `y${c}`, 1, wb)}`),
      '}',
      'return acc;',
    ].join('\n  ');
  } else {
    // A stored [k, m]: A[q, i] is channel i % 4 of texel (q·m + i)/4, one texel-row of A per q.
    body = [
      `int i = t / ${n4}; int j4 = t - i * ${n4};`,
      'int ch = i - (i / 4) * 4;',
      start('i / 4', wa, 'ax', 'ay'),
      start('j4', wb, 'bx', 'by'),
      'vec4 acc = vec4(0.0);',
      `for (int q = 0; q < ${k}; q++) {`,
      '  float av = texelFetch(user_a, ivec2(ax, ay), 0)[ch];',
      `  ${advance('ax', 'ay', m4, wa)}`,
      '  acc += av * texelFetch(user_b, ivec2(bx, by), 0);',
      `  ${advance('bx', 'by', n4, wb)}`,
      '}',
      'return acc;',
    ].join('\n  ');
  }
  const name = 'genzooMatmul';
  const MemoryOptimized = a.constructor; // every gpu storage texture is GPU.js's memory-optimized kind
  return {
    source: `function (a, b) { return ${name}(this.thread.x); }`,
    threads: (m * n) / 4,
    functions: [{ name, returnType: 'Array(4)', source: `vec4 ${name}(int t) {\n  ${body}\n}` }],
    asFlat(value: unknown, total: number) {
      const t = value as GLTextureLike;
      const flat = new MemoryOptimized({
        texture: t.texture, size: t.size, dimensions: [total, 1, 1], output: [total], context: t.context,
        kernel: t.kernel, internalFormat: t.internalFormat, textureFormat: t.textureFormat,
      });
      t.delete(); // the new wrapper holds the GL texture now (GPU.js counts references per texture)
      return flat;
    },
  };
}
