/**
 * The reverse-mode engine, micrograd-style: ops call `record` to remember
 * their inputs and a backward rule; `backward` sorts the graph topologically
 * and runs one reverse loop, summing each tensor's incoming gradients.
 *
 * Graph lifetime (`retainGraph`): by default `backward` frees the backward
 * rules it ran (and the tensors they captured), so a second `backward`
 * through the same graph throws. Pass `{ retainGraph: true }` to keep it, e.g.
 * to call `backward` twice on losses that share a sub-graph.
 */
import { binaryRaw, cast, ones, sameShape, shapeStr, Tensor, type GradNode } from '../tensor/index.js';

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording a graph (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Attaches `backward` to `out` when any input requires grad and recording is on.
 * `backward(g)` maps out's gradient to one gradient per input, each of that
 * input's shape (null for inputs that need none).
 */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: (g: Tensor) => Array<Tensor | null>): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward } satisfies GradNode;
  return out;
}

/** Tensors reachable from `root` that require grad, inputs before outputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs (long training unrolls) must not overflow the JS stack.
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

export interface BackwardOptions {
  /** Keep the graph's backward rules so backward can run through it again. */
  retainGraph?: boolean;
}

/** Accumulates d(root)/d(leaf) into every reachable leaf's `.grad`. */
export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed inside noGrad)');
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) throw new Error(`backward: gradient can be implied only for one-element outputs, got shape ${shapeStr(root.shape)}; pass a gradient of that shape`);
    seed = ones(root.shape, { dtype: root.dtype });
  } else {
    if (!sameShape(grad.shape, root.shape)) throw new Error(`backward: gradient shape ${shapeStr(grad.shape)} does not match output shape ${shapeStr(root.shape)}`);
    seed = grad;
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    const node = t.node;
    if (!node) {
      // A leaf: accumulate into .grad (a fresh array: backward rules may share one between inputs).
      const gl = cast(g, t.dtype);
      t.grad = t.grad ? binaryRaw('add', t.grad, gl) : new Tensor(gl === g ? g.data.slice() : gl.data, t.shape);
      continue;
    }
    if (!node.backward) {
      throw new Error(`backward: the graph through '${node.op}' was already freed by an earlier backward(); pass { retainGraph: true } to the first call`);
    }
    const inputGrads = node.backward(g);
    node.inputs.forEach((input, k) => {
      const ig = inputGrads[k];
      if (!input.requiresGrad || !ig) return;
      if (!sameShape(ig.shape, input.shape)) {
        throw new Error(`backward: '${node.op}' produced a gradient of shape ${shapeStr(ig.shape)} for an input of shape ${shapeStr(input.shape)}`);
      }
      const prev = grads.get(input);
      const typed = cast(ig, input.dtype); // mixed-dtype ops promote; gradients keep each input's dtype
      grads.set(input, prev ? binaryRaw('add', prev, typed) : typed);
    });
  }
  if (!opts.retainGraph) for (const t of order) if (t.node) t.node.backward = null;
}

/** A tensor sharing data with `x` but outside the graph. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape);
}
