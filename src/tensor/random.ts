/**
 * Seeded randomness. Every random function in genzoo takes an optional
 * `Generator`; without one it uses the global generator that `manualSeed` resets.
 * Built on seedrandom's Alea (fast, good statistical quality, reproducible across
 * platforms). `Math.random` is never used.
 */
import seedrandom from 'seedrandom';
import { ValueError } from '../errors.js';

/** A {@link Generator}'s complete state (plain JSON), from `state()`; `Generator.fromState` continues from it. */
export interface GeneratorState {
  /** The seed the generator was created with, as a string. */
  seed: string;
  /** The Alea generator's internal state (seedrandom's). */
  prng: seedrandom.State.Alea;
  /** The second value of the last Box–Muller pair, not yet returned by `normal()`; null when none is cached. */
  spareNormal: number | null;
}

/**
 * A seeded random number generator (seedrandom's Alea): the same seed gives
 * the same numbers on every platform and backend. Pass one as `generator` to
 * {@link randn}, {@link rand}, {@link randint}, layers' initialisers and the
 * DataLoader; without one they use the global generator ({@link manualSeed}).
 *
 * ```ts
 * const g = new Generator(42);
 * randn([2], { generator: g }).toArray();   // the same two numbers every run
 * ```
 */
export class Generator {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | null = null;
  /** The seed, as a string (numbers are converted with String()). */
  readonly seed: string;

  /** A generator seeded with `seed` (default 0); throws on a non-finite number. */
  constructor(seed: number | string = 0) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new ValueError(`Generator: seed must be finite, got ${seed}`);
    this.seed = String(seed);
    this.prng = seedrandom.alea(this.seed, { state: true });
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.prng.double();
  }

  /** Standard normal, Box–Muller (both values used: one is cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.prng.double(); // log(0) would be -Inf
    const v = this.prng.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** A new generator seeded from this one: independent streams for sub-tasks. */
  fork(): Generator {
    return new Generator(Math.floor(this.prng.double() * 2 ** 52));
  }

  /** Fisher–Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Snapshot of the generator, for checkpoints: restore with `Generator.fromState`. */
  state(): GeneratorState {
    return { seed: this.seed, prng: this.prng.state(), spareNormal: this.spareNormal };
  }

  /** A generator that continues exactly where the one `s` was taken from stood. */
  static fromState(s: GeneratorState): Generator {
    const g = new Generator(s.seed);
    g.prng = seedrandom.alea('', { state: s.prng });
    g.spareNormal = s.spareNormal;
    return g;
  }
}

let globalGenerator = new Generator(0);

/** Reseeds the global generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number | string): Generator {
  globalGenerator = new Generator(seed);
  return globalGenerator;
}

/** The global generator: what random functions use when no `generator` is given. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}
