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


@register("re_lu")
class ReLU(Activation):
    """Keras's ``ReLU`` layer: ``Activation("relu")``."""

    def __init__(self, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__("relu", name, input_shape=input_shape)

    def get_config(self):
        return Layer.get_config(self)


@register("softmax")
class Softmax(Activation):
    """Keras's ``Softmax`` layer over the last axis: ``Activation("softmax")``."""

    def __init__(self, axis: int = -1, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        if axis != -1:
            raise ValueError(f"Softmax: seqnet normalises over the last axis only; received axis={axis!r}")
        super().__init__("softmax", name, input_shape=input_shape)

    def get_config(self):
        return Layer.get_config(self)


@register("leaky_re_lu")
class LeakyReLU(Activation):
    """Keras's ``LeakyReLU`` layer: ``negative_slope * z`` for negative ``z`` (Keras's default 0.3)."""

    def __init__(self, negative_slope: float = 0.3, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__({"class_name": "leaky_relu", "config": {"alpha": float(negative_slope)}}, name,
                         input_shape=input_shape)
        self.negative_slope = float(negative_slope)

    def get_config(self):
        return {"negative_slope": self.negative_slope, **Layer.get_config(self)}


@register("elu")
class ELU(Activation):
    """Keras's ``ELU`` layer: ``alpha * (exp(z) - 1)`` for negative ``z``."""

    def __init__(self, alpha: float = 1.0, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__({"class_name": "elu", "config": {"alpha": float(alpha)}}, name, input_shape=input_shape)
        self.alpha = float(alpha)

    def get_config(self):
        return {"alpha": self.alpha, **Layer.get_config(self)}


@register("reshape")
class Reshape(Layer):
    """Reshape each example to ``target_shape`` (one entry may be -1), in numpy's C order.

    Parameters
    ----------
    target_shape : tuple of int
    """

    def __init__(self, target_shape: Any, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        shape = tuple(int(d) for d in target_shape)
        if shape.count(-1) > 1 or any(d < 1 and d != -1 for d in shape):
            raise ValueError(f"Reshape: expected positive sizes and at most one -1, received target_shape={shape!r}")
        self.target_shape = shape

    def compute_output_shape(self, input_shape):
        size, known = int(np.prod(input_shape)), int(np.prod([d for d in self.target_shape if d != -1]))
        if (-1 in self.target_shape and size % known) or (-1 not in self.target_shape and size != known):
            raise ValueError(f"Reshape {self.name!r}: cannot reshape examples of shape {tuple(input_shape)} "
                             f"({size} values) to {self.target_shape}")
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def _forward(self, X):
        self.cache["shape"] = X.shape
        return X.reshape(len(X), *self.compute_output_shape(X.shape[1:]))

    def _backward(self, dZ):
        return dZ.reshape(self.cache["shape"])

    def get_config(self):
        return {"target_shape": list(self.target_shape), **super().get_config()}


@register("zero_padding2d")
class ZeroPadding2D(Layer):
    """Zeros around NHWC images: ``padding`` is an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    def __init__(self, padding: Any = 1, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if isinstance(padding, (int, np.integer)):
            pads = ((padding, padding), (padding, padding))
        elif len(padding) == 2 and all(isinstance(p, (int, np.integer)) for p in padding):
            pads = ((padding[0], padding[0]), (padding[1], padding[1]))
        else:
            pads = tuple(tuple(p) for p in padding)
        if len(pads) != 2 or any(len(p) != 2 or min(p) < 0 for p in pads):
            raise ValueError(f"ZeroPadding2D: expected an int, (rows, cols) or ((top, bottom), (left, right)) of "
                             f"non-negative ints, received padding={padding!r}")
        self.padding = tuple(tuple(int(v) for v in p) for p in pads)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"ZeroPadding2D {self.name!r} expects NHWC input, got input of shape "
                             f"{(None, *input_shape)}")
        (t, b), (l, r) = self.padding
        return (input_shape[0] + t + b, input_shape[1] + l + r, input_shape[2])

    def _forward(self, X):
        return np.pad(X, ((0, 0), *self.padding, (0, 0)))

    def _backward(self, dZ):
        (t, b), (l, r) = self.padding
        return dZ[:, t:dZ.shape[1] - b, l:dZ.shape[2] - r, :]

    def get_config(self):
        return {"padding": [list(p) for p in self.padding], **super().get_config()}


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

    def __array__(self, *args: object, **kwargs: object) -> np.ndarray:
        raise TypeError(f"{self!r} is not data: calling a layer on an Input builds a functional model, which seqnet "
                        f"does not run; put it first in a Sequential instead, Sequential([Input(shape), layer, ...]) "
                        f"(see the guide 'Coming from Keras')")

    def __repr__(self) -> str:
        return f"Input(shape={self.shape})"
