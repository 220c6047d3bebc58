/**
 * Every differentiable op as a fast-check arbitrary of gradient-check cases, and
 * `runGradcheckSuite`, which registers one vitest test per op.
 *
 * A case is plain data (shapes, values, options) plus the function to check, so
 * fast-check can print and shrink it; tensors are built fresh for every check.
 *
 * Inputs stay away from the points where an op is not differentiable, by more
 * than gradcheck's float32 step (1e-2), so the same cases serve float64 and float32:
 *   |x| ≥ 0.1 for abs / relu / leakyRelu; log, sqrt and fractional pow get x ≥ 0.3;
 *   max / min / maximum / minimum / maxPool2d get values on a 0.03 grid, all distinct;
 *   clamp's inputs keep ≥ 0.05 from both bounds.
 *
 *   runGradcheckSuite({ dtype: 'float32', numRuns: 10, label: 'wasm', backend: wasmBackend });
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import * as gz from '../../src/index.js';
import type { Backend, DType, GradcheckOptions, Tensor } from '../../src/index.js';

export type ValueKind = 'any' | 'nonzero' | 'positive' | 'bounded';

/** One input of a case: its shape, its values, and whether its gradient is checked. */
export interface InputSpec {
  shape: number[];
  values: number[];
  grad: boolean;
}

export interface GradCase {
  /** The op and its options, printed when the check fails. */
  desc: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
}

export interface OpCase {
  name: string;
  /** The exported function it checks, when the name says more (default: the name's first word). */
  op?: string;
  arb: fc.Arbitrary<GradCase>;
}

/** The exported function an op case checks (tests/autograd/coverage.test.ts holds every export to one). */
export const opOf = (c: OpCase): string => c.op ?? c.name.split(' ')[0];

// ---------------------------------------------------------------- building blocks

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const str = (s: readonly number[]): string => `[${s.join(',')}]`;

/** Dimensions 1..max: small enough for central differences on every element. */
export const dimArb = (max = 3): fc.Arbitrary<number> => int(1, max);
export const shapeArb = (minRank: number, maxRank: number, maxDim = 3): fc.Arbitrary<number[]> =>
  fc.array(dimArb(maxDim), { minLength: minRank, maxLength: maxRank });

/** A shape that broadcasts to `out`: some leading dimensions dropped, some others set to 1. */
export function broadcastFrom(out: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(int(0, out.length), fc.array(int(0, 3), { minLength: out.length, maxLength: out.length }))
    .map(([drop, coin]) => out.slice(drop).map((d, i) => (coin[i + drop] === 0 ? 1 : d)));
}

/** Shapes that broadcast together (NumPy rules), including size-1 dims and different ranks. */
export const broadcastShapesArb = (count: number, maxRank = 3): fc.Arbitrary<number[][]> =>
  shapeArb(0, maxRank).chain((out) => fc.tuple(...Array.from({ length: count }, () => broadcastFrom(out))));

const signed = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.tuple(fc.boolean(), fc.double({ min: lo, max: hi, noNaN: true })).map(([neg, v]) => (neg ? -v : v));

const valueArb: Record<ValueKind, fc.Arbitrary<number>> = {
  any: fc.double({ min: -2, max: 2, noNaN: true }),
  /** Away from 0, where abs/relu/leakyRelu have their kink. */
  nonzero: signed(0.1, 2),
  /** Inside the domain of log, sqrt and fractional powers, away from the pole at 0. */
  positive: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  /** Denominators: |x| in [0.5, 2]. */
  bounded: signed(0.5, 2),
};

export const valuesArb = (n: number, kind: ValueKind = 'any'): fc.Arbitrary<number[]> =>
  fc.array(valueArb[kind], { minLength: n, maxLength: n });

const GRID = Array.from({ length: 201 }, (_, i) => (i - 100) * 0.03);
/** n pairwise-distinct values, ≥ 0.03 apart: no ties for max/min to break. */
export const distinctValuesArb = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(GRID, { minLength: n, maxLength: n });

export const inputArb = (shape: number[], kind: ValueKind = 'any', grad = true): fc.Arbitrary<InputSpec> =>
  valuesArb(sizeOf(shape), kind).map((values) => ({ shape, values, grad }));

/** Inputs whose values are all distinct from each other (across tensors too). */
export const distinctInputsArb = (shapes: number[][], grads?: boolean[]): fc.Arbitrary<InputSpec[]> =>
  distinctValuesArb(shapes.reduce((n, s) => n + sizeOf(s), 0)).map((all) => {
    let at = 0;
    return shapes.map((shape, i) => {
      const values = all.slice(at, at + sizeOf(shape));
      at += values.length;
      return { shape, values, grad: grads?.[i] ?? true };
    });
  });

/** Random axis of a rank-`ndim` tensor, sometimes written negatively. */
const axisArb = (ndim: number): fc.Arbitrary<number> =>
  fc.tuple(int(0, ndim - 1), fc.boolean()).map(([a, neg]) => (neg ? a - ndim : a));

