"""The view recipe of a joint-embedding run (`model.views`), in PyTorch (written by `jepa export --to
pytorch`): the stages of jepa-ts's packages/ssl/src/augment, in its order, each applied per image
with its probability,

  crop (random resized, corner-aligned bilinear) -> flip -> jitter (brightness, then contrast about
  the image mean, clipped) -> blur (separable Gaussian, reflected borders) -> noise (clipped) -> clip to range

with the same box rule (10 tries, then the centred box), factor ranges and kernels. The draws come
from this process's torch.Generator, not from jepa-ts's keys: the same distribution of views, not
the same views (the step check feeds jepa-ts's views to both sides). Images are NCHW.
"""
import math

import torch
import torch.nn.functional as F


def _u(g, *shape):
    return torch.rand(*shape, generator=g)


def crop_box(g, h, w, scale, aspect):
    for _ in range(10):
        u = _u(g, 4).tolist()
        area = h * w * (scale[0] + u[0] * (scale[1] - scale[0]))
        ratio = math.exp(math.log(aspect[0]) + u[1] * (math.log(aspect[1]) - math.log(aspect[0])))
        cw, ch = round(math.sqrt(area * ratio)), round(math.sqrt(area / ratio))
        if 0 < cw <= w and 0 < ch <= h:
            return min(h - ch, int(u[2] * (h - ch + 1))), min(w - cw, int(u[3] * (w - cw + 1))), ch, cw
    own = w / h
    ch, cw = (round(w / aspect[0]), w) if own < aspect[0] else (h, round(h * aspect[1])) if own > aspect[1] else (h, w)
    return (h - ch) // 2, (w - cw) // 2, ch, cw


def resized_crop(x, box):
    """x [C, H, W], box (top, left, height, width) -> [C, H, W]: pixel rows top..top+height-1 onto the output rows, corners aligned."""
    c, h, w = x.shape
    top, left, ch, cw = box
    ys = top + torch.arange(h, dtype=torch.float32) * ((ch - 1) / (h - 1) if h > 1 else 0.0)
    xs = left + torch.arange(w, dtype=torch.float32) * ((cw - 1) / (w - 1) if w > 1 else 0.0)
    gy, gx = torch.meshgrid(2 * ys / max(h - 1, 1) - 1, 2 * xs / max(w - 1, 1) - 1, indexing='ij')
    grid = torch.stack([gx, gy], dim=-1).unsqueeze(0).to(x.device)
    return F.grid_sample(x.unsqueeze(0), grid, mode='bilinear', align_corners=True).squeeze(0)


def gaussian_weights(k, sigma):
    r = (k - 1) / 2
    w = torch.tensor([math.exp(-((i - r) ** 2) / (2 * sigma * sigma)) for i in range(k)])
    return w / w.sum()


def blur(x, k, sigma):
    """x [C, H, W]: separable Gaussian, 'reflect' borders."""
    if k == 1:
        return x
    wt = gaussian_weights(k, sigma).to(x)
    r = (k - 1) // 2
    y = F.pad(x.unsqueeze(0), (r, r, r, r), mode='reflect')
    c = x.shape[0]
    y = F.conv2d(y, wt.reshape(1, 1, 1, k).expand(c, 1, 1, k), groups=c)
    y = F.conv2d(y, wt.reshape(1, 1, k, 1).expand(c, 1, k, 1), groups=c)
    return y.squeeze(0)


def view(g, x, v):
    """One view of one image x [C, H, W] under the recipe `v` (the run config's decoded `views`)."""
    lo, hi = v['range']
    _, h, w = x.shape
    if _u(g, 1).item() < v['crop']['prob']:
        x = resized_crop(x, crop_box(g, h, w, v['crop']['scale'], v['crop']['aspect']))
    if _u(g, 1).item() < v['flipProb']:
        x = torch.flip(x, dims=[2])
    j = v['jitter']
    if _u(g, 1).item() < j['prob']:
        factor = lambda s, u: max(0.0, 1 - s) + u * (1 + s - max(0.0, 1 - s))
        ub, uc = _u(g, 2).tolist()
        x = (x * factor(j['brightness'], ub)).clamp(lo, hi)
        m = x.mean()
        x = (m + factor(j['contrast'], uc) * (x - m)).clamp(lo, hi)
    b = v['blur']
    if _u(g, 1).item() < b['prob']:
        x = blur(x, b['kernelSize'], b['sigma'][0] + _u(g, 1).item() * (b['sigma'][1] - b['sigma'][0]))
    n = v['noise']
    if _u(g, 1).item() < n['prob']:
        x = (x + n['std'] * torch.randn(x.shape, generator=g).to(x)).clamp(lo, hi)
    return x.clamp(lo, hi)


def two_views(g, images, v):
    """(view 1, view 2) of every image of a NCHW batch."""
    return tuple(torch.stack([view(g, x, v) for x in images]) for _ in range(2))
