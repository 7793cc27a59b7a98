#!/usr/bin/env bash
# Times a packed MNIST MLP's forward pass three ways in one run, alternating rounds so that
# all see the same machine load: laq from the packed codes, laq's float path on the same
# weights (both from one `laq bench --packed`), and PyTorch's float forward at its best
# (bench/pytorch_mlp_forward.py: eval mode, inference_mode, batch norm folded, the faster of
# 1 and 2 threads). Prints medians, p10-p90 and the ratios as one JSON line.
#   bench/compare_packed.sh --model MODEL.h5 [--batch B] [--threads N] [--rounds R] [--laq PATH]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
model="" batch=1 threads=1 rounds=3 laq="$here/../build/laq"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --laq) laq=$2; shift 2 ;;
    *) echo "compare_packed.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$model" ]] || { echo "compare_packed.sh: --model MODEL.h5 (a packed MNIST MLP from laq export) is required" >&2; exit 2; }
[[ -r "$model" ]] || { echo "compare_packed.sh: --model $model: no such readable file" >&2; exit 2; }
[[ "$batch" =~ ^[1-9][0-9]*$ ]] || { echo "compare_packed.sh: --batch must be a positive count (got '$batch')" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "compare_packed.sh: --threads must be a positive count (got '$threads')" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare_packed.sh: --rounds must be a positive count (got '$rounds')" >&2; exit 2; }
[[ -x "$laq" ]] || { echo "compare_packed.sh: $laq is not built (cmake --build build)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "compare_packed.sh: needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 2; }

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for ((r = 1; r <= rounds; r++)); do
  l=$("$laq" bench --packed "$model" --batch "$batch" --threads "$threads" --steps 200 --warmup 20)
  [[ "$l" == *'"experiment": "mnist-mlp"'* ]] || { echo "compare_packed.sh: $model is not a packed MNIST MLP" >&2; exit 2; }
  echo "round $r laq: $l" >&2
  echo "laq $l" >> "$lines"
  p=$(/usr/bin/python3 "$here/pytorch_mlp_forward.py" --batch "$batch" 2>/dev/null)
  echo "round $r pytorch: $p" >&2
  echo "pytorch $p" >> "$lines"
done

/usr/bin/python3 - "$lines" "$model" "$batch" "$threads" "$rounds" <<'EOF'
import json, statistics, sys
path, model, batch, threads, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
laq, torch = [], []
for line in open(path):
    engine, text = line.split(" ", 1)
    (laq if engine == "laq" else torch).append(json.loads(text))
med = lambda ds, k: round(statistics.median(x[k] for x in ds), 4)
# The reference is PyTorch's faster thread count over all rounds, both counts printed.
by_threads = {}
for d in torch:
    for t, ms in d["threads_tried"].items():
        by_threads.setdefault(t, []).append(ms)
best = min(by_threads, key=lambda t: statistics.median(by_threads[t]))
pick = [d for d in torch if str(d["threads"]) == best] or torch
packed, full, ref = med(laq, "packed_median_ms"), med(laq, "float_median_ms"), statistics.median(by_threads[best])
print(json.dumps({"bench": "compare_packed", "model": model, "method": laq[0]["method"], "batch": batch,
                  "rounds": rounds, "laq_threads": threads, "kernels": laq[0]["kernels"],
                  "packed_median_ms": packed, "packed_p10_ms": med(laq, "packed_p10_ms"),
                  "packed_p90_ms": med(laq, "packed_p90_ms"),
                  "float_median_ms": full, "float_p10_ms": med(laq, "float_p10_ms"),
                  "float_p90_ms": med(laq, "float_p90_ms"),
                  "pytorch_threads": int(best), "pytorch_median_ms": round(ref, 4),
                  "pytorch_p10_ms": med(pick, "p10_ms"), "pytorch_p90_ms": med(pick, "p90_ms"),
                  "pytorch_median_ms_by_threads": {t: round(statistics.median(v), 4) for t, v in sorted(by_threads.items())},
                  "packed_vs_laq_float": round(full / packed, 2), "packed_vs_pytorch": round(ref / packed, 2),
                  "packed_weight_bytes": laq[0]["packed_weight_bytes"], "float_weight_bytes": laq[0]["float_weight_bytes"]}))
EOF