/** undefined (all axes), one axis as a number, or a list of distinct axes (some negative). */
const axesArb = (ndim: number): fc.Arbitrary<number | number[] | undefined> => {
  const all = Array.from({ length: ndim }, (_, i) => i);
  return fc.oneof(
    fc.constant(undefined),
    ndim > 0 ? axisArb(ndim) : fc.constant(undefined),
    fc.tuple(fc.subarray(all), fc.array(fc.boolean(), { minLength: ndim, maxLength: ndim }))
      .map(([ax, neg]) => ax.map((a) => (neg[a] ? a - ndim : a))),
  );
};

const axesCount = (shape: number[], axes: number | number[] | undefined): number => {
  if (axes === undefined) return sizeOf(shape);
  const list = typeof axes === 'number' ? [axes] : axes;
  return list.reduce((n, a) => n * shape[a < 0 ? a + shape.length : a], 1);
};

/** A scalar option or an [h, w] pair: `a` when both agree (the scalar form), else the pair. */
const hw = (a: number, b: number): number | [number, number] => (a === b ? a : [a, b]);

const describeCase = (name: string, opts: unknown, inputs: InputSpec[]): string =>
  `${name}${opts === undefined ? '' : ` ${JSON.stringify(opts)}`} on ${inputs.map((i) => `${str(i.shape)}${i.grad ? '' : ' (no grad)'}`).join(', ')}`;

function gradCase(name: string, opts: unknown, inputs: InputSpec[], fn: (...xs: Tensor[]) => Tensor): GradCase {
  return { desc: describeCase(name, opts, inputs), inputs, fn };
}

// ---------------------------------------------------------------- elementwise

function unaryCase(name: string, kind: ValueKind, f: (x: Tensor) => Tensor): OpCase {
  return {
    name,
    arb: shapeArb(0, 3).chain((s) => inputArb(s, kind)).map((x) => gradCase(name, undefined, [x], f)),
  };
}

const unaryCases: OpCase[] = [
  unaryCase('neg', 'any', (x) => gz.neg(x)),
  unaryCase('exp', 'any', (x) => gz.exp(x)),
  unaryCase('log', 'positive', (x) => gz.log(x)),
  unaryCase('sqrt', 'positive', (x) => gz.sqrt(x)),
  unaryCase('abs', 'nonzero', (x) => gz.abs(x)),
  unaryCase('square', 'any', (x) => gz.square(x)),
  unaryCase('relu', 'nonzero', (x) => gz.relu(x)),
  unaryCase('sigmoid', 'any', (x) => gz.sigmoid(x.mul(2))),
  unaryCase('tanh', 'any', (x) => gz.tanh(x)),
  unaryCase('softplus', 'any', (x) => gz.softplus(x.mul(2))),
  unaryCase('gelu', 'any', (x) => gz.gelu(x.mul(2))),
  {
    name: 'leakyRelu',
    arb: fc
      .tuple(shapeArb(0, 3).chain((s) => inputArb(s, 'nonzero')), fc.constantFrom(undefined, 0.01, 0.2, 1.5))
      .map(([x, slope]) => gradCase('leakyRelu', { slope }, [x], (t) => gz.leakyRelu(t, slope))),
  },
  {
    name: 'pow',
    // Fractional and negative exponents need positive bases; integer ones take any sign.
    arb: fc
      .tuple(shapeArb(0, 3), fc.constantFrom(-1.5, -1, 0.5, 1.7, 2, 3))
      .chain(([s, p]) => inputArb(s, Number.isInteger(p) && p > 0 ? 'any' : 'positive').map((x) => ({ x, p })))
      .map(({ x, p }) => gradCase('pow', { p }, [x], (t) => gz.pow(t, p))),
  },
  {
    name: 'clamp',
    arb: fc
      .tuple(shapeArb(0, 3), fc.constantFrom<[number | undefined, number | undefined]>([-0.5, 0.7], [undefined, 0.3], [-0.2, undefined], [0.4, 0.4]))
      .chain(([s, [lo, hi]]) => {
        const away = (v: number): boolean => (lo === undefined || Math.abs(v - lo) > 0.05) && (hi === undefined || Math.abs(v - hi) > 0.05);
        return fc
          .array(valueArb.any.filter(away), { minLength: sizeOf(s), maxLength: sizeOf(s) })
          .map((values) => gradCase('clamp', { lo, hi }, [{ shape: s, values, grad: true }], (t) => gz.clamp(t, lo, hi)));
      }),
  },
];

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';

/**
 * Binary ops over broadcast pairs; sometimes one side is a plain number
 * (either side), sometimes one tensor does not require grad.
 */
