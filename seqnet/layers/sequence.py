"""Layers over the steps of sequences ``(batch, steps, channels)``: Conv1D and 1-D pooling.

They run on the image layers' kernels, a sequence being an image one row high: Conv1D through
the convolution engines (:mod:`seqnet.ops.engines`) with a ``1 x k`` kernel, the pooling layers
through Keras-style 2-D pooling with ``1 x k`` windows.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from ..ops.engines import check_engine, make_engine
from ..ops.conv import keras_same_padding
from .base import Layer, check_positive_int, identifier_config, register
from .pooling import AveragePooling2D, MaxPooling2D

PADDINGS = ("valid", "same", "causal")


def _single(value: Any, what: str, layer: str) -> int:
    """An int from ``value`` or a 1-tuple of it (Keras's spellings)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return check_positive_int(value, what, layer)


def _check_steps(layer: Layer, input_shape: tuple[int, ...]) -> None:
    if len(input_shape) != 2:
        raise ValueError(f"{type(layer).__name__} {layer.name!r} expects input of shape (batch, steps, channels), "
                         f"got {(None, *input_shape)}")


@register("conv1d")
class Conv1D(Layer):
    """1-D convolution (cross-correlation) over the steps: ``(n, steps, c_in)`` -> ``(n, out, filters)``.

    Parameters
    ----------
    filters : int
    kernel_size : int
    strides : int, default 1
    padding : {"valid", "same", "causal"}, default "valid"
        Keras's meanings: "same" keeps ``ceil(steps / strides)`` outputs (an odd padding puts the
        extra zero at the end), "causal" pads only the start, so that output ``t`` reads no input
        after ``t``.
    dilation_rate : int, default 1
        Taps ``dilation_rate`` steps apart (computed as a kernel with zeros between its taps).
    activation, weight_init, bias_init, use_bias, engine, name : as :class:`~seqnet.layers.Conv2D`

    Notes
    -----
    ``W`` is ``(kernel_size, c_in, filters)`` (Keras's ``kernel``), ``b`` ``(1, filters)``.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 dilation_rate: Any = 1, activation: Any = "linear", weight_init: Any = "xavier_uniform",
                 bias_init: Any = "zeros", use_bias: bool = True, engine: str = "auto", name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(activation, name, input_shape=input_shape)
        self._set_bias_init(use_bias, bias_init)
        self.filters = check_positive_int(filters, "filters", "Conv1D")
        self.kernel_size = _single(kernel_size, "kernel_size", "Conv1D")
        self.strides = _single(strides, "strides", "Conv1D")
        self.dilation_rate = _single(dilation_rate, "dilation_rate", "Conv1D")
        if padding not in PADDINGS:
            raise ValueError(f"Conv1D: padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
        if self.strides > 1 and self.dilation_rate > 1:
            raise ValueError("Conv1D: strides > 1 with dilation_rate > 1 is not supported (nor is it in Keras)")
        self.padding = padding
        self.span = (self.kernel_size - 1) * self.dilation_rate + 1  # the steps one output reads
        check_engine(engine, (1, self.span), self.strides)
        self.engine = engine
        self._weight_init_id = weight_init
        self.weight_init = initializers.get(weight_init, activation=self.activation)
        self.conv_engine = None
        self.n_in: int | None = None

    def pads(self, steps: int) -> tuple[int, int]:
        """The zeros added before and after the steps."""
        if self.padding == "causal":
            return self.span - 1, 0
        if self.padding == "same":
            return keras_same_padding(steps, self.span, self.strides)
        return 0, 0

    def compute_output_shape(self, input_shape):
        _check_steps(self, input_shape)
        out = (input_shape[0] + sum(self.pads(input_shape[0])) - self.span) // self.strides + 1
        if out < 1:
            raise ValueError(f"Conv1D {self.name!r}: {input_shape[0]} steps are too few for a kernel spanning "
                             f"{self.span} with padding {self.padding!r}")
        return (out, self.filters)

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        return {"W": (self.kernel_size, input_shape[1], self.filters),
                **({"b": (1, self.filters)} if self.use_bias else {})}

    def _build(self, input_shape):
        shape = self.weight_shapes(input_shape)["W"]
        self.n_in = input_shape[1]
        self.parameters["W"] = self.weight_init(shape, rng=self.rng, dtype=self.dtype)
        self.set_bias((1, self.filters))
        self.conv_engine = make_engine(self.engine, (1, self.span), self.strides, (0, 0), self.n_in)

    @property
    def engine_used(self) -> str | None:
        return None if self.conv_engine is None else self.conv_engine.name

    def _check_input(self, X):
        if X.ndim != 3 or X.shape[2] != self.n_in:
            raise ValueError(f"Conv1D {self.name!r} expects input of shape (batch, steps, {self.n_in}), "
                             f"got {X.shape}")
        self.compute_output_shape(X.shape[1:])

    def _kernel(self) -> np.ndarray:
        """``W`` as the engines' ``(1, span, c_in, filters)`` kernel, zeros between dilated taps."""
        W = self.parameters["W"]
        if self.dilation_rate == 1:
            return W[None]
        K = np.zeros((1, self.span, *W.shape[1:]), dtype=W.dtype)
        K[0, ::self.dilation_rate] = W
        return K

    def _forward(self, X):
        before, after = self.pads(X.shape[1])
        if before or after:
            X = np.pad(X, ((0, 0), (before, after), (0, 0)))
        K = self._kernel()
        Z, kept = self.conv_engine.forward(X[:, None], K, self.bias_array)
        self.cache.update(kept=kept, K=K, steps=X.shape[1] - before - after, before=before)
        return Z[:, 0]

    def _backward(self, dZ):
        dX, dK, db = self.conv_engine.backward(np.ascontiguousarray(dZ[:, None]), self.cache["K"],
                                               self.cache["kept"], need_dX=self.need_input_gradient)
        self.gradients["W"][...] = dK[0, ::self.dilation_rate]
        self.bias_gradient[...] = db
        if dX is None:
            return None
        before = self.cache["before"]
        return np.ascontiguousarray(dX[:, 0, before:before + self.cache["steps"]])

    def clear_cache(self):
        super().clear_cache()
        if self.conv_engine is not None:
            self.conv_engine.release()

    def get_config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "dilation_rate": self.dilation_rate,
                "activation": self._activation_config(),
                "weight_init": identifier_config(self._weight_init_id, self.weight_init),
                "engine": self.engine, **self._bias_config(), **super().get_config()}


