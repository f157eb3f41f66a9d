"""One training epoch of the Fashion-MNIST MLP and CNN, and of CIFAR-10's cifar_fast: seqnet vs PyTorch on the CPU.

    python benchmarks/bench_training.py [--images 12800] [--cifar-images 50000] [--rounds 3] [--cifar-rounds 1]
                                        [--threads 2]

Both train the same architecture (``seqnet.architectures``; the torch copy is made by
``lightning_models.to_torch``) on the same images: batch 128, SGD with momentum 0.9, shuffled,
float32. Epochs alternate between the two libraries; each time is the best of ``--rounds``.
PyTorch trains the CNN in both its layouts, NCHW and channels-last (NHWC, like seqnet), and its
faster time counts. Uses real Fashion-MNIST when it is installed, random images of the same
shape otherwise. ``cifar_fast`` (as many 32x32x3 images as CIFAR-10's training set, batch 512, SGD with Nesterov momentum, as
``examples/cifar10_cnn.py`` trains it) is timed against both a plain PyTorch loop and the
Lightning trainer (``lightning_models.LitClassifier``, no logger, checkpoints or progress bar),
which is what ``python -m lightning_models.train`` runs; its ratio is seqnet over Lightning. A fourth
timing trains it as ``examples/cifar10_cnn.py`` does (label smoothing, weight decay, the one-cycle
schedule with BatchNorm's shifts at 64 times the rate, the whitening bias learning as in the first
epochs, crops and alternating flips, the lookahead): "recipe / seqnet" is what the example's loop
adds to the layers' epoch.
"""
import argparse
import os
import time
from datetime import date

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--images", type=int, default=12800)
parser.add_argument("--cifar-images", type=int, default=50000, help="0: skip the CIFAR case")
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--cifar-rounds", type=int, default=1, help="rounds of the CIFAR case (each about 15 minutes "
                    "on 2 cores with the full set)")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lightning_models import to_torch  # noqa: E402
from seqnet.architectures import cifar_fast, fashion_cnn, fashion_mlp  # noqa: E402
from seqnet.datasets import load_fashion_mnist  # noqa: E402
from seqnet.experiment import processor  # noqa: E402
from seqnet.augment import CropAndFlip  # noqa: E402
from seqnet.callbacks import Lookahead  # noqa: E402
from seqnet.losses import CrossEntropy  # noqa: E402
from seqnet.optimizers import SGD  # noqa: E402
from seqnet.schedulers import for_run  # noqa: E402

torch.set_num_threads(args.threads)
try:
    (X, y), _ = load_fashion_mnist(normalize=True)
    source = "Fashion-MNIST"
except FileNotFoundError:
    rng = np.random.default_rng(0)
    X, y = rng.random((args.images, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, args.images)
    source = "random images"
X, y = X[:args.images], y[:args.images]
# (a numpy copy, not ascontiguousarray: with one channel the latter keeps strides that PyTorch
# reads as channels-last)
X_nchw, y_torch = torch.from_numpy(X.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)
LAYOUTS = {"NCHW": torch.contiguous_format, "channels-last": torch.channels_last}


def seqnet_epoch(model):
    model.fit(X, y, batch_size=128, epochs=1, verbose=0)


def torch_epoch(net, optimizer, layout):
    net.train()
    order = torch.randperm(len(X_nchw))
    for start in range(0, len(order), 128):
        idx = order[start:start + 128]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(X_nchw[idx].contiguous(memory_format=layout)), y_torch[idx])
        loss.backward()
        optimizer.step()


def timed(fn, *a):
    time.sleep(0.25)  # let the other library's idle BLAS/OpenMP threads stop spinning
    start = time.perf_counter()
    fn(*a)
    return time.perf_counter() - start


print(f"one epoch of {len(X)} {source} images, batch 128, SGD momentum 0.9, float32, {args.threads} threads; "
      f"best of {args.rounds}; {date.today()}, {processor()}, numpy {np.__version__}, torch {torch.__version__}\n")
