"""``keras.datasets.fashion_mnist``: :func:`seqnet.datasets.load_fashion_mnist` in Keras's shapes."""
from __future__ import annotations

import numpy as np

from ...datasets import load_fashion_mnist


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` and uint8 labels ``(n,)``."""
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(download=True)
    return (x_train[..., 0], y_train.astype(np.uint8)), (x_test[..., 0], y_test.astype(np.uint8))
