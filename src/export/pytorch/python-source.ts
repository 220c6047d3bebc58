/**
 * The fixed parts of the model.py that `exportToPyTorch` writes: a safetensors
 * reader and writer (so loading needs nothing but torch), and the networks of
 * src/models/nets.ts written in PyTorch, layer for layer and in the same
 * registration order (so state_dict() names and parameters() order match
 * genzoo's). model-py.ts adds the run's model class, its configuration and
 * the loaders.
 *
 * Any change to nets.ts must be mirrored here; tests/export/pytorch.test.ts
 * compares every network's outputs with PyTorch's and fails on a mismatch.
 */

export const PY_IMPORTS = `import contextlib
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

NUM_CLASSES = 10
SLOPE = 0.2  # LeakyReLU slope of the encoders and critics
`;

export const PY_SAFETENSORS = `
# ---- safetensors, by its public layout: an 8-byte little-endian header length, a JSON
# header {name: {dtype, shape, data_offsets}}, then the raw little-endian bytes. The
# \`safetensors\` package reads and writes the same files; these two functions spare the install.

_DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
    'BOOL': torch.bool,
}
_DTYPE_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def read_safetensors(path):
    """({name: tensor}, metadata) of a safetensors file."""
    if sys.byteorder != 'little':
        raise RuntimeError('read_safetensors: this reader assumes a little-endian machine')
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: {len(data)} bytes, too short for a safetensors file')
    n = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', None) or {}
    tensors = {}
    for name, entry in header.items():
        if entry['dtype'] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {entry['dtype']}, which read_safetensors does not handle")
        begin, end = entry['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        dtype = _DTYPES[entry['dtype']]
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry['shape'])
    return tensors, metadata


def _raw_bytes(t):
    flat = t.detach().cpu().contiguous().reshape(-1)
    if flat.numel() == 0:
        return b''
    flat = flat.view(torch.uint8)
    try:
        return flat.numpy().tobytes()
    except (RuntimeError, TypeError):  # a torch built without NumPy
        return bytes(flat.tolist())


def write_safetensors(tensors, path, metadata=None):
    """Writes {name: tensor} as a safetensors file (what \`genzoo import --from pytorch\` reads), atomically."""
    header = {'__metadata__': dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype not in _DTYPE_NAMES:
            raise ValueError(f'write_safetensors: tensor {name!r} has dtype {t.dtype}, which this writer does not handle')
        raw = _raw_bytes(t)
        header[name] = {'dtype': _DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(len(text).to_bytes(8, 'little'))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)
    os.replace(tmp, path)
`;

export const PY_CONDITION = `

# ---- the networks (genzoo: src/models/nets.ts) --------------------------------------------

def with_cond(h, c):
    """Concatenates the one-hot condition c [B, 10] to features: as columns, or as 10 constant maps."""
    if c is None:
        return h
    if h.dim() == 2:
        return torch.cat([h, c], 1)
    return torch.cat([h, c[:, :, None, None].expand(-1, -1, h.shape[2], h.shape[3])], 1)
`;

export const PY_ENCODER = `

class Encoder(nn.Module):
    """x [B, 1, 28, 28] (and one-hot c) -> (mu, logvar) of q(z | x[, y]), each [B, latent]."""

    def __init__(self, arch, latent, width, cond):
        super().__init__()
        self.arch, self.latent, self.cond = arch, latent, cond
        if arch == 'mlp':
            self.fc1 = nn.Linear(784 + cond, width)
            self.fc2 = nn.Linear(width + cond, width)
            hidden = width
        else:
            self.conv1 = nn.Conv2d(1 + cond, width, 4, stride=2, padding=1)
            self.conv2 = nn.Conv2d(width + cond, 2 * width, 4, stride=2, padding=1)
            self.bn2 = nn.BatchNorm2d(2 * width)
            self.fc2 = nn.Linear(2 * width * 49 + cond, 4 * width)
            hidden = 4 * width
        self.out = nn.Linear(hidden + cond, 2 * latent)

    def forward(self, x, c=None):
        if self.cond and c is None:
            raise ValueError('Encoder: this encoder is conditional: pass the one-hot labels')
        if self.arch == 'mlp':
            h = F.leaky_relu(self.fc1(with_cond(x.reshape(x.shape[0], 784), c)), SLOPE)
            h = F.leaky_relu(self.fc2(with_cond(h, c)), SLOPE)
        else:
            h = F.leaky_relu(self.conv1(with_cond(x, c)), SLOPE)
            h = F.leaky_relu(self.bn2(self.conv2(with_cond(h, c))), SLOPE)
            h = F.leaky_relu(self.fc2(with_cond(h.reshape(x.shape[0], -1), c)), SLOPE)
        out = self.out(with_cond(h, c))
        return out[:, :self.latent], out[:, self.latent:]
`;

