"""One training step of an exported jepa-ts package (`jepa export --to pytorch --package <dir>`)
with the batch and masks given from outside. Used by test/cli/export-package.test.ts to compare
it with one jepa-ts step.

Run:  /usr/bin/python3 tools/torch/check_package_step.py <package dir> <inputs.safetensors> <out.safetensors>
Inputs: images [B, H, W, C] NHWC float32, ctx_idx [B, Kc] int32, target_idx [T, B, Kt] int32.
Writes: loss, lr, wd, momentum [1]; after.encoder.<name>, after.predictor.<name>,
after.target.<name> (every state-dict entry after the step and the EMA); m.<module>.<name>,
v.<module>.<name> (AdamW exp_avg / exp_avg_sq of every trained param).
"""
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
    import jepa_ijepa  # noqa: E402  (the package's own module)

    with open(os.path.join(package, 'config.json')) as f:
        run = json.load(f)
    model = jepa_ijepa.Ijepa(run)
    model.load(torch.load(os.path.join(package, 'checkpoint.pth.tar'), map_location='cpu'))
    x = read_safetensors(inputs)
    images = x['images'].permute(0, 3, 1, 2).contiguous()
    ctx = x['ctx_idx'].to(torch.int64)
    targets = [t.to(torch.int64) for t in x['target_idx']]
    values = model.train_step(images, ctx, targets)
    out = {k: torch.tensor([float(v)]) for k, v in values.items()}
    for module, m in (('encoder', model.encoder), ('predictor', model.predictor), ('target', model.target)):
        for name, t in m.state_dict().items():
            out[f'after.{module}.{name}'] = t
    for module, m in (('encoder', model.encoder), ('predictor', model.predictor)):
        for name, p in m.named_parameters():
            state = model.opt.state.get(p)
            if state:
                out[f'm.{module}.{name}'] = state['exp_avg']
                out[f'v.{module}.{name}'] = state['exp_avg_sq']
    write_safetensors(out_path, out)
    print(f'PyTorch step {model.step}: loss {values["loss"]:.6f}, lr {values["lr"]:.6g}, wd {values["wd"]:.6g}, momentum {values["momentum"]:.6g}')


if __name__ == '__main__':
    main()
