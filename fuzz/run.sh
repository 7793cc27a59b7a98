#!/usr/bin/env bash
# Runs libFuzzer targets one after another, each for SECONDS, on BUILD/corpus/<target> (from
# make_seeds; new inputs are added there), one job each. Logs go to BUILD/logs/<target>.log,
# crash/leak/timeout inputs to BUILD/artifacts/. Prints one line per target: executions,
# seconds, cov and ft of libFuzzer's final line. Exits 1 if any target found something.
#
#   fuzz/run.sh BUILD SECONDS TARGET...     e.g. fuzz/run.sh build-fuzz 600 fuzz_idx fuzz_mat5
set -uo pipefail

[[ $# -ge 3 ]] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build="$1" seconds="$2"
shift 2
mkdir -p "$build/logs" "$build/artifacts"
status=0
for target in "$@"; do
  log="$build/logs/$target.log"
  corpus="$build/corpus/$target"
  [[ -x "$build/fuzz/$target" && -d "$corpus" ]] || { echo "fuzz: no $build/fuzz/$target or $corpus (build, then make_seeds)" >&2; exit 2; }
  t0=$SECONDS
  if ! "$build/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$target-" "$corpus" > "$log" 2>&1; then
    echo "fuzz: $target FAILED after $((SECONDS - t0)) s; the end of $log:"
    tail -n 60 "$log"
    status=1
    continue
  fi
  final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$final")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$final")
  printf 'fuzz: %-18s %10s executions in %4d s  cov %6s  ft %6s  (no crash)\n' "$target" "$execs" \
    $((SECONDS - t0)) "$cov" "$ft"
done
exit $status
