#!/usr/bin/env bash
# The recipe search behind the Fashion-MNIST presets in examples/runs/results/ (docs/results.md,
# "How the presets were chosen"). Every family gets the same search budget: a 2×2 grid of four
# recipes, each trained for the steps its family makes in about 150 s on this machine (2 cores,
# native backend; `pnpm exec tsx scripts/step-rates.ts` measures the rates), evaluated on 2,000/2,000 images.
#   bash scripts/sweeps.sh                 # every family (about 1.5 h)
#   bash scripts/sweeps.sh mae byol        # some of them
# A finished sweep is kept (its sweep.json exists); an interrupted one resumes its recipes.
set -euo pipefail
cd "$(dirname "$0")/.."

# family → "trial steps" and the two axes searched. I-JEPA and BYOL (EMA targets): momentum × lr;
# MAE: mask ratio × lr; the other joint-embedding families: the crop's minimum scale × lr.
declare -A steps=([ijepa]=800 [mae]=1300 [simclr]=360 [vicreg]=360 [barlow]=355 [byol]=300 [simsiam]=290)
declare -A axis=(
  [ijepa]='model.ema=[0.996,1],[0.99,1]'
  [byol]='model.momentum=0.996,0.99'
  [mae]='model.maskRatio=0.75,0.5'
  [simclr]='model.views.crop.scale=[0.25,1],[0.5,1]'
  [vicreg]='model.views.crop.scale=[0.25,1],[0.5,1]'
  [barlow]='model.views.crop.scale=[0.25,1],[0.5,1]'
  [simsiam]='model.views.crop.scale=[0.25,1],[0.5,1]'
)
families=("$@")
[[ ${#families[@]} -eq 0 ]] && families=(ijepa mae simclr vicreg byol barlow simsiam)

for f in "${families[@]}"; do
  [[ -n ${steps[$f]:-} ]] || { echo "sweeps.sh: unknown family '$f' (known: ${!steps[*]})" >&2; exit 2; }
  out="runs/sweep-$f"
  [[ -f $out/sweep.json ]] && { echo "— $f: kept ($out/sweep.json exists)"; continue; }
  resume=()
  [[ -d $out ]] && resume=(--resume)
  pnpm -s jepa sweep "examples/runs/results/$f.json" --set "${axis[$f]}" --set model.optimizer.lr=1e-3,2e-3 \
    --budget-steps "${steps[$f]}" --limit 2000 --attentive-epochs 10 --out "$out" "${resume[@]}"
done