export const PY_DECODER = `

class Decoder(nn.Module):
    """z [B, latent] (and one-hot c) -> image logits [B, 1, 28, 28]; sigmoid gives the pixels.

    batch_norm: BatchNorm after each hidden layer. conditional_norm: each BatchNorm output h
    becomes h * (1 + gain(c)) + shift(c), per class (zero-initialised).
    """

    def __init__(self, arch, latent, width, cond, batch_norm, conditional_norm=False):
        super().__init__()
        self.arch, self.width, self.cond = arch, width, cond
        self.gain1 = self.shift1 = self.gain2 = self.shift2 = None
        if batch_norm and conditional_norm and cond > 0:
            n1 = width if arch == 'mlp' else 2 * width * 49
            self.gain1 = nn.Linear(cond, n1, bias=False)
            self.shift1 = nn.Linear(cond, n1, bias=False)
            self.gain2 = nn.Linear(cond, width, bias=False)
            self.shift2 = nn.Linear(cond, width, bias=False)
            for layer in (self.gain1, self.shift1, self.gain2, self.shift2):
                nn.init.zeros_(layer.weight)
        if arch == 'mlp':
            self.fc1 = nn.Linear(latent + cond, width)
            self.bn1 = nn.BatchNorm1d(width) if batch_norm else None
            self.fc2 = nn.Linear(width + cond, width)
            self.bn2 = nn.BatchNorm1d(width) if batch_norm else None
            self.out = nn.Linear(width + cond, 784)
        else:
            self.fc1 = nn.Linear(latent + cond, 2 * width * 49)
            self.bn1 = nn.BatchNorm1d(2 * width * 49) if batch_norm else None
            self.deconv2 = nn.ConvTranspose2d(2 * width + cond, width, 4, stride=2, padding=1)
            self.bn2 = nn.BatchNorm2d(width) if batch_norm else None
            self.deconv3 = nn.ConvTranspose2d(width + cond, 1, 4, stride=2, padding=1)

    def _norm(self, bn, h, gain, shift, c):
        if bn is None:
            return h
        n = bn(h)
        if gain is None or c is None:
            return n
        shape = (h.shape[0], n.shape[1]) + (1,) * (n.dim() - 2)
        return n * (gain(c).reshape(shape) + 1) + shift(c).reshape(shape)

    def forward(self, z, c=None):
        if self.cond and c is None:
            raise ValueError('Decoder: this decoder is conditional: pass the one-hot labels')
        b = z.shape[0]
        h = F.relu(self._norm(self.bn1, self.fc1(with_cond(z, c)), self.gain1, self.shift1, c))
        if self.arch == 'mlp':
            h = F.relu(self._norm(self.bn2, self.fc2(with_cond(h, c)), self.gain2, self.shift2, c))
            return self.out(with_cond(h, c)).reshape(b, 1, 28, 28)
        h = h.reshape(b, 2 * self.width, 7, 7)
        h = F.relu(self._norm(self.bn2, self.deconv2(with_cond(h, c)), self.gain2, self.shift2, c))
        return self.deconv3(with_cond(h, c))
`;

export const PY_CRITICS = `

class Trunk(nn.Module):
    """x -> features phi(x) [B, feature_size] (LeakyReLU; dropout in training when p > 0)."""

    def __init__(self, arch, width, dropout=0.0):
        super().__init__()
        self.arch = arch
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        if arch == 'mlp':
            self.fc1 = nn.Linear(784, width)
            self.fc2 = nn.Linear(width, width // 2)
            self.feature_size = width // 2
        else:
            self.conv1 = nn.Conv2d(1, width, 4, stride=2, padding=1)
            self.conv2 = nn.Conv2d(width, 2 * width, 4, stride=2, padding=1)
            self.fc3 = nn.Linear(2 * width * 49, 4 * width)
            self.feature_size = 4 * width

    def forward(self, x):
        b = x.shape[0]
        if self.arch == 'mlp':
            h = self.drop(F.leaky_relu(self.fc1(x.reshape(b, 784)), SLOPE))
            return self.drop(F.leaky_relu(self.fc2(h), SLOPE))
        h = F.leaky_relu(self.conv1(x), SLOPE)
        h = self.drop(F.leaky_relu(self.conv2(h), SLOPE))
        return self.drop(F.leaky_relu(self.fc3(h.reshape(b, -1)), SLOPE))


class Discriminator(nn.Module):
    """D(x[, y]) -> (logit [B], features [B, F]); with classes a projection discriminator:
    logit = out(phi(x)) + <embed(y), phi(x)>."""

    def __init__(self, arch, width, cond, dropout=0.0):
        super().__init__()
        self.trunk = Trunk(arch, width, dropout)
        self.out = nn.Linear(self.trunk.feature_size, 1)
        self.embed = nn.Embedding(cond, self.trunk.feature_size) if cond > 0 else None

    def forward(self, x, y=None):
        features = self.trunk(x)
        logit = self.out(features)
        if self.embed is not None:
            if y is None:
                raise ValueError('Discriminator: this discriminator is conditional: pass the labels')
            logit = logit + (self.embed(y) * features).sum(1, keepdim=True)
        return logit.reshape(x.shape[0]), features
`;

