"""Max, average and global average pooling on NHWC images."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.conv import pad_after
from ..ops.pool import pool2d_backward, pool2d_forward
from .base import Layer, check_positive_int, register
from .conv import Padded, kernel_pair
from .data_format import DataFormat, check_data_format

MODES = ("max", "average")


@register("pool2d")
class Pool2D(Padded, Layer):
    """Max or average pooling over ``kernel_shape`` windows.

    Parameters
    ----------
    kernel_shape : int or (int, int)
    mode : {"max", "average"}, default "max"
    stride : int, default 1
    pad : "same", "valid", int or (int, int), default 0
        seqnet's padding, equal on both sides; or ``padding=`` (keyword, Keras's meaning, see
        :class:`MaxPooling2D`).
        Max pooling pads with ``-inf``; average pooling pads with zeros and counts them in the
        window size (the assignment's rule, PyTorch's ``count_include_pad=True``).
    name : str, optional

    Notes
    -----
    Backward: max pooling sends each window's gradient to the window's first maximal entry
    (PyTorch's rule for ties); average pooling gives every entry ``1 / (kh*kw)`` of it.
    """

    def __init__(self, kernel_shape: Any, mode: str = "max", stride: int = 1, pad: Any = None,
                 name: str | None = None, *, padding: str | None = None,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        kind = type(self).__name__
        self.kernel_shape = kernel_pair(kernel_shape, kind)
        if mode not in MODES:
            raise ValueError(f"{kind}: unknown mode {mode!r}; known modes: {', '.join(MODES)}")
        self.mode = mode
        self.stride = check_positive_int(stride, "stride", kind)
        self._set_padding(pad, padding, 0, kind)

    def weight_shapes(self, input_shape):
        self._window_output(input_shape)
        return {}

    def _build(self, input_shape):
        self._window_output(input_shape)
        even, self._extra = self._split_pads(self.pads(input_shape))
        self._even = even
        self._scale = None
        if self.mode == "average" and self.padding == "same":  # Keras leaves the padding out of the count
            ones = pad_after(np.ones((1, *input_shape[:2], 1), dtype=self.dtype), self._extra)
            counts = pool2d_forward(ones, self.kernel_shape, self.stride, even, "average", with_argmax=False)[0]
            self._scale = np.reciprocal(counts)  # 1 / (fraction of each window inside the image)

    def compute_output_shape(self, input_shape):
        return (*self._window_output(input_shape), input_shape[2])

    def _check_input(self, X):
        if X.ndim != 4:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 4-D NHWC input "
                             f"(batch, rows, cols, channels), got shape {X.shape}")
        if X.shape[3] != self.input_shape[2]:
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for {self.input_shape[2]} "
                             f"channels, got input of shape {X.shape}")
        self._check_size(X)

    def _forward(self, X):
        X = pad_after(X, self._extra, -np.inf if self.mode == "max" else 0.0)
        Z, self.cache["argmax"] = pool2d_forward(X, self.kernel_shape, self.stride, self._even, self.mode,
                                                 with_argmax=self.training)
        self.cache["X_shape"] = X.shape
        return Z if self._scale is None else Z * self._scale

    def _backward(self, dZ):
        if self._scale is not None:
            dZ = dZ * self._scale
        dX = pool2d_backward(dZ, self.cache["X_shape"], self.cache["argmax"], self.kernel_shape, self.stride,
                             self._even, self.mode)
        return dX[:, :self.input_shape[0], :self.input_shape[1]] if any(self._extra) else dX

    def get_config(self):
        return {"kernel_shape": list(self.kernel_shape), "mode": self.mode, "stride": self.stride,
                **self._padding_config(), **super().get_config()}


class _FixedModePool(Pool2D):
    """Pool2D with its mode fixed by the subclass and ``stride`` defaulting to the kernel size (Keras)."""

    pool_mode = "max"

    def __init__(self, kernel_shape: Any = 2, stride: int | None = None, pad: Any = 0,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        k = kernel_pair(kernel_shape, type(self).__name__)
        super().__init__(k, self.pool_mode, k[0] if stride is None else stride, pad, name, input_shape=input_shape)

    def get_config(self):
        config = super().get_config()
        del config["mode"]
        return config


@register("max_pool2d", aliases=("maxpool2d",))
class MaxPool2D(_FixedModePool):
    """Max pooling; ``stride`` defaults to the kernel size (non-overlapping windows), as in Keras."""

    pool_mode = "max"


@register("avg_pool2d", aliases=("average_pool2d", "avgpool2d"))
class AvgPool2D(_FixedModePool):
    """Average pooling; ``stride`` defaults to the kernel size, as in Keras."""

    pool_mode = "average"


class _KerasPool(DataFormat, Pool2D):
    """Keras's pooling arguments: ``pool_size``, ``strides`` (default: the pool size), ``padding``
    ("valid" or "same", Keras's meaning: for average pooling the padding is left out of the count),
    ``data_format`` (:mod:`seqnet.layers.data_format`)."""

    pool_mode = "max"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid", data_format: Any = None,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        kind = type(self).__name__
        self.data_format = check_data_format(data_format, kind)
        k = kernel_pair(pool_size, kind)
        if isinstance(strides, (tuple, list)):
            if len(set(strides)) != 1:
                raise ValueError(f"{kind}: seqnet pools with one stride for both axes, received strides={strides!r}")
            strides = strides[0]
        super().__init__(k, self.pool_mode, k[0] if strides is None else strides, None, name, padding=padding,
                         input_shape=input_shape)

    def get_config(self):
        return {"pool_size": list(self.kernel_shape), "strides": self.stride, "padding": self.padding,
                "data_format": self.data_format, **Layer.get_config(self)}


@register("max_pooling2d")
class MaxPooling2D(_KerasPool):
    """Keras's ``MaxPooling2D(pool_size=2, strides=None, padding="valid")``."""

    pool_mode = "max"


@register("average_pooling2d")
class AveragePooling2D(_KerasPool):
    """Keras's ``AveragePooling2D(pool_size=2, strides=None, padding="valid")``; with ``"same"`` each
    window's mean is over the entries inside the image only."""

    pool_mode = "average"


class _SpatialReduction(Layer):
    """A reduction over the two spatial axes of channels-last input: ``(n, h, w, c)`` -> ``(n, c)``,
    or ``(n, 1, 1, c)`` with ``keepdims``."""

    keepdims = False

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 4-D NHWC input, "
                             f"got input of shape {(None, *input_shape)}")
        return (1, 1, input_shape[2]) if self.keepdims else (input_shape[2],)

    def _build(self, input_shape):
        self.compute_output_shape(input_shape)

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        return {}


class _GlobalPool(DataFormat, _SpatialReduction):
    """:class:`_SpatialReduction` with Keras's ``data_format`` (:mod:`seqnet.layers.data_format`)
    and ``keepdims``."""

    def __init__(self, data_format: Any = None, keepdims: bool = False, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def get_config(self):
        return {"data_format": self.data_format, "keepdims": self.keepdims, **super().get_config()}


@register("global_avg_pool2d", aliases=("global_average_pool2d", "global_average_pooling2d"))
class GlobalAvgPool2D(_GlobalPool):
    """Mean over the two spatial axes: ``(n, h, w, c)`` -> ``(n, c)``."""

    def _forward(self, X):
        self.cache["X_shape"] = X.shape
        return X.mean(axis=(1, 2), keepdims=self.keepdims)

    def _backward(self, dZ):
        n, h, w, c = self.cache["X_shape"]
        return np.broadcast_to((dZ.reshape(n, c) * (1.0 / (h * w)))[:, None, None, :], (n, h, w, c))


GlobalAveragePooling2D = GlobalAvgPool2D  # Keras's name


@register("global_max_pooling2d", aliases=("global_max_pool2d",))
class GlobalMaxPooling2D(_GlobalPool):
    """Maximum over the two spatial axes: ``(n, h, w, c)`` -> ``(n, c)``. The backward pass sends each
    gradient to the first maximal entry (row-major), as max pooling does."""

    def _forward(self, X):
        flat = X.reshape(len(X), -1, X.shape[3])
        self.cache["X_shape"], self.cache["argmax"] = X.shape, flat.argmax(axis=1)
        Z = np.take_along_axis(flat, self.cache["argmax"][:, None, :], axis=1)[:, 0, :]
        return Z[:, None, None, :] if self.keepdims else Z

    def _backward(self, dZ):
        n, h, w, c = self.cache["X_shape"]
        dX = np.zeros((n, h * w, c), dtype=dZ.dtype)
        np.put_along_axis(dX, self.cache["argmax"][:, None, :], dZ.reshape(n, 1, c), axis=1)
        return dX.reshape(n, h, w, c)
