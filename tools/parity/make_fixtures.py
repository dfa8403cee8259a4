"""Reference fixtures for test/nn/parity.test.ts: a small I-JEPA-structured ViT in PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 tools/parity/make_fixtures.py
Writes test/fixtures/parity/vit_small_ref.safetensors (float32 / int32, little-endian).

The modules below follow the module structure and state_dict names of facebookresearch/ijepa
src/models/vision_transformer.py (PatchEmbed conv proj, Block = norm1 / attn(qkv, proj) / norm2 /
mlp(fc1, fc2), final norm, LayerNorm eps 1e-6, exact-erf GELU, fixed 2-D sin-cos pos_embed, no CLS
token, tokens gathered after the pos-embed for the masked path). They are written from the
description, not copied.

Tensors in the file:
  model.<state_dict name>     the ViT's weights (img 32, patch 4, dim 64, depth 2, heads 4)
  images                      [2, 32, 32, 3] NHWC input (PyTorch runs on its NCHW permute)
  out_full                    [2, 64, 64]    encoder output
  token_idx                   [2, 20] int32  kept token indices per sample
  out_masked                  [2, 20, 64]    encoder output on the kept tokens only
  block.<name>                one Block (dim 32, heads 2) with random weights
  block_x, block_r            [2, 9, 32]     its input and the fixed random R of loss = sum(out * R)
  block_out                   [2, 9, 32]     its output
  block_grad.<name>           d loss / d each block parameter
  block_grad_x                d loss / d input
  predictor.<state_dict name> an I-JEPA predictor (grid 8x8, D 64, Dp 32, depth 2, heads 4)
  pred_ctx_tokens             [2, 10, 64] context tokens
  pred_ctx_idx                [2, 10] int32 their positions
  pred_target_idx             [3, 2, 6] int32 three target blocks of 6 positions
  pred_out                    [6, 6, 64] predictions, row t*B + b = block t of sample b
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)


def sincos_2d(dim, grid_h, grid_w):
    """[grid_h*grid_w, dim]; first dim/2 encode the column w, last dim/2 the row h (as the reference)."""
    q = dim // 4
    omega = 1.0 / (10000 ** (torch.arange(q, dtype=torch.float64) / q))
    h, w = torch.meshgrid(torch.arange(grid_h, dtype=torch.float64), torch.arange(grid_w, dtype=torch.float64), indexing='ij')
    h, w = h.reshape(-1, 1) * omega, w.reshape(-1, 1) * omega
    return torch.cat([torch.sin(w), torch.cos(w), torch.sin(h), torch.cos(h)], dim=1).float()


def sincos_2d_reference_recipe(dim, grid_size):
    """The reference's own recipe, step by step: grid = meshgrid(grid_w, grid_h) ('xy' indexing, as
    numpy's default), the first half encodes grid[0], each half is [sin, cos] of pos * omega with
    omega = 1 / 10000^(arange(dim/4) / (dim/4)). Used only to check `sincos_2d` above."""
    coords = torch.arange(grid_size, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(coords, coords, indexing='xy'), dim=0)  # meshgrid(grid_w, grid_h)

    def one_d(half, pos):
        omega = 1.0 / 10000 ** (torch.arange(half // 2, dtype=torch.float64) / (half / 2.0))
        angles = pos.reshape(-1, 1) * omega
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)

    return torch.cat([one_d(dim // 2, grid[0]), one_d(dim // 2, grid[1])], dim=1).float()


class MLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()  # exact erf
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        weights = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLP(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, in_chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):  # NCHW -> [B, N, D], row-major tokens
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    def __init__(self, img, patch, in_chans, dim, depth, heads):
        super().__init__()
        self.patch_embed = PatchEmbed(patch, in_chans, dim)
        g = img // patch
        self.pos_embed = nn.Parameter(sincos_2d(dim, g, g).unsqueeze(0), requires_grad=False)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, keep=None):
        x = self.patch_embed(x) + self.pos_embed
        if keep is not None:  # apply_masks: gather along tokens after the pos-embed
            x = torch.gather(x, 1, keep.unsqueeze(-1).expand(-1, -1, x.size(-1)))
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


class Predictor(nn.Module):
    """The reference predictor's structure: embed to Dp, add pe at context positions, one set of
    mask tokens (+ pe at target positions) per target block, the context repeated per target block
    along the batch, blocks, norm, keep the target positions, project back to D."""

    def __init__(self, grid, dim, pdim, depth, heads):
        super().__init__()
        self.predictor_embed = nn.Linear(dim, pdim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, pdim))
        self.predictor_pos_embed = nn.Parameter(sincos_2d(pdim, grid, grid).unsqueeze(0), requires_grad=False)
        self.predictor_blocks = nn.ModuleList([Block(pdim, heads) for _ in range(depth)])
        self.predictor_norm = nn.LayerNorm(pdim, eps=1e-6)
        self.predictor_proj = nn.Linear(pdim, dim)

    def forward(self, x, ctx_idx, target_idx_list):
        b, kc = ctx_idx.shape
        pe = self.predictor_pos_embed.expand(b, -1, -1)
        take = lambda t, idx: torch.gather(t, 1, idx.unsqueeze(-1).expand(-1, -1, t.size(-1)))
        x = self.predictor_embed(x) + take(pe, ctx_idx)
        targets = torch.cat([take(pe, idx) for idx in target_idx_list], dim=0) + self.mask_token
        x = torch.cat([x.repeat(len(target_idx_list), 1, 1), targets], dim=1)
        for blk in self.predictor_blocks:
            x = blk(x)
        return self.predictor_proj(self.predictor_norm(x)[:, kc:])


def randomize(module, std=0.2):
    """Non-trivial weights everywhere (LayerNorm affine too), so a transposed or misnamed tensor shows."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.requires_grad:
                p.copy_(torch.randn_like(p) * std + (1.0 if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name.endswith('norm.weight') else 0.0))


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype, fmt = 'F32', 'f'
        elif t.dtype == torch.int32:
            dtype, fmt = 'I32', 'i'
        else:
            raise TypeError(f'{name}: unsupported dtype {t.dtype}')
        flat = t.reshape(-1).tolist()
        data = struct.pack('<%d%s' % (len(flat), fmt), *flat)
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * ((8 - len(head) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)


def main():
    assert torch.equal(sincos_2d(64, 8, 8), sincos_2d_reference_recipe(64, 8)), 'sincos_2d disagrees with the reference recipe'
    out = {}
    model = ViT(img=32, patch=4, in_chans=3, dim=64, depth=2, heads=4)
    randomize(model)
    model.eval()
    for k, v in model.state_dict().items():
        out['model.' + k] = v
    images = torch.randn(2, 32, 32, 3)
    keep = torch.stack([torch.randperm(64)[:20] for _ in range(2)]).to(torch.int64)
    with torch.no_grad():
        nchw = images.permute(0, 3, 1, 2)
        out['images'] = images
        out['out_full'] = model(nchw)
        out['token_idx'] = keep.to(torch.int32)
        out['out_masked'] = model(nchw, keep)

    pred = Predictor(grid=8, dim=64, pdim=32, depth=2, heads=4)
    randomize(pred)
    ctx_tokens = torch.randn(2, 10, 64)
    perm = [torch.randperm(64) for _ in range(2)]
    ctx_idx = torch.stack([p[:10] for p in perm])
    targets = [torch.stack([p[10 + 6 * t:16 + 6 * t] for p in perm]) for t in range(3)]
    with torch.no_grad():
        out['pred_out'] = pred(ctx_tokens, ctx_idx, targets)
    for k, v in pred.state_dict().items():
        out['predictor.' + k] = v
    out['pred_ctx_tokens'] = ctx_tokens
    out['pred_ctx_idx'] = ctx_idx.to(torch.int32)
    out['pred_target_idx'] = torch.stack(targets).to(torch.int32)

    blk = Block(32, 2)
    randomize(blk)
    x = torch.randn(2, 9, 32, requires_grad=True)
    r = torch.randn(2, 9, 32)
    y = blk(x)
    loss = (y * r).sum()
    names = [n for n, _ in blk.named_parameters()]
    grads = torch.autograd.grad(loss, [p for _, p in blk.named_parameters()] + [x])
    for k, v in blk.state_dict().items():
        out['block.' + k] = v
    out['block_x'] = x
    out['block_r'] = r
    out['block_out'] = y
    for n, g in zip(names, grads[:-1]):
        out['block_grad.' + n] = g
    out['block_grad_x'] = grads[-1]

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.normpath(os.path.join(here, '..', '..', 'test', 'fixtures', 'parity', 'vit_small_ref.safetensors'))
    write_safetensors(path, out)
    print(f'wrote {path} ({os.path.getsize(path)} bytes, {len(out)} tensors)')


if __name__ == '__main__':
    main()
