#!/usr/bin/env python3
"""The quantize stage of every method on the MNIST MLP, against the full-precision step.

Runs `laq bench --model mlp --method M` for all 13 methods and fpn, interleaved round by
round so that every method sees the same machine load, and prints a markdown table: the
median over rounds of the method's own stages (quantize:M plus any quantize-gradient:M),
that cost as a share of the fpn step timed in the same rounds, and the share the speed
target allows (lat-e/lat2-e 20%, the alternating solvers 25%, the rest 10%).

  bench/quantize_stage_table.py [--laq build/laq] [--rounds 3] [--steps 30] [--threads 2]
                                [--from-dir RUNS/feedforward-mnist] [--out table.md]

--from-dir DIR also times each method from trained weights, DIR/mnist-mlp-M-seed1/best.h5
(a sweep's folder; DIR/mnist-mlp-M-3bit-seed1 for the methods with a bit width), where the alternating solvers' warm starts are what training sees; a
method without that checkpoint is reported as such rather than skipped silently.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys

METHODS = ["bc", "bwn", "lab", "twn", "ttq", "dorefa", "lat-e", "lat2-e",
           "lat-a", "lat2-a", "laq-linear", "laq-log"]
TARGET = {"lat-e": 0.20, "lat2-e": 0.20,
          "lat-a": 0.25, "lat2-a": 0.25, "laq-linear": 0.25, "laq-log": 0.25}


def target_of(method):
    return TARGET.get(method, 0.10)


def trained_checkpoint(folder, method):
    """The sweep names a cell with a bit width mnist-mlp-M-3bit-seed1, the others mnist-mlp-M-seed1."""
    for cell in [folder / f"mnist-mlp-{method}-seed1", *sorted(folder.glob(f"mnist-mlp-{method}-*bit-seed1"))]:
        if (cell / "best.h5").is_file():
            return cell / "best.h5"
    return None


def bench(laq, method, steps, threads, checkpoint=None):
    cmd = [laq, "bench", "--model", "mlp", "--method", method,
           "--steps", str(steps), "--threads", str(threads)]
    if checkpoint:
        cmd += ["--from", str(checkpoint)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"quantize_stage_table: {' '.join(cmd)} failed: {out.stderr.strip()}")
    line = json.loads(out.stdout.strip().splitlines()[-1])
    own = sum(ms for name, ms in line["stage_median_ms"].items()
              if name.startswith(("quantize:", "quantize-gradient:")))
    return line["median_ms"], own


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laq", default=str(pathlib.Path(__file__).resolve().parent.parent / "build" / "laq"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--from-dir", type=pathlib.Path)
    ap.add_argument("--out", type=pathlib.Path)
    args = ap.parse_args()
    if args.rounds < 1 or args.steps < 20:
        ap.error("--rounds must be at least 1 and --steps at least 20")
    if not pathlib.Path(args.laq).is_file():
        ap.error(f"--laq {args.laq}: no such file (cmake --build build)")
    if args.from_dir and not args.from_dir.is_dir():
        ap.error(f"--from-dir {args.from_dir}: no such folder")

    starts = [("random", None)]
    if args.from_dir:
        starts.append(("trained", args.from_dir))
    fpn_ms = {start: [] for start, _ in starts}
    own_ms = {(start, m): [] for start, _ in starts for m in METHODS}
    missing = set()
    for r in range(1, args.rounds + 1):
        for start, folder in starts:
            fpn_ms[start].append(bench(args.laq, "fpn", args.steps, args.threads)[0])
            for m in METHODS:
                checkpoint = None
                if folder:
                    checkpoint = trained_checkpoint(folder, m)
                    if not checkpoint:
                        missing.add(m)
                        continue
                own_ms[(start, m)].append(bench(args.laq, m, args.steps, args.threads, checkpoint)[1])
                print(f"round {r} {start} {m}: {own_ms[(start, m)][-1]:.1f} ms", file=sys.stderr)

    rows = ["| method | weights | quantize stage ms (median, p10-p90 over rounds) | share of the fpn step | target | within |",
            "|---|---|---|---|---|---|"]
    for start, _ in starts:
        step = statistics.median(fpn_ms[start])
        for m in METHODS:
            ms = own_ms[(start, m)]
            if not ms:
                rows.append(f"| {m} | {start} | no checkpoint | | {target_of(m):.0%} | |")
                continue
            q = statistics.quantiles(ms, n=10) if len(ms) > 1 else [ms[0]] * 9
            share = statistics.median(ms) / step
            rows.append(f"| {m} | {start} | {statistics.median(ms):.1f} ({q[0]:.1f}-{q[-1]:.1f}) | "
                        f"{share:.0%} | {target_of(m):.0%} | {'yes' if share <= target_of(m) else 'no'} |")
    header = [f"fpn step (median over rounds): " +
              ", ".join(f"{s} {statistics.median(v):.1f} ms" for s, v in fpn_ms.items()),
              f"{args.rounds} rounds of {args.steps} steps, {args.threads} threads, {args.laq}", ""]
    if missing:
        header.append("no trained checkpoint for: " + ", ".join(sorted(missing)) + "\n")
    text = "\n".join(header + rows) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
