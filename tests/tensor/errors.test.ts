/**
 * Bad input gets a clear error: shape mismatches name the op and both shapes;
 * bad dimensions, axes, paddings, permutations and labels say what was wrong.
 */
import { describe, expect, test } from 'vitest';
import * as gz from '../../src/index.js';
import { ones, tensor, zeros } from '../../src/index.js';

describe('shape mismatches name the op and both shapes', () => {
  test('add / mul / where', () => {
    expect(() => zeros([2, 3]).add(zeros([3, 2]))).toThrow(/^add: shapes \[2, 3\] and \[3, 2\] cannot be broadcast together/);
    expect(() => gz.mul(zeros([4]), zeros([5]))).toThrow(/^mul: shapes \[4\] and \[5\]/);
    expect(() => gz.maximum(zeros([2, 2]), zeros([3]))).toThrow(/^maximum: shapes \[2, 2\] and \[3\]/);
    expect(() => gz.where(zeros([2]), zeros([3]), 0)).toThrow(/^where: shapes \[2\] \(condition\), \[3\] and \[\]/);
  });

  test('matmul: inner dimensions, batch dimensions, ranks, transposes', () => {
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow(/^matmul: shapes \[2, 3\] and \[2, 3\] are not aligned \(inner dimensions 3 vs 2\)/);
    expect(() => zeros([2, 3]).matmul(zeros([3, 2]), { transA: true })).toThrow(/^matmul: shapes \[2, 3\]ᵀ and \[3, 2\] are not aligned \(inner dimensions 2 vs 3\)/);
    expect(() => zeros([2, 3]).matmul(zeros([3, 2]), { transB: true })).toThrow(/\[2, 3\] and \[3, 2\]ᵀ/);
    expect(() => zeros([2, 2, 3, 4]).matmul(zeros([5, 4, 6]))).toThrow(/^matmul: batch dimensions of \[2, 2, 3, 4\] and \[5, 4, 6\] cannot be broadcast/);
    expect(() => zeros([3]).matmul(zeros([4]))).toThrow(/^matmul: shapes \[3\] and \[4\] are not aligned \(inner dimensions 3 vs 4\)/);
    expect(() => zeros([2, 3]).matmul(zeros([4]))).toThrow(/^matmul: shapes \[2, 3\] and \[4\] are not aligned/);
    expect(() => zeros([4]).matmul(zeros([2, 3, 5]))).toThrow(/^matmul: shapes \[4\] and \[2, 3, 5\] are not aligned \(inner dimensions 4 vs 3\)/);
    expect(() => gz.matmul(tensor(1), zeros([1]))).toThrow(/matmul: operands must have at least 1 dimension, got \[\] and \[1\]/);
    expect(() => zeros([3]).matmul(zeros([3, 2]), { transB: true })).toThrow(/transpose flags need operands with at least 2 dimensions/);
    expect(() => gz.matmul(zeros([2, 2]), 3 as never)).toThrow(/matmul: both operands must be Tensors/);
  });

  test('linear', () => {
    expect(() => gz.linear(zeros([2, 3]), zeros([4, 2]))).toThrow(/^linear: input \[2, 3\] does not end in 2 features \(weight \[4, 2\]\)/);
    expect(() => gz.linear(zeros([2, 3]), zeros([4, 3]), zeros([5]))).toThrow(/^linear: bias \[5\] does not match weight \[4, 3\]/);
    expect(() => gz.linear(zeros([2, 3]), zeros([3]))).toThrow(/^linear: weight must be 2-D/);
  });

  test('conv2d and convTranspose2d', () => {
    expect(() => zeros([1, 1, 4, 4]).conv2d(zeros([1, 2, 2, 2]))).toThrow(/^conv2d: input \[1, 1, 4, 4\] has 1 channels but weight \[1, 2, 2, 2\] expects 2/);
    expect(() => zeros([1, 4, 4]).conv2d(zeros([1, 1, 2, 2]))).toThrow(/^conv2d: input must be 4-D \[N, C, H, W\], got \[1, 4, 4\]/);
    expect(() => zeros([1, 1, 4, 4]).conv2d(zeros([1, 1, 2]))).toThrow(/^conv2d: weight must be 4-D/);
    expect(() => zeros([1, 1, 2, 2]).conv2d(zeros([1, 1, 3, 3]))).toThrow(/^conv2d: kernel 3×3 \(dilation 1×1\) does not fit input 2×2 with padding 0×0/);
    expect(() => zeros([1, 1, 4, 4]).conv2d(zeros([2, 1, 2, 2]), zeros([3]))).toThrow(/^conv2d: bias \[3\] does not match 2 output channels/);
    expect(() => zeros([1, 2, 3, 3]).convTranspose2d(zeros([3, 1, 2, 2]))).toThrow(/^convTranspose2d: input \[1, 2, 3, 3\] has 2 channels but weight \[3, 1, 2, 2\] expects 3/);
    expect(() => zeros([1, 1, 1, 1]).convTranspose2d(zeros([1, 1, 1, 1]), null, { padding: 1 })).toThrow(/convTranspose2d: output size -1×-1 is not positive/);
  });

  test('reshape, expand, concat, stack', () => {
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow(/^reshape: cannot reshape tensor of shape \[2, 3\] \(6 elements\) into \[4, 2\] \(8 elements\)/);
    expect(() => zeros([2, 3]).reshape([4, -1])).toThrow(/^reshape: cannot reshape tensor of shape \[2, 3\] \(6 elements\) into \[4, -1\]/);
    expect(() => zeros([2, 3]).reshape([-1, -1])).toThrow(/only one dimension can be -1/);
    expect(() => zeros([2, 3]).reshape([NaN, 6])).toThrow(/reshape: invalid dimension NaN/);
    expect(() => zeros([2, 3]).reshape([-2, -3])).toThrow(/reshape: invalid dimension -2/);
    expect(() => zeros([2, 3]).reshape('6' as never)).toThrow(/reshape: shape must be an array/);
    expect(() => zeros([2, 3]).expand([4, 3])).toThrow(/^expand: cannot expand shape \[2, 3\] to \[4, 3\]/);
    expect(() => zeros([3]).expand([2])).toThrow(/^expand: cannot expand shape \[3\] to \[2\]/);
    expect(() => zeros([3]).expand([-1, 3])).toThrow(/^expand: invalid dimension -1 in \[-1, 3\]/);
    expect(() => zeros([1]).expand([2.5])).toThrow(/^expand: invalid dimension 2.5/);
    expect(() => zeros([1]).expand([-2])).toThrow(/^expand: invalid dimension -2/);
    expect(() => gz.concat([zeros([2, 3]), zeros([2, 4])])).toThrow(/^concat: tensor 1 has shape \[2, 4\], incompatible with tensor 0's \[2, 3\] along axis 0/);
    expect(() => gz.concat([zeros([2, 3]), zeros([3])], 1)).toThrow(/^concat: tensor 1 has shape \[3\]/);
    expect(() => gz.concat([])).toThrow(/concat: needs at least one tensor/);
    expect(() => gz.stack([zeros([2]), zeros([3])])).toThrow(/^stack: tensor 1 has shape \[3\], tensor 0 has \[2\]/);
    expect(() => gz.stack([])).toThrow(/stack: needs at least one tensor/);
  });
});

describe('bad shapes', () => {
  test.each([
    [[2, NaN], /zeros?|full: invalid dimension NaN in shape \[2, NaN\]/],
    [[Infinity], /invalid dimension Infinity/],
    [[-1, 2], /invalid dimension -1 in shape \[-1, 2\]/],
    [[1.5], /invalid dimension 1.5/],
    [['2'], /invalid dimension 2 /],
  ])('%j is rejected with a clear message', (shape, msg) => {
    expect(() => zeros(shape as number[])).toThrow(msg);
    expect(() => ones(shape as number[])).toThrow(/non-negative integers/);
    expect(() => gz.randn(shape as number[])).toThrow(/^randn: invalid dimension/);
    expect(() => tensor([1], { shape: shape as number[] })).toThrow(/^tensor: invalid dimension/);
  });

  test('a shape that is not an array', () => {
    expect(() => zeros(3 as never)).toThrow(/shape must be an array of integers, got 3/);
    expect(() => gz.rand(undefined as never)).toThrow(/rand: shape must be an array/);
  });
});

describe('bad axes', () => {
  const x = zeros([2, 3]);
  test('out of range, negative out of range, non-integer', () => {
    expect(() => x.sum(2)).toThrow(/^sum: axis 2 is out of range for a tensor of 2 dimensions \(valid: -2..1\)/);
    expect(() => x.sum(-3)).toThrow(/^sum: axis -3 is out of range/);
    expect(() => x.mean(1.5)).toThrow(/^mean: axis must be an integer, got 1.5/);
    expect(() => x.max(NaN)).toThrow(/^max: axis must be an integer, got NaN/);
    expect(() => x.softmax(2)).toThrow(/axis 2 is out of range/);
    expect(() => x.logSoftmax(-3)).toThrow(/axis -3 is out of range/);
    expect(() => x.argmax(5)).toThrow(/^argmax: axis 5 is out of range/);
    expect(() => x.squeeze(2)).toThrow(/^squeeze: axis 2 is out of range/);
    expect(() => x.unsqueeze(4)).toThrow(/^unsqueeze: axis 4 is out of range for a tensor of 3 dimensions/);
    expect(() => x.transpose(0, 2)).toThrow(/^transpose: axis 2/);
    expect(() => zeros([2]).transpose()).toThrow(/^transpose: needs at least 2 dimensions, got shape \[2\]/);
    expect(() => gz.concat([x, x], 2)).toThrow(/^concat: axis 2 is out of range/);
    expect(() => gz.stack([x, x], 3)).toThrow(/^stack: axis 3 is out of range for a tensor of 3 dimensions/);
    expect(() => x.flatten(0, 3)).toThrow(/^flatten: axis 3/);
    expect(() => x.split(1, 2)).toThrow(/^split: axis 2/);
  });
});

describe('pad, slice, permute misuse', () => {
  const x = zeros([2, 3]);
  test('pad', () => {
    expect(() => x.pad([[1, 1], [1, 1], [1, 1]])).toThrow(/^pad: 3 \[before, after\] pairs for a tensor of shape \[2, 3\]/);
    expect(() => x.pad([[1, -1]])).toThrow(/^pad: widths must be \[before, after\] pairs of non-negative integers, got \[1,-1\]/);
    expect(() => x.pad([1, 1] as never)).toThrow(/^pad: widths must be \[before, after\] pairs/);
    expect(() => x.pad([[0.5, 0]])).toThrow(/^pad: widths/);
  });

  test('slice and narrow', () => {
    expect(() => x.slice(0, 0.5)).toThrow(/^slice: start must be an integer, got 0.5/);
    expect(() => x.slice(0, 0, 1.5)).toThrow(/^slice: end must be an integer, got 1.5/);
    expect(() => x.slice(2, 0)).toThrow(/^slice: axis 2 is out of range/);
    expect(() => x.narrow(1, 2, 2)).toThrow(/^narrow: \[2, 4\) is out of range for axis 1 of shape \[2, 3\]/);
    expect(() => x.narrow(1, -1, 1)).toThrow(/^narrow: /);
  });

  test('permute', () => {
    expect(() => x.permute([0, 0])).toThrow(/^permute: \[0, 0\] is not a permutation of the axes/);
    expect(() => x.permute([0])).toThrow(/^permute: permutation \[0\] has 1 entries, tensor has 2 dimensions/);
    expect(() => x.permute([0, 2])).toThrow(/^permute: axis 2 is out of range/);
    expect(() => x.permute([1, -2])).not.toThrow(); // -2 is axis 0
  });
});

describe('convolution and pooling options', () => {
  const x = zeros([1, 1, 4, 4]);
  const w = zeros([1, 1, 2, 2]);
  test.each([
    [{ stride: 0 }, /^conv2d: stride must be an integer ≥ 1 or a pair of them, got 0/],
    [{ stride: NaN }, /stride .* got NaN/],
    [{ stride: Infinity }, /stride .* got Infinity/],
    [{ stride: 1.5 }, /stride .* got 1.5/],
    [{ stride: [1] }, /stride .* got \[1\]/],
    [{ stride: [1, 2, 3] }, /stride .* got \[1, 2, 3\]/],
    [{ stride: [1, NaN] }, /stride .* got \[1, NaN\]/],
    [{ stride: '2' }, /stride .* got '2'/],
    [{ stride: null }, /stride .* got null/],
    [{ padding: -1 }, /^conv2d: padding must be an integer ≥ 0 or a pair of them, got -1/],
    [{ dilation: 0 }, /^conv2d: dilation must be an integer ≥ 1/],
    [{ groups: 2 }, /^conv2d: groups=2 is not supported/],
  ])('conv2d %j', (opts, msg) => {
    expect(() => x.conv2d(w, null, opts as never)).toThrow(msg);
  });

  test('convTranspose2d outputPadding', () => {
    expect(() => x.convTranspose2d(w, null, { outputPadding: -1 })).toThrow(/outputPadding must be an integer ≥ 0/);
    expect(() => x.convTranspose2d(w, null, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding \(2, 2\) must be smaller than stride or dilation/);
  });

  test('pooling', () => {
    expect(() => gz.maxPool2d(x, undefined as never)).toThrow(/^maxPool2d: kernelSize is required/);
    expect(() => x.avgPool2d(0)).toThrow(/^avgPool2d: kernelSize must be an integer ≥ 1/);
    expect(() => x.maxPool2d(2, 0)).toThrow(/^maxPool2d: stride must be an integer ≥ 1/);
    expect(() => x.maxPool2d(2, 2, 2)).toThrow(/^maxPool2d: padding \(2, 2\) must be at most half the kernel \(2, 2\)/);
    expect(() => x.avgPool2d(5)).toThrow(/^avgPool2d: kernel 5×5 does not fit input 4×4/);
    expect(() => zeros([4, 4]).maxPool2d(2)).toThrow(/^maxPool2d: input must be 4-D \[N, C, H, W\], got \[4, 4\]/);
  });
});

describe('other bad input', () => {
  test('oneHot label out of range', () => {
    expect(() => gz.oneHot([0, 1, 10], 10)).toThrow(/^oneHot: label 10 at index 2 is not an integer in \[0, 10\)/);
    expect(() => gz.oneHot(tensor([-1]), 3)).toThrow(/^oneHot: label -1 at index 0/);
  });

  test('unary ops need a tensor', () => {
    expect(() => gz.exp(3 as never)).toThrow(/^exp: expected a Tensor, got number/);
  });

  test('setBackend names an unknown backend and what is registered', () => {
    expect(() => gz.setBackend('nope')).toThrow(/^setBackend: unknown backend 'nope' \(registered: .*js/);
  });
});