export const PY_CLASSIFIER = `

class Classifier(nn.Module):
    """C(x) -> (class logits [B, 10], features [B, F])."""

    def __init__(self, arch, width, dropout=0.0, classes=NUM_CLASSES):
        super().__init__()
        self.trunk = Trunk(arch, width, dropout)
        self.out = nn.Linear(self.trunk.feature_size, classes)

    def forward(self, x):
        features = self.trunk(x)
        return self.out(features), features
`;

export const PY_EMA = `

class ParamEMA(nn.Module):
    """A moving average of a network's parameters (genzoo: src/models/ema.ts): buffers p0, p1, ...
    in the order of \`names\`, and \`updates\`. At update t the decay is min(decay, t / (t + 1))."""

    def __init__(self, net, names, decay):
        super().__init__()
        self.names, self.decay = list(names), decay
        self._net = [net]  # a list, so the network is not registered twice
        params = dict(net.named_parameters())
        for i, name in enumerate(self.names):
            self.register_buffer(f'p{i}', params[name].detach().clone())
        self.register_buffer('updates', torch.zeros(()))

    def _params(self):
        params = dict(self._net[0].named_parameters())
        return [params[name] for name in self.names]

    @torch.no_grad()
    def update(self):
        """Folds the current parameters into the averages (call after each optimizer step)."""
        t = float(self.updates)
        d = min(self.decay, t / (t + 1))
        for i, p in enumerate(self._params()):
            getattr(self, f'p{i}').mul_(d).add_(p, alpha=1 - d)
        self.updates += 1

    @contextlib.contextmanager
    def swapped(self):
        """Runs the block with the averaged weights in place of the live ones, then restores them."""
        params = self._params()
        live = [p.detach().clone() for p in params]
        with torch.no_grad():
            for i, p in enumerate(params):
                p.copy_(getattr(self, f'p{i}'))
        try:
            yield
        finally:
            with torch.no_grad():
                for p, saved in zip(params, live):
                    p.copy_(saved)
`;

export const PY_ZOO_MODEL = `

# ---- the model (genzoo: src/models) -----------------------------------------------------

class ZooModel(nn.Module):
    """What genzoo's models share: one-hot labels, the prior draw and sample()."""

    conditional = True
    latent = 0

    def _device(self):
        return next(self.parameters()).device

    def _dtype(self):
        return next(self.parameters()).dtype

    def one_hot(self, labels):
        """One-hot float labels [B, 10] for conditional networks; None for the unconditional VAE."""
        if not self.conditional:
            return None
        if labels is None:
            raise ValueError(f'{type(self).__name__} is conditional: pass the class labels')
        y = torch.as_tensor(labels, dtype=torch.long, device=self._device())
        return F.one_hot(y, NUM_CLASSES).to(self._dtype())

    def sample_latent(self, y, noise):
        """The latent codes sample() decodes: N(0, I), i.e. the noise itself, unless a prior is learned."""
        return noise

    def decoder_weights(self):
        """The weights sample() decodes with: the live ones (the CGAN uses its averaged ones)."""
        return contextlib.nullcontext()

    @torch.no_grad()
    def sample(self, labels, generator=None, noise=None):
        """Images [N, 1, 28, 28] in [0, 1], as genzoo's sample(): one per class label in \`labels\`
        (a conditional model), or \`labels\` images (an int, for the unconditional VAE).

        The N(0, I) draws come from \`generator\` (a torch.Generator on the model's device), or are
        given as \`noise\` [N, latent]: genzoo's draws there give genzoo's samples. Runs in eval
        mode (BatchNorm uses its running statistics) and restores the mode afterwards.
        """
        name = type(self).__name__
        if self.conditional:
            if isinstance(labels, int):
                raise ValueError(f'{name}.sample: a conditional model samples per label: pass the class labels, not a count')
            y = torch.as_tensor(labels, dtype=torch.long, device=self._device()).reshape(-1)
            if y.numel() == 0:
                raise ValueError(f'{name}.sample: no labels given')
            if ((y < 0) | (y >= NUM_CLASSES)).any():
                raise ValueError(f'{name}.sample: labels must be classes in 0-{NUM_CLASSES - 1}, got {y.tolist()}')
            n = y.numel()
        else:
            if isinstance(labels, bool) or not isinstance(labels, int) or labels < 1:
                raise ValueError(f'{name}.sample: the VAE is unconditional: pass the number of samples (a positive int)')
            y, n = None, labels
        if noise is None:
            noise = torch.randn(n, self.latent, generator=generator, device=self._device(), dtype=self._dtype())
        elif tuple(noise.shape) != (n, self.latent):
            raise ValueError(f'{name}.sample: noise must have shape [{n}, {self.latent}], got {list(noise.shape)}')
        was_training = self.training
        self.eval()
        try:
            with self.decoder_weights():
                z = self.sample_latent(y, noise.to(self._device(), self._dtype()))
                return torch.sigmoid(self.G(z, self.one_hot(y)))
        finally:
            self.train(was_training)
`;
