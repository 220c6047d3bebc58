/**
 * Writes model.py: plain PyTorch classes for one genzoo run. The networks come
 * from python-source.ts; this file adds the run's model class (its networks'
 * constructor arguments read off the live model, so the file fits the weights
 * it ships with), its configuration, its optimizers and the loaders.
 */
import type { Discriminator, Classifier } from '../../models/nets.js';
import type { ParamEMA } from '../../models/ema.js';
import { NUM_CLASSES, type GenerativeModel, type ModelKind } from '../../models/types.js';
import { VERSION } from '../../version.js';
import {
  PY_CLASSIFIER, PY_CONDITION, PY_CRITICS, PY_DECODER, PY_EMA, PY_ENCODER, PY_IMPORTS, PY_SAFETENSORS, PY_ZOO_MODEL,
} from './python-source.js';
import type { OptimizerSpec } from './state.js';
import { ValueError } from '../../errors.js';

/** The Python class name of each model kind. */
export const PY_CLASS: Record<ModelKind, string> = { vae: 'VAE', cvae: 'CVAE', cgan: 'CGAN', cvaegan: 'CVAEGAN' };

const SUMMARY: Record<ModelKind, string> = {
  vae: 'a variational autoencoder (unconditional)',
  cvae: 'a conditional VAE',
  cgan: 'a conditional GAN with a projection discriminator',
  cvaegan: 'a CVAE-GAN (encoder, generator, discriminator, classifier)',
};

/**
 * A string as a Python literal: JSON's escapes (\\n, \\", \\uXXXX…) are Python's too;
 * single-quoted (PEP 8's usual choice) unless the string holds a single quote.
 */
export function pyString(s: string): string {
  const json = JSON.stringify(s);
  return s.includes("'") ? json : `'${json.slice(1, -1).replace(/\\"/g, '"')}'`;
}

/**
 * A value as a Python literal: numbers, booleans, None, strings (a JSON string
 * literal is a valid Python one), lists and dicts.
 */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return "float('nan')";
    if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "float('-inf')";
    return String(v);
  }
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyLiteral(x)}`).join(', ')}}`;
  throw new ValueError(`pyLiteral: cannot write a ${typeof v} as Python`);
}

/** Names as a Python list, wrapped to lines of about 100 characters at `indent`. */
function pyNameList(names: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    const item = `${pyString(n)}, `;
    if (line && indent.length + line.length + item.length > 100) {
      lines.push(indent + line.trimEnd());
      line = '';
    }
    line += item;
  }
  if (line) lines.push(indent + line.trimEnd());
  return `[\n${lines.join('\n')}\n${indent.slice(4)}]`;
}

interface NetCalls {
  encoder: string | null;
  decoder: string;
  discriminator: string | null;
  classifier: string | null;
  ema: { decay: number; names: string[] } | null;
  priorTable: readonly number[] | null;
  buffers: Array<{ name: string; shape: readonly number[]; why: string }>;
}

/** The constructor calls of the run's networks, read off the live model and its state dict. */
function netCalls(model: GenerativeModel): NetCalls {
  const c = model.config;
  const sd = model.stateDict();
  const has = (k: string): boolean => Object.hasOwn(sd, k);
  const cond = model.conditional ? NUM_CLASSES : 0;
  const arch = pyLiteral(c.arch);
  const d = has('D.out.weight') ? (model.getSubmodule('D') as unknown as Discriminator) : null;
  const cl = has('C.out.weight') ? (model.getSubmodule('C') as unknown as Classifier) : null;
  const ema = has('Gema.updates') ? (model.getSubmodule('Gema') as unknown as ParamEMA) : null;
  const buffers: NetCalls['buffers'] = [];
  if (has('step')) buffers.push({ name: 'step', shape: sd.step.shape, why: "training steps taken (genzoo's KL warm-up counts them)" });
  if (has('centres')) buffers.push({ name: 'centres', shape: sd.centres.shape, why: "moving per-class means of C's features on real digits (the L_GC targets)" });
  if (has('centreSeen')) buffers.push({ name: 'centreSeen', shape: sd.centreSeen.shape, why: 'whether each class has been seen yet (1) or not (0)' });
  return {
    encoder: has('E.out.weight') ? `Encoder(${arch}, latent=${c.latent}, width=${c.width}, cond=${cond})` : null,
    decoder: `Decoder(${arch}, latent=${c.latent}, width=${c.width}, cond=${cond}, batch_norm=${pyLiteral(has('G.bn1.weight'))}, conditional_norm=${pyLiteral(has('G.gain1.weight'))})`,
    discriminator: d ? `Discriminator(${arch}, width=${c.width}, cond=${has('D.embed.weight') ? NUM_CLASSES : 0}, dropout=${d.trunk.dropout})` : null,
    classifier: cl ? `Classifier(${arch}, width=${c.width}, dropout=${cl.trunk.dropout})` : null,
    ema: ema ? { decay: ema.decay, names: model.getSubmodule('G').namedParameters().map(([n]) => n) } : null,
    priorTable: has('priorTable') ? sd.priorTable.shape : null,
    buffers,
  };
}

