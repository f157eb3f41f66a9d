"""Keras's ``Normalization`` layer: ``(x - mean) / max(sqrt(variance), 1e-7)``, with a mean and a
variance per position of the kept ``axis`` (the last by default; ``None``: one for everything),
given or learnt by :meth:`Normalization.adapt` from an array, a ``PyDataset``-like dataset or any
iterable of batches, one batch in memory at a time."""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .base import Layer, register

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation Normalization divides by


def _batches(data: Any) -> tuple[Any, tuple[int, ...]]:
    """``(batches, shape of the first)`` for an array, a dataset (``len`` and ``[i]``) or an iterable of
    batches; an ``(x, y)`` batch gives its ``x``."""
    if not isinstance(data, np.ndarray) and hasattr(data, "shape") and hasattr(data, "__array__"):
        data = np.asarray(data)  # a tensor
    if isinstance(data, np.ndarray):
        return [data], data.shape
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(data, (list, tuple)):
        data = (data[i] for i in range(len(data)))  # a PyDataset-like dataset
    if not hasattr(data, "__iter__"):
        raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, PyDataset-like "
                        f"datasets, and iterables of batches (e.g. list, generator).")
    iterator = iter(data)
    first = next(iterator, None)
    if first is None:
        raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch. Pass a "
                         "non-empty iterable of arrays, e.g. layer.adapt([x]) or layer.adapt(list_of_batches).")
    first = _x(first)
    if not hasattr(first, "shape"):
        raise TypeError(f"adapt() expects an iterable that yields arrays with a `.shape` attribute (e.g. numpy "
                        f"arrays). Got an element of type {type(first).__name__}.")
    return itertools.chain([first], (_x(b) for b in iterator)), tuple(first.shape)


def _x(batch: Any) -> Any:
    return batch[0] if isinstance(batch, tuple) else batch


