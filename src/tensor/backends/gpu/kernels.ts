/**
 * The GPU.js kernel functions. GPU.js reads each function's source text and
 * translates it to GLSL (webgl, webgl2, headlessgl), WGSL (webgpu), WebAssembly
 * (webasm) or plain JavaScript (cpu), so these bodies use only what that
 * translator understands: `this.thread`, `this.constants`, numbers, `for`,
 * `if`, `Math.floor`. No closures, no helpers, no typed-array methods.
 *
 * Every kernel computes one rectangular tile of a 2-D output:
 *   thread.x → column (within the tile), thread.y → row (within the tile),
 * and the tile's position comes in as two arguments (`rowOff`, `colOff`) so
 * one compiled kernel serves every tile of the same size (see runner.ts).
 * Shapes are compile-time `constants`: loops get fixed bounds (WebGL 1 needs
 * them) and each shape gets its own kernel, cached.
 *
 * Integer division: shader division is not exact (GLSL computes a·(1/b) to a
 * few ulps), so `Math.floor(r / m)` can land one below for r = 3m. We divide
 * `r + 0.5`, which is at least 0.5/m away from any integer, so the floor is
 * right for every r below ~2^22/m·m, far past what one kernel call sees
 * (operands are capped at 2^24 elements, see runner.ts).
 *
 * Summation order follows the js reference (src/tensor/backends/js) so the
 * results differ from it only by float32 rounding, not by reassociation.
 */

/** What `this` is inside a kernel; GPU.js supplies it. */
export interface KernelThis<C> {
  thread: { x: number; y: number; z: number };
  constants: C;
}

/**
 * out[row, j] over rows = batch·m: out[b,i,j] = Σ_q A[b,i,q]·B[b,q,j].
 * A[b,i,q] sits at strideA·b + aRow·i + aCol·q, so one kernel reads plain and
 * transposed layouts alike (transA: aRow = 1, aCol = m; otherwise aRow = k,
 * aCol = 1; likewise B with bRow, bCol).
 */
export type MatmulConstants = {
  m: number; k: number;
  strideA: number; strideB: number;
  aRow: number; aCol: number; bRow: number; bCol: number;
};

export function matmulKernel(this: KernelThis<MatmulConstants>, a: Float32Array, b: Float32Array, rowOff: number, colOff: number): number {
  const row = this.thread.y + rowOff;
  const j = this.thread.x + colOff;
  const bi = Math.floor((row + 0.5) / this.constants.m);
  const i = row - bi * this.constants.m;
  const ao = bi * this.constants.strideA + i * this.constants.aRow;
  const bo = bi * this.constants.strideB + j * this.constants.bCol;
  let s = 0;
  for (let q = 0; q < this.constants.k; q++) {
    s += a[ao + q * this.constants.aCol] * b[bo + q * this.constants.bRow];
  }
  return s;
}

/** The Conv2dParams fields a conv kernel reads (all compile-time constants). */
export type ConvConstants = {
  c: number; h: number; w: number;
  o: number; kh: number; kw: number;
  ho: number; wo: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
};

/**
 * Forward: y[n, oc, oy, ox] = Σ_{ci,ki,kj} x[n, ci, iy, ix] · w[oc, ci, ki, kj],
 * iy = oy·strideH − padH + ki·dilationH (likewise ix); taps outside the image are 0.
 * Output rows = n·o (image, channel), columns = ho·wo (pixel).
 */
export function conv2dKernel(this: KernelThis<ConvConstants>, x: Float32Array, w: Float32Array, rowOff: number, colOff: number): number {
  const row = this.thread.y + rowOff;
  const col = this.thread.x + colOff;
  const ni = Math.floor((row + 0.5) / this.constants.o);
  const oc = row - ni * this.constants.o;
  const oy = Math.floor((col + 0.5) / this.constants.wo);
  const ox = col - oy * this.constants.wo;
  let s = 0;
  for (let ci = 0; ci < this.constants.c; ci++) {
    const xBase = (ni * this.constants.c + ci) * this.constants.h;
    const wBase = (oc * this.constants.c + ci) * this.constants.kh;
    for (let ki = 0; ki < this.constants.kh; ki++) {
      const iy = oy * this.constants.strideH - this.constants.padH + ki * this.constants.dilationH;
      if (iy >= 0 && iy < this.constants.h) {
        for (let kj = 0; kj < this.constants.kw; kj++) {
          const ix = ox * this.constants.strideW - this.constants.padW + kj * this.constants.dilationW;
          if (ix >= 0 && ix < this.constants.w) {
            s += x[(xBase + iy) * this.constants.w + ix] * w[(wBase + ki) * this.constants.kw + kj];
          }
        }
      }
    }
  }
  return s;
}

