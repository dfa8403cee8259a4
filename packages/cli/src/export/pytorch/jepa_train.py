"""What the single-model families of an exported run share (MAE, VICReg; written by `jepa export
--to pytorch`): one nn.Module, AdamW over two named param groups, the run's schedules, and the
package's checkpoint layout.

AdamW (packages/train adamw.ts): betas of the family, eps 1e-8; group 0 = the params jepa-ts does
not decay (weight decay 0), group 1 = the others (the schedule's weight decay); frozen params (the
sin-cos tables) are in no group. Update k (0-based) runs at lr(k + 1) and wd(k + 1).

Checkpoint (`checkpoint(...)`, read back by `load`): {model: state dict under the family's file
names, optimizer: torch AdamW state_dict, param_names: [names of group 0, names of group 1] (the
file names of the optimizer's params in its numbering, so that a reader needs no module to map the
moments), epoch, scaler: None, loss, batch_size, world_size, step}. `load` loads the state dict
strictly and matches the optimizer's state to this model's params by name (any order), refusing
params that are missing, unexpected or in the other weight-decay group, naming them.
"""
import torch


def strip_ddp(state_dict):
    return {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state_dict.items()}


class Trainer:
    """`model` (an nn.Module), `decays(name, param)`: jepa-ts's decay rule, `wd_at(k + 1)`: the weight
    decay schedule, `to_file` / `from_file`: module names <-> the file's names."""

    def __init__(self, run, model, betas, decays, wd_at, to_file=lambda n: n, from_file=lambda n: n):
        self.run = run
        self.model_config = run['model']
        self.optimizer_config = run['model']['optimizer']
        self.total = run['scheduleSteps']
        self.model = model
        self.forward = model
        self.wd_at = wd_at
        self.to_file, self.from_file = to_file, from_file
        trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.param_names = [[n for n, p in trained if not decays(n, p)], [n for n, p in trained if decays(n, p)]]
        by_name = dict(trained)
        self.opt = torch.optim.AdamW(
            [{'params': [by_name[n] for n in self.param_names[0]], 'weight_decay': 0.0}, {'params': [by_name[n] for n in self.param_names[1]]}],
            lr=self.optimizer_config['lr'], betas=betas, eps=1e-8)
        self.step = 0

    def to(self, device):
        self.model.to(device)
        return self

    def wrap(self, ddp):
        """Runs the forward passes through `ddp(model)` (DistributedDataParallel) from now on."""
        self.forward = ddp(self.model)

    def file_names(self):
        return [[self.to_file(n) for n in group] for group in self.param_names]

    def load(self, ckpt):
        """Loads a package checkpoint strictly; the step is the optimizer's."""
        self.model.load_state_dict({self.from_file(k): v for k, v in strip_ddp(ckpt['model']).items()}, strict=True)
        self.opt.load_state_dict(self._by_name(ckpt['optimizer'], ckpt.get('param_names')))
        steps = [int(s['step']) for s in self.opt.state.values() if 'step' in s]
        self.step = max(steps) if steps else 0

    def _by_name(self, saved, names):
        """The saved AdamW state_dict renumbered for this model's groups, matching params by name."""
        if not (isinstance(names, list) and len(names) == 2):
            raise ValueError('the checkpoint has no param_names [[no-decay names], [decay names]] (not a jepa-ts package checkpoint)')
        saved_group = {n: g for g in range(2) for n in names[g]}
        saved_index = {n: i for i, n in enumerate(names[0] + names[1])}
        mine = self.file_names()
        missing = [n for g in mine for n in g if n not in saved_group]
        extra = [n for n in saved_group if all(n not in g for g in mine)]
        moved = [n for g in range(2) for n in mine[g] if saved_group.get(n, g) != g]
        if missing or extra or moved:
            raise ValueError(f'the checkpoint\'s optimizer does not fit this model: params missing {missing[:4]}, unexpected {extra[:4]}, '
                             f'in the other weight-decay group {moved[:4]} (was it written for another config?)')
        order = mine[0] + mine[1]
        state = {i: saved['state'][saved_index[n]] for i, n in enumerate(order) if saved_index[n] in saved['state']}
        groups = [{**saved['param_groups'][g], 'params': list(range(len(mine[0])) if g == 0 else range(len(mine[0]), len(order)))} for g in range(2)]
        return {'state': state, 'param_groups': groups}

    def checkpoint(self, loss, batch_size, world_size, epoch):
        return {
            'model': {self.to_file(k): v for k, v in self.model.state_dict().items()},
            'optimizer': self.opt.state_dict(), 'param_names': self.file_names(),
            'epoch': epoch, 'scaler': None, 'loss': loss, 'batch_size': batch_size, 'world_size': world_size, 'step': self.step,
        }

    def update(self, loss_of, lr_at):
        """One AdamW update of `loss_of(forward)` -> (loss, extra values); returns the loss and the schedule values."""
        k = self.step
        lr, wd = lr_at(self.optimizer_config, self.total, k + 1), self.wd_at(k + 1)
        for i, group in enumerate(self.opt.param_groups):
            group['lr'] = lr
            group['weight_decay'] = wd if i == 1 else 0.0
        loss, extra = loss_of(self.forward)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.step = k + 1
        return {'loss': float(loss.detach()), 'lr': lr, 'wd': wd, **extra}
