#!/usr/bin/env python3
"""Re-runs the first epoch of a finished cell and compares it with the cell's own epoch-1 line.

  tools/rerun_first_epoch.py CELL_DIR... [--laq build/laq] [--data data/mnist]

For each cell folder (holding the results.jsonl a run wrote), trains one epoch with the same
experiment, method, seed and thread count, and with the OpenBLAS kernels the cell recorded
(OPENBLAS_CORETYPE; Haswell and SkylakeX kernels sum in different orders, so the bits depend on
them and not on the CPU), checks that the new run's configuration equals the cell's in every
field but epochs and folders, and compares train loss, train error, validation and test error
of epoch 1. The loss is a double written with all its digits, so equal lines
mean the same bits; a difference means the code path changed since the cell ran (git log
names the commit). Exit status 1 if any cell differs.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

COMPARED = ["train_loss", "train_error", "val_error", "test_error"]
NOT_COMPARED_CONFIG = {"epochs", "out_dir", "data_dir"}


def first_epoch(results):
    try:
        lines = results.read_text().splitlines()
    except OSError as e:
        sys.exit(f"rerun_first_epoch: {results}: {e.strerror}")
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"rerun_first_epoch: {results}:{number}: not a JSON line ({e.msg})")
        if record.get("type") == "epoch" and record.get("epoch") == 1:
            return record
    sys.exit(f"rerun_first_epoch: {results} has no epoch-1 line")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = pathlib.Path(__file__).resolve().parent.parent
    ap.add_argument("cells", nargs="+", type=pathlib.Path)
    ap.add_argument("--laq", default=str(root / "build" / "laq"))
    ap.add_argument("--data", type=pathlib.Path, help="the data folder (default: the cell's own)")
    args = ap.parse_args()
    if not pathlib.Path(args.laq).is_file():
        ap.error(f"--laq {args.laq}: no such file (cmake --build build)")

    differing = 0
    for cell in args.cells:
        results = cell / "results.jsonl"
        if not results.is_file():
            ap.error(f"{cell}: no results.jsonl in this folder")
        old = first_epoch(results)
        config = old["config"]
        data = args.data or pathlib.Path(config["data_dir"])
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "run"
            cmd = [args.laq, "train", "--experiment", config["experiment"], "--method", config["method"],
                   "--seed", str(config["seed"]), "--threads", str(config["threads"]), "--epochs", "1",
                   "--data", str(data), "--out", str(out), "--quiet"]
            env = dict(os.environ)
            core = old.get("environment", {}).get("openblas_core")
            if core:
                env["OPENBLAS_CORETYPE"] = core
            run = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if run.returncode != 0:
                sys.exit(f"rerun_first_epoch: {' '.join(cmd)} failed: {run.stderr.strip()}")
            new = first_epoch(out / "results.jsonl")
        unlike = {k for k in config if k not in NOT_COMPARED_CONFIG and new["config"].get(k) != config[k]}
        if unlike:
            sys.exit(f"rerun_first_epoch: {cell}: the re-run's configuration differs in "
                     f"{', '.join(sorted(unlike))}; this tool re-runs only the presets' own settings")
        new_core = new.get("environment", {}).get("openblas_core")
        if core and new_core != core:
            sys.exit(f"rerun_first_epoch: {cell}: the cell ran with OpenBLAS's {core} kernels, which "
                     f"this machine does not run (it chose {new_core}); the bits cannot be compared here")
        same = all(new[k] == old[k] for k in COMPARED)
        differing += not same
        print(f"{cell.name} ({core or 'unrecorded'} kernels, {config['threads']} thread{'s' if config['threads'] != 1 else ''}): "
              f"{'identical' if same else 'DIFFERENT'}  " +
              "  ".join(f"{k} {old[k]!r} -> {new[k]!r}" if new[k] != old[k] else f"{k} {old[k]!r}"
                        for k in COMPARED))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
