/**
 * `genzoo export --checkpoint DIR --to pytorch --out OUT [--no-optimizer] [--force]`
 * Writes the run in DIR as a PyTorch project (export/pytorch): OUT/model.py,
 * model.safetensors, optimizer.safetensors, config.json and README.md.
 */
import { exportToPyTorch } from '../export/pytorch/index.js';
import { parseArgs, type FlagSpec } from './args.js';
import { UsageError } from './errors.js';

export const EXPORT_USAGE = `genzoo export --checkpoint DIR --to pytorch --out OUT [--no-optimizer] [--force]

  Writes the run in DIR (from genzoo train) as plain PyTorch into the folder OUT:
  model.py (nn.Module classes mirroring the networks, load(), sample()), model.safetensors
  (weights and buffers under the names model.py expects), optimizer.safetensors (the Adam
  state, from DIR/checkpoint.safetensors; --no-optimizer leaves it out), config.json and
  README.md (how to load it). No Python is needed to export. --force replaces an earlier
  export in OUT. See docs/pytorch.md.`;

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: 'string' },
  to: { type: 'string', choices: ['pytorch'] },
  out: { type: 'string' },
  'no-optimizer': { type: 'bool' },
  force: { type: 'bool' },
};

export async function runExport(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { flags } = parseArgs(args, FLAGS);
  if (flags.checkpoint === undefined) throw new UsageError('missing --checkpoint DIR (a folder written by genzoo train)');
  if (flags.to === undefined) throw new UsageError('missing --to pytorch');
  if (flags.out === undefined) throw new UsageError('missing --out OUT (the folder to write)');
  const result = await exportToPyTorch(String(flags.checkpoint), String(flags.out), {
    optimizer: flags['no-optimizer'] !== true,
    overwrite: flags.force === true,
  });
  const optimizer = {
    exported: 'optimizer state exported',
    'not requested': 'optimizer state left out (--no-optimizer)',
    'no checkpoint': `no optimizer state: ${String(flags.checkpoint)} has no checkpoint.safetensors`,
  }[result.optimizer];
  out.write(`exported ${result.kind} (${result.arch}) to ${String(flags.out)}/ for PyTorch: ${result.files.map((f) => f.split('/').pop()).join(', ')}; ${optimizer}\n`);
  return 0;
}