function binaryCase(name: BinaryName, kind: ValueKind, denominatorKind: ValueKind, distinct: boolean): OpCase {
  const f = gz[name] as (a: Tensor | number, b: Tensor | number) => Tensor;
  const arb = fc
    .record({ shapes: broadcastShapesArb(2), form: fc.constantFrom('tensors', 'tensors', 'tensors', 'aNoGrad', 'bNoGrad', 'scalarA', 'scalarB') })
    .chain(({ shapes, form }) => {
      const grads = [form !== 'aNoGrad', form !== 'bNoGrad'];
      const inputs = distinct
        ? distinctInputsArb(shapes, grads)
        : fc.tuple(inputArb(shapes[0], kind, grads[0]), inputArb(shapes[1], denominatorKind, grads[1]));
      const scalar = distinct ? fc.constantFrom(0.015, -0.045, 1.515) /* off the 0.03 grid */ : valueArb[form === 'scalarA' ? kind : denominatorKind];
      return fc.tuple(fc.constant(form), inputs, scalar);
    })
    .map(([form, [a, b], s]) => {
      if (form === 'scalarA') return gradCase(name, { a: s }, [b], (tb) => f(s, tb));
      if (form === 'scalarB') return gradCase(name, { b: s }, [a], (ta) => f(ta, s));
      return gradCase(name, undefined, [a, b], (ta, tb) => f(ta, tb));
    });
  return { name, arb };
}

const binaryCases: OpCase[] = [
  binaryCase('add', 'any', 'any', false),
  binaryCase('sub', 'any', 'any', false),
  binaryCase('mul', 'any', 'any', false),
  binaryCase('div', 'any', 'bounded', false),
  binaryCase('maximum', 'any', 'any', true),
  binaryCase('minimum', 'any', 'any', true),
  {
    name: 'where',
    arb: broadcastShapesArb(3)
      .chain(([cs, as, bs]) =>
        fc.tuple(
          fc.array(fc.constantFrom(0, 1), { minLength: sizeOf(cs), maxLength: sizeOf(cs) }).map((values) => ({ shape: cs, values, grad: false })),
          inputArb(as),
          inputArb(bs),
          fc.boolean(),
        ),
      )
      .map(([c, a, b, bGrad]) => gradCase('where', undefined, [c, a, { ...b, grad: bGrad }], (tc, ta, tb) => gz.where(tc, ta, tb))),
  },
];

// ---------------------------------------------------------------- reductions

type ReduceName = 'sum' | 'mean' | 'max' | 'min' | 'logsumexp';

function reduceCase(name: ReduceName, distinct: boolean): OpCase {
  const f = gz[name] as (x: Tensor, axes?: number | number[], keepdim?: boolean) => Tensor;
  const arb = shapeArb(name === 'sum' || name === 'mean' ? 0 : 1, 3)
    .chain((s) => fc.tuple(distinct ? distinctInputsArb([s]).map((xs) => xs[0]) : inputArb(s), axesArb(s.length), fc.boolean()))
    .map(([x, axes, keepdim]) => gradCase(name, { axes, keepdim }, [x], (t) => f(t, axes, keepdim)));
  return { name, arb };
}

const reduceCases: OpCase[] = [
  reduceCase('sum', false),
  reduceCase('mean', false),
  reduceCase('max', true),
  reduceCase('min', true),
  reduceCase('logsumexp', false),
  {
    name: 'var',
    op: 'variance',
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(inputArb(s), axesArb(s.length), fc.boolean(), fc.boolean()))
      .map(([x, axes, keepdim, unbiasedWanted]) => {
        const unbiased = unbiasedWanted && axesCount(x.shape, axes) > 1;
        return gradCase('var', { axes, keepdim, unbiased }, [x], (t) => gz.variance(t, axes, keepdim, unbiased));
      }),
  },
  ...(['softmax', 'logSoftmax'] as const).map((name): OpCase => ({
    name,
    arb: shapeArb(1, 3)
      .chain((s) => fc.tuple(inputArb(s), axisArb(s.length)))
      .map(([x, axis]) => gradCase(name, { axis }, [x], (t) => gz[name](t, axis))),
  })),
];

// ---------------------------------------------------------------- movement

/** A new shape with the same size: dims reordered, some adjacent ones merged, maybe one -1. */
const reshapeTargetArb = (s: number[]): fc.Arbitrary<number[]> =>
  fc
    .tuple(fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.option(int(0, 5)), int(0, 2))
    .map(([order, merge, inferAt, extraOnes]) => {
      const out: number[] = [];
      order.forEach((d, i) => (i > 0 && merge[i] ? (out[out.length - 1] *= d) : out.push(d)));
      for (let i = 0; i < extraOnes; i++) out.splice(out.length === 0 ? 0 : i % (out.length + 1), 0, 1);
      if (inferAt !== null && out.length > 0) out[inferAt % out.length] = -1;
      return out;
    });

