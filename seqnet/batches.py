"""Where ``fit`` takes its batches from: arrays in memory, or data that streams from disk.

``fit`` accepts, as Keras does, arrays ``(X, y)``; a dataset with ``__len__`` and
``__getitem__(i)`` returning batch ``i`` (Keras's ``PyDataset``: its ``on_epoch_end()`` is
called after every epoch, and with ``shuffle`` the batch order is drawn from the model's
generator); or any other iterable or generator of batches (read in order, ``steps_per_epoch``
of them an epoch, or until it runs out). A batch is ``(x, y)`` or ``(x, y, sample_weight)``.
Every batch is checked as arrays are.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ._contract import TrainedModel
from .checks import check_X, check_y, example_weights, output_shape_for

Batch = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


class ArrayBatches:
    """Mini-batches of checked arrays, in an order drawn from the model's generator each epoch."""

    def __init__(self, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None, batch_size: int) -> None:
        self.X, self.Y, self.W, self.batch_size = X, Y, W, batch_size
        self.steps = -(-len(X) // batch_size)

    def epoch(self, rng: np.random.Generator, shuffle: bool) -> Iterator[Batch]:
        """The epoch's batches; while one is out, ``positions`` holds its examples' places in ``X``."""
        order = rng.permutation(len(self.X)) if shuffle else None
        for start in range(0, len(self.X), self.batch_size):
            # in order, a batch is a view of the arrays, not a copy
            idx = slice(start, start + self.batch_size) if order is None else order[start:start + self.batch_size]
            self.positions = np.arange(start, min(start + self.batch_size, len(self.X))) if order is None else idx
            yield self.X[idx], self.Y[idx], None if self.W is None else self.W[idx]

    def end_epoch(self) -> None:
        """Arrays need nothing between epochs."""


class StreamBatches:
    """Batches from a dataset or an iterable, each checked against the model as it arrives."""

    def __init__(self, model: TrainedModel, source: Any, steps: int | None, class_weight: Any, what: str = "x") -> None:
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"fit: expected a positive integer number of steps, received {steps!r}")
        self.model, self.source, self.class_weight, self.what = model, source, class_weight, what
        self.indexed = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if self.indexed and len(source) == 0:
            raise ValueError(f"{what}: the dataset has no batches")
        self.steps = steps if steps is not None else (len(source) if self.indexed else None)
        self._iterator = None if self.indexed else iter(source)
        self._first: Batch | None = None

    def first(self) -> Batch:
        """The first batch, checked (and kept for the first epoch of an iterable)."""
        if self._first is None:
            if self.indexed:
                self._first = self._check(self.source[0])
            else:
                try:
                    self._first = self._check(next(self._iterator))
                except StopIteration:
                    raise ValueError(f"{self.what}: the iterable yielded no batches") from None
        return self._first

    def _check(self, batch: Any, out: tuple[int, ...] | None = None) -> Batch:
        if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
            raise ValueError(f"{self.what}: each batch must be (x, y) or (x, y, sample_weight), received "
                             f"{type(batch).__name__}" + (f" of {len(batch)} items" if isinstance(batch, (tuple, list))
                                                          else ""))
        X = check_X(self.model, batch[0], f"{self.what} batch")
        if out is None:
            out = output_shape_for(self.model, X.shape[1:])
        Y = check_y(self.model, batch[1], len(X), f"{self.what} batch y", out=out)
        W = example_weights(Y, batch[2] if len(batch) == 3 else None, self.class_weight, len(X))
        return X, Y, W

    def epoch(self, rng: np.random.Generator, shuffle: bool) -> Iterator[Batch]:
        if self.indexed:
            count = self.steps if self.steps is not None else len(self.source)
            order = rng.permutation(len(self.source))[:count] if shuffle else np.arange(count) % len(self.source)
            for i in order:
                yield self._check(self.source[int(i)])
            return
        taken = 0
        if self._first is not None:
            first, self._first = self._first, None
            yield first
            taken = 1
        while self.steps is None or taken < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                return
            yield self._check(batch)
            taken += 1

    def end_epoch(self) -> None:
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()
