#!/usr/bin/python3
"""The PyTorch reference for the character-level LSTM step (docs/algorithms.md §3.6): the identical step.

One-hot characters (vocabulary 100) -> nn.LSTM(100, 512), one layer -> nn.Linear(512, 100)
at every one of the 100 x 100 positions -> CrossEntropyLoss (mean, nats) -> backward ->
Adam. Batch 100 sequences of 100 steps, synthetic tokens. PyTorch has no per-step
gate-gradient clipping hook in nn.LSTM, so it runs without it (clipping is an elementwise
min/max, negligible in the step's cost). Prints one JSON line with the median step time (wall), the fastest step, and the median
CPU time of the process over all its threads (on a busy machine the CPU time says more about
the work done than the wall time).

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
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--seq", type=int, default=100)
    p.add_argument("--vocab", type=int, default=100)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--no-optimizer", action="store_true", help="time forward + loss + backward only")
    a = p.parse_args()
    pytorch_best.print_result(pytorch_best.run_best(lambda threads: measure(a, threads), a.threads))


def measure(a, threads):
    torch.manual_seed(7)

    lstm = torch.nn.LSTM(a.vocab, a.hidden, num_layers=1, batch_first=True)
    out = torch.nn.Linear(a.hidden, a.vocab)
    params = list(lstm.parameters()) + list(out.parameters())
    opt = torch.optim.Adam(params, lr=2e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    tokens = torch.randint(0, a.vocab, (a.batch, a.seq))
    targets = torch.randint(0, a.vocab, (a.batch, a.seq))

    times, cpu = [], []
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=False)
        x = torch.nn.functional.one_hot(tokens, a.vocab).float()
        h, _ = lstm(x)
        logits = out(h.reshape(-1, a.hidden))
        loss = loss_fn(logits, targets.reshape(-1))
        loss.backward()
        if not a.no_optimizer:
            opt.step()
        t = (time.perf_counter() - t0) * 1000.0
        c = (time.process_time() - c0) * 1000.0
        if i >= a.warmup:
            times.append(t)
            cpu.append(c)
    q = statistics.quantiles(times, n=10)
    return {"bench": "train_step", "engine": "pytorch " + torch.__version__, "model": "char_lstm",
            "method": "fpn", "batch": a.batch, "seq": a.seq, "vocab": a.vocab, "hidden": a.hidden,
            "threads": threads, "steps": a.steps, "optimizer": not a.no_optimizer,
            "median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1],
            "min_ms": min(times), "median_cpu_ms": statistics.median(cpu)}


if __name__ == "__main__":
    main()
