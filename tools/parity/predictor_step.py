"""Reference fixture for test/ssl/ijepa-parity.test.ts (both its I-JEPA and its MAE tests): one I-JEPA
loss (+ gradients) and one MAE loss in PyTorch, with fixed weights, images and masks.

Run with Debian's PyTorch:  /usr/bin/python3 tools/parity/predictor_step.py
Writes test/fixtures/parity/ijepa-step.safetensors (float32 / int32, little-endian).

The modules (ViT, Block, Predictor, sin-cos table, safetensors writer) are those of make_fixtures.py,
which follow facebookresearch/ijepa's module structure and state_dict names. The I-JEPA step follows
the reference `src/train.py` (forward_target: the target encoder on the full image, F.layer_norm over
the feature dim, apply_masks per target block concatenated along the batch; forward_context: the
encoder on the context tokens, then the predictor; loss_fn: F.smooth_l1_loss). The MAE decoder and
loss follow facebookresearch/mae `models_mae.py` (decoder_embed, mask tokens appended and
unshuffled by gathering with ids_restore, fixed sin-cos decoder pos-embed without CLS, blocks,
norm, decoder_pred; forward_loss with norm_pix_loss over masked patches). Written from the
description, not copied.

Tensors in the file (tiny sizes: 16x16x1 images, patch 4 -> 4x4 grid, D 32, depth 1, heads 4):
  encoder.<name>, target.encoder.<name>, predictor.<name>   context encoder, EMA target, predictor (Dp 16)
  images [2, 16, 16, 1]; ctx_idx [2, 6] int32; target_idx [2, 2, 3] int32 (2 blocks of 3 tokens)
  ijepa_loss [1]; grad.encoder.<name>, grad.predictor.<name>   d loss / d param
  after.encoder.<name>, after.predictor.<name>, after.target.encoder.<name>   after one AdamW step
      (lr 1e-3, wd 0.04 on the decayed group, betas 0.9/0.999) and the EMA (m 0.996) of the target
  mae.encoder.<name>, mae.decoder.<name>   an MAE (decoder Dd 16, depth 1, heads 4)
  mae_ids_keep [2, 4] int32 (shuffled order); mae_ids_restore [2, 16] int32; mae_mask [2, 16] (1 = removed)
  mae_pred [2, 16, 16]; mae_loss [1]
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Block, Predictor, ViT, randomize, sincos_2d, write_safetensors  # noqa: E402

torch.manual_seed(1)


def apply_masks(x, masks):
    """Gather each mask's tokens, concatenated along the batch (block-major)."""
    return torch.cat([torch.gather(x, 1, m.unsqueeze(-1).expand(-1, -1, x.size(-1))) for m in masks], dim=0)


class MaeDecoder(nn.Module):
    def __init__(self, grid, dim, ddim, depth, heads, patch_values):
        super().__init__()
        self.decoder_embed = nn.Linear(dim, ddim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, ddim))
        self.decoder_pos_embed = nn.Parameter(sincos_2d(ddim, grid, grid).unsqueeze(0), requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(ddim, heads) for _ in range(depth)])
        self.decoder_norm = nn.LayerNorm(ddim, eps=1e-6)
        self.decoder_pred = nn.Linear(ddim, patch_values)

    def forward(self, latent, ids_restore):
        x = self.decoder_embed(latent)
        b, k, d = x.shape
        tokens = self.mask_token.repeat(b, ids_restore.shape[1] - k, 1)
        x = torch.cat([x, tokens], dim=1)
        x = torch.gather(x, 1, ids_restore.unsqueeze(-1).expand(-1, -1, d))
        x = x + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))


