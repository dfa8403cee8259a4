"""PyTorch twin of bench/family-step.ts: one training step of the I-JEPA, MAE or VICReg family with
the structure of OUR implementation (packages/ssl/src/families), timed the same way.

    /usr/bin/python3 bench/family_step_torch.py --family ijepa|mae|vicreg --spec SPEC.json [--device cpu|cuda] [--threads 2]

--device cuda puts the models, the batch, the masks and the per-step random draws on the GPU (the
view augmentation's per-image choices are still drawn on the host, as ours are); each timed step
ends with loss.item(), which waits for the GPU, so step times are complete.

SPEC.json (written by bench/family-step.ts): {"config": the decoded family config, "batch", "warmup",
"steps", "masks": [per step {"context": [B][Kc], "targets": [T][B][Kt]}] (I-JEPA only: the very masks
our collator draws for the same steps)}. Layers come from tools/parity (make_fixtures.ViT /
Predictor, predictor_step.MaeDecoder), which match ours numerically. Every step includes what ours
includes:
  ijepa   target ViT (no grad) on the full image -> layer_norm -> gather the target blocks; context
          ViT on the context tokens; predictor; smooth-L1 (beta 1); backward; grad norm; AdamW (no
          decay on biases / 1-D); EMA of the target encoder.
  mae     per-image random masking (argsort of uniform noise); ViT on the visible tokens; decoder
          (embed, mask tokens, unshuffle, pos-embed, blocks, norm, pred); MSE on the masked patches
          with norm_pix (unbiased var, eps 1e-6); backward; grad norm; AdamW betas (0.9, 0.95).
  vicreg  two views, each: random-resized crop (bilinear, per-image box with our sampling rule),
          flip p .5, brightness/contrast jitter p .8, 3x3 Gaussian blur p .5 (reflect, separable
          matrices), Gaussian noise p .5, clip to [0, 1]; per-image choices drawn on the host as ours;
          ViT on the full view -> mean over tokens -> fc1 -> BatchNorm (batch stats) -> ReLU -> fc2;
          VICReg energy (25/25/1, eps 1e-4) + embedding std; backward; grad norm; AdamW.
Prints one JSON line {"backend", "stepSeconds": [each timed step], "peakRssMiB"}.
"""
import argparse
import json
import math
import os
import random
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools', 'parity'))
from make_fixtures import Predictor, ViT  # noqa: E402
from predictor_step import MaeDecoder, apply_masks, patchify_nhwc  # noqa: E402

DEV = torch.device('cpu')  # set by --device


def adamw(named, lr, wd, betas, no_decay=lambda n, p: False):
    """AdamW over the trainable params; no decay on biases, 1-D params and `no_decay` (ours: decayExceptBiasAnd1d)."""
    plain = lambda n, p: 'bias' in n or p.dim() == 1 or no_decay(n, p)
    decayed = [p for n, p in named if not plain(n, p)]
    rest = [p for n, p in named if plain(n, p)]
    return torch.optim.AdamW([{'params': decayed}, {'params': rest, 'weight_decay': 0.0}], lr=lr, betas=betas, eps=1e-8, weight_decay=wd)


def grad_norm(params):
    return torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in params if p.grad is not None)).item()


