"""``keras.datasets.mnist``: MNIST's digits as Keras ships them (``mnist.npz``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..._safety import load_npz
from ...datasets import DatasetError, data_dirs
from ...datasets.files import download

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
SIZE = 11_490_434  # bytes
_SHAPES = {"x_train": (28, 28), "x_test": (28, 28), "y_train": (), "y_test": ()}


def load_data(path: str = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` and uint8 labels ``(n,)``.

    ``path`` is the file's name in the data folders (or a path to a local copy).
    """
    local = [Path(path)] if Path(path).is_file() else [d / path for d in data_dirs()]
    found = next((p for p in local if p.is_file()), None)
    if found is None:
        found = Path.home() / ".seqnet" / "datasets" / Path(path).name
        download(ORIGIN, found, sha256=SHA256, size=SIZE)
    return _read(found)


def _read(path: Path) -> Any:
    arrays = load_npz(path, tuple(_SHAPES), DatasetError, "MNIST file")
    for key, shape in _SHAPES.items():
        if arrays[key].dtype != np.uint8 or arrays[key].shape[1:] != shape:
            raise DatasetError(f"'{path}': {key} is {arrays[key].dtype} {arrays[key].shape}, not MNIST's uint8 "
                               f"(n, {', '.join(map(str, shape))})")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