print(f"| {'model':<12} | {'seqnet s':>8} | {'torch s':>7} | {'ratio':>5} | {'torch layout':<13} |")
print(f"|{'-' * 14}|{'-' * 10}|{'-' * 9}|{'-' * 7}|{'-' * 15}|")
for name, arch in (("fashion_mlp", fashion_mlp), ("fashion_cnn", fashion_cnn)) if args.images else ():
    model = arch(seed=0)
    model.compile(SGD(lr=0.01, momentum=0.9), "cross_entropy", ["accuracy"])
    model.build((28, 28, 1))
    layouts = LAYOUTS if name == "fashion_cnn" else {"-": torch.contiguous_format}
    torch_runs = {}
    for layout, fmt in layouts.items():
        # the weights' layout decides the convolutions' (an input with one channel is both)
        net = to_torch(model)[:-1].to(memory_format=fmt)  # logits: the loss applies log-softmax
        torch_runs[layout] = (net, torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9), fmt)
    seq_times, torch_times = [], {layout: [] for layout in layouts}
    for _ in range(args.rounds):
        seq_times.append(timed(seqnet_epoch, model))
        for layout, run in torch_runs.items():
            torch_times[layout].append(timed(torch_epoch, *run))
    layout = min(torch_times, key=lambda k: min(torch_times[k]))
    s, t = min(seq_times), min(torch_times[layout])
    print(f"| {name:<12} | {s:>8.2f} | {t:>7.2f} | {s / t:>5.2f} | {layout:<13} |", flush=True)


def cifar_case():
    """cifar_fast, one epoch: seqnet, a plain torch loop, and the Lightning trainer."""
    from lightning_overhead import epoch_times
    rng = np.random.default_rng(0)
    Xc = rng.normal(size=(args.cifar_images, 32, 32, 3)).astype(np.float32)
    yc = rng.integers(0, 10, args.cifar_images)
    model = cifar_fast(seed=0, whiten_from=Xc[:1000])
    model.compile(SGD(lr=0.01, momentum=0.9, nesterov=True), "cross_entropy", ["accuracy"])
    # the same network as examples/cifar10_cnn.py trains it: its loss, weight decay, schedule and augmentation
    recipe = cifar_fast(seed=0, whiten_from=Xc[:1000])
    recipe.get_layer("whiten").trainable = True  # its bias learns in the first epochs
    steps = -(-len(Xc) // 512)
    recipe.compile(SGD(lr=0.3, momentum=0.9, nesterov=True, weight_decay=5e-4,
                       lr_scheduler=for_run("onecycle", 0.3, steps * 12),  # the example's 12 epochs
                       lr_scales={"beta": 64.0, "whiten/W": 0.0}),
                   CrossEntropy(label_smoothing=0.2), ["accuracy"])
    seq_times, recipe_times, torch_times, lightning_times = [], [], [], []
    for _ in range(args.cifar_rounds):  # alternating, one epoch of each a round
        seq_times.append(timed(lambda: model.fit(Xc, yc, batch_size=512, epochs=1, verbose=0)))
        recipe_times.append(timed(lambda: recipe.fit(Xc, yc, batch_size=512, epochs=1, verbose=0,
                                                     augment=CropAndFlip(2, "alternate"), callbacks=[Lookahead()])))
        plain, lit = epoch_times(model, Xc, yc, rounds=1, before_each=lambda: time.sleep(0.25))
        torch_times.append(plain)
        lightning_times.append(lit)
    s, r, t, lt = min(seq_times), min(recipe_times), min(torch_times), min(lightning_times)
    print(f"\ncifar_fast, one epoch of {len(Xc)} random 32x32x3 images, batch 512, SGD Nesterov 0.9, float32:\n")
    print("| seqnet s | seqnet, the example's recipe s | torch loop s | Lightning s | seqnet / torch "
          "| seqnet / Lightning | recipe / seqnet | recipe / Lightning |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {s:.2f} | {r:.2f} | {t:.2f} | {lt:.2f} | {s / t:.2f} | {s / lt:.2f} | {r / s:.2f} | {r / lt:.2f} |",
          flush=True)


if args.cifar_images:
    cifar_case()
