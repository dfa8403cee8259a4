#!/usr/bin/env bash
# Reproduces docs/results.md on this machine (2 cores, the native backend): bash scripts/results.sh
# runs every part below in order and then writes the page; `bash scripts/results.sh <part> …` runs
# some of them. Every part resumes: runs that finished (and were evaluated under the same settings)
# are kept, so an interrupted results.sh continues where it stopped. In all about 6 h of training and
# evaluation on a quiet machine; every part but `main` uses step budgets, so they may share the machine
# (they only take longer), while `main` measures wall-clock time and must run alone.
#
#   sweeps   the recipe search behind the presets (scripts/sweeps.sh: each family's 2×2 grid of recipes
#            at the same budget; runs/sweep-<family>/)
#   main     the main job (pnpm main: 300 s of I-JEPA and its evaluation; runs/main/), its checkpoint on
#            the full splits (runs/main-full/), and its preset over three seeds at the steps it made
#            (runs/main-seeds/)
#   compare  the comparison: every family's preset (examples/runs/results/<family>.json) for its own
#            train.steps — the steps 600 s of training buy on this machine, measured with
#            `pnpm exec tsx scripts/step-rates.ts` — with seeds 0 and 1, a third seed for I-JEPA and for
#            the family with the best attentive or linear probe, learning curves and the attentive probe,
#            evaluated on 5,000/5,000 images (runs/results/)
#   doc      writes docs/results.md and docs/img/results/ from those runs (scripts/results-doc.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
families=(ijepa mae simclr vicreg byol)
parts=("$@")
[[ ${#parts[@]} -eq 0 ]] && parts=(sweeps main compare doc)

for part in "${parts[@]}"; do
  case $part in
    sweeps)
      bash scripts/sweeps.sh "${families[@]}"
      ;;
    main)
      pnpm -s main --resume
      [[ -f runs/main-full/eval.json ]] || pnpm -s jepa eval runs/main/ijepa-main --attentive-epochs 0 --out runs/main-full
      pnpm -s jepa compare examples/runs/ijepa-main.json --budget-steps 1700 --seeds 3 --curve none --limit 2000 --out runs/main-seeds --resume
      ;;
    compare)
      configs=()
      for f in "${families[@]}"; do configs+=("examples/runs/results/$f.json"); done
      common=(--seeds 2 --curve 0.25,0.5 --limit 5000 --out runs/results --resume)
      pnpm -s jepa compare "${configs[@]}" "${common[@]}" --seeds-for ijepa=3
      winner=$(pnpm -s exec tsx scripts/results-doc.ts --winner runs/results/results.json)
      [[ $winner == ijepa ]] || pnpm -s jepa compare "${configs[@]}" "${common[@]}" --seeds-for "ijepa=3,$winner=3"
      ;;
    doc)
      pnpm -s exec tsx scripts/results-doc.ts
      ;;
    *)
      echo "results.sh: unknown part '$part' (parts: sweeps main compare doc)" >&2
      exit 2
      ;;
  esac
done
