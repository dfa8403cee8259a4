"""One MAE training step of a jepa-ts run, in PyTorch (written by `jepa export --to pytorch`).

The same step as jepa-ts (packages/ssl/src/families/mae.ts, energies/mae.ts, patchify.ts), which is
facebookresearch/mae's models_mae.py:

  ids_keep, ids_restore, mask = random_masking(B, L, maskRatio)   keep floor(L (1 - maskRatio)) tokens
  pred = decoder(encoder(images, ids_keep), ids_restore)           [B, L, p*p*C]
  loss = mean over masked patches of mean((pred - target)^2), target = patchify(images) (in (p, q, c)
         order), per patch standardized (unbiased variance, eps 1e-6) when normPix
  AdamW betas (0.9, 0.95) over jepa_train.py's groups: no decay on biases, 1-D params, mask_token and
  cls_token; warmup-cosine lr, constant weight decay.

The masking draws its own random stream (torch.rand per process); jepa-ts draws its masks from the
run's key, so the two agree given the same masks (tools/torch/check_package_step.py feeds ours).
Checkpoint: facebookresearch/mae's save_model layout {model, optimizer, epoch, scaler} (the model's
state dict under the reference's names, no DDP prefix) plus jepa_train.py's param_names, loss,
batch_size, world_size and step, which `jepa import --family mae` reads.
"""
import torch
import torch.nn as nn

import jepa_model
from jepa_schedules import lr_at
from jepa_train import Trainer

PACKAGE_CHECKPOINT = 'checkpoint.pth'
LATEST = 'checkpoint-latest.pth'


class MaskedAutoencoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        enc, dec = model['encoder'], model['decoder']
        cls = model.get('clsToken', False)
        h, w, c = model['image']
        self.encoder = jepa_model.VisionTransformer(model['image'], model['patchSize'], enc['dim'], enc['depth'], enc['heads'], model.get('pixelNorm'), cls_token=cls)
        self.decoder = jepa_model.MaeDecoder(self.encoder.grid, enc['dim'], dec['dim'], dec['depth'], dec['heads'], model['patchSize'] ** 2 * c, cls_token=cls)

    def forward(self, images, ids_keep, ids_restore):
        return self.decoder(self.encoder(images, ids_keep), ids_restore)


def patchify(images, p):
    """NCHW -> [B, L, p*p*C], row-major patches, values in (row in patch, column in patch, channel) order."""
    b, c, h, w = images.shape
    x = images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


def mae_loss(pred, target, mask, norm_pix):
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        target = (target - mean) / (target.var(dim=-1, keepdim=True, unbiased=True) + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)
    return (per_patch * mask).sum() / mask.sum().clamp(min=1)


def random_masking(generator, batch, length, ratio, device):
    """(ids_keep [B, K], ids_restore [B, L], mask [B, L] with 1 = removed), the reference's argsort of uniform noise."""
    keep = int(length * (1 - ratio))
    ids_shuffle = torch.argsort(torch.rand(batch, length, generator=generator), dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones(batch, length)
    mask[:, :keep] = 0
    return ids_shuffle[:, :keep].to(device), ids_restore.to(device), torch.gather(mask, 1, ids_restore).to(device)


def _split(name):
    """Module name -> the reference's flat name (drop encoder. / decoder.)."""
    return name.split('.', 1)[1]


def _join(name):
    return ('decoder.' if name.startswith('decoder_') or name == 'mask_token' else 'encoder.') + name


class Family(Trainer):
    """The MAE of a run config (`config.json` of the package)."""

    def __init__(self, run):
        model = MaskedAutoencoder(run['model'])
        decays = lambda n, p: 'bias' not in n and p.ndim != 1 and not n.endswith('mask_token') and not n.endswith('cls_token')
        super().__init__(run, model, (0.9, 0.95), decays, lambda s: run['model']['optimizer']['weightDecay'], _split, _join)
        self.generator = torch.Generator().manual_seed(0)

    def seed(self, seed):
        self.generator = torch.Generator().manual_seed(seed)

    def train_step(self, images, ids_keep, ids_restore, mask):
        """One update on NCHW images with the masking given."""
        m = self.model_config
        target = patchify(images, m['patchSize'])
        loss_of = lambda forward: (mae_loss(forward(images, ids_keep, ids_restore), target, mask, m.get('normPix', True)), {})
        return self.update(loss_of, lr_at)

    def step_on(self, images):
        length = self.model.encoder.grid[0] * self.model.encoder.grid[1]
        return self.train_step(images, *random_masking(self.generator, images.shape[0], length, self.model_config['maskRatio'], images.device))