def ijepa_step(c, spec):
    h, w, ch = c['image']
    p, e, b = c['patchSize'], c['encoder'], spec['batch']
    grid = h // p
    encoder = ViT(img=h, patch=p, in_chans=ch, dim=e['dim'], depth=e['depth'], heads=e['heads']).to(DEV)
    target = ViT(img=h, patch=p, in_chans=ch, dim=e['dim'], depth=e['depth'], heads=e['heads']).to(DEV)
    target.load_state_dict(encoder.state_dict())
    for q in target.parameters():
        q.requires_grad_(False)
    pred = Predictor(grid=grid, dim=e['dim'], pdim=c['predictor']['dim'], depth=c['predictor']['depth'], heads=e['heads']).to(DEV)
    named = [('encoder.' + n, q) for n, q in encoder.named_parameters() if q.requires_grad] + [('predictor.' + n, q) for n, q in pred.named_parameters() if q.requires_grad]
    opt = adamw(named, c['optimizer']['lr'], c['optimizer']['weightDecay'], (0.9, 0.999))
    params = [q for _, q in named]
    images = torch.rand(b, ch, h, w, device=DEV)
    masks = [{'context': torch.tensor(m['context'], dtype=torch.long, device=DEV), 'targets': [torch.tensor(t, dtype=torch.long, device=DEV) for t in m['targets']]} for m in spec['masks']]
    momentum = c['ema'][0]
    smooth = F.smooth_l1_loss if c['energy'] == 'smoothL1' else F.mse_loss

    def step(i):
        ctx_idx, target_idx = masks[i]['context'], masks[i]['targets']
        with torch.no_grad():
            t = target(images)
            t = apply_masks(F.layer_norm(t, (t.size(-1),)), target_idx)
        z = pred(encoder(images, ctx_idx), ctx_idx, target_idx)
        loss = smooth(z, t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm(params)
        opt.step()
        with torch.no_grad():
            for q, k in zip(encoder.parameters(), target.parameters()):
                k.mul_(momentum).add_((1. - momentum) * q.detach())
        return loss.item()
    return step


def mae_step(c, spec):
    h, w, ch = c['image']
    p, e, d, b = c['patchSize'], c['encoder'], c['decoder'], spec['batch']
    grid = h // p
    length = grid * grid
    keep = int(length * (1 - c['maskRatio']))
    encoder = ViT(img=h, patch=p, in_chans=ch, dim=e['dim'], depth=e['depth'], heads=e['heads']).to(DEV)
    decoder = MaeDecoder(grid, e['dim'], d['dim'], d['depth'], d['heads'], p * p * ch).to(DEV)
    named = [('encoder.' + n, q) for n, q in encoder.named_parameters() if q.requires_grad] + [('decoder.' + n, q) for n, q in decoder.named_parameters() if q.requires_grad]
    opt = adamw(named, c['optimizer']['lr'], c['optimizer']['weightDecay'], (0.9, 0.95), lambda n, q: n.endswith('mask_token'))
    params = [q for _, q in named]
    images_nhwc = torch.rand(b, h, w, ch, device=DEV)
    images = images_nhwc.permute(0, 3, 1, 2).contiguous()

    def step(_i):
        ids_shuffle = torch.argsort(torch.rand(b, length, device=DEV), dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :keep]
        mask = torch.ones(b, length, device=DEV)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
        target = patchify_nhwc(images_nhwc, p)
        if c['normPix']:
            target = (target - target.mean(-1, keepdim=True)) / (target.var(-1, keepdim=True, unbiased=True) + 1e-6).sqrt()
        out = decoder(encoder(images, ids_keep), ids_restore)
        loss = (((out - target) ** 2).mean(-1) * mask).sum() / mask.sum().clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm(params)
        opt.step()
        return loss.item()
    return step


def crop_box(h, w, scale, aspect):
    """Our sampleCropBox (torchvision's rule): 10 tries, then the centre crop."""
    for _ in range(10):
        area = h * w * random.uniform(scale[0], scale[1])
        ratio = math.exp(random.uniform(math.log(aspect[0]), math.log(aspect[1])))
        cw, chh = round(math.sqrt(area * ratio)), round(math.sqrt(area / ratio))
        if 0 < cw <= w and 0 < chh <= h:
            return min(h - chh, int(random.random() * (h - chh + 1))), min(w - cw, int(random.random() * (w - cw + 1))), chh, cw
    return 0, 0, h, w


def blur_matrix(weights, n):
    r = (len(weights) - 1) // 2
    m = torch.zeros(n, n)
    for i in range(n):
        for t in range(-r, r + 1):
            j = i + t
            period = 2 * (n - 1)
            j = j % period if n > 1 else 0
            j = j if j < n else period - j
            m[i, j] += weights[t + r]
    return m


def views(v, images):
    """One augmented view of NCHW images in [0, 1], the stages and per-image choices of our viewPipeline."""
    b, ch, h, w = images.shape
    lo, hi = v['range']

    def maybe(prob, x, transformed):
        apply = torch.tensor([random.random() < prob for _ in range(b)], device=images.device).view(b, 1, 1, 1)
        return torch.where(apply, transformed, x)

    cr = v['crop']
    theta = torch.zeros(b, 2, 3)
    for i in range(b):
        top, left, ch_, cw = crop_box(h, w, cr['scale'], cr['aspect'])
        y1, x1, y2, x2 = top / (h - 1), left / (w - 1), (top + ch_ - 1) / (h - 1), (left + cw - 1) / (w - 1)
        theta[i] = torch.tensor([[x2 - x1, 0., x1 + x2 - 1.], [0., y2 - y1, y1 + y2 - 1.]])
    grid = F.affine_grid(theta.to(images.device), [b, ch, h, w], align_corners=True)
    x = maybe(cr['prob'], images, F.grid_sample(images, grid, mode='bilinear', align_corners=True))
    x = maybe(v['flipProb'], x, torch.flip(x, [3]))
    j = v['jitter']
    factor = lambda s: torch.tensor([random.uniform(max(0., 1 - s), 1 + s) for _ in range(b)], device=images.device).view(b, 1, 1, 1)
    bright = (x * factor(j['brightness'])).clamp(lo, hi)
    mean = bright.mean(dim=(1, 2, 3), keepdim=True)
    x = maybe(j['prob'], x, (mean + factor(j['contrast']) * (bright - mean)).clamp(lo, hi))
    bl = v['blur']
    k = bl['kernelSize']
    mats = []
    for _ in range(b):
        s = random.uniform(bl['sigma'][0], bl['sigma'][1])
        wts = [math.exp(-((i - (k - 1) / 2) ** 2) / (2 * s * s)) for i in range(k)]
        mats.append(blur_matrix([q / sum(wts) for q in wts], h))
    rows = torch.stack(mats).to(images.device)  # square images: the same matrices blur rows and columns
    blurred = torch.bmm(rows, x.permute(0, 2, 1, 3).reshape(b, h, ch * w)).reshape(b, h, ch, w)
    blurred = torch.bmm(rows, blurred.permute(0, 3, 2, 1).reshape(b, w, ch * h)).reshape(b, w, ch, h).permute(0, 2, 3, 1)
    x = maybe(bl['prob'], x, blurred.contiguous())
    n = v['noise']
    x = maybe(n['prob'], x, (x + torch.randn_like(x) * n['std']).clamp(lo, hi))
    return x.clamp(lo, hi)


class Head(nn.Module):
    """fc1 -> BatchNorm (batch statistics only) -> ReLU -> fc2, our joint-head.ts."""

    def __init__(self, d_in, hidden, out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, eps=1e-5, track_running_stats=False)
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, x):
        return self.fc2(F.relu(self.bn1(self.fc1(x))))


