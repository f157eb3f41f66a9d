"""``keras.datasets.cifar10``: :func:`seqnet.datasets.load_cifar10` in Keras's shapes."""
from __future__ import annotations

import numpy as np

from ...datasets import load_cifar10


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 32, 32, 3)`` and uint8 labels ``(n, 1)``."""
    (x_train, y_train), (x_test, y_test) = load_cifar10(download=True)
    return (x_train, y_train.astype(np.uint8)[:, None]), (x_test, y_test.astype(np.uint8)[:, None])