/** The model class of the run. */
function modelClass(model: GenerativeModel, n: NetCalls): string {
  const cls = PY_CLASS[model.kind];
  const lines: string[] = [
    '',
    '',
    `class ${cls}(ZooModel):`,
    `    """${model.kind} (${model.config.arch}): ${SUMMARY[model.kind]}, as genzoo built it."""`,
    '',
    `    conditional = ${pyLiteral(model.conditional)}`,
    `    latent = ${model.config.latent}`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
  ];
  if (n.encoder) lines.push(`        self.E = ${n.encoder}`);
  lines.push(`        self.G = ${n.decoder}`);
  if (n.discriminator) lines.push(`        self.D = ${n.discriminator}`);
  if (n.classifier) lines.push(`        self.C = ${n.classifier}`);
  if (n.priorTable) {
    lines.push('        # The learned class prior p(z | y) = N(mu_y, diag sigma_y^2): row y holds (mu_y, log sigma_y^2).');
    lines.push(`        self.priorTable = nn.Parameter(torch.zeros(${n.priorTable.join(', ')}))`);
  }
  for (const b of n.buffers) {
    lines.push(`        # ${b.why[0].toUpperCase()}${b.why.slice(1)}.`);
    lines.push(`        self.register_buffer(${pyString(b.name)}, torch.zeros(${b.shape.length ? b.shape.join(', ') : '()'}))`);
  }
  if (n.ema) {
    lines.push(`        # The moving average of G's weights (decay ${n.ema.decay}) that sample() decodes with; G's parameters in genzoo's order.`);
    lines.push(`        self.Gema = ParamEMA(self.G, ${pyNameList(n.ema.names, '            ')}, decay=${n.ema.decay})`);
  }
  if (n.encoder) {
    lines.push(
      '',
      '    def encode(self, x, labels=None):',
      '        """q(z | x[, y]): (mu, logvar), each [B, latent], for images x [B, 1, 28, 28] in [0, 1]."""',
      '        return self.E(x, self.one_hot(labels))',
    );
  }
  lines.push(
    '',
    '    def decode(self, z, labels=None):',
    `        """${n.encoder ? 'p(x | z[, y])' : 'G(z, y)'}: image logits [B, 1, 28, 28] (sigmoid gives the pixels); live weights."""`,
    '        return self.G(z, self.one_hot(labels))',
  );
  if (model.kind === 'vae' || model.kind === 'cvae') {
    lines.push(
      '',
      '    @torch.no_grad()',
      '    def reconstruct(self, x, labels=None):',
      '        """sigmoid(G(mu(x[, y])[, y])): the posterior-mean reconstructions, in eval mode, as genzoo\'s reconstruct()."""',
      '        was_training = self.training',
      '        self.eval()',
      '        try:',
      '            c = self.one_hot(labels)',
      '            return torch.sigmoid(self.G(self.E(x, c)[0], c))',
      '        finally:',
      '            self.train(was_training)',
    );
  }
  if (n.discriminator) {
    const conditional = n.discriminator.includes(`cond=${NUM_CLASSES}`);
    lines.push(
      '',
      conditional ? '    def discriminate(self, x, labels):' : '    def discriminate(self, x):',
      `        """D(x${conditional ? ', y' : ''}): (real/fake logit [B], features [B, F])."""`,
      conditional
        ? '        return self.D(x, torch.as_tensor(labels, dtype=torch.long, device=self._device()))'
        : '        return self.D(x)',
    );
  }
  if (n.classifier) {
    lines.push(
      '',
      '    def classify(self, x):',
      '        """C(x): (class logits [B, 10], features [B, F])."""',
      '        return self.C(x)',
    );
  }
  if (n.priorTable) {
    lines.push(
      '',
      '    def sample_latent(self, y, noise):',
      '        """z ~ p(z | y), the learned class prior: mu_y + exp(logvar_y / 2) * noise."""',
      '        rows = self.priorTable[y]',
      '        mu, logvar = rows[:, :self.latent], rows[:, self.latent:]',
      '        return mu + torch.exp(0.5 * logvar) * noise',
    );
  }
  if (n.ema) {
    lines.push(
      '',
      '    def decoder_weights(self):',
      '        return self.Gema.swapped()',
    );
  }
  return lines.join('\n') + '\n';
}

function optimizersLiteral(specs: readonly OptimizerSpec[]): string {
  const lines = ['OPTIMIZERS = {'];
  for (const s of specs) {
    lines.push(
      `    ${pyString(s.name)}: {`,
      `        'lr': ${pyLiteral(s.lr)}, 'betas': (${pyLiteral(s.betas[0])}, ${pyLiteral(s.betas[1])}), 'eps': ${pyLiteral(s.eps)}, ` +
        `'weight_decay': ${pyLiteral(s.weightDecay)}, 'amsgrad': ${pyLiteral(s.amsgrad)},`,
      `        'params': ${pyNameList(s.params, '            ')},`,
      '    },',
    );
  }
  lines.push('}');
  return lines.join('\n');
}