const movementCases: OpCase[] = [
  {
    name: 'reshape',
    arb: shapeArb(0, 3)
      .chain((s) => fc.tuple(inputArb(s), reshapeTargetArb(s), fc.boolean()))
      .map(([x, target, asView]) => gradCase(asView ? 'view' : 'reshape', { target }, [x], (t) => (asView ? t.view(target) : gz.reshape(t, target)))),
  },
  {
    name: 'flatten',
    arb: shapeArb(1, 4)
      .chain((s) => fc.tuple(inputArb(s), int(0, s.length - 1), int(0, s.length - 1), fc.boolean()))
      .map(([x, a, b, neg]) => {
        const n = x.shape.length;
        const [start, end] = [Math.min(a, b), neg ? Math.max(a, b) - n : Math.max(a, b)];
        return gradCase('flatten', { start, end }, [x], (t) => gz.flatten(t, start, end));
      }),
  },
  {
    name: 'squeeze',
    arb: shapeArb(1, 4)
      .chain((s) => fc.tuple(inputArb(s), fc.option(axisArb(s.length))))
      .map(([x, dim]) => gradCase('squeeze', { dim }, [x], (t) => gz.squeeze(t, dim ?? undefined))),
  },
  {
    name: 'unsqueeze',
    arb: shapeArb(0, 3)
      .chain((s) => fc.tuple(inputArb(s), axisArb(s.length + 1)))
      .map(([x, dim]) => gradCase('unsqueeze', { dim }, [x], (t) => gz.unsqueeze(t, dim))),
  },
  {
    name: 'permute',
    arb: shapeArb(1, 4)
      .chain((s) => {
        const axes = s.map((_, i) => i);
        return fc.tuple(inputArb(s), fc.shuffledSubarray(axes, { minLength: s.length, maxLength: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }));
      })
      .map(([x, perm, neg]) => {
        const p = perm.map((a, i) => (neg[i] ? a - perm.length : a));
        return gradCase('permute', { perm: p }, [x], (t) => gz.permute(t, p));
      }),
  },
  {
    name: 'transpose',
    arb: shapeArb(2, 4)
      .chain((s) => fc.tuple(inputArb(s), fc.option(fc.tuple(axisArb(s.length), axisArb(s.length)))))
      .map(([x, dims]) =>
        dims === null
          ? gradCase('transpose', { dims: 'last two' }, [x], (t) => (t.ndim === 2 ? t.T : gz.transpose(t)))
          : gradCase('transpose', { dims }, [x], (t) => gz.transpose(t, dims[0], dims[1])),
      ),
  },
  {
    name: 'slice',
    arb: shapeArb(1, 3, 4)
      .chain((s) =>
        axisArb(s.length).chain((dim) => {
          const n = s[dim < 0 ? dim + s.length : dim];
          return fc.tuple(inputArb(s), fc.constant(dim), int(-n - 1, n + 1), fc.option(int(-n - 1, n + 1)));
        }),
      )
      .map(([x, dim, start, end]) => gradCase('slice', { dim, start, end }, [x], (t) => gz.slice(t, dim, start, end ?? undefined))),
  },
  {
    name: 'narrow',
    arb: shapeArb(1, 3, 4)
      .chain((s) =>
        axisArb(s.length).chain((dim) => {
          const n = s[dim < 0 ? dim + s.length : dim];
          return int(0, n).chain((start) => fc.tuple(inputArb(s), fc.constant(dim), fc.constant(start), int(0, n - start)));
        }),
      )
      .map(([x, dim, start, length]) => gradCase('narrow', { dim, start, length }, [x], (t) => gz.narrow(t, dim, start, length))),
  },
  {
    // Every piece is scaled differently before rejoining, so each piece's gradient path is checked.
    name: 'split',
    arb: shapeArb(1, 3, 5)
      .chain((s) => fc.tuple(inputArb(s), axisArb(s.length), int(1, 3)))
      .map(([x, dim, size]) =>
        gradCase('split', { size, dim }, [x], (t) => gz.concat(gz.split(t, size, dim).map((p, i) => p.mul(i + 1)), dim)),
      ),
  },
  {
    name: 'chunk',
    arb: fc
      .tuple(shapeArb(1, 3), int(1, 3), int(1, 2))
      .chain(([s, chunks, per]) => axisArb(s.length).chain((dim) => {
        const shape = s.slice();
        shape[dim < 0 ? dim + s.length : dim] = chunks * per;
        return fc.tuple(inputArb(shape), fc.constant(dim), fc.constant(chunks));
      }))
      .map(([x, dim, chunks]) =>
        gradCase('chunk', { chunks, dim }, [x], (t) => gz.concat(gz.chunk(t, chunks, dim).map((p, i) => p.mul(i + 1)), dim)),
      ),
  },
  {
    name: 'concat',
    arb: fc
      .tuple(shapeArb(1, 3), int(2, 3))
      .chain(([s, count]) =>
        axisArb(s.length).chain((dim) =>
          fc.tuple(
            fc.constant(dim),
            fc.array(int(0, 3), { minLength: count, maxLength: count }).chain((lens) =>
              fc.tuple(...lens.map((len, i) => {
                const shape = s.slice();
                shape[dim < 0 ? dim + s.length : dim] = len;
                return inputArb(shape, 'any', i !== 1 || len % 2 === 0);
              })),
            ),
          ),
        ),
      )
      .filter(([, xs]) => xs.some((x) => x.grad && x.values.length > 0))
      .map(([dim, xs]) => gradCase('concat', { dim }, xs, (...ts) => gz.concat(ts, dim))),
  },
  {
    name: 'stack',
    arb: fc
      .tuple(shapeArb(0, 3), int(1, 3))
      .chain(([s, count]) => fc.tuple(axisArb(s.length + 1), fc.tuple(...Array.from({ length: count }, () => inputArb(s)))))
      .map(([dim, xs]) => gradCase('stack', { dim }, xs, (...ts) => gz.stack(ts, dim))),
  },
  {
    name: 'expand',
    arb: shapeArb(0, 3)
      .chain((out) => broadcastFrom(out).chain((s) => fc.tuple(fc.constant(out), inputArb(s), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))))
      .map(([out, x, keep]) => {
        const lead = out.length - x.shape.length;
        // -1 keeps a dimension (allowed only on the input's own dimensions).
        const target = out.map((d, i) => (i >= lead && keep[i] && x.shape[i - lead] === d ? -1 : d));
        return gradCase('expand', { target }, [x], (t) => gz.expand(t, target));
      }),
  },
  {
    name: 'pad',
    arb: shapeArb(0, 3)
      .chain((s) =>
        int(0, s.length).chain((k) =>
          fc.tuple(inputArb(s), fc.array(fc.tuple(int(0, 2), int(0, 2)), { minLength: k, maxLength: k }), fc.constantFrom(0, -1.5, 2)),
        ),
      )
      .map(([x, widths, value]) => gradCase('pad', { widths, value }, [x], (t) => gz.pad(t, widths, value))),
  },
  {
    // The graph must not treat clone's output as the input: mixing both checks the sum of paths.
    name: 'clone',
    arb: shapeArb(0, 3).chain((s) => inputArb(s)).map((x) => gradCase('clone', undefined, [x], (t) => gz.clone(t).mul(t))),
  },
];

