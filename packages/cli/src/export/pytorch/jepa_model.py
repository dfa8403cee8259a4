"""The modules of a jepa-ts run, in PyTorch (written by `jepa export --to pytorch`).

They mirror the Layer tree jepa-ts declares (packages/nn: vit.ts, predictor.ts, block.ts;
packages/ssl: mae-decoder.ts, joint-head.ts) with the same parameter names, which are also the
reference repositories' state_dict names (facebookresearch/ijepa, facebookresearch/mae):

  encoder    pos_embed (frozen sin-cos), [cls_token (MAE runs with clsToken)], patch_embed.proj.{weight,bias},
             blocks.<i>.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}.{weight,bias}, norm.{weight,bias}
  predictor  mask_token, predictor_pos_embed (frozen), predictor_embed, predictor_blocks.<i>.*,
             predictor_norm, predictor_proj                                                    (I-JEPA)
  decoder    decoder_embed, mask_token, decoder_pos_embed (frozen), decoder_blocks.<i>.*,
             decoder_norm, decoder_pred                                                        (MAE)
  head       fc1, bn1 (batch statistics only, no running averages), fc2                        (projectors)

Numerics as jepa-ts: LayerNorm eps 1e-6, exact (erf) GELU, MLP ratio 4, qkv with bias, attention
scale 1/sqrt(head dim), 2-D sin-cos position embedding (first half of the width encodes the column,
second half the row), no CLS token, tokens gathered after the position embedding. `pixel_norm`
(the run config's `pixelNorm`) standardizes the images per channel before the patch embedding; it
has no parameters and is not in the state dict. Images enter as NCHW.
"""
import torch
import torch.nn as nn


def sincos_2d(dim, grid_h, grid_w):
    """[grid_h * grid_w, dim] float32: [sin(col), cos(col), sin(row), cos(row)] at 1/10000^(i/(dim/4))."""
    q = dim // 4
    omega = 1.0 / (10000 ** (torch.arange(q, dtype=torch.float64) / q))
    h, w = torch.meshgrid(torch.arange(grid_h, dtype=torch.float64), torch.arange(grid_w, dtype=torch.float64), indexing='ij')
    h, w = h.reshape(-1, 1) * omega, w.reshape(-1, 1) * omega
    return torch.cat([torch.sin(w), torch.cos(w), torch.sin(h), torch.cos(h)], dim=1).float()


def gather_tokens(x, idx):
    """x [B, N, D], idx [B, K] int64 -> [B, K, D]."""
    return torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.size(-1)))


