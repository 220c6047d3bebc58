/**
 * Reference matmul. Each transpose layout gets the loop order that walks
 * memory contiguously in the innermost loop, so no transposed copy is made.
 */
import type { FloatArray } from '../../dtype.js';
import type { MatmulParams } from '../../backend.js';

export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA;
    const bo = bi * strideB;
    const oo = bi * m * n;
    out.fill(0, oo, oo + m * n);
    if (!transA && !transB) {
      // out[i,:] += A[i,p] * B[p,:]
      for (let i = 0; i < m; i++) {
        const row = oo + i * n;
        for (let q = 0; q < k; q++) {
          const av = a[ao + i * k + q];
          const br = bo + q * n;
          for (let j = 0; j < n; j++) out[row + j] += av * b[br + j];
        }
      }
    } else if (!transA && transB) {
      // out[i,j] = A[i,:] · B[j,:] (B stored [n, k])
      for (let i = 0; i < m; i++) {
        const ar = ao + i * k;
        for (let j = 0; j < n; j++) {
          const br = bo + j * k;
          let s = 0;
          for (let q = 0; q < k; q++) s += a[ar + q] * b[br + q];
          out[oo + i * n + j] = s;
        }
      }
    } else if (transA && !transB) {
      // A stored [k, m]: out[i,:] += A[p,i] * B[p,:]
      for (let q = 0; q < k; q++) {
        const ar = ao + q * m;
        const br = bo + q * n;
        for (let i = 0; i < m; i++) {
          const av = a[ar + i];
          const row = oo + i * n;
          for (let j = 0; j < n; j++) out[row + j] += av * b[br + j];
        }
      }
    } else {
      // Both transposed: A stored [k, m], B stored [n, k].
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += a[ao + q * m + i] * b[bo + j * k + q];
          out[oo + i * n + j] = s;
        }
      }
    }
  }
}
