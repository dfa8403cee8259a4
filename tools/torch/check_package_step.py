"""One training step of an exported jepa-ts package (`jepa export --to pytorch --package <dir>`)
with the batch and masks (or views) given from outside. Used by test/cli/export-package*.test.ts
to compare it with one jepa-ts step.

Run:  /usr/bin/python3 tools/torch/check_package_step.py <package dir> <inputs.safetensors> <out.safetensors>
Inputs (images NHWC float32, indices int32), by the package's family:
  ijepa   images [B, H, W, C], ctx_idx [B, Kc], target_idx [T, B, Kt]
  mae     images, ids_keep [B, K], ids_restore [B, L], mask [B, L] float32 (1 = removed)
  vicreg  view1, view2 [B, H, W, C]
Writes: loss, lr, wd (ijepa: momentum) [1] and the other logged values; after.<module>.<name>
(every state-dict entry after the step; ijepa: encoder, predictor, target after the EMA; mae and
vicreg: the model's own names, encoder.* / decoder.* / projector.*); m.<module>.<name>,
v.<module>.<name> (AdamW exp_avg / exp_avg_sq of every trained param).
"""
import importlib
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'parity'))
sys.path.insert(0, here)
from check_export import read_safetensors  # noqa: E402
from make_fixtures import write_safetensors  # noqa: E402


def main():
    package, inputs, out_path = sys.argv[1:4]
    sys.path.insert(0, package)
    with open(os.path.join(package, 'config.json')) as f:
        run = json.load(f)
    x = read_safetensors(inputs)
    nchw = lambda t: t.permute(0, 3, 1, 2).contiguous()
    if run['family'] == 'ijepa':
        import jepa_ijepa  # noqa: E402  (the package's own module)
        model = jepa_ijepa.Ijepa(run)
        model.load(torch.load(os.path.join(package, jepa_ijepa.PACKAGE_CHECKPOINT), map_location='cpu'))
        values = model.train_step(nchw(x['images']), x['ctx_idx'].to(torch.int64), [t.to(torch.int64) for t in x['target_idx']])
        modules = (('encoder', model.encoder), ('predictor', model.predictor), ('target', model.target))
        trained = modules[:2]
    else:
        family = importlib.import_module(f'jepa_{run["family"]}')
        model = family.Family(run)
        model.load(torch.load(os.path.join(package, family.PACKAGE_CHECKPOINT), map_location='cpu'))
        if run['family'] == 'mae':
            values = model.train_step(nchw(x['images']), x['ids_keep'].to(torch.int64), x['ids_restore'].to(torch.int64), x['mask'])
        else:
            values = model.train_step(nchw(x['view1']), nchw(x['view2']))
        modules = trained = [(name, child) for name, child in model.model.named_children()]
    out = {k: torch.tensor([float(v)]) for k, v in values.items()}
    for module, m in modules:
        for name, t in m.state_dict().items():
            out[f'after.{module}.{name}'] = t
    for module, m in trained:
        for name, p in m.named_parameters():
            state = model.opt.state.get(p)
            if state:
                out[f'm.{module}.{name}'] = state['exp_avg']
                out[f'v.{module}.{name}'] = state['exp_avg_sq']
    write_safetensors(out_path, out)
    print(f'PyTorch {run["family"]} step {model.step}: ' + ', '.join(f'{k} {v:.6g}' for k, v in values.items()))


if __name__ == '__main__':
    main()
