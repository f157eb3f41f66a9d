"""Layers that prepare the input inside the model, as Keras's preprocessing layers: ``Rescaling``
(``x * scale + offset``) and ``Normalization`` (to zero mean and unit variance, from
``adapt(data)``). The random ones, for training, are in :mod:`seqnet.layers.augmentation`.

Each has a backward pass, so it may sit anywhere in a model; at the front (where they usually
are) nothing asks for it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer, register

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation Normalization divides by


@register("rescaling")
class Rescaling(Layer):
    """``x * scale + offset`` (``Rescaling(1 / 255)`` turns bytes into [0, 1])."""

    def __init__(self, scale: float, offset: float = 0.0, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, input_shape=kwargs.pop("input_shape", None))
        self.scale, self.offset = float(scale), float(offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        return {}

    def _forward(self, X):
        return X * self.dtype.type(self.scale) + self.dtype.type(self.offset)

    def _backward(self, dZ):
        return dZ * self.dtype.type(self.scale)

    def get_config(self):
        return {"scale": self.scale, "offset": self.offset, **super().get_config()}


@register("normalization")
class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` per feature of the last axis, with ``mean`` and
    ``variance`` given or learnt by :meth:`adapt` (kept as the layer's non-trainable weights
    ``mean``, ``variance`` and ``count``, as in Keras)."""

    def __init__(self, axis: int = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, input_shape=kwargs.pop("input_shape", None))
        if axis not in (-1, (-1,), [-1]):
            raise ValueError(f"Normalization: seqnet normalizes per feature of the last axis (axis=-1); received "
                             f"axis={axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: pass both mean and variance, or neither (and call adapt)")
        self.invert = bool(invert)
        self._given = None if mean is None else (np.asarray(mean, dtype=np.float64), np.asarray(variance, np.float64))
        self._adapted: tuple[np.ndarray, np.ndarray, int] | None = None
        self.trainable = False

    def adapt(self, data: Any) -> None:
        """Learn the mean and variance of each feature (the last axis) over every example of ``data``."""
        data = np.asarray(data, dtype=np.float64)
        rows = data.reshape(-1, data.shape[-1])
        self._adapted = (rows.mean(axis=0), rows.var(axis=0), len(data))
        if self.built:
            self._set_statistics()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        if self._given is not None:  # given statistics are config, not weights (as in Keras)
            return {}
        return {"mean": (input_shape[-1],), "variance": (input_shape[-1],), "count": ()}

    def _build(self, input_shape):
        c = input_shape[-1]
        if self._given is not None:
            self._fixed = tuple(np.broadcast_to(s, (c,)).astype(self.dtype) for s in self._given)
            return
        self.buffers["mean"] = np.zeros(c, dtype=self.dtype)
        self.buffers["variance"] = np.ones(c, dtype=self.dtype)
        self.buffers["count"] = np.zeros((), dtype=np.int64)
        self._set_statistics()

    def _set_statistics(self) -> None:
        if self._adapted is None:
            return
        if self._given is not None:  # adapt replaces given statistics
            self._given = None
            self._build(self.input_shape)
        mean, var, count = self._adapted
        self.buffers["count"][...] = count
        self.buffers["mean"][...] = mean
        self.buffers["variance"][...] = var

    def _statistics(self) -> tuple[np.ndarray, np.ndarray]:
        return self._fixed if self._given is not None else (self.buffers["mean"], self.buffers["variance"])

    def _std(self) -> np.ndarray:
        return np.maximum(np.sqrt(self._statistics()[1]), self.dtype.type(EPSILON))

    def _forward(self, X):
        mean = self._statistics()[0]
        if self.invert:
            return X * self._std() + mean
        return (X - mean) / self._std()

    def _backward(self, dZ):
        return dZ * self._std() if self.invert else dZ / self._std()

    def get_config(self):
        given = {} if self._given is None else {"mean": self._given[0].tolist(), "variance": self._given[1].tolist()}
        return {**given, **({"invert": True} if self.invert else {}), **super().get_config()}
