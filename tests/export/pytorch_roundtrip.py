"""
The PyTorch half of tests/export/pytorch.test.ts, all cases in one process (importing
torch costs seconds). Run by Debian's /usr/bin/python3 with python3-torch:

    python3 pytorch_roundtrip.py JOBS.json

JOBS.json: [{"name", "export": OUT folder of genzoo export, "work": folder with
inputs.safetensors and grads.safetensors, "half": "F16" | "BF16" | null, "malformed": bool}].
For each case it writes WORK/torch.safetensors with
  export.*    the exported model's outputs on the inputs (genzoo compares them with its own):
              encoder mu/logvar, decoder logits, discriminator/classifier logits and features,
              reconstructions, samples from genzoo's noise; then G in training mode (outputs,
              BatchNorm statistics), one Adam step from the exported optimizer state with the
              given gradients (parameters after it) and one EMA update;
  pytorch.*   the same outputs of a model with PyTorch's own weights and buffers, saved as
              WORK/pytorch.safetensors (genzoo imports it and must give these outputs);
  half.*      with `half`: outputs of those weights rounded to F16 or BF16, saved as
              WORK/pytorch-half.safetensors;
and with `malformed` WORK/bad-*.safetensors, one defect each (see MALFORMED).
"""
import importlib.util
import json
import os
import sys

import torch
import torch.nn.functional as F


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def forwards(mod, m, inp, prefix, out):
    """Every network call of the model on the inputs, in eval mode."""
    x, y, z, eps = inp['x'], inp['y'].long(), inp['z'], inp['eps']
    labels = y if m.conditional else None
    m.eval()
    with torch.no_grad():
        if hasattr(m, 'E'):
            mu, logvar = m.encode(x, labels)
            out[prefix + 'mu'], out[prefix + 'logvar'] = mu, logvar
        out[prefix + 'G'] = m.decode(z, labels)
        if hasattr(m, 'D'):
            logit, features = m.discriminate(x, y) if m.D.embed is not None else m.discriminate(x)
            out[prefix + 'D.logit'], out[prefix + 'D.features'] = logit, features
        if hasattr(m, 'C'):
            logits, features = m.classify(x)
            out[prefix + 'C.logits'], out[prefix + 'C.features'] = logits, features
        if hasattr(m, 'reconstruct'):
            out[prefix + 'reconstruct'] = m.reconstruct(x, labels)
    out[prefix + 'sample'] = m.sample(y if m.conditional else y.numel(), noise=eps)


def training_steps(mod, m, inp, grads, out):
    """G in training mode, one Adam step of every optimizer, one EMA update (in this order, as genzoo does)."""
    z, y = inp['z'], inp['y'].long()
    m.G.train()
    with torch.no_grad():
        out['export.G.train'] = m.G(z, m.one_hot(y if m.conditional else None))
    for name, b in m.G.named_buffers():
        out['export.G.buffers.' + name] = b.clone()
    m.eval()
    optimizers = mod.load_optimizers(m)
    named = dict(m.named_parameters())
    for name, opt in optimizers.items():
        opt.zero_grad()
        for p in mod.OPTIMIZERS[name]['params']:
            named[p].grad = grads[f'{name}.{p}'].clone()
        opt.step()
    for name, p in m.named_parameters():
        out['export.stepped.' + name] = p.detach().clone()
    if hasattr(m, 'Gema'):
        m.Gema.update()
        for name, b in m.Gema.named_buffers():
            out['export.ema.' + name] = b.clone()


