/** OUT/README.md of an export: how to load it, in three lines, and what is in the folder. */
import type { ModelConfig } from '../../models/types.js';
import { PY_CLASS } from './model-py.js';

export function exportReadme(config: ModelConfig, outDir: string, opts: { optimizer: boolean; conditional: boolean }): string {
  const draw = opts.conditional
    ? 'images = net.sample(torch.arange(10), torch.Generator().manual_seed(0))  # [10, 1, 28, 28], one per class'
    : 'images = net.sample(16, torch.Generator().manual_seed(0))               # [16, 1, 28, 28]';
  return `# ${config.kind} (${config.arch}) from genzoo, as PyTorch

Load it with PyTorch 1.13 or later (nothing else is needed):

\`\`\`python
import sys; sys.path.insert(0, ${JSON.stringify(outDir)})  # the folder holding model.py
import model
net = model.load()  # a model.${PY_CLASS[config.kind]}, load_state_dict(strict=True) from model.safetensors, eval mode
\`\`\`

Then, for example:

\`\`\`python
import torch
${draw}
\`\`\`

- \`model.py\`: the networks as plain \`nn.Module\` classes, \`load()\`, \`read_safetensors\`/\`write_safetensors\`${opts.optimizer ? ', `load_optimizers(net)`' : ''}.
- \`model.safetensors\`: the weights and buffers under \`state_dict()\`'s names (\`num_batches_tracked\` as int64).
${opts.optimizer
    ? "- `optimizer.safetensors`: genzoo's Adam state; `model.load_optimizers(net)` gives `torch.optim.Adam` optimizers that continue from it."
    : "- No optimizer state (the run had no checkpoint.safetensors, or it was left out): `model.make_optimizers(net)` gives fresh Adam optimizers with genzoo's settings."}
- \`config.json\`: the genzoo run configuration, for the way back:
  \`model.write_safetensors(net.state_dict(), 'w.safetensors')\`, then
  \`genzoo import --from pytorch w.safetensors --config config.json --out DIR\` and \`genzoo sample --checkpoint DIR …\`.

Same network outputs as genzoo to float32 rounding; the random stream differs (the same seed gives
other samples). Details: genzoo's docs/pytorch.md.
`;
}
