"""seqnet layers vs PyTorch CPU: forward + backward time on the same shapes, in one run.

    python benchmarks/bench_layers.py [--repeats 7] [--threads 2] [--engine auto]

Both libraries run float32 on the same inputs, interleaved (one seqnet run, one torch
run, ...); each turn times ten calls back to back (warm, as in a training loop), and each
time is the best over ``--repeats`` turns. Conv2D runs with ``--engine`` (its default "auto";
"tune" times the engines on this machine first); the engine it ran is named after the shape.
The convolution and pooling layers run as in ``Sequential.fit``, inside a
``seqnet.ops.parallel.session`` (their batch split over seqnet's threads, BLAS single-threaded);
the dense layer runs as in a model of dense layers, on BLAS's threads. PyTorch runs 4-D inputs
in both its layouts, NCHW and channels-last (NHWC, like seqnet), and its faster time counts; the
layout is named in the last column. GFLOP/s counts the multiply-adds of a direct convolution's
forward pass and two backward products (3x the forward), and is shown as a fraction of a
2048x2048 float32 matrix product timed in the same run; the spectral engine does fewer
multiply-adds than that, so its share can pass 100%.
"""
import argparse
import contextlib
import copy
import os
import time
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=7)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--engine", default="auto", help="Conv2D's engine: auto, tune, gemm, spectral or winograd")
parser.add_argument("--scipy", action="store_true",
                    help="also time Conv2D(engine='scipy') on the convolution shapes (slow)")
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (thread counts must be set first)
import torch  # noqa: E402

from seqnet.experiment import processor  # noqa: E402
from seqnet.layers import Conv2D, Dense, MaxPool2D  # noqa: E402
from seqnet.ops import parallel  # noqa: E402

torch.set_num_threads(args.threads)
rng = np.random.default_rng(0)


def timed(fn, runs=10):
    """The best of ``runs`` back-to-back calls (warm caches and threads, as in a training loop)."""
    # OpenBLAS's and OpenMP's idle threads spin for a while after each call and would steal
    # the cores from the other library's threads: let them go to sleep first
    time.sleep(0.25)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def compare(seq_fn, torch_fns):
    """Best seqnet time, and the best time of the fastest of ``torch_fns`` (layout -> function)."""
    seq_fn(), [fn() for fn in torch_fns.values()]  # warm up: buffers, lazy builds, oneDNN primitives
    seq, tor = [], {layout: [] for layout in torch_fns}
    for _ in range(args.repeats):
        seq.append(timed(seq_fn))
        for layout, fn in torch_fns.items():
            tor[layout].append(timed(fn))
    layout = min(tor, key=lambda k: min(tor[k]))
    return min(seq), min(tor[layout]), layout


def layer_case(layer, x, threaded=True):
    def session():
        return parallel.session() if threaded else contextlib.nullcontext()
    with session():  # engine="tune" times the engines here, as fit would
        dY = np.ones_like(layer.forward(x))

    def run():
        with session():
            layer.forward(x)
            layer.backward(dY)
    return run


def torch_cases(module, x):
    """``{layout: run}``: NCHW and channels-last for images, the plain layout otherwise."""
    if x.ndim != 4:
        return {"-": _torch_run(module, torch.from_numpy(x))}
    nchw = torch.from_numpy(x).permute(0, 3, 1, 2)
    last = copy.deepcopy(module).to(memory_format=torch.channels_last)  # .to converts in place
    return {"NCHW": _torch_run(module, nchw.contiguous()),
            "channels-last": _torch_run(last, nchw.contiguous(memory_format=torch.channels_last))}


def _torch_run(module, t):
    t = t.detach().requires_grad_(True)

    def run():
        t.grad = None
        module.zero_grad(set_to_none=True)
        y = module(t)
        y.backward(torch.ones_like(y))
    return run


