/** Every Tensor method is the functional op of the same name (same values, same gradients); the pairs: tests/helpers/method-pairs.ts. */
import { describe, expect, test } from 'vitest';
import * as gz from '../../src/index.js';
import { tensor } from '../../src/index.js';
import { METHOD_PAIRS, autoPairs, x } from '../helpers/method-pairs.js';

describe('methods equal functional forms', () => {
  test.each([...METHOD_PAIRS, ...autoPairs()])('%s', (_name, method, fn) => {
    const a = x.clone().detach().requiresGrad_();
    const b = x.clone().detach().requiresGrad_();
    const ya = method(a);
    const yb = fn(b);
    expect(ya.shape).toEqual(yb.shape);
    expect(ya.toList()).toEqual(yb.toList());
    ya.sum().backward();
    yb.sum().backward();
    expect(a.grad!.toList()).toEqual(b.grad!.toList());
  });
});

describe('methods without a gradient equal their functional forms', () => {
  const a = tensor([[1, 5, 2], [7, 0, 7]]);
  const b = tensor([[1, 4, 3], [7, 1, 6]]);
  test.each(['gt', 'ge', 'lt', 'le', 'eq'] as const)('%s', (name) => {
    expect(a[name](b).toList()).toEqual(gz[name](a, b).toList());
  });
  test('hand-computed comparisons and argmax', () => {
    expect(a.gt(b).toList()).toEqual([0, 1, 0, 0, 0, 1]);
    expect(a.le(b).toList()).toEqual([1, 0, 1, 1, 1, 0]);
    expect(a.eq(b).toList()).toEqual([1, 0, 0, 1, 0, 0]);
    expect(a.argmax(1).toList()).toEqual(gz.argmax(a, 1).toList());
    expect(a.argmax(1).toList()).toEqual([1, 0]); // the first maximum wins a tie
  });
});
