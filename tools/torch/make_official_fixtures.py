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
  mae-official.pth   what facebookresearch/mae main_pretrain.py `misc.save_model` writes:
      {model: the MaskedAutoencoderViT state_dict (no DDP prefix: model_without_ddp; cls_token,
       pos_embed [1, 1 + L, D] and decoder_pos_embed [1, 1 + L, Dd] with a zero CLS row),
       optimizer, epoch, scaler, args: an argparse.Namespace}
      Model (models_mae.py's structure, written from its description): 32x32x1, patch 8 (4x4 grid),
      encoder D 16, depth 1, heads 2; decoder Dd 8, depth 1, heads 2; norm_pix_loss True.
  mae-official.expected.safetensors   images [2, 32, 32, 1]; ids_keep [2, 4] / ids_restore [2, 16]
      int32 and mask [2, 16]; latent [2, 5, 16] the encoder on the kept tokens (CLS first);
      pred [2, 16, 64] the decoder; loss [1]; features [2, 16] the mean of the full-image encoder
      tokens without the CLS token.
"""
import argparse
import os
import sys
import tempfile

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'parity'))
from make_fixtures import Block, PatchEmbed, Predictor, ViT, randomize, sincos_2d, write_safetensors  # noqa: E402

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


class MaskedAutoencoder(torch.nn.Module):
    """models_mae.py's MaskedAutoencoderViT structure and names: a CLS token whose fixed position slot
    is zero, the visible tokens gathered after the pos-embed, the CLS prepended; the decoder embeds,
    appends mask tokens to the non-CLS rows, unshuffles, puts the CLS row back, adds its fixed
    pos-embed, runs its blocks, norm and prediction head, and drops the CLS row."""

    def __init__(self, img, patch, in_chans, dim, depth, heads, ddim, ddepth, dheads):
        super().__init__()
        g = img // patch
        self.tokens = g * g
        zero_row = lambda d: torch.cat([torch.zeros(1, d), sincos_2d(d, g, g)], dim=0).unsqueeze(0)
        self.patch_embed = PatchEmbed(patch, in_chans, dim)
        self.cls_token = torch.nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = torch.nn.Parameter(zero_row(dim), requires_grad=False)
        self.blocks = torch.nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = torch.nn.LayerNorm(dim, eps=1e-6)
        self.decoder_embed = torch.nn.Linear(dim, ddim)
        self.mask_token = torch.nn.Parameter(torch.zeros(1, 1, ddim))
        self.decoder_pos_embed = torch.nn.Parameter(zero_row(ddim), requires_grad=False)
        self.decoder_blocks = torch.nn.ModuleList([Block(ddim, dheads) for _ in range(ddepth)])
        self.decoder_norm = torch.nn.LayerNorm(ddim, eps=1e-6)
        self.decoder_pred = torch.nn.Linear(ddim, patch * patch * in_chans)

    def forward_encoder(self, x, ids_keep):
        x = self.patch_embed(x) + self.pos_embed[:, 1:, :]
        x = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, x.size(-1)))
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)

    def forward_decoder(self, x, ids_restore):
        x = self.decoder_embed(x)
        mask_tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        rest = torch.cat([x[:, 1:, :], mask_tokens], dim=1)
        rest = torch.gather(rest, 1, ids_restore.unsqueeze(-1).expand(-1, -1, x.size(-1)))
        x = torch.cat([x[:, :1, :], rest], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:, :]


def patchify_nhwc(images, p):
    b, h, w, c = images.shape
    x = images.reshape(b, h // p, p, w // p, p, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


def mae_main():
    torch.manual_seed(5)
    model = MaskedAutoencoder(img=32, patch=8, in_chans=1, dim=16, depth=1, heads=2, ddim=8, ddepth=1, dheads=2)
    randomize(model)
    opt = torch.optim.AdamW(model.parameters(), lr=1.5e-4, betas=(0.9, 0.95))
    images = torch.randn(2, 32, 32, 1)
    nchw = images.permute(0, 3, 1, 2)
    noise = torch.rand(2, 16)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :4]
    mask = torch.ones(2, 16)
    mask[:, :4] = 0
    mask = torch.gather(mask, 1, ids_restore)
    model.forward_decoder(model.forward_encoder(nchw, ids_keep), ids_restore).square().mean().backward()
    opt.step()
    args = argparse.Namespace(model='mae_tiny', input_size=32, mask_ratio=0.75, norm_pix_loss=True, batch_size=8, blr=1e-3, output_dir='./output_dir', resume='')
    torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 7, 'scaler': {}, 'args': args}, os.path.join(out_dir, 'mae-official.pth'))
    with torch.no_grad():
        latent = model.forward_encoder(nchw, ids_keep)
        pred = model.forward_decoder(latent, ids_restore)
        target = patchify_nhwc(images, 8)
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
        loss = (((pred - target) ** 2).mean(dim=-1) * mask).sum() / mask.sum()
        full = model.forward_encoder(nchw, torch.arange(16).unsqueeze(0).repeat(2, 1))
    write_safetensors(os.path.join(out_dir, 'mae-official.expected.safetensors'), {
        'images': images, 'ids_keep': ids_keep.to(torch.int32), 'ids_restore': ids_restore.to(torch.int32), 'mask': mask,
        'latent': latent, 'pred': pred, 'loss': loss.reshape(1), 'features': full[:, 1:, :].mean(dim=1),
    })
    for name in ('mae-official.pth', 'mae-official.expected.safetensors'):
        print(f'wrote {name} ({os.path.getsize(os.path.join(out_dir, name))} bytes)')


if __name__ == '__main__':
    main()
    mae_main()
