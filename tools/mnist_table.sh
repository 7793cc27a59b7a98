#!/usr/bin/env bash
# Trains the MNIST MLP with each method of the paper's table, one run after another, into
# OUT/<method>/. A finished run (its results.jsonl has a "result" line) is skipped; an
# interrupted one resumes from its checkpoint. Prints the table at the end.
#   tools/mnist_table.sh [--epochs N] [--threads N] [--out DIR] [--methods "fpn lab ..."]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
laq=${LAQ:-$here/build/laq}
epochs=10 threads=2 out=runs/mnist-table
methods="fpn bc bwn lab twn ttq lat-e lat-a lat2-e lat2-a laq-linear laq-log dorefa"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    *) echo "mnist_table.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for m in $methods; do
  dir="$out/$m"
  if [[ -f "$dir/results.jsonl" ]] && grep -q '"type": "result"' "$dir/results.jsonl"; then
    echo "== $m: done"; continue
  fi
  if [[ -f "$dir/checkpoint.h5" ]]; then
    echo "== $m: resuming"; "$laq" train --resume "$dir/checkpoint.h5" --threads "$threads" --quiet || echo "== $m: FAILED"
  else
    echo "== $m: training $epochs epochs"
    # Lines of an attempt killed before its first checkpoint: laq train refuses a folder
    # holding a results.jsonl, so they are kept aside.
    [[ -f "$dir/results.jsonl" ]] && mv "$dir/results.jsonl" "$dir/results.jsonl.stale"
    # laq train refuses --bits for a method without a bit width.
    bits=(); case "$m" in dorefa|laq-linear|laq-log) bits=(--bits 3) ;; esac
    "$laq" train --experiment mnist-mlp --method "$m" "${bits[@]}" --epochs "$epochs" --threads "$threads" \
      --out "$dir" --checkpoint-every 100 --quiet || echo "== $m: FAILED"
  fi
done
# Pack every finished quantized run, for the compression column.
for m in $methods; do
  dir="$out/$m"
  [[ "$m" != fpn && -f "$dir/checkpoint.h5" && ! -f "$dir/model.h5" ]] || continue
  grep -q '"type": "result"' "$dir/results.jsonl" 2>/dev/null || continue
  # The best-validation epoch's weights (best.h5) when the run kept them.
  from="$dir/best.h5"; [[ -f "$from" ]] || from="$dir/checkpoint.h5"
  "$laq" export --checkpoint "$from" --out "$dir/model.h5" > /dev/null || echo "== $m: export FAILED"
done
printf '\n| method | best epoch | val error (%%) | test error at best val (%%) | weights packed vs float32 | minutes |\n|---|---|---|---|---|---|\n'
for m in $methods; do
  f="$out/$m/results.jsonl"
  line=$(grep '"type": "result"' "$f" 2>/dev/null | tail -1) || true
  [[ -n "$line" ]] || { echo "| $m | | | (not finished) | |"; continue; }
  get() { echo "$line" | sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p"; }
  ratio="1x (float32)"
  if [[ -f "$out/$m/model.h5" ]]; then
    ratio=$("$laq" inspect "$out/$m/model.h5" | sed -n 's/^quantized tensors: .*: \([0-9.]*x\)$/\1/p')
  fi
  awk -v m="$m" -v e="$(get best_epoch)" -v v="$(get best_val_error)" -v t="$(get test_error_at_best_val)" -v s="$(get train_seconds)" -v r="$ratio" \
    'BEGIN { printf "| %s | %d | %.2f | %.2f | %s | %.1f |\n", m, e, v, t, r, s / 60 }'
done