/**
 * Input gradient (and convTranspose2d's forward), as a gather:
 *   dx[n, ci, iy, ix] = Σ_{ki,kj} Σ_oc dy[n, oc, oy, ox] · w[oc, ci, ki, kj]
 * over the taps whose output pixel exists: oy = (iy + padH − ki·dilationH) / strideH
 * must be a whole number in [0, ho) (likewise ox). The inner Σ_oc is summed
 * first, then added tap by tap: the reference's Wᵀ·dY then col2im order.
 * Output rows = n·c, columns = h·w.
 */
export function conv2dGradInputKernel(this: KernelThis<ConvConstants>, dy: Float32Array, w: Float32Array, rowOff: number, colOff: number): number {
  const row = this.thread.y + rowOff;
  const col = this.thread.x + colOff;
  const ni = Math.floor((row + 0.5) / this.constants.c);
  const ci = row - ni * this.constants.c;
  const iy = Math.floor((col + 0.5) / this.constants.w);
  const ix = col - iy * this.constants.w;
  let s = 0;
  for (let ki = 0; ki < this.constants.kh; ki++) {
    const ty = iy + this.constants.padH - ki * this.constants.dilationH;
    const oy = Math.floor((ty + 0.5) / this.constants.strideH);
    if (ty >= 0 && oy * this.constants.strideH === ty && oy < this.constants.ho) {
      for (let kj = 0; kj < this.constants.kw; kj++) {
        const tx = ix + this.constants.padW - kj * this.constants.dilationW;
        const ox = Math.floor((tx + 0.5) / this.constants.strideW);
        if (tx >= 0 && ox * this.constants.strideW === tx && ox < this.constants.wo) {
          let t = 0;
          for (let oc = 0; oc < this.constants.o; oc++) {
            t += dy[((ni * this.constants.o + oc) * this.constants.ho + oy) * this.constants.wo + ox] *
              w[((oc * this.constants.c + ci) * this.constants.kh + ki) * this.constants.kw + kj];
          }
          s += t;
        }
      }
    }
  }
  return s;
}

/**
 * Weight gradient, one image at a time:
 *   part[n, oc, (ci,ki,kj)] = Σ_{oy,ox} dy[n, oc, oy, ox] · x[n, ci, iy, ix]
 * Output rows = n·o, columns = c·kh·kw. The host adds the per-image parts in
 * image order (dW = Σ_n part[n]), as the reference does; splitting by image
 * also gives the GPU n·o·c·kh·kw threads instead of o·c·kh·kw long loops.
 */
export function conv2dGradWeightKernel(this: KernelThis<ConvConstants>, x: Float32Array, dy: Float32Array, rowOff: number, colOff: number): number {
  const row = this.thread.y + rowOff;
  const col = this.thread.x + colOff;
  const ni = Math.floor((row + 0.5) / this.constants.o);
  const oc = row - ni * this.constants.o;
  const kk = this.constants.kh * this.constants.kw;
  const ci = Math.floor((col + 0.5) / kk);
  const tap = col - ci * kk;
  const ki = Math.floor((tap + 0.5) / this.constants.kw);
  const kj = tap - ki * this.constants.kw;
  const xBase = (ni * this.constants.c + ci) * this.constants.h;
  const dyBase = (ni * this.constants.o + oc) * this.constants.ho;
  let s = 0;
  for (let oy = 0; oy < this.constants.ho; oy++) {
    const iy = oy * this.constants.strideH - this.constants.padH + ki * this.constants.dilationH;
    if (iy >= 0 && iy < this.constants.h) {
      for (let ox = 0; ox < this.constants.wo; ox++) {
        const ix = ox * this.constants.strideW - this.constants.padW + kj * this.constants.dilationW;
        if (ix >= 0 && ix < this.constants.w) {
          s += dy[(dyBase + oy) * this.constants.wo + ox] * x[(xBase + iy) * this.constants.w + ix];
        }
      }
    }
  }
  return s;
}
