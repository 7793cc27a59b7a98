#!/usr/bin/python3
"""The PyTorch reference for `laq bench --packed MLP.h5 --batch 1`: the MNIST MLP's float
forward pass, the way a careful user deploys it.

784 -> [Linear 2048 -> BatchNorm -> ReLU] x3 -> Linear 10 -> BatchNorm, in eval mode under
torch.inference_mode(), with every batch norm folded into the Linear before it
(torch.nn.utils.fusion.fuse_linear_bn_eval, exact in eval mode), so a forward is four
products and three ReLUs. Random weights: a float product's time does not depend on them.
Prints one JSON line with the median forward time, like laq bench.

Run with Debian's interpreter (/usr/bin/python3); PyTorch is configured at its best by
pytorch_best.py (allocator, OpenMP wait policy, laq's OpenBLAS kernels, faster thread count).
"""
import argparse
import statistics
import time

import pytorch_best

pytorch_best.ensure_best_environment()
import torch  # noqa: E402  (after the environment is set)
from torch.nn.utils.fusion import fuse_linear_bn_eval  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", default="best", help="'best' (the faster of 1 and 2) or a count")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--no-fold", action="store_true", help="keep the batch norms as layers")
    a = p.parse_args()
    if a.batch < 1 or a.steps < 10 or a.warmup < 0:
        raise SystemExit("pytorch_mlp_forward: --batch >= 1, --steps >= 10 and --warmup >= 0")
    pytorch_best.print_result(pytorch_best.run_best(lambda threads: measure(a, threads), a.threads))


def model(fold):
    torch.manual_seed(7)
    layers, width = [], 784
    for i in range(4):
        out = 2048 if i < 3 else 10
        linear, bn = torch.nn.Linear(width, out), torch.nn.BatchNorm1d(out)
        bn.eval()
        with torch.no_grad():  # statistics a trained net would have, not the identity
            bn.running_mean.uniform_(-0.1, 0.1)
            bn.running_var.uniform_(0.5, 1.5)
        linear.eval()
        layers += [fuse_linear_bn_eval(linear, bn)] if fold else [linear, bn]
        if i < 3:
            layers.append(torch.nn.ReLU())
        width = out
    return torch.nn.Sequential(*layers).eval()


def measure(a, threads):
    net = model(not a.no_fold)
    x = torch.rand(a.batch, 784) - 0.5
    times = []
    with torch.inference_mode():
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            net(x)
            t = (time.perf_counter() - t0) * 1000.0
            if i >= a.warmup:
                times.append(t)
    q = statistics.quantiles(times, n=10)
    return {"bench": "forward", "engine": "pytorch " + torch.__version__, "model": "mlp", "batch": a.batch,
            "folded_batch_norm": not a.no_fold, "threads": threads, "steps": a.steps,
            "median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1]}


if __name__ == "__main__":
    main()