// ---------------------------------------------------------------- matmul, linear

const mkDims = fc.record({ m: dimArb(4), k: dimArb(4), n: dimArb(4) });
const maybeNoGrad = fc.constantFrom<[boolean, boolean]>([true, true], [true, true], [true, false], [false, true]);

const matmulCases: OpCase[] = [
  {
    name: 'matmul 2-D',
    arb: fc
      .tuple(mkDims, maybeNoGrad)
      .chain(([{ m, k, n }, [ga, gb]]) => fc.tuple(inputArb([m, k], 'any', ga), inputArb([k, n], 'any', gb)))
      .map(([a, b]) => gradCase('matmul', undefined, [a, b], (ta, tb) => gz.matmul(ta, tb))),
  },
  {
    name: 'matmul batched (broadcast batch dims)',
    arb: fc
      .tuple(mkDims, broadcastShapesArb(2, 2))
      .chain(([{ m, k, n }, [ba, bb]]) => fc.tuple(inputArb([...ba, m, k]), inputArb([...bb, k, n])))
      .map(([a, b]) => gradCase('matmul', undefined, [a, b], (ta, tb) => gz.matmul(ta, tb))),
  },
  {
    name: 'matmul 1-D operands',
    arb: fc
      .tuple(mkDims, shapeArb(0, 2), fc.constantFrom('vec·vec', 'vec·mat', 'mat·vec'))
      .chain(([{ m, k, n }, batch, form]) => {
        const [sa, sb] =
          form === 'vec·vec' ? [[k], [k]] : form === 'vec·mat' ? [[k], [...batch, k, n]] : [[...batch, m, k], [k]];
        return fc.tuple(fc.constant(form), inputArb(sa), inputArb(sb));
      })
      .map(([form, a, b]) => gradCase('matmul', { form }, [a, b], (ta, tb) => gz.matmul(ta, tb))),
  },
  {
    name: 'matmul transpose flags',
    arb: fc
      .tuple(mkDims, broadcastShapesArb(2, 1), fc.boolean(), fc.boolean())
      .chain(([{ m, k, n }, [ba, bb], transA, transB]) =>
        fc.tuple(
          fc.constant({ transA, transB }),
          inputArb([...ba, ...(transA ? [k, m] : [m, k])]),
          inputArb([...bb, ...(transB ? [n, k] : [k, n])]),
        ),
      )
      .map(([flags, a, b]) => gradCase('matmul', flags, [a, b], (ta, tb) => gz.matmul(ta, tb, flags))),
  },
  {
    name: 'linear',
    arb: fc
      .tuple(shapeArb(0, 2), dimArb(4), dimArb(4), fc.boolean())
      .chain(([lead, inF, outF, bias]) =>
        fc.tuple(inputArb([...lead, inF]), inputArb([outF, inF]), bias ? inputArb([outF]).map((b) => [b]) : fc.constant([] as InputSpec[])),
      )
      .map(([x, w, bias]) => gradCase('linear', { bias: bias.length > 0 }, [x, w, ...bias], (tx, tw, tb) => gz.linear(tx, tw, tb))),
  },
];

