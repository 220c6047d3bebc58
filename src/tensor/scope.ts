/**
 * `tidy(fn)`: frees every tensor `fn` creates, except what it returns — the
 * way to keep device memory (wasm blocks, GPU textures) flat in a loop
 * without waiting for the garbage collector (TensorFlow.js's `tf.tidy`).
 *
 *   for (const batch of loader) tidy(() => { const loss = step(batch); lossLog.push(loss.item()); });
 *
 * Survivors: the returned value (a tensor, or tensors inside arrays and
 * plain objects), tensors marked with `keep()` (module parameters and
 * buffers, optimizer state — registered ones are kept automatically), and
 * gradients still attached to a leaf (`p.grad`). A gradient that stops being
 * attached (zeroGrad, or the next backward replaced it) is freed at the end
 * of the next tidy. Tensors that survive an inner tidy belong to the outer one.
 *
 * `backward()` runs in a tidy of its own, so the gradients it computes on the
 * way to the leaves never outlive it.
 */
import type { Tensor } from './tensor.js';
import { ValueError } from '../errors.js';

const scopes: Tensor[][] = [];
/** Which leaf each gradient was attached to (set by the autograd engine). */
const gradOf = new WeakMap<Tensor, Tensor>();
/** Gradients that survived a scope because they were attached; freed once they are not. */
const attachedSurvivors = new Set<Tensor>();

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  if (scopes.length) scopes[scopes.length - 1].push(t);
}

/** Exempts `t` from every tidy (it is freed by `dispose()` or the garbage collector); returns t. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Records that `grad` is now `leaf.grad` (the engine calls this). */
export function attachGrad(leaf: Tensor, grad: Tensor): void {
  gradOf.set(grad, leaf);
  leaf.grad = grad;
}

function isAttachedGrad(t: Tensor): boolean {
  return gradOf.get(t)?.grad === t;
}

/** Tensors inside a returned value: a tensor, or arrays / plain objects / Maps holding them. */
function collect(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 8) return;
  if ('storage' in v && 'shape' in v && 'id' in v) {
    out.add(v as Tensor);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

function sweepDetachedGrads(): void {
  for (const t of attachedSurvivors) {
    if (t.isDisposed || t.kept) attachedSurvivors.delete(t);
    else if (!isAttachedGrad(t)) {
      attachedSurvivors.delete(t);
      t.dispose();
    }
  }
}

/**
 * Runs `fn` and frees the tensors it created that it does not return (see
 * above). Synchronous only: a Promise would let the scope end before the work,
 * so a returned Promise throws.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    end(scope, new Set());
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    end(scope, new Set());
    throw new ValueError('tidy: fn returned a Promise; tidy frees tensors when fn returns, so it takes synchronous functions only (await inside, then tidy the synchronous parts)');
  }
  const returned = new Set<Tensor>();
  collect(result, returned);
  end(scope, returned);
  return result;
}

function end(scope: Tensor[], returned: Set<Tensor>): void {
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (t.isDisposed) continue;
    if (t.kept) continue;
    if (returned.has(t)) {
      parent?.push(t);
    } else if (isAttachedGrad(t)) {
      if (parent) parent.push(t);
      else attachedSurvivors.add(t);
    } else {
      t.dispose();
    }
  }
  sweepDetachedGrads();
}

/** Whether a tidy scope is open (tensors created now will be freed at its end unless kept or returned). */
export function inTidy(): boolean {
  return scopes.length > 0;
}