def patchify_nhwc(images, p):
    """[B, H, W, C] -> [B, L, p*p*C], patch vector ordered (row in patch, column, channel) as MAE's."""
    b, h, w, c = images.shape
    x = images.reshape(b, h // p, p, w // p, p, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


def main():
    out = {}
    images = torch.randn(2, 16, 16, 1)
    nchw = images.permute(0, 3, 1, 2)
    out['images'] = images

    # ---- I-JEPA: fixed weights, masks; loss and gradients of the online params ----
    encoder = ViT(img=16, patch=4, in_chans=1, dim=32, depth=1, heads=4)
    target = ViT(img=16, patch=4, in_chans=1, dim=32, depth=1, heads=4)
    pred = Predictor(grid=4, dim=32, pdim=16, depth=1, heads=4)
    for m in (encoder, target, pred):
        randomize(m)
    perm = [torch.randperm(16) for _ in range(2)]
    ctx_idx = torch.stack([p[:6].sort().values for p in perm])
    target_idx = [torch.stack([p[6 + 3 * t:9 + 3 * t].sort().values for p in perm]) for t in range(2)]
    with torch.no_grad():
        h = target(nchw)
        h = F.layer_norm(h, (h.size(-1),))
        h = apply_masks(h, target_idx)
    z = pred(encoder(nchw, ctx_idx), ctx_idx, target_idx)
    loss = F.smooth_l1_loss(z, h)
    named = [('encoder.' + n, p) for n, p in encoder.named_parameters() if p.requires_grad] + [('predictor.' + n, p) for n, p in pred.named_parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, [p for _, p in named])
    for prefix, m in (('encoder.', encoder), ('target.encoder.', target), ('predictor.', pred)):
        for k, v in m.state_dict().items():
            out[prefix + k] = v.clone()  # state_dict shares storage with the params the step below updates
    out['ctx_idx'] = ctx_idx.to(torch.int32)
    out['target_idx'] = torch.stack(target_idx).to(torch.int32)
    out['ijepa_loss'] = loss.detach().reshape(1)
    for (n, _), g in zip(named, grads):
        out['grad.' + n] = g

    # One reference step on those gradients: AdamW with the reference param groups (no weight decay
    # on biases and 1-D params), lr 1e-3, wd 0.04, then the EMA of the target toward the NEW encoder.
    params = [p for _, p in named]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    decayed = [p for n, p in named if 'bias' not in n and len(p.shape) != 1]
    plain = [p for n, p in named if not ('bias' not in n and len(p.shape) != 1)]
    opt = torch.optim.AdamW([{'params': decayed}, {'params': plain, 'weight_decay': 0}], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.04)
    opt.step()
    with torch.no_grad():
        for q, k in zip(encoder.parameters(), target.parameters()):
            k.mul_(0.996).add_((1. - 0.996) * q.detach())
    for n, p in named:
        out['after.' + n] = p.detach().clone()
    for k, v in target.state_dict().items():
        out['after.target.encoder.' + k] = v.clone()

    # ---- MAE: fixed weights, masking; loss ----
    mae_encoder = ViT(img=16, patch=4, in_chans=1, dim=32, depth=1, heads=4)
    decoder = MaeDecoder(grid=4, dim=32, ddim=16, depth=1, heads=4, patch_values=16)
    randomize(mae_encoder)
    randomize(decoder)
    with torch.no_grad():
        decoder.mask_token.copy_(torch.randn(1, 1, 16) * 0.2)
    noise = torch.rand(2, 16)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :4]
    mask = torch.ones(2, 16)
    mask[:, :4] = 0
    mask = torch.gather(mask, 1, ids_restore)
    with torch.no_grad():
        mae_pred = decoder(mae_encoder(nchw, ids_keep), ids_restore)
        target_patches = patchify_nhwc(images, 4)
        mean = target_patches.mean(dim=-1, keepdim=True)
        var = target_patches.var(dim=-1, keepdim=True)
        target_patches = (target_patches - mean) / (var + 1.e-6) ** .5
        mae_loss = (((mae_pred - target_patches) ** 2).mean(dim=-1) * mask).sum() / mask.sum()
    for prefix, m in (('mae.encoder.', mae_encoder), ('mae.decoder.', decoder)):
        for k, v in m.state_dict().items():
            out[prefix + k] = v
    out['mae_ids_keep'] = ids_keep.to(torch.int32)
    out['mae_ids_restore'] = ids_restore.to(torch.int32)
    out['mae_mask'] = mask
    out['mae_pred'] = mae_pred
    out['mae_loss'] = mae_loss.reshape(1)

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.normpath(os.path.join(here, '..', '..', 'test', 'fixtures', 'parity', 'ijepa-step.safetensors'))
    write_safetensors(path, out)
    print(f'wrote {path} ({os.path.getsize(path)} bytes, {len(out)} tensors); ijepa loss {loss.item():.6f}, mae loss {mae_loss.item():.6f}')


if __name__ == '__main__':
    main()
