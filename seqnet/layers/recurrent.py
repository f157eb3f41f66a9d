"""Recurrent layers: SimpleRNN, LSTM and GRU over sequences ``(batch, steps, features)``.

The kernels, forward and backpropagation through time, are :mod:`seqnet.ops.recurrent`. The
weights follow Keras's layout, so that Keras's arrays and files carry over: ``W`` ``(features,
G*units)`` (Keras's ``kernel``), ``U`` ``(units, G*units)`` (``recurrent_kernel``) and ``b``
``(G*units,)`` (``bias``; a GRU with ``reset_after`` has ``(2, 3*units)``), the ``G`` gates side
by side: LSTM ``i, f, c, o``, GRU ``z, r, h``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as _activations
from .. import initializers
from ..ops.recurrent import GATES, recurrent_backward, recurrent_forward
from .base import Layer, check_positive_int, identifier_config, register


class Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share.

    Parameters
    ----------
    units : int
        Size of the state ``h`` (and of each output step).
    activation : str, dict or seqnet.activations.Activation, default "tanh"
        The cell's activation (of the state; not applied again to the output).
    recurrent_activation : default "sigmoid"
        The gates' activation (LSTM and GRU).
    weight_init, recurrent_init, bias_init : default "xavier_uniform", "orthogonal", "zeros"
        How ``W``, ``U`` and ``b`` start (Keras's ``kernel_initializer``, ``recurrent_initializer``,
        ``bias_initializer``).
    use_bias : bool, default True
    return_sequences : bool, default False
        Output every step's state ``(batch, steps, units)``, not only the last one ``(batch, units)``.
    go_backwards : bool, default False
        Read the steps last to first (the outputs come in that order, as in Keras).
    name : str, optional

    A mask of padded steps (from ``Embedding(mask_zero=True)``) makes the layer skip them: the
    state is carried over a masked step unchanged.
    """

    kind = ""
    supports_masking = True

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 weight_init: Any = "xavier_uniform", recurrent_init: Any = "orthogonal", bias_init: Any = "zeros",
                 use_bias: bool = True, return_sequences: bool = False, go_backwards: bool = False,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__("linear", name, input_shape=input_shape)
        layer = type(self).__name__
        self.units = check_positive_int(units, "units", layer)
        self.cell_activation = _activations.get(activation)
        self._cell_activation_id = activation
        self.recurrent_activation = _activations.get(recurrent_activation)
        self._recurrent_activation_id = recurrent_activation
        self._inits = {"weight_init": weight_init, "recurrent_init": recurrent_init, "bias_init": bias_init}
        self.weight_init, self.recurrent_init = initializers.get(weight_init), initializers.get(recurrent_init)
        self.bias_init = initializers.get(bias_init)
        self.use_bias = bool(use_bias)
        self.return_sequences, self.go_backwards = bool(return_sequences), bool(go_backwards)
        #: Keras's zero_output_for_mask: outputs at masked steps are zeros, not the carried state
        #: (Bidirectional sets it, so that the two directions' outputs line up)
        self.zero_output_for_mask = False
        self.n_in: int | None = None

    @property
    def gates(self) -> int:
        return GATES[self.kind]

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects input of shape (batch, steps, features), "
                             f"got {(None, *input_shape)}: give it sequences (an Embedding, a Reshape to (steps, "
                             f"features), or an RNN layer with return_sequences=True before it)")
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def weight_shapes(self, input_shape):
        self.compute_output_shape(input_shape)
        g = self.gates * self.units
        return {"W": (input_shape[-1], g), "U": (self.units, g), **({"b": self.bias_shape()} if self.use_bias else {})}

    def _initial_bias(self, shape: tuple[int, ...]) -> np.ndarray:
        return self.bias_init(shape, rng=self.rng, dtype=self.dtype)

    def _build(self, input_shape):
        shapes = self.weight_shapes(input_shape)
        self.n_in = input_shape[-1]
        self.parameters["W"] = self.weight_init(shapes["W"], rng=self.rng, dtype=self.dtype)
        self.parameters["U"] = self.recurrent_init(shapes["U"], rng=self.rng, dtype=self.dtype)
        if self.use_bias:
            self.parameters["b"] = self._initial_bias(shapes["b"])
        else:
            self.set_bias(self.bias_shape())  # a constant zero in its place

    def _check_input(self, X):
        if X.ndim != 3 or X.shape[2] != self.n_in:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects input of shape (batch, steps, "
                             f"{self.n_in}), got {X.shape}")

    def _forward(self, X):
        mask = self.input_mask
        if mask is not None and np.shape(mask) != X.shape[:2]:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the mask has shape {np.shape(mask)}, the "
                             f"input's steps {X.shape[:2]}")
        H, self.cache["kept"] = recurrent_forward(
            self.kind, X, self.parameters["W"], self.parameters["U"], self.bias_array, self.cell_activation,
            self.recurrent_activation, mask, self.go_backwards, getattr(self, "reset_after", True),
            self.zero_output_for_mask)
        return H if self.return_sequences else np.ascontiguousarray(H[:, -1])

    def _backward(self, dZ):
        kept = self.cache["kept"]
        if self.return_sequences:
            dH = dZ
        else:
            dH = np.zeros((*kept["n_in"][:2], self.units), dtype=dZ.dtype)
            dH[:, -1] = dZ
        dX, dW, dU, db = recurrent_backward(dH, self.parameters["W"], self.parameters["U"], self.bias_array, kept,
                                            need_dX=self.need_input_gradient)
        self.gradients["W"][...], self.gradients["U"][...] = dW, dU
        if self.use_bias:
            self.gradients["b"][...] = db
        return dX

    def compute_mask(self, mask):
        return mask if self.return_sequences else None

    def get_config(self):
        return {"units": self.units, "activation": identifier_config(self._cell_activation_id, self.cell_activation),
                "recurrent_activation": identifier_config(self._recurrent_activation_id, self.recurrent_activation),
                **{key: identifier_config(value, getattr(self, key)) for key, value in self._inits.items()},
                "use_bias": self.use_bias, "return_sequences": self.return_sequences,
                "go_backwards": self.go_backwards, **super().get_config()}


