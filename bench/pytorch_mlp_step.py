#!/usr/bin/python3
"""The PyTorch reference for `laq bench --model mlp`: the identical training step.

784 -> [Linear 2048 -> BatchNorm -> ReLU] x3 -> Linear 10 -> BatchNorm, squared hinge loss
on +-1 targets (mean over N x 10), Adam over every parameter, batch 100, synthetic data.
Prints one JSON line with the median step time, like laq bench.

Run with Debian's interpreter and OMP_WAIT_POLICY=PASSIVE (docs/design.md §7): it is what
`bench/compare.sh` does.
"""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=100)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
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
    print(json.dumps({"bench": "train_step", "engine": "pytorch " + torch.__version__, "model": "mlp",
                      "method": "fpn", "batch": a.batch, "threads": a.threads, "steps": a.steps,
                      "median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1]}))


if __name__ == "__main__":
    main()
