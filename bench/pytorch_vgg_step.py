#!/usr/bin/python3
"""The PyTorch reference for the CIFAR-10 VGG-like training step (docs/algorithms.md §3.3).

conv 3->128 -> BN -> ReLU, conv 128->128 -> maxpool -> BN -> ReLU, conv 128->256 -> BN -> ReLU,
conv 256->256 -> maxpool -> BN -> ReLU, conv 256->512 -> BN -> ReLU, conv 512->512 -> maxpool ->
BN -> ReLU, Linear 8192->1024 -> BN -> ReLU, Linear 1024->1024 -> BN -> ReLU, Linear 1024->10 ->
BN, squared hinge loss on +-1 targets (mean over N x 10), Adam over every parameter, batch 50,
synthetic data. All convs 3x3, stride 1, pad 1, with bias; max-pool 2x2 stride 2 before BN.
Prints one JSON line with the median step time, like laq bench.

--per-layer also times each conv's forward + backward (input and weight gradients) alone and
prints one JSON line per conv.

Run with Debian's interpreter (/usr/bin/python3); PyTorch is configured at its best by
pytorch_best.py (allocator, OpenMP wait policy, laq's OpenBLAS kernels, faster thread count).
"""
import argparse
import json
import statistics
import time

import pytorch_best

pytorch_best.ensure_best_environment()
import torch  # noqa: E402  (after the environment is set)

CONVS = [(3, 128, 32), (128, 128, 32), (128, 256, 16), (256, 256, 16), (256, 512, 8), (512, 512, 8)]


def vgg():
    layers, pool_after = [], {1, 3, 5}
    for i, (cin, cout, _) in enumerate(CONVS):
        layers.append(torch.nn.Conv2d(cin, cout, 3, stride=1, padding=1, bias=True))
        if i in pool_after:
            layers.append(torch.nn.MaxPool2d(2, 2))
        layers += [torch.nn.BatchNorm2d(cout), torch.nn.ReLU()]
    layers.append(torch.nn.Flatten())
    width = 512 * 4 * 4
    for units in (1024, 1024):
        layers += [torch.nn.Linear(width, units), torch.nn.BatchNorm1d(units), torch.nn.ReLU()]
        width = units
    layers += [torch.nn.Linear(width, 10), torch.nn.BatchNorm1d(10)]
    return torch.nn.Sequential(*layers)


def timed(fn, warmup, steps, clock=time.perf_counter):
    times = []
    for i in range(warmup + steps):
        t0 = clock()
        fn()
        t = (clock() - t0) * 1000.0
        if i >= warmup:
            times.append(t)
    return times


def summary(times):
    q = statistics.quantiles(times, n=10) if len(times) > 1 else [times[0], times[0]]
    return {"median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1]}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", default="best", help="'best' (the faster of 1 and 2) or a count")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--per-layer", action="store_true")
    p.add_argument("--no-optimizer", action="store_true",
                   help="forward + loss + backward only (like conv_bench's BM_VggForwardBackward)")
    a = p.parse_args()
    if a.per_layer:
        for threads in pytorch_best.thread_counts(a.threads):
            torch.set_num_threads(threads)
            per_layer(a, threads)
        return
    pytorch_best.print_result(pytorch_best.run_best(lambda threads: measure(a, threads), a.threads))


def per_layer(a, threads):
    torch.manual_seed(7)
    for cin, cout, size in CONVS:
        conv = torch.nn.Conv2d(cin, cout, 3, stride=1, padding=1, bias=True)
        x = torch.randn(a.batch, cin, size, size, requires_grad=cin != 3)
        g = torch.randn(a.batch, cout, size, size)
        fwd = timed(lambda: conv(x), a.warmup, a.steps)

        def step():
            conv.zero_grad(set_to_none=False)
            conv(x).backward(g)

        both = timed(step, a.warmup, a.steps)
        # Process CPU time: on a shared machine, with --threads 1 it measures the work done
        # rather than the share of the cores this process happened to get.
        cpu = timed(step, 0, a.steps, time.process_time)
        print(json.dumps({"bench": "conv", "engine": "pytorch " + torch.__version__,
                          "shape": f"{cin}->{cout} {size}x{size}", "batch": a.batch,
                          "threads": threads, "forward_median_ms": statistics.median(fwd),
                          "forward_backward_median_ms": statistics.median(both),
                          "forward_backward_min_ms": min(both),
                          "forward_backward_min_cpu_ms": min(cpu)}))


def measure(a, threads):
    torch.manual_seed(7)
    model = vgg()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 3, 32, 32)
    labels = torch.randint(0, 10, (a.batch,))
    targets = -torch.ones(a.batch, 10)
    targets[torch.arange(a.batch), labels] = 1.0

    def step():
        opt.zero_grad(set_to_none=False)
        out = model(x)
        loss = torch.clamp(1.0 - targets * out, min=0.0).pow(2).mean()
        loss.backward()
        if not a.no_optimizer:
            opt.step()

    times = timed(step, a.warmup, a.steps)
    cpu = timed(step, 0, a.steps, time.process_time)
    return {"bench": "train_step", "engine": "pytorch " + torch.__version__, "model": "cifar10-vgg",
            "method": "fpn", "batch": a.batch, "threads": threads, "steps": a.steps,
            "optimizer": not a.no_optimizer, **summary(times), "min_ms": min(times), "min_cpu_ms": min(cpu)}


if __name__ == "__main__":
    main()
