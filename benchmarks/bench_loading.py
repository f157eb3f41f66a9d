"""How long loading a model takes, and how much of it the checks on the file cost.

    python benchmarks/bench_loading.py [--repeats 15]

The Fashion-MNIST CNN (422,026 parameters) with its Adam state, saved as seqnet's ``.h5`` and as
``.keras``; each file loaded ``--repeats`` times with :func:`seqnet.load_model`. The checks are
the gate's functions (opening, the HDF5 walk, JSON counting, shape checks), timed by cProfile
over five more loads; cProfile slows every call, so their share is the figure to read.
"""
import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import seqnet
from seqnet.architectures import fashion_cnn

CHECKS = {"check_contained", "_check_shape", "open_regular", "layer_fits", "optimizer_slots", "_check_state_sizes",
          "warn_non_finite", "read_head"}

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--repeats", type=int, default=15)
args = parser.parse_args()
model = fashion_cnn(seed=0)
model.compile(optimizer=seqnet.optimizers.Adam(lr=1e-3), loss="cross_entropy", metrics=["accuracy"])
X = np.random.default_rng(0).random((64, 28, 28, 1)).astype(np.float32)
model.fit(X, np.arange(64) % 10, epochs=1, batch_size=32, verbose=0)
folder = Path(tempfile.mkdtemp())
print(f"{'file':<10}{'load (median)':>15}{'checks (profiled share)':>26}")
for ext in ("h5", "keras"):
    path = folder / f"model.{ext}"
    model.save(path)
    seqnet.load_model(path)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        seqnet.load_model(path)
        times.append(time.perf_counter() - start)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        seqnet.load_model(path)
    profile.disable()
    stats = pstats.Stats(profile)
    checks = sum(row[3] for key, row in stats.stats.items() if key[2] in CHECKS)
    print(f"{'.' + ext:<10}{statistics.median(times) * 1000:>12.1f} ms{checks / stats.total_tt:>25.0%}")
