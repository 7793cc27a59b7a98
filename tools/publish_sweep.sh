#!/usr/bin/env bash
# Publishes the finished cells of a `laq table` sweep into the repository: for each cell whose
# results.jsonl holds its closing "result" line, exports best.h5 (the reported model) once,
# copies results.jsonl and the export's model.json to DEST/<cell>/, then rebuilds DEST's
# table.md, table.csv and plots with `laq table --report`, and prints each cell's wall time.
#   tools/publish_sweep.sh RUNS DEST [--laq PATH]
# e.g. tools/publish_sweep.sh runs/feedforward-mnist docs/results/feedforward-mnist
# Unfinished cells are left alone (the sweep resumes them); the HDF5 files stay in RUNS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 2 ]] || { echo "usage: tools/publish_sweep.sh RUNS DEST [--laq PATH]" >&2; exit 2; }
runs=$1 dest=$2 laq="$here/build/laq"
shift 2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --laq) laq=$2; shift 2 ;;
    *) echo "publish_sweep.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -d "$runs" ]] || { echo "publish_sweep.sh: $runs is not a folder" >&2; exit 2; }
[[ -x "$laq" ]] || { echo "publish_sweep.sh: $laq is not built" >&2; exit 2; }
mkdir -p "$dest"

published=0 unchanged=0
for cell in "$runs"/*/; do
  cell=${cell%/}
  name=$(basename "$cell")
  results="$cell/results.jsonl"
  [[ -f "$results" ]] && tail -n 1 "$results" | grep -q '"type": "result"' || continue
  # Published by an earlier call (or copied back from DEST to reseed RUNS on a new machine).
  if cmp -s "$results" "$dest/$name/results.jsonl"; then
    unchanged=$((unchanged + 1))
    continue
  fi
  # Full precision has nothing to pack: its cells publish their results alone.
  files=("$results")
  if tail -n 1 "$results" | grep -q '"method": "fpn"'; then
    :
  elif [[ ! -f "$cell/model.json" ]]; then
    [[ -f "$cell/best.h5" ]] || { echo "publish_sweep.sh: $name has no best.h5; skipped" >&2; continue; }
    "$laq" export --checkpoint "$cell/best.h5" --out "$cell/model.h5" > /dev/null
  fi
  [[ -f "$cell/model.json" ]] && files+=("$cell/model.json")
  mkdir -p "$dest/$name"
  cp "${files[@]}" "$dest/$name/"
  # Wall time of the cell: the sum of its epochs' seconds (a resumed run counts each epoch once).
  awk -v n="$name" -F'"epoch_seconds": ' '/"type": "epoch"/ { split($2, a, /[,}]/); e = $0;
      sub(/.*"epoch": /, "", e); sub(/,.*/, "", e); s[e] = a[1] }
      END { t = 0; for (e in s) t += s[e]; printf "%-36s %3d epochs %8.0f s\n", n, length(s), t }' "$results"
  published=$((published + 1))
done
total=0
for r in "$dest"/*/results.jsonl; do
  [[ -f "$r" ]] && tail -n 1 "$r" | grep -q '"type": "result"' && total=$((total + 1))
done
echo "publish_sweep.sh: $published cells published now, $unchanged already there; $total finished cells in $dest"
((published == 0)) || "$laq" table --report --runs "$dest" --out "$dest" > /dev/null
