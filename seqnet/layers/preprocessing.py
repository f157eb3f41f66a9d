"""Layers that prepare the input inside the model, as Keras's preprocessing layers: ``Rescaling``
(``x * scale + offset``), ``Normalization`` (to zero mean and unit variance, from ``adapt(data)``)
and ``RandomFlip`` (a random mirror image in training, the image itself in inference).

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
        return {"mean": (input_shape[-1],), "variance": (input_shape[-1],), "count": ()}

    def _build(self, input_shape):
        c = input_shape[-1]
        self.buffers["mean"] = np.zeros(c, dtype=self.dtype)
        self.buffers["variance"] = np.ones(c, dtype=self.dtype)
        self.buffers["count"] = np.zeros((), dtype=np.int64)
        self._set_statistics()

    def _set_statistics(self) -> None:
        if self._adapted is not None:
            mean, var, count = self._adapted
            self.buffers["count"][...] = count
        elif self._given is not None:
            mean, var = self._given
        else:
            return
        self.buffers["mean"][...] = np.broadcast_to(mean, self.buffers["mean"].shape)
        self.buffers["variance"][...] = np.broadcast_to(var, self.buffers["variance"].shape)

    def _std(self) -> np.ndarray:
        return np.maximum(np.sqrt(self.buffers["variance"]), self.dtype.type(EPSILON))

    def _forward(self, X):
        if self.invert:
            return X * self._std() + self.buffers["mean"]
        return (X - self.buffers["mean"]) / self._std()

    def _backward(self, dZ):
        return dZ * self._std() if self.invert else dZ / self._std()

    def get_config(self):
        given = {} if self._given is None else {"mean": self._given[0].tolist(), "variance": self._given[1].tolist()}
        return {**given, **({"invert": True} if self.invert else {}), **super().get_config()}


@register("random_flip")
class RandomFlip(Layer):
    """In training, each image (NHWC) mirrored left-right (``"horizontal"``), upside down
    (``"vertical"``) or both independently, each with probability 1/2; in inference, the image."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, input_shape=kwargs.pop("input_shape", None))
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip: mode is one of {self.MODES}, received {mode!r}")
        self.mode = mode

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"RandomFlip expects images (batch, rows, cols, channels), got {(None, *input_shape)}")
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        return {}

    @staticmethod
    def _flip(X: np.ndarray, flips: list[tuple[int, np.ndarray]]) -> np.ndarray:
        """``X`` (a copy of its own) with the chosen images flipped along each axis in turn."""
        for axis, chosen in flips:
            X[chosen] = np.flip(X[chosen], axis=axis)
        return X

    def _forward(self, X):
        if not self.training:
            return X
        axes = {"horizontal": [2], "vertical": [1], "horizontal_and_vertical": [2, 1]}[self.mode]
        self.cache["flips"] = [(axis, self.rng.random(len(X)) < 0.5) for axis in axes]
        return self._flip(X.copy(), self.cache["flips"])

    def _backward(self, dZ):
        if "flips" not in self.cache:
            return dZ
        return self._flip(dZ.copy(), list(reversed(self.cache["flips"])))

    def get_config(self):
        return {"mode": self.mode, **super().get_config()}
