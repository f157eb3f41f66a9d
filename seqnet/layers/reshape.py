"""Layers that only rearrange or pass through values."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer, register


@register("flatten")
class Flatten(Layer):
    """Flatten each example to a vector: ``(m, d1, d2, ...)`` -> ``(m, d1*d2*...)``.

    The order is numpy's (C order), so after an NHWC convolution the channel index varies fastest.
    """

    def __init__(self, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def _forward(self, X):
        self.cache["shape"] = X.shape
        return X.reshape(X.shape[0], -1)

    def _backward(self, dZ):
        return dZ.reshape(self.cache["shape"])


@register("activation")
class Activation(Layer):
    """A layer that applies an activation function on its own.

    Parameters
    ----------
    activation : str, dict or seqnet.activations.Activation
        For example ``"relu"`` or ``"softmax"``.
    """

    def __init__(self, activation: Any, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(activation, name, input_shape=input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"activation": self._activation_config(), **super().get_config()}


@register("dropout")
class Dropout(Layer):
    r"""Inverted dropout.

    In training each unit is kept with probability :math:`1 - r` and scaled by :math:`1/(1-r)`;
    the backward pass multiplies by the same mask. At inference it is the identity.

    Parameters
    ----------
    rate : float
        Fraction of units to drop, in ``[0, 1)``.
    """

    def __init__(self, rate: float, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout: expected `rate` in [0, 1), received rate={rate}")
        self.rate = float(rate)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _forward(self, X):
        if not self.training or self.rate == 0.0:
            self.cache["mask"] = None
            return X
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        keep = self.rng.random(X.shape, dtype=dtype) >= self.rate
        mask = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=dtype)
        self.cache["mask"] = mask
        return X * mask

    def _backward(self, dZ):
        mask = self.cache["mask"]
        return dZ if mask is None else dZ * mask

    def get_config(self):
        return {"rate": self.rate, **super().get_config()}


class Input:
    """Keras's ``Input(shape=...)``: put first in a model, it builds the model for examples of ``shape``
    at once, so that ``summary()`` works before ``fit``. It is not a layer of the model.

    Examples
    --------
    >>> import seqnet
    >>> from seqnet.layers import Dense, Input
    >>> model = seqnet.Sequential([Input(shape=(4,)), Dense(3)])
    >>> model.output_shape
    (None, 3)
    """

    def __init__(self, shape: tuple[int, ...]) -> None:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not shape or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in shape):
            raise ValueError(f"Input: expected `shape` to be a tuple of positive integers (one example, no batch "
                             f"axis), received shape={shape!r}")
        self.shape = tuple(int(d) for d in shape)

    def __repr__(self) -> str:
        return f"Input(shape={self.shape})"
