"""Conv2D engines side by side: gemm (im2col), spectral and winograd, forward + backward.

    python benchmarks/bench_engines.py [--repeats 3] [--threads 2] [--batch 64] [--cifar-batch 512]

This is the measurement behind ``engine="auto"`` (:func:`seqnet.ops.engines.choose_engine`):
stride-1 "same" layers, kernels 3x3 / 5x5 / 7x7, images 8 to 28 pixels a side, 1 to 128
input channels (twice as many output channels, at most 128), float32; winograd (3x3 only) with
its 4x4 and 2x2 output tiles. A second table times the 3x3 layers of the CIFAR-10 network
(:func:`seqnet.architectures.cifar_fast`) at its batch size. The layers run as in
``Sequential.fit``, inside a :func:`seqnet.ops.parallel.session`. Each time is the best of
``--repeats`` after one warm-up call; the last column is the engine "auto" picks.
"""
import argparse
import os
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--cifar-batch", type=int, default=512)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402  (thread counts must be set first)

from seqnet.experiment import processor  # noqa: E402
from seqnet.layers import Conv2D  # noqa: E402
from seqnet.ops import parallel  # noqa: E402

rng = np.random.default_rng(0)


def best_time(layer, x, tile=None):
    layer.build(x.shape[1:], rng=rng, dtype=np.float32)
    if tile is not None:
        layer.conv_engine.tile = tile
    with parallel.session():
        dY = np.ones_like(layer.forward(x))
        times = []
        for _ in range(args.repeats + 1):
            start = time.perf_counter()
            layer.forward(x)
            layer.backward(dY)
            times.append(time.perf_counter() - start)
    return min(times[1:])


def row(name, x, k, c_out):
    gemm = best_time(Conv2D(c_out, k, engine="gemm"), x)
    spectral = best_time(Conv2D(c_out, k, engine="spectral"), x)
    cells = [f"{gemm * 1e3:>8.1f}", f"{spectral / gemm:>13.2f}"]
    if k == 3:
        cells += [f"{best_time(Conv2D(c_out, k, engine='winograd'), x, tile) / gemm:>11.2f}" for tile in (4, 2)]
    else:
        cells += [f"{'-':>11}"] * 2
    auto = Conv2D(c_out, k)
    auto.build(x.shape[1:])
    print(f"| {name:<28} | {' | '.join(cells)} | {auto.engine_used:>8} |", flush=True)


print(f"Conv2D fwd+bwd, float32, batch {args.batch}, {args.threads} threads, best of {args.repeats}; "
      f"{date.today()}, {processor()}, numpy {np.__version__}\n")
HEADER = (f"| {'layer':<28} | {'gemm ms':>8} | {'spectral/gemm':>13} | {'F4x4/gemm':>11} | {'F2x2/gemm':>11} "
          f"| {'auto':>8} |\n|{'-' * 30}|{'-' * 10}|{'-' * 15}|{'-' * 13}|{'-' * 13}|{'-' * 10}|")
print(HEADER)
for k in (3, 5, 7):
    for size in (8, 16, 28):
        for c_in in (1, 3, 16, 64, 128):
            c_out = min(2 * c_in, 128)
            row(f"{k}x{k} {size}x{size} {c_in}->{c_out}", rng.standard_normal((args.batch, size, size, c_in),
                                                                           dtype=np.float32), k, c_out)
print(f"\nThe CIFAR-10 network's 3x3 layers, batch {args.cifar_batch}:\n\n{HEADER}")
for size, c_in, c_out in ((31, 24, 64), (15, 64, 64), (15, 64, 256), (7, 256, 256), (3, 256, 256)):
    row(f"3x3 {size}x{size} {c_in}->{c_out}", rng.standard_normal((args.cifar_batch, size, size, c_in),
                                                                  dtype=np.float32), 3, c_out)
