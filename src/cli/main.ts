/**
 * The `genzoo` command line. Each subcommand lives in its own file and is
 * registered in COMMANDS; `main` returns the process exit code.
 */
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { guardStandardStreams } from './output.js';
import { runDemo } from './demo.js';
import { runTrain, TRAIN_USAGE } from './train.js';
import { runSample, SAMPLE_USAGE } from './sample.js';
import { runEval, EVAL_USAGE } from './eval.js';
import { runCompare, COMPARE_USAGE } from './compare.js';
import { runExport, EXPORT_USAGE } from './export.js';
import { runImport, IMPORT_USAGE } from './import.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  demo: { summary: 'print a short tensor + autograd demo', usage: 'genzoo demo', run: runDemo },
  train: { summary: 'train vae | cvae | cgan | cvaegan (genzoo train <model> --help)', usage: TRAIN_USAGE, run: (a) => runTrain(a) },
  sample: { summary: 'draw samples from a trained run to a PNG grid or .npy', usage: SAMPLE_USAGE, run: (a) => runSample(a) },
  eval: { summary: 'score a trained run (accuracy, Fréchet, sharpness, diversity, novelty, NLL) → eval.json', usage: EVAL_USAGE, run: (a) => runEval(a) },
  compare: { summary: 'train or reuse all four models, score them → compare.md + compare.png', usage: COMPARE_USAGE, run: (a) => runCompare(a) },
  export: { summary: 'write a trained run as PyTorch: model.py + model.safetensors (docs/pytorch.md)', usage: EXPORT_USAGE, run: (a) => runExport(a) },
  import: { summary: 'bring a PyTorch state dict (safetensors) back as a genzoo run folder', usage: IMPORT_USAGE, run: (a) => runImport(a) },
};

export function usage(): string {
  const lines = [
    `genzoo ${VERSION} — tensors, autodiff and class-conditional generative models`,
    '',
    'Usage: genzoo <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Options:',
    '  --help, -h     show this help (or a command\'s: genzoo <command> --help)',
    '  --version, -v  print the version',
  ];
  return lines.join('\n');
}

/** Thrown for bad command-line input (one line plus the usage, exit 2); in errors.ts so subcommands import it without a cycle. */
export { UsageError };

export async function main(argv: string[]): Promise<number> {
  // A reader that goes away (`| head`, a closed terminal) silences the output; it never kills the command.
  guardStandardStreams();
  const verbose = argv.includes('--verbose');
  const [cmd, ...rest] = argv.filter((a) => a !== '--verbose');
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    console.error(`genzoo: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`genzoo ${cmd}: ${err.message}\n\nUsage: ${command.usage}`);
      return 2;
    }
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`genzoo ${cmd}: ${msg}`);
    if (verbose && err instanceof Error && err.stack) console.error(err.stack);
    return 1;
  }
}
