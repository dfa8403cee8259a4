"""Trains an exported jepa-ts run (I-JEPA, MAE or VICReg) with PyTorch, on one process or many
(written by `jepa export --to pytorch`).

  python3 train.py --steps 100                                  one process
  torchrun --nproc_per_node 4 train.py --steps 100              DistributedDataParallel
  (python3 -m torch.distributed.run … where torchrun is not on PATH)

Starts from the package's checkpoint (weights, EMA target, AdamW state and step count: I-JEPA's in
facebookresearch/ijepa's layout, checkpoint.pth.tar; MAE's in facebookresearch/mae's, checkpoint.pth;
VICReg's in jepa_train.py's, checkpoint.pth) or --resume <file>, and continues the run's schedules
at its step. Each process draws its own shard of Fashion-MNIST (--data, default Debian's
/usr/share/datasets/fashion-mnist) and its own masks or views; DDP averages the gradients
(backend nccl on CUDA, gloo on CPU). --batch-size is per process. Rank 0 writes <out>/<latest>
(I-JEPA jepa-latest.pth.tar, MAE checkpoint-latest.pth, VICReg vicreg-latest.pth) in the same
layout, which `jepa import --family <family> --config config.json` reads.

The family module (jepa_<family>.py) provides PACKAGE_CHECKPOINT, LATEST and a `Family(run)` with
to(device), load(ckpt), wrap(ddp), seed(seed), step_on(images) -> {loss, lr, wd, ...}, step and
checkpoint(loss, batch_size, world_size, epoch).
"""
import argparse
import importlib
import json
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import jepa_data  # noqa: E402


def parse_args(run, family):
    p = argparse.ArgumentParser(description=f'train an exported jepa-ts {run["family"]} run (torchrun-ready)')
    p.add_argument('--steps', type=int, required=True, help='optimizer updates to make in this session')
    p.add_argument('--batch-size', type=int, default=run['batchSize'], help='images per process and step (default: the run\'s)')
    p.add_argument('--data', default=jepa_data.DEBIAN_FASHION_MNIST_DIR, help='directory of the Fashion-MNIST IDX files')
    p.add_argument('--limit', type=int, default=None, help='use the first N training images only')
    p.add_argument('--resume', default=os.path.join(here, family.PACKAGE_CHECKPOINT), help='checkpoint to start from (the package\'s layout)')
    p.add_argument('--out', default=os.path.join(here, 'checkpoints'), help=f'directory for {family.LATEST}')
    p.add_argument('--save-every', type=int, default=0, help='also save every N steps (0: at the end only)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto')
    return p.parse_args()


def main():
    with open(os.path.join(here, 'config.json')) as f:
        run = json.load(f)
    family = importlib.import_module(f'jepa_{run["family"]}')
    args = parse_args(run, family)
    distributed = 'WORLD_SIZE' in os.environ and int(os.environ['WORLD_SIZE']) > 1
    cuda = torch.cuda.is_available() if args.device == 'auto' else args.device == 'cuda'
    if distributed:
        dist.init_process_group('nccl' if cuda else 'gloo')
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    device = torch.device(f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}' if cuda else 'cpu')
    if cuda:
        torch.cuda.set_device(device)

    model = family.Family(run)
    model.to(device)
    model.load(torch.load(args.resume, map_location=device))
    if distributed:
        model.wrap(lambda m: DistributedDataParallel(m, device_ids=[device.index] if cuda else None))
    images = jepa_data.fashion_mnist(args.data, run['model']['image'], args.limit)
    per_epoch = len(images) // (args.batch_size * world)
    if per_epoch == 0:
        raise SystemExit(f'{len(images)} images are fewer than one global batch ({args.batch_size} x {world} processes)')
    model.seed(args.seed * 1000003 + rank)
    os.makedirs(args.out, exist_ok=True)
    if rank == 0:
        print(f'resumed {args.resume} at step {model.step}; {world} process(es), batch {args.batch_size} each, {len(images)} images, {device}', flush=True)

    def save(loss, epoch):
        if rank != 0:
            return
        path = os.path.join(args.out, family.LATEST)
        torch.save(model.checkpoint(loss, args.batch_size, world, epoch), path + '.tmp')
        os.replace(path + '.tmp', path)
        print(f'saved {path} at step {model.step}', flush=True)

    loss = 0.0
    for i in range(args.steps):
        epoch, j = divmod(i, per_epoch)
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed * 7919 + epoch))
        start = (j * world + rank) * args.batch_size
        batch = images[order[start:start + args.batch_size]].to(device)
        values = model.step_on(batch)
        loss = values['loss']
        if distributed:
            t = torch.tensor([loss], device=device)
            dist.all_reduce(t)
            loss = float(t) / world
        if rank == 0:
            extra = ''.join(f' {k} {v:.6f}' for k, v in values.items() if k not in ('loss', 'lr', 'wd'))
            print(f'step {model.step} loss {loss:.6f} lr {values["lr"]:.3e} wd {values["wd"]:.4f}{extra}', flush=True)
        if args.save_every > 0 and model.step % args.save_every == 0 and i + 1 < args.steps:
            save(loss, epoch)
    save(loss, args.steps // per_epoch)
    if distributed:
        dist.barrier()  # no process leaves while rank 0 is still writing (an early exit could leave gloo waiting)
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
