"""Conv2D engines side by side: gemm (im2col) vs spectral, forward + backward, on a grid of layers.

    python benchmarks/bench_engines.py [--repeats 3] [--threads 2] [--batch 64]

This is the measurement behind ``engine="auto"`` (:func:`seqnet.layers.conv.choose_engine`):
stride-1 "same" layers, kernels 3x3 / 5x5 / 7x7, images 8 to 28 pixels a side, 1 to 128
input channels (twice as many output channels, at most 128), float32. Each time is the best
of ``--repeats`` after one warm-up call; the last column is the engine "auto" picks.
"""
import argparse
import os
import platform
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=64)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402  (thread counts must be set first)

from seqnet.layers import Conv2D  # noqa: E402

rng = np.random.default_rng(0)


def best_time(layer, x):
    layer.build(x.shape[1:], rng=rng, dtype=np.float32)
    dY = np.ones_like(layer.forward(x))
    times = []
    for _ in range(args.repeats + 1):
        start = time.perf_counter()
        layer.forward(x)
        layer.backward(dY)
        times.append(time.perf_counter() - start)
    return min(times[1:])


print(f"Conv2D fwd+bwd, float32, batch {args.batch}, {args.threads} threads, best of {args.repeats}; "
      f"{date.today()}, {platform.processor() or platform.machine()}, numpy {np.__version__}\n")
print(f"| {'layer':<28} | {'gemm ms':>8} | {'spectral ms':>11} | {'spectral/gemm':>13} | {'auto':>8} |")
print(f"|{'-' * 30}|{'-' * 10}|{'-' * 13}|{'-' * 15}|{'-' * 10}|")
for k in (3, 5, 7):
    for size in (8, 16, 28):
        for c_in in (1, 3, 16, 64, 128):
            c_out = min(2 * c_in, 128)
            x = rng.standard_normal((args.batch, size, size, c_in), dtype=np.float32)
            gemm = best_time(Conv2D(c_out, k, engine="gemm"), x)
            spectral = best_time(Conv2D(c_out, k, engine="spectral"), x)
            auto = Conv2D(c_out, k)
            auto.build(x.shape[1:])
            name = f"{k}x{k} {size}x{size} {c_in}->{c_out}"
            print(f"| {name:<28} | {gemm * 1e3:>8.1f} | {spectral * 1e3:>11.1f} | {spectral / gemm:>13.2f} "
                  f"| {auto.engine_used:>8} |", flush=True)
