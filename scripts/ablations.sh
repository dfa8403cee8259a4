#!/usr/bin/env bash
# Reproduces docs/ablations.md: the first comparison of this repository (encoder 192 wide, 600 s of
# training per config; the configs in examples/runs/ablation/), the masking ablation, the input
# standardization and the low-level probes, on this machine (2 cores, native backend): about 2 h.
#   bash scripts/ablations.sh                 # all three parts
#   bash scripts/ablations.sh train|inputs|probes   # one part (probes needs train's checkpoints)
# 1. train: the families and the masking ablation, 600 s of training each, one table with the
#    random-init and raw-pixel baselines (runs/ablation/results.md).
# 2. inputs: I-JEPA without pixelNorm/patchInitStd for the 468 steps the I-JEPA run of part 1 made
#    in its 600 s (a step budget, so it may share the machine; runs/ablation-inputs/results.md).
# 3. probes: low-level probes: each trained encoder (and its random init, and raw pixels) probed for object
#    count and horizontal position on the synthetic shapes set (runs/ablation/<run>/synthetic-<label>/eval.md),
#    gathered into runs/ablation/probes.md.
set -euo pipefail
cd "$(dirname "$0")/.."
families=(ijepa mae simclr vicreg byol)
ablation=(ijepa-block ijepa-random)
part=${1:-all}

if [[ $part == all || $part == train ]]; then
  configs=()
  for r in "${families[@]}" "${ablation[@]}"; do configs+=("examples/runs/ablation/$r.json"); done
  pnpm -s jepa compare "${configs[@]}" --budget-seconds 600 --limit 5000 --out runs/ablation
fi

if [[ $part == all || $part == inputs ]]; then
  pnpm -s jepa compare examples/runs/ablation/ijepa-raw-inputs.json --budget-steps 468 --limit 5000 --out runs/ablation-inputs
fi

if [[ $part == all || $part == probes ]]; then
  for r in "${families[@]}"; do
    for label in count posX; do
      out="runs/ablation/$r/synthetic-$label"
      [[ -f $out/eval.json ]] && continue   # resumable: a finished probe is kept
      pnpm -s jepa eval "runs/ablation/$r" --data synthetic --label "$label" --limit 2000 --out "$out"
    done
  done
  pnpm -s exec tsx scripts/probe-table.ts runs/ablation "${families[@]}" > runs/ablation/probes.md
  cat runs/ablation/probes.md
fi
