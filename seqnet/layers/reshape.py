"""Layers that only rearrange or pass through values."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as _activations
from .base import Layer, register
from .data_format import DataFormat, check_data_format


@register("flatten")
class Flatten(DataFormat, Layer):
    """Flatten each example to a vector: ``(m, d1, d2, ...)`` -> ``(m, d1*d2*...)``.

    The order is numpy's (C order), so after an NHWC convolution the channel index varies fastest;
    ``data_format="channels_first"`` input is moved to channels-last first, as Keras does.
    """

    def __init__(self, data_format: Any = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.data_format = check_data_format(data_format, "Flatten")

    def get_config(self):
        return {"data_format": self.data_format, **super().get_config()}

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

    supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_input(self, X):
        """Any shape: the activation is elementwise (or over the last axis)."""

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
    noise_shape : tuple of int or None, optional
        The mask's shape, batch axis included, broadcast over the input: ``(None, 1, 1, None)``
        drops whole channels of NHWC images (``None``: the input's size on that axis).
    seed : int, optional
        Draw this layer's masks from a generator of its own, seeded so.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout: Invalid value received for argument `rate`. Expected a float value between 0 "
                             f"and 1 (1 itself would drop every unit). Received: rate={rate}")
        self.rate, self.seed = float(rate), seed
        self.noise_shape = _noise_shape(noise_shape)

    def build(self, input_shape, rng=None, dtype=None):
        super().build(input_shape, rng, dtype)
        if self.seed is not None:
            self.rng = np.random.default_rng(self.seed)

    def _check_input(self, X):
        """Any number of steps (or pixels): the inputs' rank only."""
        if X.ndim != len(self.input_shape) + 1:
            raise ValueError(f"Dropout {self.name!r} expects {len(self.input_shape) + 1}-D input, got shape {X.shape}")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _forward(self, X):
        if not self.training or self.rate == 0.0:
            self.cache["mask"] = None
            return X
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        shape = X.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != X.ndim:
                raise ValueError(f"Dropout {self.name!r}: noise_shape={self.noise_shape} has {len(self.noise_shape)} "
                                 f"axes, the input {X.ndim} (shape {X.shape})")
            shape = tuple(n if d is None else d for n, d in zip(X.shape, self.noise_shape))
        keep = self.rng.random(shape, dtype=dtype) >= self.rate
        mask = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=dtype)
        self.cache["mask"] = mask
        return X * mask

    def _backward(self, dZ):
        mask = self.cache["mask"]
        return dZ if mask is None else dZ * mask

    def get_config(self):
        noise = None if self.noise_shape is None else list(self.noise_shape)
        return {"rate": self.rate, "noise_shape": noise, "seed": self.seed, **super().get_config()}


def _noise_shape(noise_shape: Any) -> tuple[int | None, ...] | None:
    """Keras's checks of Dropout's ``noise_shape``: integers or None, positive."""
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError(f"Invalid value received for argument `noise_shape`. Expected a tuple or list of integers. "
                         f"Received: noise_shape={noise_shape}")
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"Invalid value received for argument `noise_shape`. Expected an iterable of integers "
                         f"(e.g., a tuple or list). Received: noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer))):
            raise ValueError(f"Invalid value received for argument `noise_shape`. Expected all elements to be "
                             f"integers or None. Received element at index {i}: {dim} (type: {type(dim).__name__})")
        if dim is not None and dim <= 0:
            raise ValueError(f"Invalid value received for argument `noise_shape`. Expected all dimensions to be "
                             f"positive integers or None. Received negative or zero value at index {i}: {dim}")
    return tuple(None if d is None else int(d) for d in noise_shape)


@register("re_lu")
class ReLU(Activation):
    """Keras's ``ReLU`` layer: ``Activation("relu")``, with Keras's ``max_value``, ``negative_slope``
    and ``threshold`` (:class:`seqnet.activations.ReLU`)."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        relu = _activations.ReLU(max_value, negative_slope, threshold)
        super().__init__({"class_name": "relu", "config": relu.get_config()}, name, input_shape=input_shape)

    max_value = property(lambda self: self.activation.max_value)
    negative_slope = property(lambda self: self.activation.negative_slope)
    threshold = property(lambda self: self.activation.threshold)

    def get_config(self):
        return {"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold,
                **Layer.get_config(self)}


@register("softmax")
class Softmax(DataFormat, Activation):
    """Keras's ``Softmax`` layer: ``Activation("softmax")`` over ``axis`` (the last by default; another
    is moved last at the layer's edge, :mod:`seqnet.layers.data_format`)."""

    def __init__(self, axis: int = -1, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"Softmax: seqnet normalises over one axis; received axis={axis!r}")
        super().__init__("softmax", name, input_shape=input_shape)
        self.axis = int(axis)

    def channel_axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Softmax {self.name!r}: axis={self.axis} is not an axis of {ndim}-D input")
        return self.axis % ndim

    def get_config(self):
        return {"axis": self.axis, **Layer.get_config(self)}


@register("leaky_re_lu")
class LeakyReLU(Activation):
    """Keras's ``LeakyReLU`` layer: ``negative_slope * z`` for negative ``z`` (Keras's default 0.3)."""

    def __init__(self, negative_slope: float = 0.3, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        if negative_slope is None or float(negative_slope) < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None or negative, "
                             f"Received: negative_slope={negative_slope}")
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
        if any(d < 0 and d != -1 for d in shape):
            raise ValueError(f"Reshape: each size in target_shape must be a non-negative integer or -1 (the one size "
                             f"inferred); received target_shape={shape!r}")
        if shape.count(-1) > 1:
            raise ValueError(f"Reshape: target_shape may have at most one unknown dimension (-1); received "
                             f"target_shape={shape!r}")
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


class _Padding(Layer):
    """Zeros around NHWC images (the work of :class:`ZeroPadding2D`)."""

    padding: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))

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


@register("zero_padding2d")
class ZeroPadding2D(DataFormat, _Padding):
    """Zeros around images: ``padding`` is an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``;
    ``data_format`` as :mod:`seqnet.layers.data_format` says."""

    def __init__(self, padding: Any = 1, data_format: Any = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.data_format = check_data_format(data_format, "ZeroPadding2D")
        try:
            if isinstance(padding, (int, np.integer)):
                pads = ((padding, padding), (padding, padding))
            elif len(padding) == 2 and all(isinstance(p, (int, np.integer)) for p in padding):
                pads = ((padding[0], padding[0]), (padding[1], padding[1]))
            else:
                pads = tuple(tuple(p) for p in padding)
            whole = all(isinstance(v, (int, np.integer)) for p in pads for v in p)
        except TypeError:
            pads, whole = (), False
        if not whole or len(pads) != 2 or any(len(p) != 2 or min(p) < 0 for p in pads):
            raise ValueError(f"ZeroPadding2D: expected an int, (rows, cols) or ((top, bottom), (left, right)) of "
                             f"non-negative ints, received padding={padding!r}")
        self.padding = tuple(tuple(int(v) for v in p) for p in pads)

    def get_config(self):
        return {"padding": [list(p) for p in self.padding], "data_format": self.data_format, **super().get_config()}


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
