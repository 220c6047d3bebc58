import { describe, expect, test } from 'vitest';
import { parseArgs, type FlagSpec } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';

const specs: Record<string, FlagSpec> = {
  epochs: { type: 'int', min: 1, describe: 'a positive integer' },
  lr: { type: 'number', min: Number.MIN_VALUE, describe: 'a positive number' },
  arch: { type: 'string', choices: ['mlp', 'conv'] },
  out: { type: 'string' },
  resume: { type: 'bool' },
};

const fails = (args: string[], message: RegExp): void => {
  let err: unknown;
  try {
    parseArgs(args, specs, ['model']);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
};

describe('parseArgs', () => {
  test('reads flags of every type, both spellings, and positionals', () => {
    const { flags, positionals } = parseArgs(['cvae', '--epochs', '3', '--lr=1e-3', '--arch', 'conv', '--resume', '--out', 'a b'], specs, ['model']);
    expect(positionals).toEqual(['cvae']);
    expect(flags).toEqual({ epochs: 3, lr: 0.001, arch: 'conv', resume: true, out: 'a b' });
  });

  test('rejects bad input with one-line usage errors', () => {
    fails(['--bogus', '1'], /unknown flag '--bogus'/);
    fails(['-x'], /unknown flag '-x'/);
    fails(['--epochs'], /--epochs needs a value/);
    fails(['--epochs', '--lr', '1'], /--epochs needs a value/);
    fails(['--epochs='], /--epochs needs a value/);
    fails(['--epochs', 'ten'], /--epochs must be a positive integer, got 'ten'/);
    fails(['--epochs', '1.5'], /--epochs must be a positive integer/);
    fails(['--epochs', '0'], /--epochs must be a positive integer/);
    fails(['--epochs', '0x10'], /--epochs must be a positive integer/);
    fails(['--lr', '-1'], /--lr must be a positive number, got '-1'/);
    fails(['--lr', 'NaN'], /--lr must be a positive number/);
    fails(['--lr', 'Infinity'], /--lr must be a positive number/);
    fails(['--lr', '0'], /--lr must be a positive number/);
    fails(['--arch', 'rnn'], /--arch must be one of mlp, conv, got 'rnn'/);
    fails(['--epochs', '1', '--epochs', '2'], /given more than once/);
    fails(['--resume=yes'], /--resume takes no value/);
    fails(['a', 'b'], /unexpected extra argument 'b'/);
  });
});
