"""I-JEPA multi-block masks for the exported trainer (written by `jepa export --to pytorch`): a port
of jepa-ts's sampler logic (packages/masks multi-block.ts, block.ts, collator.ts). The random
streams differ from jepa-ts's (Python's `random.Random` here); the rules are the same:

  sizes, once per batch: keep = floor(H W s), h = round(sqrt(keep ar)), w = round(sqrt(keep / ar))
    "multi-block" (the reference collator): ONE uniform gives scale and aspect; h <= H-1, w <= W-1;
      top uniform in [0, H-h)
    "multi-block-corrected": two uniforms; 1 <= h <= H, 1 <= w <= W; top uniform in [0, H-h]
  per image: nTargets target blocks; then a context block, cut by the targets, accepted with more
    than minKeep tokens; after triesPerRelaxation failures the last remaining target's constraint
    is dropped (allowOverlap: never cut)
  batch: every list cut to the batch minimum (context and all targets), keeping the lowest raster
    indices; rows are ascending raster indices.
"""
import math
import random


def _block_size(corrected, gh, gw, scale, aspect):
    keep = math.floor(gh * gw * scale)
    h, w = round(math.sqrt(keep * aspect)), round(math.sqrt(keep / aspect))
    if corrected:
        return max(1, min(h, gh)), max(1, min(w, gw))
    return min(h, gh - 1), min(w, gw - 1)


def _placements(corrected, extent, side):
    return extent - side + 1 if corrected else extent - side


def _draw_size(rng, corrected, grid, scale, aspect):
    u0 = rng.random()
    u1 = rng.random() if corrected else u0
    return _block_size(corrected, grid[0], grid[1], scale[0] + u0 * (scale[1] - scale[0]), aspect[0] + u1 * (aspect[1] - aspect[0]))


def _place(rng, corrected, grid, size):
    n_top, n_left = _placements(corrected, grid[0], size[0]), _placements(corrected, grid[1], size[1])
    return min(n_top - 1, int(rng.random() * n_top)), min(n_left - 1, int(rng.random() * n_left))


def _indices(grid, top, left, size):
    return [r * grid[1] + c for r in range(top, top + size[0]) for c in range(left, left + size[1])]


def multi_block_batch(rng, grid, s, batch_size):
    """(context rows, target rows per block): lists of int lists, cut to the batch minimum."""
    if s['strategy'] not in ('multi-block', 'multi-block-corrected'):
        raise ValueError(f'masks.strategy "{s["strategy"]}": the exported trainer samples multi-block masks only')
    corrected = s['strategy'] == 'multi-block-corrected'
    target_size = _draw_size(rng, corrected, grid, s['targetScale'], s['targetAspect'])
    context_size = _draw_size(rng, corrected, grid, s['contextScale'], s['contextAspect'])
    if target_size[0] * target_size[1] <= (0 if corrected else s['minKeep']):
        raise ValueError(f'multi-block: target blocks of {target_size[0]}x{target_size[1]} tokens can never have more than minKeep = {s["minKeep"]}')
    contexts, targets = [], []
    for _ in range(batch_size):
        image_targets = [_indices(grid, *_place(rng, corrected, grid, target_size), target_size) for _ in range(s['nTargets'])]
        first = {}
        for j, idx in enumerate(image_targets):
            for i in idx:
                first.setdefault(i, j)
        dropped, failures = 0, 0
        while True:
            active = 0 if s['allowOverlap'] else max(s['nTargets'] - dropped, 0)
            context = [i for i in _indices(grid, *_place(rng, corrected, grid, context_size), context_size) if first.get(i, s['nTargets']) >= active]
            if len(context) > s['minKeep']:
                break
            failures += 1
            if failures == s['triesPerRelaxation']:
                failures, dropped = 0, dropped + 1
                if dropped > s['nTargets']:
                    raise ValueError(f'multi-block: a {context_size[0]}x{context_size[1]} context block can never keep more than minKeep = {s["minKeep"]} tokens')
        contexts.append(context)
        targets.append(image_targets)
    kc = min(len(c) for c in contexts)
    kt = min(len(t) for ts in targets for t in ts)
    return [c[:kc] for c in contexts], [[ts[j][:kt] for ts in targets] for j in range(s['nTargets'])]


class MaskSampler:
    """Seeded multi-block masks on the patch grid of a run config's `model` section."""

    def __init__(self, model, seed):
        self.grid = (model['image'][0] // model['patchSize'], model['image'][1] // model['patchSize'])
        self.settings = model['masks']
        self.rng = random.Random(seed)

    def __call__(self, batch_size):
        return multi_block_batch(self.rng, self.grid, self.settings, batch_size)
