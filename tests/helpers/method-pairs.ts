/**
 * Every Tensor method against the functional op of the same name: the pairs
 * tests/autograd/methods.test.ts runs and tests/autograd/coverage.test.ts
 * holds every installed method to. Zero-argument methods whose functional
 * form has the same name (exp, relu, gelu…) are paired automatically.
 */
import * as gz from '../../src/index.js';
import { Generator, randn, Tensor } from '../../src/index.js';

/** The input every pair is called on: [2, 3, 4], positive (log and sqrt are defined), float64. */
const g = new Generator(17);
export const x = randn([2, 3, 4], { generator: g, dtype: 'float64' }).abs().add(0.1);
const y = randn([3, 4], { generator: g, dtype: 'float64' });
const img = randn([1, 2, 5, 5], { generator: g, dtype: 'float64' });
const w = randn([3, 2, 3, 3], { generator: g, dtype: 'float64' });
const wt = randn([2, 3, 3, 3], { generator: g, dtype: 'float64' });

/** Methods with arguments (or names that differ): [method, method call, functional call]. */
export const METHOD_PAIRS: Array<[string, (t: Tensor) => Tensor, (t: Tensor) => Tensor]> = [
  ['add', (t) => t.add(y), (t) => gz.add(t, y)],
  ['sub', (t) => t.sub(y), (t) => gz.sub(t, y)],
  ['mul', (t) => t.mul(y), (t) => gz.mul(t, y)],
  ['div', (t) => t.div(y.abs().add(1)), (t) => gz.div(t, y.abs().add(1))],
  ['maximum', (t) => t.maximum(y), (t) => gz.maximum(t, y)],
  ['minimum', (t) => t.minimum(y), (t) => gz.minimum(t, y)],
  ['pow', (t) => t.pow(1.5), (t) => gz.pow(t, 1.5)],
  ['neg', (t) => t.neg(), gz.neg],
  ['exp', (t) => t.exp(), gz.exp],
  ['log', (t) => t.log(), gz.log],
  ['sqrt', (t) => t.sqrt(), gz.sqrt],
  ['abs', (t) => t.abs(), gz.abs],
  ['square', (t) => t.square(), gz.square],
  ['relu', (t) => t.sub(0.5).relu(), (t) => gz.relu(gz.sub(t, 0.5))],
  ['leakyRelu', (t) => t.sub(0.5).leakyRelu(0.1), (t) => gz.leakyRelu(gz.sub(t, 0.5), 0.1)],
  ['sigmoid', (t) => t.sigmoid(), gz.sigmoid],
  ['tanh', (t) => t.tanh(), gz.tanh],
  ['softplus', (t) => t.softplus(), gz.softplus],
  ['clamp', (t) => t.clamp(0.3, 0.9), (t) => gz.clamp(t, 0.3, 0.9)],
  ['sum', (t) => t.sum([0, 2], true), (t) => gz.sum(t, [0, 2], true)],
  ['mean', (t) => t.mean(1), (t) => gz.mean(t, 1)],
  ['max', (t) => t.max(-1), (t) => gz.max(t, -1)],
  ['min', (t) => t.min(0), (t) => gz.min(t, 0)],
  ['var', (t) => t.var(2, false, true), (t) => gz.variance(t, 2, false, true)],
  ['logsumexp', (t) => t.logsumexp(1), (t) => gz.logsumexp(t, 1)],
  ['softmax', (t) => t.softmax(1), (t) => gz.softmax(t, 1)],
  ['logSoftmax', (t) => t.logSoftmax(), (t) => gz.logSoftmax(t)],
  ['reshape', (t) => t.reshape([4, -1]), (t) => gz.reshape(t, [4, -1])],
  ['view', (t) => t.view([24]), (t) => gz.reshape(t, [24])],
  ['flatten', (t) => t.flatten(1), (t) => gz.flatten(t, 1)],
  ['squeeze', (t) => t.reshape([1, 24]).squeeze(), (t) => gz.squeeze(gz.reshape(t, [1, 24]))],
  ['unsqueeze', (t) => t.unsqueeze(1), (t) => gz.unsqueeze(t, 1)],
  ['permute', (t) => t.permute([2, 0, 1]), (t) => gz.permute(t, [2, 0, 1])],
  ['transpose', (t) => t.transpose(0, 2), (t) => gz.transpose(t, 0, 2)],
  ['T', (t) => t.reshape([6, 4]).T, (t) => gz.transpose(gz.reshape(t, [6, 4]))],
  ['slice', (t) => t.slice(2, 1, 3), (t) => gz.slice(t, 2, 1, 3)],
  ['narrow', (t) => t.narrow(1, 1, 2), (t) => gz.narrow(t, 1, 1, 2)],
  ['split', (t) => gz.concat(t.split(3, 2).map((p, i) => p.mul(i + 1)), 2), (t) => gz.concat(gz.split(t, 3, 2).map((p, i) => p.mul(i + 1)), 2)],
  ['chunk', (t) => gz.stack(t.chunk(2, 2)), (t) => gz.stack(gz.chunk(t, 2, 2))],
  ['expand', (t) => t.unsqueeze(0).expand([3, -1, -1, -1]), (t) => gz.expand(gz.unsqueeze(t, 0), [3, -1, -1, -1])],
  ['pad', (t) => t.pad([[1, 0], [0, 2]], 1), (t) => gz.pad(t, [[1, 0], [0, 2]], 1)],
  ['clone', (t) => t.clone(), gz.clone],
  ['matmul', (t) => t.matmul(y, { transB: true }), (t) => gz.matmul(t, y, { transB: true })],
  ['conv2d', (t) => img.conv2d(w, null, { padding: 1 }).mul(t.sum()), (t) => gz.conv2d(img, w, null, { padding: 1 }).mul(gz.sum(t))],
  ['convTranspose2d', (t) => img.convTranspose2d(wt, null, { stride: 2 }).mul(t.sum()), (t) => gz.convTranspose2d(img, wt, null, { stride: 2 }).mul(gz.sum(t))],
  ['maxPool2d', (t) => img.mul(t.sum()).maxPool2d(2, 1, 1), (t) => gz.maxPool2d(gz.mul(img, gz.sum(t)), 2, 1, 1)],
  ['avgPool2d', (t) => img.mul(t.sum()).avgPool2d(3, 2, 1), (t) => gz.avgPool2d(gz.mul(img, gz.sum(t)), 3, 2, 1)],
];


