#!/usr/bin/python3
"""The PyTorch reference for `laq bench --model mlp`: the identical training step.

784 -> [Linear 2048 -> BatchNorm -> ReLU] x3 -> Linear 10 -> BatchNorm, squared hinge loss
on +-1 targets (mean over N x 10), Adam over every parameter, batch 100, synthetic data.
Prints one JSON line with the median step time, like laq bench.

Run with Debian's interpreter (/usr/bin/python3); PyTorch is configured at its best by
pytorch_best.py (allocator, OpenMP wait policy, laq's OpenBLAS kernels, faster thread count).
"""
import argparse
import statistics
import time

import pytorch_best

pytorch_best.ensure_best_environment()
import torch  # noqa: E402  (after the environment is set)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", default="best", help="'best' (the faster of 1 and 2) or a count")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=100)
    a = p.parse_args()
    pytorch_best.print_result(pytorch_best.run_best(lambda threads: measure(a, threads), a.threads))


def measure(a, threads):
    torch.manual_seed(7)

    layers, width = [], 784
    for _ in range(3):
        layers += [torch.nn.Linear(width, 2048), torch.nn.BatchNorm1d(2048), torch.nn.ReLU()]
        width = 2048
    layers += [torch.nn.Linear(width, 10), torch.nn.BatchNorm1d(10)]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    x = torch.rand(a.batch, 784) - 0.5
    labels = torch.randint(0, 10, (a.batch,))
    targets = -torch.ones(a.batch, 10)
    targets[torch.arange(a.batch), labels] = 1.0

    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        out = model(x)
        loss = torch.clamp(1.0 - targets * out, min=0.0).pow(2).mean()
        loss.backward()
        opt.step()
        t = (time.perf_counter() - t0) * 1000.0
        if i >= a.warmup:
            times.append(t)
    q = statistics.quantiles(times, n=10)
    return {"bench": "train_step", "engine": "pytorch " + torch.__version__, "model": "mlp",
            "method": "fpn", "batch": a.batch, "threads": threads, "steps": a.steps,
            "median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1]}


if __name__ == "__main__":
    main()
