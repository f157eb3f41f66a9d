"""One training epoch of the Fashion-MNIST MLP and CNN: seqnet vs a plain PyTorch CPU loop.

    python benchmarks/bench_training.py [--images 12800] [--rounds 3] [--threads 2]

Both train the same architecture (``seqnet.architectures``; the torch copy is made by
``lightning_models.to_torch``) on the same images: batch 128, SGD with momentum 0.9, shuffled,
float32. Epochs alternate between the two libraries; each time is the best of ``--rounds``.
Uses real Fashion-MNIST when it is installed, random images of the same shape otherwise.
"""
import argparse
import os
import time
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--images", type=int, default=12800)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lightning_models import to_torch  # noqa: E402
from seqnet.architectures import fashion_cnn, fashion_mlp  # noqa: E402
from seqnet.datasets import load_fashion_mnist  # noqa: E402
from seqnet.optimizers import SGD  # noqa: E402

torch.set_num_threads(args.threads)
try:
    (X, y), _ = load_fashion_mnist(normalize=True)
    source = "Fashion-MNIST"
except FileNotFoundError:
    rng = np.random.default_rng(0)
    X, y = rng.random((args.images, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, args.images)
    source = "random images"
X, y = X[:args.images], y[:args.images]
X_torch, y_torch = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2))), torch.from_numpy(y)


def seqnet_epoch(model):
    model.fit(X, y, batch_size=128, epochs=1, verbose=0)


def torch_epoch(net, optimizer):
    net.train()
    order = torch.randperm(len(X_torch))
    for start in range(0, len(order), 128):
        idx = order[start:start + 128]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(X_torch[idx]), y_torch[idx])
        loss.backward()
        optimizer.step()


def timed(fn, *a):
    time.sleep(0.25)  # let the other library's idle BLAS/OpenMP threads stop spinning
    start = time.perf_counter()
    fn(*a)
    return time.perf_counter() - start


print(f"one epoch of {len(X)} {source} images, batch 128, SGD momentum 0.9, float32, {args.threads} threads; "
      f"best of {args.rounds}; {date.today()}, numpy {np.__version__}, torch {torch.__version__}\n")
print(f"| {'model':<12} | {'seqnet s':>8} | {'torch s':>7} | {'ratio':>5} |")
print(f"|{'-' * 14}|{'-' * 10}|{'-' * 9}|{'-' * 7}|")
for name, arch in (("fashion_mlp", fashion_mlp), ("fashion_cnn", fashion_cnn)):
    model = arch(seed=0)
    model.compile(SGD(lr=0.01, momentum=0.9), "cross_entropy", ["accuracy"])
    model.build((28, 28, 1))
    net = to_torch(model)[:-1]  # logits: the loss applies log-softmax itself
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    seq_times, torch_times = [], []
    for _ in range(args.rounds):
        seq_times.append(timed(seqnet_epoch, model))
        torch_times.append(timed(torch_epoch, net, optimizer))
    s, t = min(seq_times), min(torch_times)
    print(f"| {name:<12} | {s:>8.2f} | {t:>7.2f} | {s / t:>5.2f} |", flush=True)
