"""Max, average and global average pooling on NHWC images."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.conv import conv_output_size, normalize_pad
from ..ops.pool import pool2d_backward, pool2d_forward
from .base import Layer, check_positive_int, register
from .conv import check_image_input, kernel_pair

MODES = ("max", "average")


@register("pool2d")
class Pool2D(Layer):
    """Max or average pooling over ``kernel_shape`` windows.

    Parameters
    ----------
    kernel_shape : int or (int, int)
    mode : {"max", "average"}, default "max"
    stride : int, default 1
    pad : "same", "valid", int or (int, int), default 0
        Max pooling pads with ``-inf``; average pooling pads with zeros and counts them in the
        window size (the assignment's rule, PyTorch's ``count_include_pad=True``).
    name : str, optional

    Notes
    -----
    Backward: max pooling sends each window's gradient to the window's first maximal entry
    (PyTorch's rule for ties); average pooling gives every entry ``1 / (kh*kw)`` of it.
    """

    def __init__(self, kernel_shape: Any, mode: str = "max", stride: int = 1, pad: Any = 0,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        kind = type(self).__name__
        self.kernel_shape = kernel_pair(kernel_shape, kind)
        if mode not in MODES:
            raise ValueError(f"{kind}: unknown mode {mode!r}; known modes: {', '.join(MODES)}")
        self.mode = mode
        self.stride = check_positive_int(stride, "stride", kind)
        self.pad = pad if isinstance(pad, (str, int)) else list(pad)
        self.padding = normalize_pad(pad, self.kernel_shape)

    def _build(self, input_shape):
        check_image_input(self, input_shape, self.kernel_shape, self.padding)

    def compute_output_shape(self, input_shape):
        check_image_input(self, input_shape, self.kernel_shape, self.padding)
        h, w = (conv_output_size(input_shape[i], self.kernel_shape[i], self.padding[i], self.stride) for i in (0, 1))
        return (h, w, input_shape[2])

    def _check_input(self, X):
        if X.ndim != 4:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 4-D NHWC input "
                             f"(batch, rows, cols, channels), got shape {X.shape}")
        if X.shape[3] != self.input_shape[2]:
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for {self.input_shape[2]} "
                             f"channels, got input of shape {X.shape}")
        check_image_input(self, X.shape[1:], self.kernel_shape, self.padding)

    def _forward(self, X):
        Z, self.cache["argmax"] = pool2d_forward(X, self.kernel_shape, self.stride, self.padding, self.mode,
                                                 with_argmax=self.training)
        self.cache["X_shape"] = X.shape
        return Z

    def _backward(self, dZ):
        return pool2d_backward(dZ, self.cache["X_shape"], self.cache["argmax"], self.kernel_shape, self.stride,
                               self.padding, self.mode)

    def get_config(self):
        return {"kernel_shape": list(self.kernel_shape), "mode": self.mode, "stride": self.stride,
                "pad": self.pad, **super().get_config()}


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


@register("global_avg_pool2d", aliases=("global_average_pool2d", "global_average_pooling2d"))
class GlobalAvgPool2D(Layer):
    """Mean over the two spatial axes: ``(n, h, w, c)`` -> ``(n, c)``."""

    def __init__(self, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)

    def _build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"GlobalAvgPool2D {self.name!r} expects 4-D NHWC input, "
                             f"got input of shape {(None, *input_shape)}")

    def compute_output_shape(self, input_shape):
        self._build(input_shape)
        return (input_shape[2],)

    def _forward(self, X):
        self.cache["X_shape"] = X.shape
        return X.mean(axis=(1, 2))

    def _backward(self, dZ):
        n, h, w, c = self.cache["X_shape"]
        return np.broadcast_to((dZ * (1.0 / (h * w)))[:, None, None, :], (n, h, w, c))


GlobalAveragePooling2D = GlobalAvgPool2D  # Keras's name


@register("global_max_pooling2d", aliases=("global_max_pool2d",))
class GlobalMaxPooling2D(Layer):
    """Maximum over the two spatial axes: ``(n, h, w, c)`` -> ``(n, c)``. The backward pass sends each
    gradient to the first maximal entry (row-major), as max pooling does."""

    def __init__(self, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"GlobalMaxPooling2D {self.name!r} expects 4-D NHWC input, "
                             f"got input of shape {(None, *input_shape)}")
        return (input_shape[2],)

    def _forward(self, X):
        flat = X.reshape(len(X), -1, X.shape[3])
        self.cache["X_shape"], self.cache["argmax"] = X.shape, flat.argmax(axis=1)
        return np.take_along_axis(flat, self.cache["argmax"][:, None, :], axis=1)[:, 0, :]

    def _backward(self, dZ):
        n, h, w, c = self.cache["X_shape"]
        dX = np.zeros((n, h * w, c), dtype=dZ.dtype)
        np.put_along_axis(dX, self.cache["argmax"][:, None, :], dZ[:, None, :], axis=1)
        return dX.reshape(n, h, w, c)
