"""PyTorch twin of bench/vit-block.ts: the same ViT-block step (pre-norm blocks, LayerNorm eps
1e-6, qkv with bias, exact GELU, MLP 4x, loss mean(x^2), backward of every weight) on the same
shapes, timed the same way (warm-up steps, then the median of timed steps). Prints one JSON line.
Run with Debian's /usr/bin/python3 (python3-torch on OpenBLAS)."""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.act = nn.GELU()

    def forward(self, x):
        b, n, d = x.shape
        dh = d // self.h
        qkv = self.qkv(self.norm1(x)).reshape(b, n, 3, self.h, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        a = torch.softmax((q @ k.transpose(-2, -1)) * dh ** -0.5, dim=-1) @ v
        x = x + self.proj(a.transpose(1, 2).reshape(b, n, d))
        return x + self.fc2(self.act(self.fc1(self.norm2(x))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--tokens', type=int, default=64)
    ap.add_argument('--dim', type=int, default=192)
    ap.add_argument('--heads', type=int, default=3)
    ap.add_argument('--depth', type=int, default=4)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = nn.Sequential(*[Block(a.dim, a.heads) for _ in range(a.depth)])
    x = torch.randn(a.batch, a.tokens, a.dim)

    def step():
        model.zero_grad(set_to_none=True)
        loss = model(x).pow(2).mean()
        loss.backward()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({
        'backend': f'pytorch {torch.__version__} ({a.threads} threads)',
        'stepSeconds': times[len(times) // 2],
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
