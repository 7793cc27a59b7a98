#!/usr/bin/env bash
# Times laq's training step and PyTorch's identical step in one run, alternating rounds so
# that both see the same machine load, and prints medians, p10-p90 and the ratio.
#   bench/compare.sh [--model mlp|vgg|lstm] [--threads N] [--rounds R] [--laq PATH]
#                    [--load K] [-- extra laq bench flags]
# PyTorch runs at its best (bench/pytorch_best.py): glibc's mmap threshold raised,
# OMP_WAIT_POLICY=PASSIVE, the OpenBLAS core type laq itself runs with, and the faster of 1
# and 2 threads (both timed every round; the faster over all rounds is the reference).
# --load K keeps K other processes busy (a loop of 1-thread `laq bench` steps) during every
# timing, to see how each engine holds up on a loaded machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
model=mlp threads=2 rounds=3 laq="$here/../build/laq" load=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --laq) laq=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$model" =~ ^(mlp|vgg|lstm)$ ]] || { echo "compare.sh: --model must be mlp, vgg or lstm (got '$model')" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --rounds must be a positive count (got '$rounds')" >&2; exit 2; }
[[ "$load" =~ ^[0-9]+$ ]] || { echo "compare.sh: --load must be a count (got '$load')" >&2; exit 2; }
[[ -x "$laq" ]] || { echo "compare.sh: $laq is not built (cmake --build build)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "compare.sh: needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 2; }
script="$here/pytorch_${model}_step.py"

loaders=()
stop_load() { for p in "${loaders[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_load EXIT
for ((k = 0; k < load; k++)); do
  (while true; do "$laq" bench --model mlp --threads 1 --steps 20 > /dev/null 2>&1 || exit; done) &
  loaders+=($!)
done
((load == 0)) || echo "compare.sh: $load background load process(es) running" >&2

lines=$(mktemp)
trap 'stop_load; rm -f "$lines"' EXIT
for ((r = 1; r <= rounds; r++)); do
  l=$("$laq" bench --model "$model" --threads "$threads" "$@")
  core=$(echo "$l" | sed -n 's/.*"openblas_core": "\([^"]*\)".*/\1/p')
  echo "round $r laq: $l" >&2
  echo "laq $l" >> "$lines"
  for t in 1 2; do
    if [[ -n "$core" ]]; then
      p=$(OPENBLAS_CORETYPE=$core /usr/bin/python3 "$script" --threads "$t" 2>/dev/null)
    else
      p=$(/usr/bin/python3 "$script" --threads "$t" 2>/dev/null)
    fi
    echo "round $r pytorch: $p" >&2
    echo "pytorch $p" >> "$lines"
  done
done

/usr/bin/python3 - "$lines" "$model" "$threads" "$rounds" "$load" <<'EOF'
import json, statistics, sys
path, model, threads, rounds, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
laq, torch = [], {}
for line in open(path):
    engine, text = line.split(" ", 1)
    d = json.loads(text)
    (laq.append(d) if engine == "laq" else torch.setdefault(d["threads"], []).append(d))
med = lambda ds, k: statistics.median(x[k] for x in ds)
best = min(torch, key=lambda t: med(torch[t], "median_ms"))
for t in sorted(torch):
    print(f"compare.sh: pytorch {t} thread(s): median {med(torch[t], 'median_ms'):.2f} ms", file=sys.stderr)
print(f"compare.sh: pytorch reference: {best} thread(s) (the faster); "
      f"environment {json.dumps(torch[best][0].get('environment', {}))}", file=sys.stderr)
lm, tm = med(laq, "median_ms"), med(torch[best], "median_ms")
print(json.dumps({"bench": "compare", "model": model, "rounds": rounds, "load_processes": load,
                  "laq_threads": threads, "openblas_core": laq[0].get("openblas_core", "?"),
                  "laq_median_ms": round(lm, 2), "laq_p10_ms": round(med(laq, "p10_ms"), 2),
                  "laq_p90_ms": round(med(laq, "p90_ms"), 2),
                  "pytorch_threads": best, "pytorch_median_ms": round(tm, 2),
                  "pytorch_p10_ms": round(med(torch[best], "p10_ms"), 2),
                  "pytorch_p90_ms": round(med(torch[best], "p90_ms"), 2),
                  "pytorch_median_ms_by_threads": {str(t): round(med(torch[t], "median_ms"), 2) for t in sorted(torch)},
                  "ratio": round(lm / tm, 3)}))
EOF