// ---------------------------------------------------------------- convolution, pooling

const conv2dCase: OpCase = {
  name: 'conv2d',
  arb: fc
    .record({
      n: int(1, 2), c: int(1, 2), o: int(1, 3), kh: int(1, 3), kw: int(1, 3),
      sh: int(1, 2), sw: int(1, 3), ph: int(0, 2), pw: int(0, 1), dh: int(1, 2), dw: int(1, 2),
      eh: int(0, 2), ew: int(0, 3), bias: fc.boolean(), xGrad: fc.boolean(),
    })
    .chain((p) => {
      const h = Math.max(1, p.dh * (p.kh - 1) + 1 - 2 * p.ph) + p.eh;
      const w = Math.max(1, p.dw * (p.kw - 1) + 1 - 2 * p.pw) + p.ew;
      const opts = { stride: hw(p.sh, p.sw), padding: hw(p.ph, p.pw), dilation: hw(p.dh, p.dw) };
      return fc.tuple(
        fc.constant(opts),
        inputArb([p.n, p.c, h, w], 'any', p.xGrad),
        inputArb([p.o, p.c, p.kh, p.kw]),
        p.bias ? inputArb([p.o]).map((b) => [b]) : fc.constant([] as InputSpec[]),
      );
    })
    .map(([opts, x, w, bias]) => gradCase('conv2d', opts, [x, w, ...bias], (tx, tw, tb) => gz.conv2d(tx, tw, tb, opts))),
};

const convTranspose2dCase: OpCase = {
  name: 'convTranspose2d',
  arb: fc
    .record({
      n: int(1, 2), cin: int(1, 2), cout: int(1, 3), kh: int(1, 3), kw: int(1, 3),
      sh: int(1, 3), sw: int(1, 2), ph: int(0, 2), pw: int(0, 1), dh: int(1, 2), dw: int(1, 2),
      oph: int(0, 2), opw: int(0, 2), hin: int(1, 3), win: int(1, 3), bias: fc.boolean(),
    })
    .chain((p) => {
      // Keep the output size positive and outputPadding < max(stride, dilation), as the op requires.
      const ph = Math.min(p.ph, Math.floor(((p.hin - 1) * p.sh + p.dh * (p.kh - 1)) / 2));
      const pw = Math.min(p.pw, Math.floor(((p.win - 1) * p.sw + p.dw * (p.kw - 1)) / 2));
      const oph = Math.min(p.oph, Math.max(p.sh, p.dh) - 1);
      const opw = Math.min(p.opw, Math.max(p.sw, p.dw) - 1);
      const opts = { stride: hw(p.sh, p.sw), padding: hw(ph, pw), dilation: hw(p.dh, p.dw), outputPadding: hw(oph, opw) };
      return fc.tuple(
        fc.constant(opts),
        inputArb([p.n, p.cin, p.hin, p.win]),
        inputArb([p.cin, p.cout, p.kh, p.kw]),
        p.bias ? inputArb([p.cout]).map((b) => [b]) : fc.constant([] as InputSpec[]),
      );
    })
    .map(([opts, x, w, bias]) => gradCase('convTranspose2d', opts, [x, w, ...bias], (tx, tw, tb) => gz.convTranspose2d(tx, tw, tb, opts))),
};

const poolParamsArb = fc
  .record({ n: int(1, 2), c: int(1, 2), kh: int(1, 3), kw: int(1, 3), sh: fc.option(int(1, 3)), sw: int(1, 3), ph: int(0, 1), pw: int(0, 1), eh: int(0, 3), ew: int(0, 3) })
  .map((p) => {
    const ph = Math.min(p.ph, Math.floor(p.kh / 2));
    const pw = Math.min(p.pw, Math.floor(p.kw / 2));
    const h = Math.max(1, p.kh - 2 * ph) + p.eh;
    const w = Math.max(1, p.kw - 2 * pw) + p.ew;
    const stride = p.sh === null ? undefined : hw(p.sh, p.sw);
    return { shape: [p.n, p.c, h, w], kernelSize: hw(p.kh, p.kw), stride, padding: hw(ph, pw) };
  });

