/**
 * What a TypeScript user of genzoo can and cannot write (issue 13's "API
 * surprises"): compiled by tests/api-expectations.test.ts with `tsc --strict`,
 * never run. Each `@ts-expect-error` line must be an error — tsc fails on one
 * that compiles — and every other line must compile.
 */
import { nn, setBackend, tensor, zeros, type Tensor } from '../../src/index.js';

const x: Tensor = tensor([[1, 2, 3], [4, 5, 6]]);

// numel(), reshape / view with varargs and -1, casts.
export const count: number = x.numel();
export const reshaped: Tensor[] = [x.reshape(3, 2), x.reshape([-1]), x.reshape(-1, 2), x.view(2, 3), x.view([6])];
export const cast: Tensor[] = [x.to('float64'), x.to('float32'), x.double(), x.float(), tensor(x), tensor(x, { dtype: 'float64' })];
// @ts-expect-error: sizes are numbers
x.reshape('2', '3');
// @ts-expect-error: one shape array, not several
x.view([2], [3]);

// The shape is read-only.
// @ts-expect-error: shape elements cannot be assigned
x.shape[0] = 4;
// @ts-expect-error: the shape array cannot grow
x.shape.push(1);

// Backend names and their options are checked.
setBackend('auto');
setBackend('js');
setBackend('wasm', { threads: 1, relaxed: false });
setBackend('gpu', { mode: 'webasm', maxKernels: 64 });
export const moved: Tensor[] = [x.to('js'), x.to('wasm'), x.to('gpu'), zeros([2], { backend: 'js' })];
new nn.Linear(2, 2).to('js');
// @ts-expect-error: no such backend
setBackend('cuda');
// @ts-expect-error: wasm's threads is a number
setBackend('wasm', { threads: 'two' });
// @ts-expect-error: js takes no options
setBackend('js', { threads: 2 });
// @ts-expect-error: not a gpu mode
setBackend('gpu', { mode: 'cuda' });
// @ts-expect-error: no such backend to move to
x.to('cuda');
// @ts-expect-error: no such backend to create on
zeros([2], { backend: 'tpu' });
// @ts-expect-error: no such backend to move a module to
new nn.Linear(2, 2).to('cuda');
