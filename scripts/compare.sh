#!/usr/bin/env bash
# Regenerates docs/compare.md and docs/compare.png, the measured comparison of docs/evaluation.md:
# builds genzoo, trains vae, cvae, cgan and cvaegan with their defaults in both architectures (mlp
# and conv: `genzoo compare --arch both`, eight runs), scores all eight, and copies the report and the
# figure into docs/.
#
#   scripts/compare.sh                         # a fresh runs/compare-<time>/
#   scripts/compare.sh runs/compare-2          # that folder
#   scripts/compare.sh --reuse runs/vae-mlp …  # any genzoo compare flags (after the folder, if given)
#   scripts/compare.sh --arch mlp              # the mlp runs only (an --arch given replaces 'both')
#
# Expect 20–40 minutes per architecture on a quiet 2-core CPU (more when it is busy): each mlp model's
# default training takes 2–5 minutes, a conv model's up to 10, and scoring under a minute per model; the
# digit classifier is the one shipped in assets/ (pass --classifier cached or retrain to train one here
# instead).
set -euo pipefail
cd "$(dirname "$0")/.."

out="runs/compare-$(date +%Y%m%d-%H%M%S)"
if [[ $# -gt 0 && "$1" != -* ]]; then
  out="$1"
  shift
fi

arch=(--arch both)
for a in "$@"; do
  if [[ "$a" == --arch || "$a" == --arch=* ]]; then arch=(); fi
done

npm run build
node bin/genzoo.js compare --out "$out" "${arch[@]}" "$@"

mkdir -p docs
# compare.md links the figure as compare.png: both go side by side into docs/.
cp "$out/compare.png" docs/compare.png
cp "$out/compare.md" docs/compare.md
echo "compare: updated docs/compare.md and docs/compare.png from $out"
