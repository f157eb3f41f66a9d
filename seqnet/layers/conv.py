"""2-D convolution (cross-correlation) on NHWC images."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from ..ops import (Workspace, conv2d_backward_gemm, conv2d_backward_scipy, conv2d_backward_spectral,
                   conv2d_forward_gemm, conv2d_forward_scipy, conv2d_forward_spectral, normalize_pad)
from .base import Layer, check_positive_int, identifier_config, register

ENGINES = ("auto", "gemm", "spectral", "scipy")


def kernel_pair(kernel_shape: Any, layer: str) -> tuple[int, int]:
    """``(kh, kw)`` from an int or a pair of positive ints."""
    pair = (kernel_shape, kernel_shape) if isinstance(kernel_shape, (int, np.integer)) else tuple(kernel_shape)
    if len(pair) != 2:
        raise ValueError(f"{layer}: expected `kernel_shape` to be an int or a pair, received {kernel_shape!r}")
    return tuple(check_positive_int(k, "kernel_shape", layer) for k in pair)


def check_image_input(layer: Layer, input_shape: tuple[int, ...], kernel: tuple[int, int],
                      pad: tuple[int, int]) -> None:
    """Raise ``ValueError`` unless one example is ``(h, w, c)`` and fits the padded kernel."""
    kind = type(layer).__name__
    if len(input_shape) != 3:
        raise ValueError(f"{kind} {layer.name!r} expects 4-D NHWC input (batch, rows, cols, channels), "
                         f"got input of shape {(None, *input_shape)}")
    h, w = input_shape[0] + 2 * pad[0], input_shape[1] + 2 * pad[1]
    if kernel[0] > h or kernel[1] > w:
        raise ValueError(f"{kind} {layer.name!r}: kernel {kernel} is larger than the padded input "
                         f"{(h, w)} (input {input_shape[:2]}, padding {pad})")


def choose_engine(kernel_shape: tuple[int, int], stride: int, c_in: int) -> str:
    """The engine ``engine="auto"`` runs: "spectral" where it measured faster than "gemm", else "gemm".

    Measured on a 2-core machine (``benchmarks/bench_engines.py``, fwd+bwd): spectral took
    0.2-0.9x gemm's time on stride-1 layers with kernels of 15 or more taps (3x5, 4x4, 5x5, 7x7)
    and 3 to 128 input channels, but up to 2.3x with a single input channel; on 3x3 layers it
    took 0.65-0.95x with 128 input channels, 0.8-1.4x with 64 and 1.2-2.6x with 16 or fewer.
    """
    area = kernel_shape[0] * kernel_shape[1]
    if stride == 1 and ((area >= 15 and c_in >= 3) or (area >= 9 and c_in >= 128)):
        return "spectral"
    return "gemm"


@register("conv2d")
class Conv2D(Layer):
    r"""2-D convolution as cross-correlation, on NHWC input.

    .. math:: Z[n, i, j, f] = \sum_{a, b, c} X_{pad}[n, i s + a, j s + b, c]\, W[a, b, c, f] + b[f]

    Parameters
    ----------
    n_out : int
        Number of filters (output channels).
    kernel_shape : int or (int, int)
    activation : str, dict or seqnet.activations.Activation, default "linear"
    stride : int, default 1
    pad : "same", "valid", int or (int, int), default "same"
        "same" pads ``(k - 1) // 2`` on each side (the output keeps the input size for odd
        kernels and stride 1); output size is ``1 + (in + 2*pad - k) // stride``.
    weight_init : str, dict or Initializer, default "xavier_uniform"
    engine : {"auto", "gemm", "spectral", "scipy"}, default "auto"
        "gemm": im2col and BLAS matrix products. "spectral" (stride 1 only): the convolution
        theorem, with the Fourier transforms done as matrix products; several times faster
        than gemm for 5x5 and larger kernels. "scipy": ``scipy.signal.correlate`` (an
        independent cross-check, much slower). "auto" picks gemm or spectral when the layer is
        built (see :func:`~seqnet.layers.conv.choose_engine`); the choice is the attribute ``engine_used``.
    name : str, optional

    Notes
    -----
    Shapes: ``X`` ``(n, h, w, c_in)``, ``W`` ``(kh, kw, c_in, c_out)``, ``b`` ``(1, c_out)``,
    output ``(n, oh, ow, c_out)``.

    Examples
    --------
    >>> import numpy as np
    >>> from seqnet.layers import Conv2D
    >>> conv = Conv2D(8, (3, 3), activation="relu", stride=2)
    >>> conv.forward(np.zeros((4, 28, 28, 1))).shape
    (4, 14, 14, 8)
    >>> conv.parameters["W"].shape, conv.parameters["b"].shape
    ((3, 3, 1, 8), (1, 8))
    """

    def __init__(self, n_out: int, kernel_shape: Any, activation: Any = "linear", stride: int = 1,
                 pad: Any = "same", weight_init: Any = "xavier_uniform", engine: str = "auto",
                 name: str | None = None) -> None:
        super().__init__(activation, name)
        self.n_out = check_positive_int(n_out, "n_out", "Conv2D")
        self.kernel_shape = kernel_pair(kernel_shape, "Conv2D")
        self.stride = check_positive_int(stride, "stride", "Conv2D")
        self.pad_arg = pad if isinstance(pad, (str, int)) else list(pad)
        self.pad = normalize_pad(pad, self.kernel_shape)
        if engine not in ENGINES:
            raise ValueError(f"Conv2D: unknown engine {engine!r}; known engines: {', '.join(ENGINES)}")
        if engine == "spectral" and self.stride != 1:
            raise ValueError(f"Conv2D: engine 'spectral' computes stride-1 convolutions only, got stride "
                             f"{self.stride}; use engine 'gemm' or 'auto'")
        self.engine = engine
        self.engine_used: str | None = None if engine == "auto" else engine
        self._weight_init_id = weight_init
        self.weight_init = initializers.get(weight_init, activation=self.activation)
        self.n_in: int | None = None

    def _build(self, input_shape):
        check_image_input(self, input_shape, self.kernel_shape, self.pad)
        self.n_in = input_shape[2]
        if self.engine == "auto":
            self.engine_used = choose_engine(self.kernel_shape, self.stride, self.n_in)
        self.splits_batch = self.engine_used != "scipy"
        W_shape = (*self.kernel_shape, self.n_in, self.n_out)
        self.parameters["W"] = self.weight_init(W_shape, self.rng, self.dtype)
        self.parameters["b"] = np.zeros((1, self.n_out), dtype=self.dtype)

    def _check_input(self, X):
        if X.ndim != 4:
            raise ValueError(f"Conv2D {self.name!r} expects 4-D NHWC input (batch, rows, cols, channels), "
                             f"got shape {X.shape}")
        if X.shape[3] != self.n_in:
            raise ValueError(f"Conv2D {self.name!r} was built for {self.n_in} input channels, "
                             f"got input of shape {X.shape} with {X.shape[3]}")
        check_image_input(self, X.shape[1:], self.kernel_shape, self.pad)

    def _forward(self, X):
        W, b = self.parameters["W"], self.parameters["b"]
        self.cache["X_shape"] = X.shape
        if self.engine_used == "scipy":
            self.cache["X"] = X
            return conv2d_forward_scipy(X, W, b, self.stride, self.pad)
        workspace = self.cache.setdefault("workspace", Workspace())
        if self.engine_used == "spectral":
            return conv2d_forward_spectral(X, W, b, self.pad, workspace)
        self.cache["X"] = X
        return conv2d_forward_gemm(X, W, b, self.stride, self.pad, workspace)

    def _backward(self, dZ):
        W = self.parameters["W"]
        if self.engine_used == "scipy":
            dX, dW, db = conv2d_backward_scipy(dZ, self.cache["X"], W, self.stride, self.pad)
        elif self.engine_used == "spectral":
            dX, dW, db = conv2d_backward_spectral(dZ, self.cache["X_shape"], W, self.pad, self.cache["workspace"],
                                                  need_dX=self.need_input_gradient)
        else:
            dX, dW, db = conv2d_backward_gemm(dZ, self.cache["X"], W, self.stride, self.pad, self.cache["workspace"],
                                              need_dX=self.need_input_gradient)
        self.gradients["W"][...] = dW
        self.gradients["b"][...] = db
        return dX

    def get_config(self):
        return {"n_out": self.n_out, "kernel_shape": list(self.kernel_shape),
                "activation": self._activation_config(), "stride": self.stride, "pad": self.pad_arg,
                "weight_init": identifier_config(self._weight_init_id, self.weight_init),
                "engine": self.engine, **super().get_config()}
