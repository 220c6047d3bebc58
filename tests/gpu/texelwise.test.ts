/**
 * The GL texel kernels' read patterns (src/tensor/backends/gpu/texelwise.ts):
 * which broadcast operands read texel by texel. The kernels themselves are
 * checked against the js reference in every GL mode (checks.ts).
 */
import { expect, test } from 'vitest';
import { texelRead } from '../../src/tensor/backends/gpu/texelwise.js';

test('texelRead: same index, one value, a repeated block of 4k values, or none', () => {
  expect(texelRead([8, 1], [3, 8])).toBe('i');
  expect(texelRead([0, 8, 1], [1, 3, 8])).toBe('i'); // a size-1 dimension's stride does not matter
  expect(texelRead([0, 0], [3, 8])).toBe('0');
  expect(texelRead([0, 1], [3, 8])).toEqual({ period: 8 }); // a bias over rows
  expect(texelRead([0, 0, 4, 1], [2, 3, 5, 4])).toEqual({ period: 20 });
  expect(texelRead([0, 1], [3, 6])).toBeNull(); // blocks of 6 do not start on texels
  expect(texelRead([1, 0], [3, 8])).toBeNull(); // a column repeated along rows
  expect(texelRead([8, 0, 1], [2, 3, 8])).toBeNull(); // repeated in the middle
  expect(texelRead([1, 3], [3, 8])).toBeNull(); // transposed
});
