"""Loads a `jepa export --to pytorch` file the way the official I-JEPA trainer resumes
(facebookresearch/ijepa src/helper.py load_checkpoint: strict load_state_dict of encoder, predictor
and target_encoder, optimizer.load_state_dict of opt over the reference's four param groups), then
runs the loaded target encoder and context encoder on the images of an input safetensors file.
Used by test/cli/export.test.ts.

Run:  /usr/bin/python3 tools/torch/check_export.py <exported.pth.tar> <inputs.safetensors> <out.safetensors> img patch chans dim depth heads pdim pdepth
Inputs: images [B, H, W, C] NHWC, ctx_idx [B, K] int32. Writes target_out, context_out and
exp_avg_first (the first encoder weight's exp_avg after loading into torch's AdamW).
"""
import json
import os
import struct
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'parity'))
sys.path.insert(0, here)
from make_fixtures import Predictor, ViT, write_safetensors  # noqa: E402
from make_official_fixtures import official_opt  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        a, b = h['data_offsets']
        dtype = {'F32': torch.float32, 'I32': torch.int32}[h['dtype']]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=dtype).reshape(h['shape'])
    return out


def main():
    path, inputs, out_path = sys.argv[1:4]
    img, patch, chans, dim, depth, heads, pdim, pdepth = map(int, sys.argv[4:12])
    ckpt = torch.load(path, map_location='cpu')
    strip = lambda sd: {k[len('module.'):]: v for k, v in sd.items()}
    encoder = ViT(img=img, patch=patch, in_chans=chans, dim=dim, depth=depth, heads=heads)
    target = ViT(img=img, patch=patch, in_chans=chans, dim=dim, depth=depth, heads=heads)
    pred = Predictor(grid=img // patch, dim=dim, pdim=pdim, depth=pdepth, heads=heads)
    encoder.load_state_dict(strip(ckpt['encoder']), strict=True)
    pred.load_state_dict(strip(ckpt['predictor']), strict=True)
    target.load_state_dict(strip(ckpt['target_encoder']), strict=True)
    opt = official_opt(encoder, pred, ckpt['lr'])
    opt.load_state_dict(ckpt['opt'])
    first = encoder.patch_embed.proj.weight
    x = read_safetensors(inputs)
    nchw = x['images'].permute(0, 3, 1, 2)
    with torch.no_grad():
        write_safetensors(out_path, {
            'target_out': target(nchw),
            'context_out': encoder(nchw, x['ctx_idx'].to(torch.int64)),
            'exp_avg_first': opt.state[first]['exp_avg'],
        })
    print(f'loaded {path}: epoch {ckpt["epoch"]}, {len(opt.state)} optimizer states, groups {[len(g["params"]) for g in opt.param_groups]}')


if __name__ == '__main__':
    main()