class _Pool1D(Layer):
    """Keras's 1-D pooling: a 2-D pooling layer of ``1 x pool_size`` windows on the sequence as one row."""

    pool_class: Any = MaxPooling2D

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid", name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        kind = type(self).__name__
        self.pool_size = _single(pool_size, "pool_size", kind)
        self.strides = self.pool_size if strides is None else _single(strides, "strides", kind)
        self.padding = padding
        self.rows = self.pool_class((1, self.pool_size), self.strides, padding)  # checks padding

    def compute_output_shape(self, input_shape):
        _check_steps(self, input_shape)
        return self.rows.compute_output_shape((1, *input_shape))[1:]

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        return {}

    def _build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.rows.build((1, *input_shape), dtype=self.dtype)

    def _check_input(self, X):
        if X.ndim != 3 or X.shape[1:] != self.input_shape:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects input of shape "
                             f"{(None, *self.input_shape)}, got {X.shape}")

    def _forward(self, X):
        self.rows.training = self.training
        return self.rows.forward(X[:, None])[:, 0]

    def _backward(self, dZ):
        return self.rows.backward(dZ[:, None])[:, 0]

    def get_config(self):
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                **super().get_config()}


@register("max_pooling1d")
class MaxPooling1D(_Pool1D):
    """Keras's ``MaxPooling1D(pool_size=2, strides=None, padding="valid")``."""

    pool_class = MaxPooling2D


@register("average_pooling1d")
class AveragePooling1D(_Pool1D):
    """Keras's ``AveragePooling1D(pool_size=2, strides=None, padding="valid")`` (with "same", the
    padding is left out of each window's count)."""

    pool_class = AveragePooling2D


class _GlobalPool1D(Layer):
    """A reduction over the steps: ``(n, steps, c)`` -> ``(n, c)``, or ``(n, 1, c)`` with ``keepdims``."""

    supports_masking = True

    def __init__(self, keepdims: bool = False, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape):
        _check_steps(self, input_shape)
        return (1, input_shape[1]) if self.keepdims else (input_shape[1],)

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        return {}

    def _check_input(self, X):
        if X.ndim != 3 or X.shape[2] != self.input_shape[1]:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects input of shape (batch, steps, "
                             f"{self.input_shape[1]}), got {X.shape}")

    def compute_mask(self, mask):
        return None

    def get_config(self):
        return {"keepdims": self.keepdims, **super().get_config()}


@register("global_average_pooling1d")
class GlobalAveragePooling1D(_GlobalPool1D):
    """Mean over the steps; with a mask of padded steps, over the others only (as Keras)."""

    def _forward(self, X):
        mask = self.input_mask
        if mask is None:
            weights = np.full(X.shape[:2], 1.0 / X.shape[1], dtype=X.dtype)
        else:
            m = np.asarray(mask, dtype=X.dtype)
            weights = m / m.sum(axis=1, keepdims=True)  # a fully masked row divides by zero, as Keras's
        self.cache["weights"] = weights
        Z = np.einsum("nt,ntc->nc", weights, X)
        return Z[:, None] if self.keepdims else Z

    def _backward(self, dZ):
        return self.cache["weights"][:, :, None] * dZ.reshape(len(dZ), 1, -1)


@register("global_max_pooling1d")
class GlobalMaxPooling1D(_GlobalPool1D):
    """Maximum over the steps (a mask is ignored, as by Keras's); the gradient goes to the first
    maximal step."""

    def _forward(self, X):
        self.cache["argmax"], self.cache["shape"] = X.argmax(axis=1), X.shape
        Z = np.take_along_axis(X, self.cache["argmax"][:, None], axis=1)[:, 0]
        return Z[:, None] if self.keepdims else Z

    def _backward(self, dZ):
        dX = np.zeros(self.cache["shape"], dtype=dZ.dtype)
        np.put_along_axis(dX, self.cache["argmax"][:, None], dZ.reshape(len(dZ), 1, -1), axis=1)
        return dX
