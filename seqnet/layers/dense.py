"""Fully-connected layer."""
from __future__ import annotations

from typing import Any

from .. import initializers
from ..ops.dense import dense_backward, dense_forward
from .base import Layer, check_positive_int, identifier_config, register


@register("dense", aliases=("fully_connected",))
class Dense(Layer):
    r"""Fully-connected layer :math:`Y = \sigma(XW + b)` (on the last axis of input of any rank).

    Parameters
    ----------
    n_out : int
        Number of output units (Keras's ``units=`` also works).
    activation : str, dict or seqnet.activations.Activation, default "linear"
    weight_init : str, dict or Initializer, default "xavier_uniform"
        A bare name of a gain-scaled initializer uses the activation's gain.
    bias_init : str, dict or Initializer, default "zeros"
        How ``b`` starts (Keras's ``bias_initializer``).
    use_bias : bool, default True
        False leaves ``b`` out: ``Y = \sigma(XW)`` (Keras's ``use_bias``).
    name : str, optional

    Notes
    -----
    Shapes: ``X`` ``(m, n_in)``, ``W`` ``(n_in, n_out)``, ``b`` ``(1, n_out)``, ``Y`` ``(m, n_out)``.
    With ``dZ = dL/dZ``: ``dW = X^T dZ``, ``db = 1^T dZ``, ``dX = dZ W^T``.

    Examples
    --------
    >>> import numpy as np
    >>> from seqnet.layers import Dense
    >>> layer = Dense(3, activation="relu")
    >>> layer.forward(np.ones((2, 5))).shape
    (2, 3)
    >>> layer.parameters["W"].shape
    (5, 3)
    """

    supports_masking = True

    def __init__(self, n_out: int | None = None, activation: Any = "linear", weight_init: Any = "xavier_uniform",
                 name: str | None = None, *, units: int | None = None, use_bias: bool = True,
                 bias_init: Any = "zeros", input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(activation, name, input_shape=input_shape)
        self._set_bias_init(use_bias, bias_init)
        if (n_out is None) == (units is None):
            raise TypeError(f"Dense: pass the number of outputs once, as n_out (seqnet's name) or units (Keras's); "
                            f"received n_out={n_out!r}, units={units!r}")
        self.n_out = check_positive_int(n_out if units is None else units, "n_out" if units is None else "units",
                                        "Dense")
        self._weight_init_id = weight_init
        self.weight_init = initializers.get(weight_init, activation=self.activation)
        self.n_in: int | None = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(f"Dense {self.name!r} expects input of shape (batch, ..., features), got input of "
                             f"shape {(None, *input_shape)}")
        return (*input_shape[:-1], self.n_out)

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        return {"W": (input_shape[-1], self.n_out), **({"b": (1, self.n_out)} if self.use_bias else {})}

    def _build(self, input_shape):
        self.n_in = input_shape[-1]
        self.parameters["W"] = self.weight_init(self.weight_shapes(input_shape)["W"], rng=self.rng, dtype=self.dtype)
        self.set_bias((1, self.n_out))

    def _check_input(self, X):
        if X.ndim < 2 or X.shape[-1] != self.n_in:
            raise ValueError(
                f"Dense {self.name!r} expects inputs with {self.n_in} features on the last axis, got shape {X.shape}"
            )

    def _forward(self, X):
        self.cache["shape"] = X.shape  # (n, ..., features): every position through the same weights, as Keras
        X = X.reshape(-1, self.n_in)
        self.cache["X"] = X
        Z = dense_forward(X, self.parameters["W"], self.bias_array)
        return Z.reshape(*self.cache["shape"][:-1], self.n_out)

    def _backward(self, dZ):
        dX = dense_backward(dZ.reshape(-1, self.n_out), self.cache["X"], self.parameters["W"], self.gradients["W"],
                            self.bias_gradient, need_dX=self.need_input_gradient)
        return None if dX is None else dX.reshape(self.cache["shape"])

    def get_config(self):
        return {"n_out": self.n_out, "activation": self._activation_config(),
                "weight_init": identifier_config(self._weight_init_id, self.weight_init),
                **self._bias_config(), **super().get_config()}


FullyConnected = Dense