const poolCases: OpCase[] = [
  {
    name: 'maxPool2d',
    arb: poolParamsArb
      .chain((p) => fc.tuple(fc.constant(p), distinctInputsArb([p.shape]).map((xs) => xs[0])))
      .map(([{ kernelSize, stride, padding }, x]) =>
        gradCase('maxPool2d', { kernelSize, stride, padding }, [x], (t) => gz.maxPool2d(t, kernelSize, stride, padding)),
      ),
  },
  {
    name: 'avgPool2d',
    arb: poolParamsArb
      .chain((p) => fc.tuple(fc.constant(p), inputArb(p.shape)))
      .map(([{ kernelSize, stride, padding }, x]) =>
        gradCase('avgPool2d', { kernelSize, stride, padding }, [x], (t) => gz.avgPool2d(t, kernelSize, stride, padding)),
      ),
  },
];

// ---------------------------------------------------------------- indexing, fused losses

const indexingCases: OpCase[] = [
  {
    // Repeated indices: their gradients must add up.
    name: 'indexSelect',
    arb: shapeArb(1, 3, 4)
      .chain((s) => axisArb(s.length).chain((dim) => {
        const n = s[dim < 0 ? dim + s.length : dim];
        return fc.tuple(inputArb(s), fc.constant(dim), fc.array(int(0, n - 1), { minLength: 1, maxLength: 5 }));
      }))
      .map(([x, dim, idx]) => gradCase('indexSelect', { dim, idx }, [x], (t) => gz.indexSelect(t, dim, idx))),
  },
  {
    name: 'embedding',
    arb: fc
      .tuple(dimArb(4), dimArb(3), shapeArb(1, 2))
      .chain(([num, dim, ishape]) => fc.tuple(inputArb([num, dim]), fc.array(int(0, num - 1), { minLength: sizeOf(ishape), maxLength: sizeOf(ishape) }), fc.constant(ishape)))
      .map(([w, idx, ishape]) => gradCase('embedding', { idx, shape: ishape }, [w], (t) => gz.embedding(gz.tensor(idx, { shape: ishape }), t))),
  },
  {
    // Probabilities kept in [0.1, 0.9], away from the clamps at 0 and 1; both arguments differentiable.
    name: 'binaryCrossEntropy',
    arb: shapeArb(0, 3)
      .chain((s) => fc.tuple(
        fc.array(fc.double({ min: 0.1, max: 0.9, noNaN: true }), { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((values) => ({ shape: s, values, grad: true })),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((values) => ({ shape: s, values, grad: true })),
      ))
      .map(([p, y]) => gradCase('binaryCrossEntropy', undefined, [p, y], (tp, ty) => gz.binaryCrossEntropy(tp, ty))),
  },
];

/** Every differentiable op genzoo exports, each with its case generator. */
export const OP_CASES: readonly OpCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...reduceCases,
  ...movementCases,
  ...matmulCases,
  conv2dCase,
  convTranspose2dCase,
  ...poolCases,
  ...indexingCases,
];

// ---------------------------------------------------------------- large shapes

/*
 * The cases above keep every dimension ≤ 4: inside one 2×16 register tile of
 * a blocked GEMM. These reach past the tile and the cache blocks of the wasm
 * GEMM (kernels.ts: MR = 2 rows, NR = 16 columns, KC = 256, MC = 128,
 * NC = 512), with sizes on both sides of each boundary, so remainder tiles and
 * block seams are checked too. They are too large to perturb every element:
 * run them with gradcheck's `elements` option (edges favoured).
 */
const aroundRows = fc.constantFrom(1, 2, 3, 5, 127, 128, 129, 131);
const aroundDepth = fc.constantFrom(1, 7, 255, 256, 257, 300);
const aroundCols = fc.constantFrom(1, 15, 16, 17, 33, 511, 512, 513, 530);

export const LARGE_OP_CASES: readonly OpCase[] = [
  {
    name: 'matmul large',
    op: 'matmul',
    arb: fc
      .tuple(aroundRows, aroundDepth, aroundCols, fc.boolean(), fc.boolean(), fc.constantFrom<number[]>([], [], [2]))
      .chain(([m, k, n, transA, transB, batch]) =>
        fc.tuple(
          fc.constant({ transA, transB }),
          inputArb([...batch, ...(transA ? [k, m] : [m, k])]),
          inputArb([...(transB ? [n, k] : [k, n])]),
        ),
      )
      .map(([flags, a, b]) => gradCase('matmul', flags, [a, b], (ta, tb) => gz.matmul(ta, tb, flags))),
  },
  {
    name: 'linear large',
    op: 'linear',
    arb: fc
      .tuple(aroundRows, aroundDepth, fc.constantFrom(1, 17, 33, 513))
      .chain(([rows, inF, outF]) => fc.tuple(inputArb([rows, inF]), inputArb([outF, inF]), inputArb([outF])))
      .map(([x, w, b]) => gradCase('linear', { bias: true }, [x, w, b], (tx, tw, tb) => gz.linear(tx, tw, tb))),
  },
  {
    // c·kh·kw (the GEMM depth) on both sides of KC = 256; h·w output positions past several 16-column panels.
    name: 'conv2d large',
    op: 'conv2d',
    arb: fc
      .record({ n: int(1, 2), c: fc.constantFrom(1, 28, 29, 30), o: fc.constantFrom(1, 3, 17), k: fc.constantFrom(1, 3), h: int(5, 13), w: int(5, 19), stride: int(1, 2), padding: int(0, 1) })
      .chain((p) => fc.tuple(
        fc.constant({ stride: p.stride, padding: p.padding }),
        inputArb([p.n, p.c, p.h, p.w]),
        inputArb([p.o, p.c, p.k, p.k]),
        inputArb([p.o]),
      ))
      .map(([opts, x, w, b]) => gradCase('conv2d', opts, [x, w, b], (tx, tw, tb) => gz.conv2d(tx, tw, tb, opts))),
  },
  {
    name: 'convTranspose2d large',
    op: 'convTranspose2d',
    arb: fc
      .record({ n: int(1, 2), cin: fc.constantFrom(1, 17, 29), cout: fc.constantFrom(1, 3, 30), k: fc.constantFrom(2, 3), h: int(3, 9), w: int(3, 11), stride: int(1, 2) })
      .chain((p) => fc.tuple(
        fc.constant({ stride: p.stride }),
        inputArb([p.n, p.cin, p.h, p.w]),
        inputArb([p.cin, p.cout, p.k, p.k]),
      ))
      .map(([opts, x, w]) => gradCase('convTranspose2d', opts, [x, w], (tx, tw) => gz.convTranspose2d(tx, tw, null, opts))),
  },
];

// ---------------------------------------------------------------- running

/** Builds the input tensors of a case (float64; gradcheck casts to its dtype). */
export function buildInputs(c: GradCase): Tensor[] {
  return c.inputs.map((i) => gz.tensor(Float64Array.from(i.values), { shape: i.shape, dtype: 'float64', requiresGrad: i.grad }));
}

/** Runs gradcheck on one case; throws with the case and gradcheck's verdict when it fails. */
export function checkCase(c: GradCase, opts: GradcheckOptions = {}): void {
  const r = gz.gradcheck(c.fn, buildInputs(c), opts);
  if (!r.ok) throw new Error(`${c.desc}: ${r.message}`);
}

/**
 * A stable per-op seed, so CI runs the same cases. To explore further:
 *   GENZOO_FC_SEED=random (or a number) varies them, GENZOO_FC_RUNS=500 runs more.
 */
function seedFor(name: string, label: string): number | undefined {
  const env = typeof process !== 'undefined' ? process.env.GENZOO_FC_SEED : undefined;
  if (env === 'random') return undefined;
  let h = env !== undefined && env !== '' ? Number(env) | 0 : 0x9e3779b9;
  for (const ch of `${label}/${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

export interface GradcheckSuiteOptions {
  /** Precision of the check (default float64). float32 uses gradcheck's float32 tolerances. */
  dtype?: DType;
  /** fast-check runs per op (default 15). */
  numRuns?: number;
  /** Names the describe block (e.g. the backend). */
  label?: string;
  /** Runs every check with this backend active (restored afterwards). */
  backend?: Backend;
  /** Overrides gradcheck's tolerances. */
  tolerances?: Pick<GradcheckOptions, 'eps' | 'atol' | 'rtol'>;
  /** Only the ops with these names (default: all of the cases). */
  only?: readonly string[];
  /** The cases to run (default OP_CASES; LARGE_OP_CASES for the large shapes). */
  cases?: readonly OpCase[];
  /** gradcheck's `elements`: perturb at most this many elements of each input (default all). */
  elements?: number;
}

/** Registers one vitest test per differentiable op that asserts gradcheck(...).ok over random cases. */
export function runGradcheckSuite(opts: GradcheckSuiteOptions = {}): void {
  const dtype = opts.dtype ?? 'float64';
  const envRuns = typeof process !== 'undefined' ? Number(process.env.GENZOO_FC_RUNS) : NaN;
  const numRuns = envRuns > 0 ? envRuns : opts.numRuns ?? 15;
  const label = opts.label ?? 'js';
  const all = opts.cases ?? OP_CASES;
  const cases = opts.only ? all.filter((c) => opts.only!.includes(c.name)) : all;
  describe(`gradcheck ${label} (${dtype})`, () => {
    for (const op of cases) {
      test(op.name, () => {
        const run = (): void =>
          fc.assert(
            fc.property(op.arb, (c) => checkCase(c, { dtype, elements: opts.elements, ...opts.tolerances })),
            { numRuns, seed: seedFor(op.name, label) },
          );
        if (opts.backend) gz.withBackend(opts.backend, run);
        else run();
      });
    }
  });
}
