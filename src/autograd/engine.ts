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
import { attachGrad, binaryRaw, cast, ones, sameShape, shapeStr, tidy, Tensor, type GradNode } from '../tensor/index.js';
import { ShapeError, StateError, ValueError } from '../errors.js';

let gradEnabled = true;

/** Whether ops record a graph right now (false inside {@link noGrad}). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording a graph (inference, optimizer updates).
 * Synchronous only: an async function would keep running after `noGrad`
 * returned, with recording already back on, so a returned Promise throws
 * (after `fn`'s synchronous part ran).
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode('noGrad', false, fn, 'record a graph');
}

/** Runs `fn` with recording on, even inside `noGrad`. Synchronous only, like {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode('enableGrad', true, fn, 'run without recording');
}

/** Runs `fn` with recording set to `enabled`, restores it, and refuses a Promise (`wrongly`: what an async `fn` would do after its first await). */
function withGradMode<T>(name: string, enabled: boolean, fn: () => T, wrongly: string): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  let result: T;
  try {
    result = fn();
  } finally {
    gradEnabled = prev;
  }
  if (result instanceof Promise) {
    throw new ValueError(`${name}: fn returned a Promise; ${name} covers synchronous code only (an async function would ${wrongly} after its first await). Call ${name} around the synchronous parts.`);
  }
  return result;
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

/** Options of {@link backward} and `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph's backward rules so backward can run through it again. */
  retainGraph?: boolean;
}

/** The gradient backward starts from: `grad`, or 1 for a one-element root. */
function seedOf(op: string, root: Tensor, grad?: Tensor): Tensor {
  if (!root.requiresGrad) {
    throw new StateError(`${op}: this tensor does not require grad (no input had requiresGrad: true, or it was computed inside noGrad)`);
  }
  if (grad === undefined) {
    if (root.size !== 1) throw new ShapeError(`${op}: gradient can be implied only for one-element outputs, got shape ${shapeStr(root.shape)}; pass a gradient of that shape`);
    return ones(root.shape, { dtype: root.dtype, backend: root.storage.backend });
  }
  if (!sameShape(grad.shape, root.shape)) throw new ShapeError(`${op}: gradient shape ${shapeStr(grad.shape)} does not match output shape ${shapeStr(root.shape)}`);
  return grad;
}

/**
 * A leaf: the gradient becomes `.grad`, or is added into an existing one in
 * place (the `.grad` tensor keeps its identity across backward calls, as in PyTorch).
 */
function accumulateLeaf(t: Tensor, g: Tensor): void {
  const gl = cast(g, t.dtype);
  if (t.grad && !t.grad.isDisposed && t.grad.storage.backend === gl.storage.backend) {
    t.grad.set_(binaryRaw('add', t.grad, gl));
  } else {
    // A fresh tensor: backward rules may hand the same gradient to several inputs.
    attachGrad(t, new Tensor(gl.storage.backend.copy(gl.storage), t.shape));
  }
}

/** Adds one node's input gradients into the pending sums. */
function accumulateInputs(op: string, node: GradNode, inputGrads: Array<Tensor | null>, grads: Map<Tensor, Tensor>): void {
  node.inputs.forEach((input, k) => {
    const ig = inputGrads[k];
    if (!input.requiresGrad || !ig) return;
    if (!sameShape(ig.shape, input.shape)) {
      throw new ShapeError(`${op}: '${node.op}' produced a gradient of shape ${shapeStr(ig.shape)} for an input of shape ${shapeStr(input.shape)}`);
    }
    const prev = grads.get(input);
    const typed = cast(ig, input.dtype); // mixed-dtype ops promote; gradients keep each input's dtype
    grads.set(input, prev ? binaryRaw('add', prev, typed) : typed);
  });
}

function freedError(op: string, node: GradNode): Error {
  return new StateError(`${op}: the graph through '${node.op}' was already freed by an earlier backward(); pass { retainGraph: true } to the first call`);
}

function freeGraph(order: Tensor[]): void {
  for (const t of order) if (t.node) t.node.backward = null;
}

/**
 * Accumulates d(root)/d(leaf) into every reachable leaf's `.grad`. Runs in a
 * tidy scope: the intermediate gradients it makes are freed when it returns.
 */
export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  tidy(() => {
    const seed = seedOf('backward', root, grad);
    const order = topologicalOrder(root);
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      if (!node) {
        accumulateLeaf(t, g);
        continue;
      }
      if (!node.backward) throw freedError('backward', node);
      accumulateInputs('backward', node, node.backward(g), grads);
    }
    if (!opts.retainGraph) freeGraph(order);
  });
}

/** A tensor sharing storage with `x` but outside the graph. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.storage, x.shape);
}
