#!/usr/bin/env bash
# Times laq's training step and PyTorch's identical step in one run, alternating rounds so
# that both see the same machine load, and prints the medians and the ratio.
#   bench/compare.sh [--model mlp|vgg|lstm] [--threads N] [--rounds R] [--laq PATH]
#                    [--torch-coretype CORE] [-- extra laq bench flags]
# --torch-coretype sets OPENBLAS_CORETYPE for PyTorch (Debian's torch does its matrix
# products with the same OpenBLAS, which laq itself switches to AVX-512 kernels).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
model=mlp threads=2 rounds=3 laq="$here/../build/laq" torch_core=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --laq) laq=$2; shift 2 ;;
    --torch-coretype) torch_core=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$laq" ]] || { echo "compare.sh: $laq is not built (cmake --build build)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "compare.sh: needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 2; }
script="$here/pytorch_${model}_step.py"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p"; }
laq_ms=() torch_ms=()
for ((r = 1; r <= rounds; r++)); do
  l=$("$laq" bench --model "$model" --threads "$threads" "$@")
  if [[ -n "$torch_core" ]]; then
    t=$(OPENBLAS_CORETYPE=$torch_core OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$script" --threads "$threads")
  else
    t=$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$script" --threads "$threads")
  fi
  echo "round $r: $l" >&2
  echo "round $r: $t" >&2
  laq_ms+=("$(echo "$l" | field median_ms)")
  torch_ms+=("$(echo "$t" | field median_ms)")
done
lm=$(printf '%s\n' "${laq_ms[@]}" | median)
tm=$(printf '%s\n' "${torch_ms[@]}" | median)
awk -v l="$lm" -v t="$tm" -v m="$model" -v th="$threads" -v r="$rounds" \
  -v c="${torch_core:-${OPENBLAS_CORETYPE:-auto}}" \
  'BEGIN { printf "{\"bench\": \"compare\", \"model\": \"%s\", \"threads\": %d, \"rounds\": %d, \"pytorch_openblas_core\": \"%s\", \"laq_median_ms\": %.2f, \"pytorch_median_ms\": %.2f, \"ratio\": %.3f}\n", m, th, r, c, l, t, l / t }'
