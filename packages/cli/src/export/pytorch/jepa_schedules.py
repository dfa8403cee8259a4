"""The per-step schedules of a jepa-ts run (written by `jepa export --to pytorch`), as jepa-ts computes
them (packages/train schedules.ts, packages/ssl ema.ts). Update k (0-based) uses lr(k + 1) and
wd(k + 1); the EMA momentum uses k. T = the run's `scheduleSteps`, W = optimizer.warmupSteps:

  lr(s) = mix(start, lr, s/W) for s < W, else max(final, mix(final, lr, (1 + cos(pi * min(1, (s-W)/max(1, T-W)))) / 2))
  wd(s) = clamp(mix(final_wd, wd, (1 + cos(pi * min(1, s/T))) / 2))      (I-JEPA, VICReg; MAE: constant)
  m(k)  = m1 if k >= T else m0 + k (m1 - m0) / T          with mix(a, b, t) = (1 - t) a + t b
"""
import math


def _mix(a, b, t):
    return (1 - t) * a + t * b


def lr_at(o, total, s):
    w = o['warmupSteps']
    if s < w:
        return _mix(o['startLr'], o['lr'], s / w)
    progress = min(1.0, (s - w) / max(1, total - w))
    return max(o['finalLr'], _mix(o['finalLr'], o['lr'], 0.5 * (1 + math.cos(math.pi * progress))))


def wd_at(o, total, s):
    lo, hi = sorted([o['weightDecay'], o['finalWeightDecay']])
    value = _mix(o['finalWeightDecay'], o['weightDecay'], 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    return min(hi, max(lo, value))


def momentum_at(ema, total, k):
    return ema[1] if k >= total else ema[0] + k * (ema[1] - ema[0]) / total
