"""Layers that prepare the input inside the model, as Keras's preprocessing layers: ``Rescaling``
(``x * scale + offset``) here, ``Normalization`` (to zero mean and unit variance, from
``adapt(data)``) in :mod:`seqnet.layers.normalization_stats`. The random ones, for training, are in
:mod:`seqnet.layers.augmentation`.

Each has a backward pass, so it may sit anywhere in a model; at the front (where they usually
are) nothing asks for it.
"""
from __future__ import annotations

from typing import Any

from .base import Layer, register

@register("rescaling")
class Rescaling(Layer):
    """``x * scale + offset`` (``Rescaling(1 / 255)`` turns bytes into [0, 1])."""

    supports_masking = True

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
