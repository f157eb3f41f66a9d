"""Where an epoch of the CIFAR-10 example goes: each layer's forward and backward, and the rest of the loop.

    python benchmarks/profile_epoch.py [--images 50000] [--engine auto] [--threads 2]

Trains ``cifar_fast`` for one epoch with the example's recipe (``seqnet.architectures.CIFAR_FAST_RECIPE``:
batch 512, SGD with Nesterov momentum and weight decay on the one-cycle schedule, label smoothing,
crops and alternating flips, the lookahead) on ``--images`` random 32x32x3 images, every layer's
``forward`` and ``backward`` timed as it runs. The table lists each layer's share of the epoch; "the
rest" is what is not a layer: the loss, the optimizer's updates, the augmentation, the batches'
copies, the lookahead and the callbacks. ``--engine`` is the 3x3 convolutions' engine
(``cifar_fast(engine=...)``): "tune" times the engines on the first batch, on this machine.
"""
import argparse
import os
import time
from collections import defaultdict

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--images", type=int, default=50000)
parser.add_argument("--engine", default="auto", help="auto, tune, gemm, spectral or winograd")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402

from seqnet.architectures import CIFAR_FAST_RECIPE as RECIPE  # noqa: E402
from seqnet.architectures import cifar_fast  # noqa: E402
from seqnet.augment import CropAndFlip  # noqa: E402
from seqnet.callbacks import Lookahead  # noqa: E402
from seqnet.losses import CrossEntropy  # noqa: E402
from seqnet.optimizers import SGD  # noqa: E402
from seqnet.ops.engines import CHOICES  # noqa: E402
from seqnet.schedulers import for_run  # noqa: E402

if args.engine not in CHOICES:
    parser.error(f"--engine: one of {', '.join(CHOICES)}, not {args.engine!r}")

rng = np.random.default_rng(0)
X = rng.standard_normal((args.images, 32, 32, 3), dtype=np.float32)
y = rng.integers(0, 10, args.images)
model = cifar_fast(seed=0, whiten_from=X[:5000], engine=args.engine)
model.build((32, 32, 3))

spent: dict[str, float] = defaultdict(float)


def timed(layer, method):
    inner = getattr(layer, method)

    def run(*a, **k):
        start = time.perf_counter()
        try:
            return inner(*a, **k)
        finally:
            spent[(layer.name, method)] += time.perf_counter() - start
    setattr(layer, method, run)


for layer in model.layers:
    timed(layer, "forward")
    timed(layer, "backward")
steps = -(-args.images // RECIPE["batch_size"])
model.compile(SGD(lr=RECIPE["lr"], momentum=RECIPE["momentum"], nesterov=RECIPE["nesterov"],
                  weight_decay=RECIPE["weight_decay"], lr_scheduler=for_run(RECIPE["scheduler"], RECIPE["lr"], steps),
                  lr_scales={"beta": RECIPE["bn_bias_lr_scale"]}),
              CrossEntropy(label_smoothing=RECIPE["label_smoothing"]), ["accuracy"])
start = time.perf_counter()
model.fit(X, y, batch_size=RECIPE["batch_size"], epochs=1, verbose=0, callbacks=[Lookahead()],
          augment=CropAndFlip(RECIPE["crop_padding"], RECIPE["flip"]))
total = time.perf_counter() - start

print(f"cifar_fast, one epoch of {args.images} images, batch {RECIPE['batch_size']}, engine={args.engine}, "
      f"{args.threads} threads: {total:.1f} s")
print(f"{'layer':<22}{'engine':<10}{'forward s':>10}{'backward s':>11}{'share':>8}")
for layer in model.layers:
    f, b = spent[(layer.name, "forward")], spent[(layer.name, "backward")]
    engine = getattr(layer, "engine_used", None) or ""
    print(f"{layer.name:<22}{engine:<10}{f:>10.1f}{b:>11.1f}{(f + b) / total:>8.1%}")
rest = total - sum(spent.values())
print(f"{'the rest of the loop':<32}{rest:>21.1f}{rest / total:>8.1%}")
