"""Tiny checkpoints in the exact layout of the official I-JEPA trainer, and PyTorch's outputs of
the models they hold, for test/cli/import.test.ts.

Run:  /usr/bin/python3 tools/torch/make_official_fixtures.py
Writes (into test/fixtures/torch/):
  ijepa-official.pth.tar   what facebookresearch/ijepa src/train.py `save_checkpoint` writes:
      {encoder, predictor, target_encoder: DistributedDataParallel state_dicts (every key prefixed
       `module.`, the fixed `pos_embed` / `predictor_pos_embed` as entries), opt: AdamW state_dict
       with the reference's four param groups after one step, scaler: None, epoch, loss,
       batch_size, world_size, lr}
      Model: 32x32x1 images, patch 4 (8x8 grid), encoder D 16, depth 2, heads 4; predictor Dp 8,
      depth 1. The modules are tools/parity/make_fixtures.py's (the reference's module structure
      and names); DDP is real (gloo, world size 1), so the prefix is what torch writes.
  ijepa-official.expected.safetensors   images [2, 32, 32, 1] NHWC; target_out [2, 64, 16] the
      target encoder on the full image; ctx_idx [2, 12] int32 and context_out [2, 12, 16] the
      encoder on those tokens; target_idx [2, 2, 6] int32 and pred_out [4, 6, 16] the predictor.
  ijepa-learned-pos.pth.tar  the same layout with a pos_embed that is not the sin-cos table (the
      importer must refuse it).
"""
import os
import sys
import tempfile

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'parity'))
from make_fixtures import Predictor, ViT, randomize, write_safetensors  # noqa: E402

out_dir = os.path.normpath(os.path.join(here, '..', '..', 'test', 'fixtures', 'torch'))
torch.manual_seed(3)


def official_opt(encoder, predictor, lr):
    """AdamW over the reference's param groups (src/helper.py init_opt): weights, then biases and 1-D params without decay."""
    decayed = lambda m: [p for n, p in m.named_parameters() if ('bias' not in n) and (len(p.shape) != 1)]
    plain = lambda m: [p for n, p in m.named_parameters() if ('bias' in n) or (len(p.shape) == 1)]
    groups = [{'params': decayed(encoder)}, {'params': decayed(predictor)},
              {'params': plain(encoder), 'WD_exclude': True, 'weight_decay': 0},
              {'params': plain(predictor), 'WD_exclude': True, 'weight_decay': 0}]
    return torch.optim.AdamW(groups, lr=lr)


def main():
    init_file = tempfile.NamedTemporaryFile(delete=False)
    dist.init_process_group('gloo', init_method=f'file://{init_file.name}', rank=0, world_size=1)
    encoder = ViT(img=32, patch=4, in_chans=1, dim=16, depth=2, heads=4)
    target = ViT(img=32, patch=4, in_chans=1, dim=16, depth=2, heads=4)
    pred = Predictor(grid=8, dim=16, pdim=8, depth=1, heads=4)
    for m in (encoder, target, pred):
        randomize(m)
    encoder, target, pred = DistributedDataParallel(encoder), DistributedDataParallel(target), DistributedDataParallel(pred)
    lr = 1e-3
    opt = official_opt(encoder, pred, lr)
    images = torch.randn(2, 32, 32, 1)
    nchw = images.permute(0, 3, 1, 2)
    perm = [torch.randperm(64) for _ in range(2)]
    ctx_idx = torch.stack([p[:12].sort().values for p in perm])
    target_idx = [torch.stack([p[12 + 6 * t:18 + 6 * t].sort().values for p in perm]) for t in range(2)]
    # One optimizer step, so `opt` holds state as a trained checkpoint does; the outputs below are
    # of the weights AFTER it (the weights that are saved).
    loss = pred(encoder(nchw, ctx_idx), ctx_idx, target_idx).square().mean()
    loss.backward()
    opt.step()
    save = {
        'encoder': encoder.state_dict(),
        'predictor': pred.state_dict(),
        'target_encoder': target.state_dict(),
        'opt': opt.state_dict(),
        'scaler': None,
        'epoch': 3,
        'loss': float(loss.item()),
        'batch_size': 8,
        'world_size': 1,
        'lr': lr,
    }
    assert all(k.startswith('module.') for k in save['encoder']), 'DDP prefixes every key'
    torch.save(save, os.path.join(out_dir, 'ijepa-official.pth.tar'))
    with torch.no_grad():
        target_out = target.module(nchw)
        context_out = encoder.module(nchw, ctx_idx)
        pred_out = pred.module(context_out, ctx_idx, target_idx)
    write_safetensors(os.path.join(out_dir, 'ijepa-official.expected.safetensors'), {
        'images': images, 'target_out': target_out, 'ctx_idx': ctx_idx.to(torch.int32), 'context_out': context_out,
        'target_idx': torch.stack(target_idx).to(torch.int32), 'pred_out': pred_out,
    })
    learned = dict(save)
    learned['encoder'] = type(save['encoder'])(save['encoder'])
    learned['encoder']['module.pos_embed'] = save['encoder']['module.pos_embed'] + 0.01 * torch.randn_like(save['encoder']['module.pos_embed'])
    torch.save(learned, os.path.join(out_dir, 'ijepa-learned-pos.pth.tar'))
    dist.destroy_process_group()
    os.unlink(init_file.name)
    for name in ('ijepa-official.pth.tar', 'ijepa-official.expected.safetensors', 'ijepa-learned-pos.pth.tar'):
        print(f'wrote {name} ({os.path.getsize(os.path.join(out_dir, name))} bytes)')


if __name__ == '__main__':
    main()
