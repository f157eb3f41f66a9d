"""Does ``seqnet.keras`` add time? One epoch of the same MLP and CNN through seqnet's Sequential
and through the Keras face, alternating, best of ``--rounds``; prints face time / seqnet time.

    python benchmarks/keras_face.py [--rounds 5]

Both models have the same layers, the same optimizer (SGD with momentum 0.9), batch 128, float32,
on random images (4,096 MNIST-sized rows for the MLP, 1,024 28x28 images for the CNN).
"""
import argparse
import time

import numpy as np

import seqnet
import seqnet.keras as keras
from seqnet.layers import Conv2D, Dense, Flatten, MaxPooling2D

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rounds", type=int, default=5)
args = parser.parse_args()

rng = np.random.default_rng(0)
DATA = {"mlp": (rng.random((4096, 784), dtype=np.float32), rng.integers(0, 10, 4096)),
        "cnn": (rng.random((1024, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 1024))}


def model(kind: str, face: bool):
    L = keras.layers
    if kind == "mlp":
        layers = ([keras.Input((784,)), L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")] if face
                  else [Dense(256, activation="relu"), Dense(10, activation="softmax")])
    else:
        layers = ([keras.Input((28, 28, 1)), L.Conv2D(16, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
                   L.Flatten(), L.Dense(10, activation="softmax")] if face
                  else [Conv2D(filters=16, kernel_size=3, padding="same", activation="relu"), MaxPooling2D(2),
                        Flatten(), Dense(10, activation="softmax")])
    m = (keras.Sequential if face else seqnet.Sequential)(layers, seed=0)
    m.compile(seqnet.optimizers.SGD(lr=0.01, momentum=0.9), "sparse_categorical_crossentropy", ["accuracy"])
    return m


for kind, (X, y) in DATA.items():
    best = {False: float("inf"), True: float("inf")}
    for _ in range(args.rounds):
        for face in (False, True):
            m = model(kind, face)
            m.fit(X, y, epochs=1, batch_size=128, verbose=0)  # warm-up epoch (builds, allocates)
            start = time.perf_counter()
            m.fit(X, y, epochs=1, batch_size=128, verbose=0)
            best[face] = min(best[face], time.perf_counter() - start)
    print(f"{kind}: seqnet {best[False]:.3f} s, seqnet.keras {best[True]:.3f} s, ratio {best[True] / best[False]:.3f}")