def vicreg_energy(za, zb, sim, std, cov, eps=1e-4):
    def var_cov(x):
        n, d = x.shape
        c = x - x.mean(0, keepdim=True)
        s = torch.sqrt((c ** 2).sum(0) / (n - 1) + eps)
        m = (c.t() @ c) / (n - 1)
        off = m.pow(2).sum() - m.diagonal().pow(2).sum()
        return F.relu(1 - s).mean(), off / d
    va, ca = var_cov(za)
    vb, cb = var_cov(zb)
    return sim * F.mse_loss(za, zb) + std * 0.5 * (va + vb) + cov * (ca + cb)


def vicreg_step(c, spec):
    h, w, ch = c['image']
    p, e, b = c['patchSize'], c['encoder'], spec['batch']
    encoder = ViT(img=h, patch=p, in_chans=ch, dim=e['dim'], depth=e['depth'], heads=e['heads']).to(DEV)
    projector = Head(e['dim'], c['projector']['hidden'], c['projector']['out']).to(DEV)
    named = [('encoder.' + n, q) for n, q in encoder.named_parameters() if q.requires_grad] + [('projector.' + n, q) for n, q in projector.named_parameters()]
    opt = adamw(named, c['optimizer']['lr'], c['optimizer']['weightDecay'], (0.9, 0.999))
    params = [q for _, q in named]
    images = torch.rand(b, ch, h, w, device=DEV)
    co = c['coefficients']

    def step(_i):
        with torch.no_grad():
            v1, v2 = views(c['views'], images), views(c['views'], images)
        z1 = projector(encoder(v1).mean(1))
        z2 = projector(encoder(v2).mean(1))
        loss = vicreg_energy(z1, z2, co['sim'], co['std'], co['cov'])
        with torch.no_grad():
            u = z1 / z1.norm(dim=1, keepdim=True).clamp(min=1e-12)
            u.var(0, unbiased=False).sqrt().mean().item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm(params)
        opt.step()
        return loss.item()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--family', choices=['ijepa', 'mae', 'vicreg'], required=True)
    ap.add_argument('--spec', required=True)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    a = ap.parse_args()
    global DEV
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: torch.cuda.is_available() is False (no CUDA build of PyTorch or no GPU)')
    DEV = torch.device(a.device)
    with open(a.spec) as f:
        spec = json.load(f)
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    random.seed(7)
    step = {'ijepa': ijepa_step, 'mae': mae_step, 'vicreg': vicreg_step}[a.family](spec['config'], spec)
    times = []
    for i in range(spec['warmup'] + spec['steps']):
        t0 = time.perf_counter()
        loss = step(i)
        if not math.isfinite(loss):
            raise RuntimeError(f'non-finite loss at step {i}')
        if i >= spec['warmup']:
            times.append(time.perf_counter() - t0)
    print(json.dumps({
        'backend': f'pytorch {torch.__version__} ({a.threads} threads)' if a.device == 'cpu' else f'pytorch {torch.__version__} cuda ({torch.cuda.get_device_name()})',
        'stepSeconds': times,
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
