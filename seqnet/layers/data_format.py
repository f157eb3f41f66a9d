"""Keras's ``data_format`` (and BatchNormalization's ``axis``) for layers written for seqnet's
channels-last layout (``(n, h, w, c)``): the input's channel axis is moved last at the layer's
edge, and moved back in an output of the input's rank. The layer's own work, and its weights,
stay channels-last."""
from __future__ import annotations

from typing import Any

import numpy as np

FORMATS = ("channels_last", "channels_first")


def check_data_format(value: Any, who: str) -> str:
    """``value`` as one of :data:`FORMATS` (``None``: ``"channels_last"``, Keras's default)."""
    found = "channels_last" if value is None else str(value).lower()
    if found not in FORMATS:
        raise ValueError(f"{who}: The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                         f"Received: data_format={value!r}")
    return found


class DataFormat:
    """Mixed in before a channels-last layer. :meth:`channel_axis` says where the input's channels
    are (an axis of the batch, the batch axis 0); shapes are one example's (no batch axis)."""

    data_format = "channels_last"

    def channel_axis(self, ndim: int) -> int:
        """The axis of an ``ndim``-dimensional batch that holds the channels."""
        return 1 if self.data_format == "channels_first" and ndim >= 3 else ndim - 1

    def _moved(self, ndim: int) -> int | None:
        axis = self.channel_axis(ndim)
        return None if axis == ndim - 1 else axis

    def _to_last(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        axis, shape = self._moved(len(shape) + 1), tuple(shape)
        return shape if axis is None else (*shape[:axis - 1], *shape[axis:], shape[axis - 1])

    def _to_input_layout(self, out: tuple[int, ...], ndim: int) -> tuple[int, ...]:
        axis, out = self._moved(ndim), tuple(out)
        if axis is None or len(out) != ndim - 1:
            return out
        return (*out[:axis - 1], out[-1], *out[axis - 1:-1])

    def build(self, input_shape: tuple[int, ...], rng: Any = None, dtype: Any = None) -> None:
        super().build(self._to_last(input_shape), rng, dtype)

    def adopt(self, input_shape: tuple[int, ...], dtype: Any) -> None:
        super().adopt(self._to_last(input_shape), dtype)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        out = super().compute_output_shape(self._to_last(input_shape))
        return self._to_input_layout(out, len(input_shape) + 1)

    def weight_shapes(self, input_shape: tuple[int, ...]) -> Any:
        return super().weight_shapes(self._to_last(input_shape))

    def forward(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        axis = self._moved(X.ndim)
        if axis is None:
            self.cache.pop("moved", None)
            return super().forward(X)
        if not self.built:  # from the shape as given (the forward pass below sees it channels-last)
            self.build(X.shape[1:], dtype=X.dtype if X.dtype.kind == "f" else None)
        self.cache["moved"] = (axis, X.ndim)
        Y = super().forward(np.ascontiguousarray(np.moveaxis(X, axis, -1)))
        return np.moveaxis(Y, -1, axis) if Y.ndim == X.ndim else Y


    def backward(self, dLdY: np.ndarray) -> np.ndarray:
        return self._through(super().backward, dLdY)

    def backward_preactivation(self, dLdZ: np.ndarray) -> np.ndarray:
        return self._through(super().backward_preactivation, dLdZ)

    def _through(self, step: Any, gradient: np.ndarray) -> np.ndarray:
        axis, ndim = self.cache.get("moved", (None, None))
        if axis is None:
            return step(gradient)
        if gradient.ndim == ndim:
            gradient = np.ascontiguousarray(np.moveaxis(gradient, axis, -1))
        dX = step(gradient)
        return None if dX is None else np.moveaxis(dX, -1, axis)