const PY_LOADERS = `

def load(path=os.path.join(HERE, 'model.safetensors'), device='cpu'):
    """The exported model: load_state_dict(strict=True) from \`path\`, moved to \`device\`, in eval mode."""
    model = MODEL()
    tensors, _ = read_safetensors(path)
    model.load_state_dict(tensors, strict=True)
    return model.to(device).eval()


def make_optimizers(model):
    """Fresh torch.optim.Adam optimizers with genzoo's settings, by name (see OPTIMIZERS)."""
    named = dict(model.named_parameters())
    return {
        name: torch.optim.Adam([named[p] for p in spec['params']], lr=spec['lr'], betas=spec['betas'], eps=spec['eps'],
                               weight_decay=spec['weight_decay'], amsgrad=spec['amsgrad'])
        for name, spec in OPTIMIZERS.items()
    }


def load_optimizers(model, path=os.path.join(HERE, 'optimizer.safetensors')):
    """make_optimizers(model) with genzoo's Adam state (step, exp_avg, exp_avg_sq) restored from \`path\`:
    training continues where genzoo stopped. Move the model to its device first (load(device=...)):
    the state goes to the device of the parameters it belongs to."""
    tensors, _ = read_safetensors(path)
    optimizers = make_optimizers(model)
    used = set()
    for name, opt in optimizers.items():
        state = opt.state_dict()
        for i, param in enumerate(OPTIMIZERS[name]['params']):
            key = f'{name}.{param}'
            if key + '.step' not in tensors:
                continue  # a parameter genzoo never updated has no state yet, as in PyTorch
            entry = {'step': tensors[key + '.step'].to(torch.float32)}
            used.add(key + '.step')
            for field in ('exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'):
                if key + '.' + field in tensors:
                    entry[field] = tensors[key + '.' + field]
                    used.add(key + '.' + field)
            state['state'][i] = entry
        opt.load_state_dict(state)
    unknown = sorted(set(tensors) - used)
    if unknown:
        raise ValueError(f'{path}: unexpected tensors {unknown[:3]}: not the state of these optimizers')
    return optimizers


if __name__ == '__main__':
    model = load()
    count = sum(p.numel() for p in model.parameters())
    images = model.sample(list(range(NUM_CLASSES)) if model.conditional else NUM_CLASSES, torch.Generator().manual_seed(0))
    print(f'{type(model).__name__}: {count} parameters; sample() -> {list(images.shape)}')
`;

/** model.py for `model` (weights loaded) and its optimizers. */
export function modelPy(model: GenerativeModel, optimizers: readonly OptimizerSpec[]): string {
  const n = netCalls(model);
  const cls = PY_CLASS[model.kind];
  const usage = model.conditional
    ? 'images = net.sample(torch.arange(10), torch.Generator().manual_seed(0))   # one per class'
    : 'images = net.sample(16, torch.Generator().manual_seed(0))                 # 16 images';
  const header = `"""
${cls} (${model.config.arch}): ${SUMMARY[model.kind]}, exported from genzoo ${VERSION} by
\`genzoo export --to pytorch\`. Plain PyTorch (1.13 or later), nothing else.

The classes below mirror genzoo's networks (src/models/nets.ts) layer for layer, and
model.safetensors beside this file holds their weights and buffers under the names
state_dict() uses:

    import torch, model
    net = model.load()                           # load_state_dict(strict=True), eval mode
    ${usage}
    mu, logvar = net.encode(x, labels)           # the encoder (VAEs, CVAE-GAN)
    logits = net.decode(z, labels)               # the decoder / generator
    logit, features = net.discriminate(x, ...)   # the critics (GANs); net.classify(x) in the CVAE-GAN

Outputs equal genzoo's to float32 rounding. The random stream is PyTorch's, not genzoo's:
the same seed gives other samples (pass genzoo's N(0, I) draws as \`noise\` to get genzoo's).
The training step is not exported: the losses are in genzoo's docs/models.md. To continue
training, load_optimizers(net) restores genzoo's Adam state when optimizer.safetensors
was exported. To bring weights back: write_safetensors(net.state_dict(), 'w.safetensors'),
then \`genzoo import --from pytorch w.safetensors --config config.json --out DIR\`.
"""
`;
  const parts = [header, PY_IMPORTS, PY_SAFETENSORS, PY_CONDITION];
  if (n.encoder) parts.push(PY_ENCODER);
  parts.push(PY_DECODER);
  if (n.discriminator || n.classifier) parts.push(PY_CRITICS);
  if (n.classifier) parts.push(PY_CLASSIFIER);
  if (n.ema) parts.push(PY_EMA);
  parts.push(PY_ZOO_MODEL, modelClass(model, n));
  parts.push(`

# ---- this run --------------------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))

# The genzoo model configuration (config.json's "model").
CONFIG = ${pyLiteral(model.config)}

MODEL = ${cls}

# genzoo's optimizers: Adam, one per separately trained network, with the parameters each
# updates in genzoo's order (optimizer.safetensors holds their state under these names).
${optimizersLiteral(optimizers)}
`);
  parts.push(PY_LOADERS);
  return parts.join('');
}
