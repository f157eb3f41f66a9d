"""``keras.utils``: ``to_categorical``, ``pad_sequences``, ``PyDataset``, ``set_random_seed``."""
from __future__ import annotations

import random
from typing import Any

import numpy as np

from ..datasets import one_hot
from ..datasets.sequences import pad_sequences
from . import _seed
from ._missing import missing


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Class ids as one-hot rows (Keras's: float64, ``num_classes`` = the largest id + 1 by default)."""
    x = np.asarray(x, dtype=np.int64)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    num_classes = int(x.max()) + 1 if num_classes is None else int(num_classes)
    return one_hot(x, num_classes)


def set_random_seed(seed: int) -> None:
    """Seed Python's and numpy's global generators, and the weights and shuffling of every model
    made afterwards (each draws its own seed from this one)."""
    random.seed(seed)
    np.random.seed(seed)
    _seed.set_seed(seed)


class PyDataset:
    """Keras's base class for a dataset of batches: define ``__len__`` (the number of batches) and
    ``__getitem__(i)`` (the ``i``-th ``(x, y)`` or ``(x, y, sample_weight)``), and optionally
    ``on_epoch_end``. ``fit`` reads the batches in order in this process (``workers`` and
    ``use_multiprocessing`` are accepted and change nothing)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, use_multiprocessing, max_queue_size

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} must define __getitem__ (the batch at an index)")

    def on_epoch_end(self) -> None:
        """Called after each epoch (shuffle here)."""

    @property
    def num_batches(self) -> int:
        return len(self)


__all__ = ["to_categorical", "pad_sequences", "set_random_seed", "PyDataset"]


__getattr__ = missing(__name__)