@register("normalization")
class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` (``invert=True``: back again), per position of the
    kept ``axis``: an axis or axes of the batch (``-1``, the features; ``None``: one mean and
    variance). ``mean`` and ``variance`` given, or learnt by :meth:`adapt` and kept as the layer's
    non-trainable weights ``mean``, ``variance`` and ``count``, as in Keras."""

    supports_masking = True

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, input_shape=kwargs.pop("input_shape", None))
        self.axis = () if axis is None else ((int(axis),) if isinstance(axis, (int, np.integer)) else
                                             tuple(int(a) for a in axis))
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"When setting values directly, `mean` and `variance` must have the same shape. "
                                 f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                                 f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}")
        self.invert = bool(invert)
        self._given = None if mean is None else (np.asarray(mean, dtype=np.float64), np.asarray(variance, np.float64))
        self.trainable = False

    # -- the axes ------------------------------------------------------------------
    def _kept(self, ndim: int) -> tuple[int, ...]:
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                             f"ndim={ndim}, while axis={self.axis}")
        return tuple(sorted(a % ndim for a in self.axis))

    def _stat_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        full = (None, *input_shape)
        kept = self._kept(len(full))
        if 0 in kept:
            raise ValueError(f"Normalization: axis={self.axis} keeps the batch axis; keep axes of one example")
        return tuple(full[a] for a in kept)

    def _broadcast(self, stat: np.ndarray, ndim: int) -> np.ndarray:
        """``stat`` (over the kept axes) shaped to broadcast over a batch of ``ndim`` axes."""
        kept = self._kept(ndim)
        shape = [1] * ndim
        for a, size in zip(kept[len(kept) - stat.ndim:], stat.shape):
            shape[a] = size
        return stat.reshape(shape)

    # -- the layer -----------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        self._stat_shape(input_shape)
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        shape = self._stat_shape(input_shape)
        if self._given is not None:  # given statistics are config, not weights (as in Keras)
            return {}
        return {"mean": shape, "variance": shape, "count": ()}

    def _build(self, input_shape):
        shape = self._stat_shape(input_shape)
        if self._given is not None:
            return
        self.buffers["mean"] = np.zeros(shape, dtype=self.dtype)
        self.buffers["variance"] = np.ones(shape, dtype=self.dtype)
        self.buffers["count"] = np.zeros((), dtype=np.int64)

    def _check_input(self, X):
        """Any batch whose kept axes match the built ones (the others may vary, as in Keras)."""
        kept = self._kept(X.ndim)
        if X.ndim != len(self.input_shape) + 1 or any(X.shape[a] != self.input_shape[a - 1] for a in kept):
            raise ValueError(f"Normalization {self.name!r} was built for inputs of shape {(None, *self.input_shape)}"
                             f" (axis={self.axis}), got shape {X.shape}")

    @property
    def mean(self) -> np.ndarray | None:
        """The mean, shaped to broadcast over a batch (Keras's ``layer.mean``)."""
        return None if not self.built else self._statistics(len(self.input_shape) + 1)[0]

    @property
    def variance(self) -> np.ndarray | None:
        return None if not self.built else self._statistics(len(self.input_shape) + 1)[1]

    def _statistics(self, ndim: int) -> tuple[np.ndarray, np.ndarray]:
        if self._given is None:
            return tuple(self._broadcast(self.buffers[k], ndim) for k in ("mean", "variance"))
        return tuple(self._broadcast(np.asarray(s, dtype=self.dtype), ndim) for s in self._given)

    def _std(self, ndim: int) -> np.ndarray:
        return np.maximum(np.sqrt(self._statistics(ndim)[1]), self.dtype.type(EPSILON))

    def _forward(self, X):
        mean = self._statistics(X.ndim)[0]
        return X * self._std(X.ndim) + mean if self.invert else (X - mean) / self._std(X.ndim)

    def _backward(self, dZ):
        return dZ * self._std(dZ.ndim) if self.invert else dZ / self._std(dZ.ndim)

    # -- adapt -----------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Learn the mean and variance of each kept position over ``data``: an array, a dataset with
        ``len`` and ``[i]`` (a ``PyDataset``), or an iterable of batches (a list of arrays, a
        generator); ``(x, y)`` batches give their ``x``. Batches are read one at a time and their
        statistics combined, so the data need not fit in memory."""
        batches, shape = _batches(data)
        if not self.built:
            self.build(shape[1:], dtype=np.float32)
        kept = self._kept(len(shape))
        reduce = tuple(a for a in range(len(shape)) if a not in kept)
        mean = var = None
        total = 0
        for batch in batches:
            batch = np.asarray(batch, dtype=np.float64)
            if batch.ndim != len(shape) or any(batch.shape[a] != self.input_shape[a - 1] for a in kept):
                raise ValueError(f"The layer was built with input_shape={(None, *self.input_shape)}, but adapt() is "
                                 f"being called with data with an incompatible shape, data.shape={batch.shape}")
            count = int(np.prod([batch.shape[a] for a in reduce])) if reduce else 1
            b_mean, b_var = batch.mean(axis=reduce), batch.var(axis=reduce)
            if mean is None:
                mean, var, total = b_mean, b_var, count
                continue
            new_total = total + count
            weight = count / new_total
            new_mean = mean * (1 - weight) + b_mean * weight
            var = (var + (mean - new_mean) ** 2) * (1 - weight) + (b_var + (b_mean - new_mean) ** 2) * weight
            mean, total = new_mean, new_total
        if self._given is not None:  # adapt replaces given statistics
            self._given = None
            self._build(self.input_shape)
        self.buffers["mean"][...] = mean
        self.buffers["variance"][...] = var
        self.buffers["count"][...] = total

    def get_config(self):
        given = {} if self._given is None else {"mean": self._given[0].tolist(), "variance": self._given[1].tolist()}
        axis = None if not self.axis else (self.axis[0] if len(self.axis) == 1 else list(self.axis))
        return {"axis": axis, **given, **({"invert": True} if self.invert else {}), **super().get_config()}