@torch.no_grad()
def pytorch_weights(mod, seed):
    """A model with PyTorch's initial weights, then every parameter and buffer moved off its
    initial value (BatchNorm scales and shifts, the prior table, the EMA copies…), so that a
    tensor genzoo ignored or swapped would change the outputs."""
    torch.manual_seed(seed)
    m = mod.MODEL()
    for p in m.parameters():
        p.add_(torch.randn_like(p) * 0.05)
    params = dict(m.G.named_parameters())
    for name, b in m.named_buffers():
        if name.endswith('running_mean'):
            b.copy_(torch.randn_like(b) * 0.1)
        elif name.endswith('running_var'):
            b.copy_(torch.rand_like(b) + 0.5)
        elif name.endswith('num_batches_tracked'):
            b.fill_(7)
        elif name.startswith('Gema.p'):
            b.copy_(params[m.Gema.names[int(name[6:])]] + torch.randn_like(b) * 0.05)
        elif name == 'Gema.updates':
            b.fill_(3)
        elif name == 'centreSeen':
            b.fill_(1)
        else:  # step, centres
            b.copy_(torch.rand_like(b) * 5)
    return m.eval()


# One defect per file: (what, change to the state dict). The test expects a one-line error naming the key.
MALFORMED = {
    'missing': lambda sd: sd.pop('G.fc1.bias'),
    'extra': lambda sd: sd.__setitem__('G.fc9.weight', torch.zeros(2)),
    'shape': lambda sd: sd.__setitem__('G.fc1.bias', torch.cat([sd['G.fc1.bias'], sd['G.fc1.bias'][:1]])),
    'dtype': lambda sd: sd.__setitem__('G.fc1.weight', sd['G.fc1.weight'].to(torch.int32)),
    'nan': lambda sd: sd['G.fc1.bias'].__setitem__(0, float('nan')),
}


def run_case(i, job):
    mod = load_module(os.path.join(job['export'], 'model.py'), f'genzoo_export_{i}')
    work = job['work']
    inp, _ = mod.read_safetensors(os.path.join(work, 'inputs.safetensors'))
    grads, _ = mod.read_safetensors(os.path.join(work, 'grads.safetensors'))
    out = {}

    # genzoo -> PyTorch: the export, loaded strictly (load() uses strict=True).
    m = mod.load()
    weights, _ = mod.read_safetensors(os.path.join(job['export'], 'model.safetensors'))
    assert all(v.dtype == torch.int64 for k, v in weights.items() if k.endswith('num_batches_tracked'))
    assert set(weights) == set(m.state_dict()), 'export and module state_dict keys differ'
    forwards(mod, m, inp, 'export.', out)
    training_steps(mod, m, inp, grads, out)

    # PyTorch -> genzoo: PyTorch's weights, saved by hand in the safetensors layout.
    m2 = pytorch_weights(mod, 1000 + i)
    sd = {k: v.clone() for k, v in m2.state_dict().items()}
    mod.write_safetensors(sd, os.path.join(work, 'pytorch.safetensors'))
    forwards(mod, m2, inp, 'pytorch.', out)

    if job.get('half'):
        dtype = {'F16': torch.float16, 'BF16': torch.bfloat16}[job['half']]
        half = {k: v.to(dtype) if v.is_floating_point() else v for k, v in sd.items()}
        mod.write_safetensors(half, os.path.join(work, 'pytorch-half.safetensors'))
        m3 = mod.MODEL()
        m3.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in half.items()}, strict=True)
        forwards(mod, m3, inp, 'half.', out)

    if job.get('malformed'):
        for what, change in MALFORMED.items():
            bad = {k: v.clone() for k, v in sd.items()}
            change(bad)
            mod.write_safetensors(bad, os.path.join(work, f'bad-{what}.safetensors'))

    mod.write_safetensors({k: v.detach().contiguous() for k, v in out.items()}, os.path.join(work, 'torch.safetensors'))


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    torch.set_num_threads(1)
    for i, job in enumerate(jobs):
        try:
            run_case(i, job)
        except Exception as e:
            raise RuntimeError(f"case {job['name']}: {type(e).__name__}: {e}") from e
    print(json.dumps({'torch': torch.__version__, 'cases': len(jobs)}))


if __name__ == '__main__':
    main()
