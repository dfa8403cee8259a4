"""One VICReg training step of a jepa-ts run, in PyTorch (written by `jepa export --to pytorch`).

The same step as jepa-ts (packages/ssl/src/families/joint.ts, vicreg.ts, energies/vicreg.ts):

  v1, v2 = two_views(images)                         jepa_views.py (its own random stream)
  z_i    = projector(mean over tokens of encoder(v_i))   projector = fc1 -> BatchNorm -> ReLU -> fc2
  loss   = sim * mse(z1, z2) + std * (hinge(z1) + hinge(z2)) / 2 + cov * (off(z1) + off(z2))
           hinge(z) = mean(relu(1 - sqrt(var(z) + 1e-4))) (unbiased variance per dim),
           off(z)   = sum of squared off-diagonal covariances / dim
  AdamW betas (0.9, 0.999) over jepa_train.py's groups (no decay on biases and 1-D params);
  warmup-cosine lr, cosine weight decay.

Under DistributedDataParallel each process normalizes and computes the variance and covariance
terms over its own batch (no SyncBatchNorm, no gather of the embeddings), as jepa-ts does over one
process's batch. Checkpoint: jepa_train.py's layout with the module's own names (encoder.*,
projector.*), which `jepa import --family vicreg --config <package>/config.json` reads.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import jepa_model
import jepa_views
from jepa_schedules import lr_at, wd_at
from jepa_train import Trainer

PACKAGE_CHECKPOINT = 'checkpoint.pth'
LATEST = 'vicreg-latest.pth'


class Vicreg(nn.Module):
    def __init__(self, model):
        super().__init__()
        enc, proj = model['encoder'], model['projector']
        self.encoder = jepa_model.VisionTransformer(model['image'], model['patchSize'], enc['dim'], enc['depth'], enc['heads'], model.get('pixelNorm'))
        self.projector = jepa_model.Head(enc['dim'], proj['hidden'], proj['out'])

    def embed(self, x):
        return self.projector(self.encoder(x).mean(dim=1))

    def forward(self, v1, v2):
        return self.embed(v1), self.embed(v2)


def _variance_and_covariance(z):
    n, d = z.shape
    centered = z - z.mean(dim=0, keepdim=True)
    std = torch.sqrt(centered.pow(2).sum(dim=0) / (n - 1) + 1e-4)
    cov = centered.T @ centered / (n - 1)
    off = cov.pow(2).sum() - torch.diagonal(cov).pow(2).sum()
    return F.relu(1 - std).mean(), off / d


def vicreg_loss(z1, z2, c):
    invariance = F.mse_loss(z1, z2)
    (va, ca), (vb, cb) = _variance_and_covariance(z1), _variance_and_covariance(z2)
    variance, covariance = (va + vb) / 2, ca + cb
    loss = c['sim'] * invariance + c['std'] * variance + c['cov'] * covariance
    return loss, {'invariance': float(invariance), 'variance': float(variance), 'covariance': float(covariance)}


class Family(Trainer):
    """The VICReg of a run config (`config.json` of the package)."""

    def __init__(self, run):
        o = run['model']['optimizer']
        decays = lambda n, p: 'bias' not in n and p.ndim != 1
        super().__init__(run, Vicreg(run['model']), (0.9, 0.999), decays, lambda s: wd_at(o, run['scheduleSteps'], s))
        self.generator = torch.Generator().manual_seed(0)

    def seed(self, seed):
        self.generator = torch.Generator().manual_seed(seed)

    def train_step(self, v1, v2):
        """One update on two NCHW views of the same images."""
        return self.update(lambda forward: vicreg_loss(*forward(v1, v2), self.model_config['coefficients']), lr_at)

    def step_on(self, images):
        v1, v2 = jepa_views.two_views(self.generator, images.cpu(), self.model_config['views'])
        return self.train_step(v1.to(images.device), v2.to(images.device))