@register("simple_rnn")
class SimpleRNN(Recurrent):
    r"""Fully-connected recurrence :math:`h_t = \tanh(x_t W + h_{t-1} U + b)` (see :class:`Recurrent`)."""

    kind = "simple_rnn"

    def __init__(self, units: int, activation: Any = "tanh", weight_init: Any = "xavier_uniform",
                 recurrent_init: Any = "orthogonal", bias_init: Any = "zeros", use_bias: bool = True,
                 return_sequences: bool = False, go_backwards: bool = False, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(units, activation, "sigmoid", weight_init, recurrent_init, bias_init, use_bias,
                         return_sequences, go_backwards, name, input_shape=input_shape)

    def get_config(self):
        config = super().get_config()
        del config["recurrent_activation"]
        return config


@register("lstm")
class LSTM(Recurrent):
    r"""Long short-term memory (see :class:`Recurrent`): with :math:`z = x_t W + h_{t-1} U + b`
    split into gates :math:`i, f, o = \sigma(z_i), \sigma(z_f), \sigma(z_o)` and :math:`g = \tanh(z_c)`,
    :math:`c_t = f c_{t-1} + i g` and :math:`h_t = o \tanh(c_t)`.

    ``unit_forget_bias=True`` (Keras's default) starts the forget gate's bias at 1.
    """

    kind = "lstm"

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 weight_init: Any = "xavier_uniform", recurrent_init: Any = "orthogonal", bias_init: Any = "zeros",
                 use_bias: bool = True, unit_forget_bias: bool = True, return_sequences: bool = False,
                 go_backwards: bool = False, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(units, activation, recurrent_activation, weight_init, recurrent_init, bias_init, use_bias,
                         return_sequences, go_backwards, name, input_shape=input_shape)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _initial_bias(self, shape):
        b = super()._initial_bias(shape)
        if self.unit_forget_bias:
            b[self.units:2 * self.units] = 1
        return b

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@register("gru")
class GRU(Recurrent):
    r"""Gated recurrent unit (see :class:`Recurrent`), Keras's form: update and reset gates
    :math:`z, r = \sigma(\cdot)`, candidate :math:`\tilde h = \tanh(x_t W_h + r \odot (h_{t-1} U_h + b'_h))`
    with ``reset_after=True`` (Keras's and cuDNN's default; ``b`` is then ``(2, 3*units)``, the
    input bias and the recurrent bias) or :math:`\tanh(x_t W_h + (r \odot h_{t-1}) U_h)`, and
    :math:`h_t = z h_{t-1} + (1 - z) \tilde h`.
    """

    kind = "gru"

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 weight_init: Any = "xavier_uniform", recurrent_init: Any = "orthogonal", bias_init: Any = "zeros",
                 use_bias: bool = True, return_sequences: bool = False, go_backwards: bool = False,
                 reset_after: bool = True, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(units, activation, recurrent_activation, weight_init, recurrent_init, bias_init, use_bias,
                         return_sequences, go_backwards, name, input_shape=input_shape)
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}