class PixelNorm(nn.Module):
    """(x - mean_c) / std_c on NCHW images; mean and std are one number or one per channel."""

    def __init__(self, mean, std, chans):
        super().__init__()
        as_list = lambda v: [float(v)] * chans if isinstance(v, (int, float)) else [float(x) for x in v]
        self.register_buffer('mean', torch.tensor(as_list(mean)).reshape(1, chans, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(as_list(std)).reshape(1, chans, 1, 1), persistent=False)

    def forward(self, x):
        return (x - self.mean) / self.std


class MLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        weights = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLP(dim, 4 * dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):  # NCHW -> [B, N, D], row-major tokens
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    """The encoder: [pixel_norm] -> patch_embed -> + pos_embed -> [gather keep] -> [cls_token first] -> blocks -> norm.

    With `cls_token` (MAE's reference layout): pos_embed has a leading zero row for the CLS slot and
    cls_token [1, 1, D] is prepended after the gather."""

    def __init__(self, image, patch, dim, depth, heads, pixel_norm=None, cls_token=False):
        super().__init__()
        h, w, c = image
        self.grid = (h // patch, w // patch)
        self.extra = 1 if cls_token else 0
        table = sincos_2d(dim, *self.grid)
        if cls_token:
            table = torch.cat([torch.zeros(1, dim), table])
        self.pos_embed = nn.Parameter(table.unsqueeze(0), requires_grad=False)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim)) if cls_token else None
        self.pixel_norm = None if pixel_norm is None else PixelNorm(pixel_norm['mean'], pixel_norm['std'], c)
        self.patch_embed = PatchEmbed(patch, c, dim)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, keep=None):
        if self.pixel_norm is not None:
            x = self.pixel_norm(x)
        x = self.patch_embed(x) + self.pos_embed[:, self.extra:]
        if keep is not None:
            x = gather_tokens(x, keep)
        if self.cls_token is not None:
            x = torch.cat([(self.cls_token + self.pos_embed[:, :1]).expand(x.size(0), -1, -1), x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


class Predictor(nn.Module):
    """Embed the context to Dp (+ pe at its positions), one set of mask tokens (+ pe) per target block,
    the context repeated per block along the batch (block-major: row t*B + b), blocks, norm, the
    target positions only, projected back to D."""

    def __init__(self, grid, dim, pdim, depth, heads):
        super().__init__()
        self.predictor_embed = nn.Linear(dim, pdim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, pdim))
        self.predictor_pos_embed = nn.Parameter(sincos_2d(pdim, *grid).unsqueeze(0), requires_grad=False)
        self.predictor_blocks = nn.ModuleList([Block(pdim, heads) for _ in range(depth)])
        self.predictor_norm = nn.LayerNorm(pdim, eps=1e-6)
        self.predictor_proj = nn.Linear(pdim, dim)

    def forward(self, x, ctx_idx, target_idx):
        b, kc = ctx_idx.shape
        pe = self.predictor_pos_embed.expand(b, -1, -1)
        x = self.predictor_embed(x) + gather_tokens(pe, ctx_idx)
        targets = torch.cat([gather_tokens(pe, idx) for idx in target_idx], dim=0) + self.mask_token
        x = torch.cat([x.repeat(len(target_idx), 1, 1), targets], dim=1)
        for blk in self.predictor_blocks:
            x = blk(x)
        return self.predictor_proj(self.predictor_norm(x)[:, kc:])


class MaeDecoder(nn.Module):
    """decoder_embed (D -> Dd), L - K copies of mask_token appended and unshuffled (a gather by
    ids_restore), + decoder_pos_embed, blocks, norm, decoder_pred (Dd -> p*p*C). With `cls_token`,
    row 0 of the latent is the CLS row: it skips the unshuffle (its position row is zero) and is
    dropped from the output."""

    def __init__(self, grid, dim, ddim, depth, heads, patch_values, cls_token=False):
        super().__init__()
        self.extra = 1 if cls_token else 0
        self.decoder_embed = nn.Linear(dim, ddim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, ddim))
        table = sincos_2d(ddim, *grid)
        if cls_token:
            table = torch.cat([torch.zeros(1, ddim), table])
        self.decoder_pos_embed = nn.Parameter(table.unsqueeze(0), requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(ddim, heads) for _ in range(depth)])
        self.decoder_norm = nn.LayerNorm(ddim, eps=1e-6)
        self.decoder_pred = nn.Linear(ddim, patch_values)

    def forward(self, latent, ids_restore):
        x = self.decoder_embed(latent)
        b, length = ids_restore.shape
        visible = x[:, self.extra:]
        tokens = torch.cat([visible, self.mask_token.expand(b, length - visible.size(1), -1)], dim=1)
        x = torch.cat([x[:, :self.extra], gather_tokens(tokens, ids_restore)], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))[:, self.extra:]


class Head(nn.Module):
    """fc1 -> BatchNorm (batch statistics, eps 1e-5, no running averages) -> ReLU -> fc2: [B, in] -> [B, out]."""

    def __init__(self, dim, hidden, out):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, eps=1e-5, track_running_stats=False)
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn1(self.fc1(x))))


def build(model):
    """(encoder, predictor, target_encoder) of a run config's `model` section."""
    enc, pred = model['encoder'], model['predictor']
    make = lambda: VisionTransformer(model['image'], model['patchSize'], enc['dim'], enc['depth'], enc['heads'], model.get('pixelNorm'))
    encoder = make()
    predictor = Predictor(encoder.grid, enc['dim'], pred['dim'], pred['depth'], enc['heads'])
    target = make()
    for p in target.parameters():
        p.requires_grad = False
    return encoder, predictor, target
