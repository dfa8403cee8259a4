"""Reference fixtures for the energies and AdamW of jepa-ts (run with Debian's PyTorch 1.13).

    /usr/bin/python3 tools/parity/energies.py

Writes test/fixtures/energies/energies.json and test/fixtures/energies/adamw.json: small float32
inputs, the PyTorch value of each energy and its gradient with respect to the first input, and
three steps of torch.optim.AdamW on a tiny parameter tree with a no-decay group. Floats are written
as JSON numbers via repr of the float64 image of each float32 value, so they round-trip exactly.
The formulas follow the reference implementations named in each block (written here from their
published formulas, not copied).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240601)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'energies')


def arr(t):
    return t.detach().to(torch.float32).tolist()


def with_grad(fn, first, *rest):
    x = first.clone().requires_grad_(True)
    value = fn(x, *rest)
    (grad,) = torch.autograd.grad(value, x)
    return float(value), arr(grad)


cases = {}

# -- smooth-L1 and L2 (I-JEPA): F.smooth_l1_loss / F.mse_loss, mean reduction
pred = torch.randn(2, 3, 4) * 1.5
target = torch.randn(2, 3, 4)
for beta in (1.0, 0.5):
    v, g = with_grad(lambda p, t: F.smooth_l1_loss(p, t, beta=beta), pred, target)
    cases[f'smoothL1_beta{beta}'] = {'pred': arr(pred), 'target': arr(target), 'beta': beta, 'value': v, 'gradPred': g}
v, g = with_grad(lambda p, t: F.mse_loss(p, t), pred, target)
cases['l2'] = {'pred': arr(pred), 'target': arr(target), 'value': v, 'gradPred': g}

# -- MAE (facebookresearch/mae models_mae.py patchify + forward_loss)
B, H, W, C, P = 2, 8, 8, 3, 4
images_nhwc = torch.rand(B, H, W, C)
imgs = images_nhwc.permute(0, 3, 1, 2).contiguous()  # NCHW, as the reference expects
h, w = H // P, W // P
x = imgs.reshape(B, C, h, P, w, P)
x = torch.einsum('nchpwq->nhwpqc', x)
patches = x.reshape(B, h * w, P * P * C)
assert torch.equal(patches.var(dim=-1), patches.var(dim=-1, unbiased=True)), 'torch var must default to unbiased'
mae_pred = torch.randn(B, h * w, P * P * C)
mask = torch.tensor([[1., 0., 1., 1.], [0., 1., 0., 0.]])


def mae_loss(pred, target, mask, norm_pix):
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


mae = {'images': arr(images_nhwc), 'patch': P, 'patches': arr(patches), 'pred': arr(mae_pred), 'mask': arr(mask)}
for norm_pix in (True, False):
    v, g = with_grad(lambda p, t, m: mae_loss(p, t, m, norm_pix), mae_pred, patches, mask)
    mae[f'value_normPix_{str(norm_pix).lower()}'] = v
    mae[f'gradPred_normPix_{str(norm_pix).lower()}'] = g
cases['mae'] = mae

# -- joint-embedding energies on two views [N, D]
N, D = 6, 5
za = torch.randn(N, D) * 1.3 + 0.2
zb = za + 0.5 * torch.randn(N, D)


def nt_xent(a, b, temperature):  # SimCLR / lightly NTXentLoss (single device)
    z = F.normalize(torch.cat([a, b]), dim=1)
    sim = z @ z.T / temperature
    sim = sim.masked_fill(torch.eye(2 * a.shape[0], dtype=torch.bool), float('-inf'))
    labels = (torch.arange(2 * a.shape[0]) + a.shape[0]) % (2 * a.shape[0])
    return F.cross_entropy(sim, labels)


for tau in (0.5, 0.1):
    v, g = with_grad(lambda a, b: nt_xent(a, b, tau), za, zb)
    cases[f'ntXent_tau{tau}'] = {'za': arr(za), 'zb': arr(zb), 'temperature': tau, 'value': v, 'gradZa': g}


def off_diagonal(m):
    return m[~torch.eye(m.shape[0], dtype=torch.bool)]


def vicreg_terms(a, b):  # facebookresearch/vicreg main_vicreg.py
    inv = F.mse_loss(a, b)
    a = a - a.mean(dim=0)
    b = b - b.mean(dim=0)
    std_a = torch.sqrt(a.var(dim=0) + 0.0001)
    std_b = torch.sqrt(b.var(dim=0) + 0.0001)
    var = torch.mean(F.relu(1 - std_a)) / 2 + torch.mean(F.relu(1 - std_b)) / 2
    cov_a = (a.T @ a) / (a.shape[0] - 1)
    cov_b = (b.T @ b) / (b.shape[0] - 1)
    cov = off_diagonal(cov_a).pow(2).sum() / a.shape[1] + off_diagonal(cov_b).pow(2).sum() / b.shape[1]
    return inv, var, cov


# small-variance views so the variance hinge is active
va, vb = za * 0.4, zb * 0.4
inv, var, cov = vicreg_terms(va, vb)
v, g = with_grad(lambda a, b: sum(c * t for c, t in zip((25., 25., 1.), vicreg_terms(a, b))), va, vb)
cases['vicreg'] = {'za': arr(va), 'zb': arr(vb), 'invariance': float(inv), 'variance': float(var), 'covariance': float(cov), 'value': v, 'gradZa': g}


def barlow(a, b, lambd):  # facebookresearch/barlowtwins main.py: BatchNorm1d(affine=False), train mode
    bn = torch.nn.BatchNorm1d(a.shape[1], affine=False)
    c = bn(a).T @ bn(b) / a.shape[0]
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = off_diagonal(c).pow(2).sum()
    return on + lambd * off


v, g = with_grad(lambda a, b: barlow(a, b, 5e-3), za, zb)
cases['barlowTwins'] = {'za': arr(za), 'zb': arr(zb), 'lambda': 5e-3, 'value': v, 'gradZa': g}

v, g = with_grad(lambda p, z: -F.cosine_similarity(p, z, dim=-1).mean(), za, zb)  # SimSiam
cases['negativeCosine'] = {'p': arr(za), 'z': arr(zb), 'value': v, 'gradP': g}
v, g = with_grad(lambda p, z: (2 - 2 * (F.normalize(p, dim=-1) * F.normalize(z, dim=-1)).sum(dim=-1)).mean(), za, zb)  # BYOL
cases['byolLoss'] = {'p': arr(za), 'z': arr(zb), 'value': v, 'gradP': g}

with open(os.path.join(OUT, 'energies.json'), 'w') as f:
    json.dump({'generator': 'tools/parity/energies.py', 'torch': torch.__version__, 'cases': cases}, f)

# -- AdamW: torch.optim.AdamW, 3 steps, no decay on biases and 1-D params (I-JEPA init_opt rule)
shapes = {'proj.weight': (3, 2), 'proj.bias': (3,), 'norm.weight': (3,), 'mask_token': (1, 1, 2)}
params = {k: torch.randn(*s).requires_grad_(True) for k, s in shapes.items()}
initial = {k: arr(p) for k, p in params.items()}
decayed = [k for k, p in params.items() if 'bias' not in k and p.dim() != 1]
opt = torch.optim.AdamW([
    {'params': [params[k] for k in decayed]},
    {'params': [params[k] for k in params if k not in decayed], 'weight_decay': 0.0},
], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)
lrs, wds = [0.1, 0.05, 0.02], [0.05, 0.1, 0.2]
steps = []
for lr, wd in zip(lrs, wds):
    grads = {k: torch.randn(*s) for k, s in shapes.items()}
    opt.param_groups[0]['lr'], opt.param_groups[0]['weight_decay'] = lr, wd
    opt.param_groups[1]['lr'] = lr
    for k, p in params.items():
        p.grad = grads[k].clone()
    opt.step()
    steps.append({'lr': lr, 'weightDecay': wd, 'grads': {k: arr(g) for k, g in grads.items()},
                  'params': {k: arr(p) for k, p in params.items()}})
with open(os.path.join(OUT, 'adamw.json'), 'w') as f:
    json.dump({'generator': 'tools/parity/energies.py', 'torch': torch.__version__, 'betas': [0.9, 0.999], 'eps': 1e-8,
               'decayed': decayed, 'initial': initial, 'steps': steps}, f)
print('wrote', OUT)
