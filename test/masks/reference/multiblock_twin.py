"""Twin of the reference I-JEPA MaskCollator (facebookresearch/ijepa, src/masks/multiblock.py),
written from the facts in DESIGN.md section 3.3, for the statistics our `multi-block` variant is
compared with. Block sizes come from torch.Generator seeded with the batch counter (0, 1, 2, ...),
positions from the global torch RNG, exactly as the reference draws them.

Run: /usr/bin/python3 test/masks/reference/multiblock_twin.py 400  (the rows of test/masks/reference/stats.json)
"""
import json
import math
import sys

import torch


def block_size(u, height, width, scale, aspect):
    s = scale[0] + u * (scale[1] - scale[0])
    keep = int(height * width * s)
    ar = aspect[0] + u * (aspect[1] - aspect[0])
    h = int(round(math.sqrt(keep * ar)))
    w = int(round(math.sqrt(keep / ar)))
    h = min(h, height - 1)
    w = min(w, width - 1)
    return h, w


def place(height, width, size, min_keep, regions):
    h, w = size
    tries, failures = 0, 0
    while True:
        top = int(torch.randint(0, height - h, (1,)))
        left = int(torch.randint(0, width - w, (1,)))
        m = torch.zeros((height, width), dtype=torch.int32)
        m[top:top + h, left:left + w] = 1
        if regions is not None:
            for r in regions[:max(len(regions) - tries, 0)]:
                m *= r
        idx = torch.nonzero(m.flatten()).flatten()
        if len(idx) > min_keep:
            comp = torch.ones((height, width), dtype=torch.int32)
            comp[top:top + h, left:left + w] = 0
            return idx, comp, tries
        failures += 1
        if failures == 20:
            failures = 0
            tries += 1


def batch(counter, b, height, width, cfg):
    g = torch.Generator()
    g.manual_seed(counter)
    p_size = block_size(torch.rand(1, generator=g).item(), height, width, cfg['targetScale'], cfg['targetAspect'])
    e_size = block_size(torch.rand(1, generator=g).item(), height, width, cfg['contextScale'], (1.0, 1.0))
    kt, kc = height * width, height * width
    relaxed = 0
    before = []
    for _ in range(b):
        comps = []
        for _ in range(cfg['nTargets']):
            idx, comp, _ = place(height, width, p_size, cfg['minKeep'], None)
            comps.append(comp)
            kt = min(kt, len(idx))
        idx, _, tries = place(height, width, e_size, cfg['minKeep'], comps)
        relaxed += tries > 0
        before.append(len(idx))
        kc = min(kc, len(idx))
    return kt, kc, sum(before) / b, relaxed


def expected_target_tokens(height, width, cfg, points=200000):
    """E[h*w] of a target block over u ~ U(0, 1), by the midpoint rule (the batch's Kt is h*w)."""
    total = 0
    for i in range(points):
        h, w = block_size((i + 0.5) / points, height, width, cfg['targetScale'], cfg['targetAspect'])
        total += h * w
    return total / points


def stats(height, width, b, n, min_keep):
    cfg = dict(nTargets=4, targetScale=(0.15, 0.2), targetAspect=(0.75, 1.5), contextScale=(0.85, 1.0), minKeep=min_keep)
    torch.manual_seed(0)
    rows = [batch(i, b, height, width, cfg) for i in range(n)]
    kts = [r[0] for r in rows]
    kcs = [r[1] for r in rows]
    mean = lambda xs: sum(xs) / len(xs)
    sd = lambda xs: math.sqrt(sum((x - mean(xs)) ** 2 for x in xs) / (len(xs) - 1))
    return dict(grid=[height, width], batch=b, batches=n, minKeep=min_keep,
                targetTokensMean=mean(kts), targetTokensSd=sd(kts),
                contextTokensMean=mean(kcs), contextTokensSd=sd(kcs),
                contextBeforeCutMean=mean([r[2] for r in rows]),
                contextBeforeCutSd=sd([r[2] for r in rows]),
                targetTokensExpected=expected_target_tokens(height, width, cfg),
                relaxedImagesPerBatch=mean([r[3] for r in rows]))


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    out = [stats(14, 14, 128, n, 10), stats(14, 14, 128, 20, 10), stats(8, 8, 128, n, 4), stats(7, 7, 128, n, 4)]
    json.dump(out, sys.stdout, indent=2)
    print()
