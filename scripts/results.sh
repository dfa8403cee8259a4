#!/usr/bin/env bash
# Reproduces docs/results.md on this machine (2 cores, the native backend): about 2 h in all.
#   bash scripts/results.sh            # all three parts
#   bash scripts/results.sh train|inputs|probes|main   # one part (probes needs train's checkpoints)
# 0. main (not part of "all"; about 50 min): the main job's preset over three seeds at its step count,
#    and the recipe search around it (docs/results.md, "The main job").
# 1. train: the families and the masking ablation, 600 s of training each, one table with the
#    random-init and raw-pixel baselines (runs/results/results.md).
# 2. inputs: I-JEPA without pixelNorm/patchInitStd for the 468 steps the I-JEPA run of part 1 made
#    in its 600 s (a step budget, so it may share the machine; runs/results-inputs/results.md).
# 3. probes: low-level probes: each trained encoder (and its random init, and raw pixels) probed for object
#    count and horizontal position on the synthetic shapes set (runs/results/<run>/synthetic-<label>/eval.md),
#    gathered into runs/results/probes.md.
set -euo pipefail
cd "$(dirname "$0")/.."
families=(ijepa mae simclr vicreg byol)
ablation=(ijepa-block ijepa-random)
part=${1:-all}

if [[ $part == main ]]; then
  pnpm -s jepa compare examples/runs/ijepa-main.json --budget-steps 1700 --seeds 3 --curve none --limit 2000 --out runs/main-seeds
  pnpm -s jepa sweep examples/runs/ijepa-main.json --set 'model.ema=[0.996,1],[0.99,1]' --set model.optimizer.lr=1e-3,2e-3 --budget-steps 800 --limit 2000 --out runs/sweep-ijepa
fi

if [[ $part == all || $part == train ]]; then
  configs=()
  for r in "${families[@]}" "${ablation[@]}"; do configs+=("examples/runs/results/$r.json"); done
  pnpm -s jepa compare "${configs[@]}" --budget-seconds 600 --limit 5000 --out runs/results
fi

if [[ $part == all || $part == inputs ]]; then
  pnpm -s jepa compare examples/runs/results/ijepa-raw-inputs.json --budget-steps 468 --limit 5000 --out runs/results-inputs
fi

if [[ $part == all || $part == probes ]]; then
  for r in "${families[@]}"; do
    for label in count posX; do
      out="runs/results/$r/synthetic-$label"
      [[ -f $out/eval.json ]] && continue   # resumable: a finished probe is kept
      pnpm -s jepa eval "runs/results/$r" --data synthetic --label "$label" --limit 2000 --out "$out"
    done
  done
  pnpm -s exec tsx scripts/probe-table.ts runs/results "${families[@]}" > runs/results/probes.md
  cat runs/results/probes.md
fi
