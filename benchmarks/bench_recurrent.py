"""SimpleRNN, LSTM and GRU forward + backward: seqnet against torch.nn.RNN/LSTM/GRU on the CPU.

    python benchmarks/bench_recurrent.py [--batch 64] [--steps 100] [--units 128] [--features 128]
                                         [--repeats 5] [--threads 2]

The same layer, weights and input (float32) in both; each time is the best of ``--repeats``
after a warm-up, the libraries alternating with a pause between them (BLAS's idle threads spin).
The input gradient is computed too, as for a layer inside a model.
"""
import argparse
import os
import time
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--units", type=int, default=128)
parser.add_argument("--features", type=int, default=128)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from seqnet.experiment import processor  # noqa: E402
from seqnet.layers import GRU, LSTM, SimpleRNN  # noqa: E402

torch.set_num_threads(args.threads)
rng = np.random.default_rng(0)
X = rng.normal(size=(args.batch, args.steps, args.features)).astype(np.float32)
dY = rng.normal(size=(args.batch, args.steps, args.units)).astype(np.float32)


def seqnet_pass(layer):
    layer.forward(X)
    layer.backward(dY)


def torch_pass(net, x, dy):
    x.grad = None
    out = net(x)[0]
    out.backward(dy)


def best(fn, *a):
    times = []
    for _ in range(args.repeats + 1):
        time.sleep(0.25)
        start = time.perf_counter()
        fn(*a)
        times.append(time.perf_counter() - start)
    return min(times[1:])


print(f"batch {args.batch}, {args.steps} steps, {args.features} features -> {args.units} units, forward + backward, "
      f"float32, {args.threads} threads, best of {args.repeats}; {date.today()}, {processor()}, "
      f"numpy {np.__version__}, torch {torch.__version__}\n")
print("| layer     | seqnet ms | torch ms | ratio |")
print("|-----------|-----------|----------|-------|")
for name, ours, theirs in (("SimpleRNN", SimpleRNN, torch.nn.RNN), ("LSTM", LSTM, torch.nn.LSTM),
                           ("GRU", GRU, torch.nn.GRU)):
    layer = ours(args.units, return_sequences=True)
    layer.build(X.shape[1:], rng=rng, dtype=np.float32)
    net = theirs(args.features, args.units, batch_first=True)
    x = torch.from_numpy(X).requires_grad_()
    dy = torch.from_numpy(dY)
    s, t = best(seqnet_pass, layer), best(torch_pass, net, x, dy)
    print(f"| {name:<9} | {s * 1e3:>9.1f} | {t * 1e3:>8.1f} | {s / t:>5.2f} |", flush=True)
