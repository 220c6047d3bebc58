/** Test helpers for nn: gradient checks through a module's own forward. */
import { gradcheck, nn, Tensor, type GradcheckOptions, type GradcheckResult } from '../../src/index.js';

/**
 * gradcheck of `m.call(...inputs)` with respect to the inputs that require grad
 * and every parameter of `m`: gradcheck hands fn float64 copies, and fn
 * registers the parameter copies in the module so forward uses them.
 */
export function gradcheckModule(m: nn.AnyModule, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const named = m.namedParameters();
  const place = (name: string, t: Tensor): void => {
    const dot = name.lastIndexOf('.');
    m.getSubmodule(dot < 0 ? '' : name.slice(0, dot)).registerParameter(name.slice(dot + 1), t);
  };
  const fn = (...xs: Tensor[]): Tensor => {
    named.forEach(([name], i) => place(name, xs[inputs.length + i]));
    return (m as unknown as nn.Module<Tensor[], Tensor>).call(...xs.slice(0, inputs.length));
  };
  try {
    return gradcheck(fn, [...inputs, ...named.map(([, p]) => p)], opts);
  } finally {
    for (const [name, p] of named) place(name, p);
  }
}

/** Whether any value of `t` is NaN or ±Inf. A missing tensor (a gradient never computed) is an error, not "all finite". */
export function hasNonFinite(t: Tensor | null | undefined): boolean {
  if (!t) throw new Error('hasNonFinite: no tensor (a gradient that was never computed?)');
  for (let i = 0; i < t.size; i++) if (!Number.isFinite(t.data[i])) return true;
  return false;
}
