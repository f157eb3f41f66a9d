"""Inference throughput: seqnet's ``predict`` vs PyTorch under ``torch.inference_mode()`` on the CPU,
for CIFAR-10's ``cifar_fast`` and the Fashion-MNIST CNN, and the peak memory seqnet's predict takes.

    python benchmarks/bench_predict.py [--cifar-images 2000] [--fashion-images 10000] [--batch-size 500]
                                       [--rounds 3] [--threads 2]

The same network on the same random images (the torch copy made by ``lightning_models.to_torch``),
float32, in inference mode (BatchNorm's running statistics, no dropout), ``--batch-size`` images at a
time; PyTorch runs NCHW and channels-last and its faster time counts. The libraries alternate, with a
pause between them; each time is the best of ``--rounds``. The memory figure is the peak that
``tracemalloc`` sees while seqnet predicts the CIFAR images, above what the model and the images hold.
"""
import argparse
import os
import time
import tracemalloc

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cifar-images", type=int, default=2000)
parser.add_argument("--fashion-images", type=int, default=10000)
parser.add_argument("--batch-size", type=int, default=500)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lightning_models import to_torch  # noqa: E402
from seqnet.architectures import cifar_fast, fashion_cnn  # noqa: E402
from seqnet.experiment import processor  # noqa: E402

torch.set_num_threads(args.threads)


def best(fn, rounds):
    times = []
    for _ in range(rounds):
        time.sleep(0.25)  # let the other library's idle BLAS/OpenMP threads stop spinning
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_predict(net, X, channels_last):
    x = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())
    if channels_last:
        x, net = x.contiguous(memory_format=torch.channels_last), net.to(memory_format=torch.channels_last)
    with torch.inference_mode():
        return [net(x[i:i + args.batch_size]) for i in range(0, len(x), args.batch_size)]


def compare(name, model, X):
    net = to_torch(model).eval()
    ours = best(lambda: model.predict(X, batch_size=args.batch_size), args.rounds)
    theirs = min(best(lambda: torch_predict(net, X, cl), args.rounds) for cl in (False, True))
    probs = model.predict(X[:64], batch_size=args.batch_size)
    with torch.inference_mode():
        reference = net(torch.from_numpy(X[:64].transpose(0, 3, 1, 2).copy())).numpy()
    assert np.allclose(probs, reference, atol=1e-4), "the two libraries disagree"
    print(f"{name}: {len(X)} images, seqnet {len(X) / ours:,.0f} images/s, PyTorch {len(X) / theirs:,.0f} images/s, "
          f"ratio {ours / theirs:.2f}", flush=True)


rng = np.random.default_rng(0)
cifar = rng.normal(size=(args.cifar_images, 32, 32, 3)).astype(np.float32)
fashion = rng.random((args.fashion_images, 28, 28, 1), dtype=np.float32)
fast = cifar_fast(seed=0, whiten_from=cifar[:500])
cnn = fashion_cnn(seed=0)
cnn.build((28, 28, 1))
print(f"{time.strftime('%Y-%m-%d')}, {processor()}, {args.threads} threads, batch {args.batch_size}")
compare("cifar_fast", fast, cifar)
compare("fashion_cnn", cnn, fashion)

tracemalloc.start()
fast.predict(cifar, batch_size=args.batch_size)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
left = sum(np.asarray(v).nbytes for layer in fast.layers for v in layer.cache.values() if hasattr(v, "nbytes"))
print(f"seqnet predict of {len(cifar)} cifar_fast images: peak {peak / 2**20:.0f} MiB above the model and the "
      f"images; training caches left after it: {left} bytes")