A = rng.random((2048, 2048), dtype=np.float32)
sgemm = min(timed(lambda: A @ A) for _ in range(args.repeats))
peak = 2 * 2048 ** 3 / sgemm / 1e9

conv_shapes = [(64, 28, 28, 1, 32, 3), (64, 28, 28, 32, 64, 3), (64, 16, 16, 64, 128, 3),
               (128, 32, 32, 3, 32, 3), (32, 16, 16, 128, 128, 7)]
cases = []
for (n, h, w, ci, co, k) in conv_shapes:
    x = rng.standard_normal((n, h, w, ci), dtype=np.float32)
    flops = 3 * 2 * n * h * w * k * k * ci * co
    conv = Conv2D(co, k, engine=args.engine)
    seq_fn = layer_case(conv, x)
    cases.append((f"conv {k}x{k} ({n}, {h}, {w}, {ci}->{co}) {conv.engine_used}", seq_fn,
                  torch_cases(torch.nn.Conv2d(ci, co, k, padding=(k - 1) // 2), x), flops))
for (n, h, w, c) in [(64, 28, 28, 32), (64, 16, 16, 128)]:
    x = rng.standard_normal((n, h, w, c), dtype=np.float32)
    cases.append((f"max-pool 2x2 ({n}, {h}, {w}, {c})", layer_case(MaxPool2D(2), x),
                  torch_cases(torch.nn.MaxPool2d(2), x), None))
x = rng.standard_normal((128, 784), dtype=np.float32)
cases.append(("dense (128, 784->1024)", layer_case(Dense(1024), x, threaded=False),
              torch_cases(torch.nn.Linear(784, 1024), x), 3 * 2 * 128 * 784 * 1024))

print(f"seqnet vs PyTorch {torch.__version__} CPU, float32, {args.threads} threads, best of {args.repeats}; "
      f"{date.today()}, {processor()}, numpy {np.__version__}")
print(f"2048x2048 SGEMM: {sgemm * 1e3:.1f} ms = {peak:.0f} GFLOP/s\n")
print(f"| {'fwd+bwd':<43} | {'seqnet ms':>9} | {'torch ms':>8} | {'ratio':>5} | {'seqnet GFLOP/s':>14} "
      f"| {'of SGEMM':>8} | {'torch layout':<13} |")
print(f"|{'-' * 45}|{'-' * 11}|{'-' * 10}|{'-' * 7}|{'-' * 16}|{'-' * 10}|{'-' * 15}|")
for name, seq_fn, torch_fns, flops in cases:
    s, t, layout = compare(seq_fn, torch_fns)
    rate = f"{flops / s / 1e9:.0f}" if flops else "-"
    share = f"{flops / s / 1e9 / peak:.0%}" if flops else "-"
    print(f"| {name:<43} | {s * 1e3:>9.2f} | {t * 1e3:>8.2f} | {s / t:>5.2f} | {rate:>14} | {share:>8} "
          f"| {layout:<13} |", flush=True)

if args.scipy:
    print(f"\n| {'fwd+bwd, Conv2D engine':<34} | {'gemm ms':>8} | {'scipy ms':>9} | {'scipy/gemm':>10} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 11}|{'-' * 12}|")
    for (n, h, w, ci, co, k) in conv_shapes:
        x = rng.standard_normal((n, h, w, ci), dtype=np.float32)
        gemm = layer_case(Conv2D(co, k, engine="gemm"), x)
        slow = layer_case(Conv2D(co, k, engine="scipy"), x)
        g = min(timed(gemm) for _ in range(3))
        t = min(timed(slow) for _ in range(2))
        print(f"| conv {k}x{k} ({n}, {h}, {w}, {ci}->{co}){'':<{34 - len(f'conv {k}x{k} ({n}, {h}, {w}, {ci}->{co})')}} "
              f"| {g * 1e3:>8.1f} | {t * 1e3:>9.1f} | {t / g:>10.1f} |", flush=True)
