"""2-D convolution (cross-correlation) on NHWC images."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from ..ops.conv import keras_same_padding, normalize_pad, pad_after
from ..ops.engines import ConvEngine, check_engine, make_engine
from .._registry import either
from .base import Layer, check_positive_int, identifier_config, register


def kernel_pair(kernel_shape: Any, layer: str) -> tuple[int, int]:
    """``(kh, kw)`` from an int or a pair of positive ints."""
    pair = (kernel_shape, kernel_shape) if isinstance(kernel_shape, (int, np.integer)) else tuple(kernel_shape)
    if len(pair) != 2:
        raise ValueError(f"{layer}: expected `kernel_shape` to be an int or a pair, received {kernel_shape!r}")
    return tuple(check_positive_int(k, "kernel_shape", layer) for k in pair)


Pads = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


def check_image_input(layer: Layer, input_shape: tuple[int, ...], kernel: tuple[int, int], pads: Pads) -> None:
    """Raise ``ValueError`` unless one example is ``(h, w, c)`` and fits the padded kernel."""
    kind = type(layer).__name__
    if len(input_shape) != 3:
        raise ValueError(f"{kind} {layer.name!r} expects 4-D NHWC input (batch, rows, cols, channels), "
                         f"got input of shape {(None, *input_shape)}")
    h, w = input_shape[0] + sum(pads[0]), input_shape[1] + sum(pads[1])
    if kernel[0] > h or kernel[1] > w:
        raise ValueError(f"{kind} {layer.name!r}: kernel {kernel} is larger than the padded input "
                         f"{(h, w)} (input {input_shape[:2]}, padding {pads})")


KERAS_PADDINGS = ("valid", "same")


class Padded:
    """Shared by the layers with a window (Conv2D, the pooling layers): seqnet's ``pad`` (equal on
    both sides, the assignment's "same") or Keras's ``padding`` ("valid", or "same" with the odd
    one at the bottom and right), resolved per input shape into ``((top, bottom), (left, right))``."""

    kernel_shape: tuple[int, int]
    stride: int

    def _set_padding(self, pad: Any, padding: Any, default: Any, who: str) -> None:
        if pad is not None and padding is not None:
            raise TypeError(f"{who}: pass `pad` (seqnet's meaning) or `padding` (Keras's), not both")
        if padding is not None and padding not in KERAS_PADDINGS:
            raise ValueError(f"{who}: expected padding='valid' or 'same' (Keras's meanings), received "
                             f"padding={padding!r}; seqnet's pad= takes ints and pairs")
        self.padding = padding
        self.pad = None if padding is not None else (default if pad is None else pad)
        if self.pad is not None:
            self.pad = self.pad if isinstance(self.pad, (str, int)) else list(self.pad)
            self._even = normalize_pad(self.pad, self.kernel_shape)

    def pads(self, input_shape: tuple[int, ...]) -> Pads:
        """Zeros added ``((top, bottom), (left, right))`` for inputs of ``input_shape``."""
        if self.padding == "same":
            return tuple(keras_same_padding(input_shape[i], self.kernel_shape[i], self.stride) for i in (0, 1))
        if self.padding == "valid":
            return ((0, 0), (0, 0))
        return ((self._even[0], self._even[0]), (self._even[1], self._even[1]))

    def _window_output(self, input_shape: tuple[int, ...]) -> tuple[int, int]:
        pads = self.pads(input_shape)
        check_image_input(self, input_shape, self.kernel_shape, pads)
        return tuple(1 + (input_shape[i] + sum(pads[i]) - self.kernel_shape[i]) // self.stride for i in (0, 1))

    @staticmethod
    def _split_pads(pads: Pads) -> tuple[tuple[int, int], tuple[int, int]]:
        """``(even, extra)``: what the kernels pad on both sides, and the extra bottom rows and right columns."""
        return (pads[0][0], pads[1][0]), (pads[0][1] - pads[0][0], pads[1][1] - pads[1][0])

    def _check_size(self, X: np.ndarray) -> None:
        """Any image size fits seqnet's even padding; Keras's "same" padding was worked out for the built one."""
        if self.padding == "same" and X.shape[1:3] != self.input_shape[:2]:
            raise ValueError(f"{type(self).__name__} {self.name!r} with padding='same' was built for "
                             f"{self.input_shape[0]}x{self.input_shape[1]} images, got input of shape {X.shape}")
        check_image_input(self, X.shape[1:], self.kernel_shape, self.pads(X.shape[1:]))

    def _padding_config(self) -> dict[str, Any]:
        return {"pad": self.pad} if self.padding is None else {"padding": self.padding}


@register("conv2d")
class Conv2D(Padded, Layer):
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
    bias_init : str, dict or Initializer, default "zeros"
        How ``b`` starts (Keras's ``bias_initializer``).
    use_bias : bool, default True
        False leaves ``b`` out (Keras's ``use_bias``).
    engine : {"auto", "tune", "gemm", "spectral", "winograd", "scipy"}, default "auto"
        "gemm": im2col and BLAS matrix products. "spectral" (stride 1 only): the convolution
        theorem, with the Fourier transforms done as matrix products; several times faster
        than gemm for 5x5 and larger kernels. "winograd" (3x3 kernels, stride 1 only):
        Winograd's minimal filtering, up to 4x fewer multiplications (:mod:`seqnet.ops.winograd`).
        "scipy": ``scipy.signal.correlate`` (an independent cross-check, much slower). "auto"
        picks one when the layer is built, from a table measured on one machine (see
        :func:`~seqnet.ops.engines.choose_engine`); "tune" times the engines on the layer's
        first batch, on this machine, and keeps the fastest
        (:class:`~seqnet.ops.engines.TunedEngine`). The name of the engine in use is
        ``engine_used``, the engine itself ``conv_engine`` (:mod:`seqnet.ops.engines`).
    name : str, optional

    filters, kernel_size, strides, padding : Keras's spellings (keyword only)
        ``padding="same"`` has Keras's meaning: the output has ``ceil(in / stride)`` positions and an
        odd total padding puts the extra row or column at the bottom or right.

    Attributes
    ----------
    pad, padding : the arguments as given (and as saved in the config); one of them is None
    pads(input_shape) : the zeros added, ``((top, bottom), (left, right))``

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

    def __init__(self, n_out: int | None = None, kernel_shape: Any = None, activation: Any = "linear",
                 stride: int | None = None, pad: Any = None, weight_init: Any = "xavier_uniform", engine: str = "auto",
                 name: str | None = None, *, filters: int | None = None, kernel_size: Any = None,
                 strides: int | None = None, padding: str | None = None, use_bias: bool = True,
                 bias_init: Any = "zeros", input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(activation, name, input_shape=input_shape)
        self._set_bias_init(use_bias, bias_init)
        n_out = either("Conv2D", "n_out", n_out, "filters", filters, None)
        kernel_shape = either("Conv2D", "kernel_shape", kernel_shape, "kernel_size", kernel_size, None)
        if n_out is None or kernel_shape is None:
            raise TypeError("Conv2D: pass the number of filters (n_out or filters) and the kernel size "
                            "(kernel_shape or kernel_size)")
        self.n_out = check_positive_int(n_out, "n_out" if filters is None else "filters", "Conv2D")
        self.kernel_shape = kernel_pair(kernel_shape, "Conv2D")
        strides = strides[0] if isinstance(strides, (tuple, list)) and len(set(strides)) == 1 else strides
        self.stride = check_positive_int(either("Conv2D", "stride", stride, "strides", strides, 1), "stride", "Conv2D")
        self._set_padding(pad, padding, "same", "Conv2D")
        check_engine(engine, self.kernel_shape, self.stride)
        self.engine = engine
        self.conv_engine: ConvEngine | None = None  # made by build, when the input channels are known
        self._weight_init_id = weight_init
        self.weight_init = initializers.get(weight_init, activation=self.activation)
        self.n_in: int | None = None

    @property
    def engine_used(self) -> str | None:
        """The name of the engine the layer runs: ``engine``, or for "auto" its choice once built
        and for "tune" once it has seen a batch ("tune" until then)."""
        if self.conv_engine is not None:
            return self.conv_engine.name
        return None if self.engine in ("auto", "tune") else self.engine

    def weight_shapes(self, input_shape):
        self._window_output(input_shape)
        return {"W": (*self.kernel_shape, input_shape[2], self.n_out),
                **({"b": (1, self.n_out)} if self.use_bias else {})}

    def _build(self, input_shape):
        W_shape = self.weight_shapes(input_shape)["W"]
        self.n_in = input_shape[2]
        even, self._extra = self._split_pads(self.pads(input_shape))
        self.conv_engine = make_engine(self.engine, self.kernel_shape, self.stride, even, self.n_in)
        self.parameters["W"] = self.weight_init(W_shape, rng=self.rng, dtype=self.dtype)
        self.set_bias((1, self.n_out))

    def compute_output_shape(self, input_shape):
        return (*self._window_output(input_shape), self.n_out)

    def _check_input(self, X):
        if X.ndim != 4:
            raise ValueError(f"Conv2D {self.name!r} expects 4-D NHWC input (batch, rows, cols, channels), "
                             f"got shape {X.shape}")
        if X.shape[3] != self.n_in:
            raise ValueError(f"Conv2D {self.name!r} was built for {self.n_in} input channels, "
                             f"got input of shape {X.shape} with {X.shape[3]}")
        self._check_size(X)

    def _forward(self, X):
        Z, self.cache["kept"] = self.conv_engine.forward(pad_after(X, self._extra), self.parameters["W"],
                                                    self.bias_array)
        return Z

    def _backward(self, dZ):
        dX, dW, db = self.conv_engine.backward(dZ, self.parameters["W"], self.cache["kept"],
                                          need_dX=self.need_input_gradient)
        self.gradients["W"][...] = dW
        self.bias_gradient[...] = db
        if dX is not None and any(self._extra):
            dX = dX[:, :self.input_shape[0], :self.input_shape[1]]
        return dX

    def clear_cache(self):
        super().clear_cache()
        if self.conv_engine is not None:
            self.conv_engine.release()

    def get_config(self):
        return {"n_out": self.n_out, "kernel_shape": list(self.kernel_shape),
                "activation": self._activation_config(), "stride": self.stride, **self._padding_config(),
                "weight_init": identifier_config(self._weight_init_id, self.weight_init),
                "engine": self.engine, **self._bias_config(), **super().get_config()}
