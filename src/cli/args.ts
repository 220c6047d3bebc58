/**
 * Strict command-line flag parsing for the `genzoo` subcommands.
 *
 * Every flag is declared with its type; anything else is an error, thrown as
 * a `UsageError` (one line, then the command's usage, exit code 2):
 *   unknown flags, a flag given twice, a missing value (`--epochs` at the end,
 *   or followed by another `--flag`), values that are not numbers of the
 *   declared kind, values out of range, and unexpected positional arguments.
 * Both `--name value` and `--name=value` are accepted.
 */
import { UsageError } from './errors.js';

export type FlagType = 'int' | 'number' | 'string' | 'bool';

export interface FlagSpec {
  type: FlagType;
  /** Inclusive bounds for 'int' and 'number'. */
  min?: number;
  max?: number;
  /** Allowed values for 'string'. */
  choices?: readonly string[];
  /** For error messages, e.g. 'a positive integer'. */
  describe?: string;
}

export type FlagValues = Record<string, number | string | boolean | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function parseValue(name: string, spec: FlagSpec, raw: string): number | string {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
    }
    return raw;
  }
  const what = spec.describe ?? (spec.type === 'int' ? 'an integer' : 'a number');
  // Number('') is 0 and Number('0x10') is 16: only plain decimal notation is accepted.
  if (!NUMBER_RE.test(raw)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isSafeInteger(v))) {
    throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  }
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  }
  return v;
}

/**
 * Parses `args` against `specs` (flag name without dashes → spec).
 * `positionals` is how many positional arguments are allowed (each named, for errors).
 */
export function parseArgs(args: readonly string[], specs: Record<string, FlagSpec>, positionals: readonly string[] = []): ParsedArgs {
  const flags: FlagValues = {};
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
      if (!spec) throw new UsageError(`unknown flag '--${name}'`);
      if (flags[name] !== undefined) throw new UsageError(`--${name} given more than once`);
      if (spec.type === 'bool') {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
        continue;
      }
      let raw: string | undefined;
      if (eq >= 0) raw = arg.slice(eq + 1);
      else {
        raw = args[i + 1];
        // A following flag is not a value ('--lr --epochs 3'), but a negative number is ('--lr -1' is then range-checked).
        if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) throw new UsageError(`--${name} needs a value`);
        i++;
      }
      if (raw === '') throw new UsageError(`--${name} needs a value`);
      flags[name] = parseValue(name, spec, raw);
    } else if (arg.startsWith('-') && arg.length > 1 && !NUMBER_RE.test(arg)) {
      throw new UsageError(`unknown flag '${arg}'`);
    } else {
      if (pos.length >= positionals.length) {
        throw new UsageError(positionals.length === 0 ? `unexpected argument '${arg}'` : `unexpected extra argument '${arg}'`);
      }
      pos.push(arg);
    }
  }
  return { flags, positionals: pos };
}
