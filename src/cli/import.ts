/**
 * `genzoo import --from pytorch FILE.safetensors --config CONFIG.json --out DIR [--force]`
 * Brings a state dict saved by PyTorch (for the architecture CONFIG describes)
 * into a genzoo run folder that `genzoo sample` reads.
 */
import { importFromPyTorch } from '../export/pytorch/index.js';
import { parseArgs, type FlagSpec } from './args.js';
import { UsageError } from './errors.js';

export const IMPORT_USAGE = `genzoo import --from pytorch FILE.safetensors --config CONFIG.json --out DIR [--force]

  Loads a PyTorch state dict saved as safetensors (e.g. model.write_safetensors(net.state_dict(), FILE)
  with the model.py of genzoo export) into DIR: config.json and model.safetensors, which genzoo sample
  reads. CONFIG.json: an export's or a run's config.json, or a model config such as
  {"kind": "cvae", "arch": "conv", "width": 32} (fields left out take the defaults). Every tensor must
  be present with its shape; F16/BF16 widen exactly, F64 rounds to float32, int64 num_batches_tracked
  converts exactly. --force replaces a run in DIR. See docs/pytorch.md.`;

const FLAGS: Record<string, FlagSpec> = {
  from: { type: 'string', choices: ['pytorch'] },
  config: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'bool' },
};

export async function runImport(args: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { flags, positionals } = parseArgs(args, FLAGS, ['FILE']);
  if (flags.from === undefined) throw new UsageError('missing --from pytorch');
  if (positionals[0] === undefined) throw new UsageError('missing the state dict to import (FILE.safetensors)');
  if (flags.config === undefined) throw new UsageError('missing --config CONFIG.json (the architecture of the state dict)');
  if (flags.out === undefined) throw new UsageError('missing --out DIR (the run folder to write)');
  const file = positionals[0];
  const result = await importFromPyTorch(file, String(flags.config), String(flags.out), { overwrite: flags.force === true });
  const { widened, rounded, integers } = result.notes;
  const conversions = [
    widened.length ? `${widened.length} F16/BF16 tensors widened to float32 (exact)` : '',
    rounded.length ? `${rounded.length} F64 tensors rounded to float32` : '',
    integers.length ? `${integers.length} integer buffers converted (exact)` : '',
  ].filter(Boolean);
  out.write(`imported ${file} as a ${result.config.kind} (${result.config.arch}) into ${String(flags.out)}/` +
    (conversions.length ? ` (${conversions.join('; ')})` : '') + `; try: genzoo sample --checkpoint ${String(flags.out)} --out samples.png\n`);
  return 0;
}
