"""One I-JEPA training step of a jepa-ts run, in PyTorch (written by `jepa export --to pytorch`).

The same step as jepa-ts (packages/ssl/src/families/ijepa.ts, packages/train adamw.ts and
schedules.ts, packages/ssl ema.ts), which is facebookresearch/ijepa's src/train.py:

  h = layer_norm(target_encoder(images))  (no affine, eps 1e-5), target blocks gathered, block-major
  z = predictor(encoder(images, ctx_idx), ctx_idx, target_idx)
  loss = smooth_l1(z, h) (beta 1, mean)  or  mse(z, h) for energy "l2"
  AdamW over the reference's four param groups (weight decay on params that are neither biases nor
  1-D; betas 0.9/0.999, eps 1e-8), update k (0-based) at lr(k + 1), wd(k + 1);
  target <- m(k) * target + (1 - m(k)) * encoder, after the update.
Schedules: jepa_schedules.py. The trainer's interface (`Family`: sample, wrap, step_on, load,
checkpoint) is the one train.py drives for every family.
"""
import torch
import torch.nn.functional as F

import jepa_masks
import jepa_model
from jepa_schedules import lr_at, momentum_at, wd_at


PACKAGE_CHECKPOINT = 'checkpoint.pth.tar'
LATEST = 'jepa-latest.pth.tar'


def param_groups(encoder, predictor):
    """The reference's four groups (facebookresearch/ijepa src/helper.py init_opt), in its order."""
    decayed = lambda n, p: ('bias' not in n) and len(p.shape) != 1
    return [
        {'params': [p for n, p in encoder.named_parameters() if decayed(n, p)]},
        {'params': [p for n, p in predictor.named_parameters() if decayed(n, p)]},
        {'params': [p for n, p in encoder.named_parameters() if not decayed(n, p)], 'WD_exclude': True, 'weight_decay': 0},
        {'params': [p for n, p in predictor.named_parameters() if not decayed(n, p)], 'WD_exclude': True, 'weight_decay': 0},
    ]


class Ijepa:
    """The models, optimizer and schedules of a run config (`config.json` of the package)."""

    def __init__(self, run):
        self.run = run
        self.model_config = run['model']
        self.optimizer_config = run['model']['optimizer']
        self.total = run['scheduleSteps']
        self.encoder, self.predictor, self.target = jepa_model.build(self.model_config)
        self.opt = torch.optim.AdamW(param_groups(self.encoder, self.predictor), lr=self.optimizer_config['lr'], betas=(0.9, 0.999), eps=1e-8)
        self.step = 0
        self.wrapped = (None, None)
        self.masks = None  # seed() makes the sampler (its settings are read only then)

    def wrap(self, ddp):
        """Runs the encoder and predictor through `ddp(module)` (DistributedDataParallel) from now on."""
        self.wrapped = (ddp(self.encoder), ddp(self.predictor))

    def seed(self, seed):
        self.masks = jepa_masks.MaskSampler(self.model_config, seed)

    def step_on(self, images):
        """One update with multi-block masks from this process's sampler."""
        if self.masks is None:
            self.seed(0)
        ctx, targets = self.masks(images.shape[0])
        ctx_idx = torch.tensor(ctx, dtype=torch.int64, device=images.device)
        target_idx = [torch.tensor(t, dtype=torch.int64, device=images.device) for t in targets]
        return self.train_step(images, ctx_idx, target_idx, *self.wrapped)

    def to(self, device):
        for m in (self.encoder, self.predictor, self.target):
            m.to(device)
        return self

    def load(self, ckpt):
        """Loads an official-layout checkpoint (module. prefixes stripped) strictly; the step is the optimizer's."""
        strip = lambda sd: {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
        self.encoder.load_state_dict(strip(ckpt['encoder']), strict=True)
        self.predictor.load_state_dict(strip(ckpt['predictor']), strict=True)
        self.target.load_state_dict(strip(ckpt['target_encoder']), strict=True)
        self.opt.load_state_dict(ckpt['opt'])
        steps = [int(s['step']) for s in self.opt.state.values() if 'step' in s]
        self.step = max(steps) if steps else 0

    def checkpoint(self, loss, batch_size, world_size, epoch):
        """The official save_checkpoint layout: DDP state dicts (`module.` on every key), AdamW state, scalars."""
        ddp = lambda m: {'module.' + k: v for k, v in m.state_dict().items()}
        return {
            'encoder': ddp(self.encoder), 'predictor': ddp(self.predictor), 'target_encoder': ddp(self.target),
            'opt': self.opt.state_dict(), 'scaler': None, 'epoch': epoch, 'loss': loss,
            'batch_size': batch_size, 'world_size': world_size, 'lr': self.optimizer_config['lr'],
        }

    def loss(self, encoder, predictor, images, ctx_idx, target_idx):
        """images NCHW, ctx_idx [B, Kc] int64, target_idx a list of [B, Kt] int64."""
        with torch.no_grad():
            h = F.layer_norm(self.target(images), (self.model_config['encoder']['dim'],))
            h = torch.cat([jepa_model.gather_tokens(h, idx) for idx in target_idx], dim=0)
        z = predictor(encoder(images, ctx_idx), ctx_idx, target_idx)
        if self.model_config.get('energy', 'smoothL1') == 'l2':
            return F.mse_loss(z, h)
        return F.smooth_l1_loss(z, h, beta=1.0)

    def train_step(self, images, ctx_idx, target_idx, encoder=None, predictor=None):
        """One update at k = self.step; `encoder`/`predictor` may be their DDP wrappers. Returns the loss and the schedule values."""
        encoder = encoder or self.encoder
        predictor = predictor or self.predictor
        k = self.step
        lr = lr_at(self.optimizer_config, self.total, k + 1)
        wd = wd_at(self.optimizer_config, self.total, k + 1)
        for group in self.opt.param_groups:
            group['lr'] = lr
            if not group.get('WD_exclude', False):
                group['weight_decay'] = wd
        loss = self.loss(encoder, predictor, images, ctx_idx, target_idx)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        m = momentum_at(self.model_config.get('ema', [0.996, 1.0]), self.total, k)
        with torch.no_grad():
            for q, t in zip(self.encoder.parameters(), self.target.parameters()):
                t.mul_(m).add_((1.0 - m) * q.detach())
        self.step = k + 1
        return {'loss': float(loss.detach()), 'lr': lr, 'wd': wd, 'momentum': m}


Family = Ijepa