/** Methods that are not ops of one tensor with a gradient, and what checks them instead. */
export const NOT_OP_METHODS: Record<string, string> = {
  backward: 'the engine (engine.test.ts)', zeroGrad: 'the engine (engine.test.ts)', detach: 'the engine (engine.test.ts)',
  to: 'a move or cast (transfer.test.ts)', float: "to('float32') (transfer.test.ts)", double: "to('float64') (transfer.test.ts)",
  gt: 'a comparison: values only (methods.test.ts)', ge: 'a comparison', lt: 'a comparison', le: 'a comparison', eq: 'a comparison',
  argmax: 'an index: values only (methods.test.ts)',
};

/** Installed methods taking no argument whose functional form has the same name and that have no explicit pair. */
export function autoPairedMethods(): string[] {
  const explicit = new Set(METHOD_PAIRS.map(([name]) => name));
  return Object.keys(Tensor.prototype).filter((m) => {
    const method = (Tensor.prototype as unknown as Record<string, unknown>)[m];
    const fn = (gz as Record<string, unknown>)[m];
    return typeof method === 'function' && method.length === 0 && typeof fn === 'function' && !explicit.has(m) && !(m in NOT_OP_METHODS);
  });
}

/** The automatic pairs: `t.name()` against `gz.name(t)`. */
export function autoPairs(): Array<[string, (t: Tensor) => Tensor, (t: Tensor) => Tensor]> {
  return autoPairedMethods().map((m) => [
    m,
    (t: Tensor) => (t as unknown as Record<string, () => Tensor>)[m](),
    (t: Tensor) => (gz as unknown as Record<string, (t: Tensor) => Tensor>)[m](t),
  ]);
}
