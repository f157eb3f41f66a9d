"""``keras.layers``' sequence layers over seqnet's: Embedding, SimpleRNN, LSTM, GRU, Conv1D and
LayerNormalization with Keras's arguments, defaults, weight names and config; the wrappers and
1-D pooling layers are seqnet's own, which already take Keras's arguments.

Each is a variant of the engine's class (saved under the engine's name): it converts Keras's
arguments at its edge and computes nothing of its own. What seqnet does not compute (dropout
inside a recurrent cell, ``return_state``, ``stateful``) is refused with an error naming it.
"""
from __future__ import annotations

from typing import Any

from .._registry import variant_of
from ..layers import GRU as _GRU
from ..layers import LSTM as _LSTM
from ..layers import Conv1D as _Conv1D
from ..layers import Embedding as _Embedding
from ..layers import LayerNormalization as _LayerNormalization
from ..layers import SimpleRNN as _SimpleRNN
from ..layers.base import check_positive_int
from . import initializers as _initializers
from ._naming import activation_name, keras_name
from ._naming import activation as keras_activation
from ._weights import KerasWeights, _bias_initializer, _initializer, _keras_form, _variable

#: Keras's arguments of a recurrent layer that seqnet does not compute, and the value that is fine
_RNN_UNSUPPORTED = {"dropout": 0.0, "recurrent_dropout": 0.0, "return_state": False, "stateful": False,
                    "activity_regularizer": None}


def _engine_initializer(initializer: Any) -> Any:
    """This face's argument for seqnet's ``initializer``: Keras's equal, or seqnet's own where Keras has none."""
    return _initializers.to_keras(initializer) or initializer


def _refuse(who: str, given: dict[str, Any], allowed: dict[str, Any]) -> None:
    bad = {k: v for k, v in given.items() if v != allowed.get(k, None)}
    if bad:
        raise ValueError(f"{who}: seqnet does not compute {', '.join(f'{k}={v!r}' for k, v in sorted(bad.items()))}; "
                         f"leave {'it' if len(bad) == 1 else 'them'} out")


class _KerasRecurrent(KerasWeights):
    """Keras's arguments and config for SimpleRNN, LSTM and GRU (mixed in before the engine class)."""

    _ndim = 3

    def _keras_init(self, units: int, kernel_initializer: Any, recurrent_initializer: Any, bias_initializer: Any,
                    regularizers: dict[str, Any], constraints: dict[str, Any], trainable: bool,
                    extras: dict[str, Any]) -> dict[str, Any]:
        _refuse(type(self).__name__, extras, _RNN_UNSUPPORTED)
        self._keras = {"kernel_initializer": kernel_initializer, "recurrent_initializer": recurrent_initializer,
                       "bias_initializer": bias_initializer}
        return dict(units=check_positive_int(units, "units", type(self).__name__),
                    weight_init=_initializer(kernel_initializer), recurrent_init=_initializer(recurrent_initializer),
                    bias_init=_bias_initializer(bias_initializer) or "zeros")

    def _keras_edge_rnn(self, trainable: bool, regularizers: dict[str, Any], constraints: dict[str, Any]) -> None:
        self.trainable = bool(trainable)
        self.set_regularizers(regularizers)
        self.set_constraints(constraints)

    @classmethod
    def from_engine(cls, layer: Any) -> Any:
        """The Keras-face layer (not built) of seqnet's recurrent ``layer``, as a file gives it."""
        own = {"recurrent_activation": keras_name(activation_name(layer._recurrent_activation_id)),
               "unit_forget_bias": getattr(layer, "unit_forget_bias", True),
               "reset_after": getattr(layer, "reset_after", True)}
        kinds = {"W": "kernel", "U": "recurrent", "b": "bias"}
        return cls(layer.units, activation=keras_name(activation_name(layer._cell_activation_id)),
                   use_bias=layer.use_bias, return_sequences=layer.return_sequences,
                   go_backwards=layer.go_backwards, name=layer.name, trainable=layer.trainable,
                   kernel_initializer=_engine_initializer(layer.weight_init),
                   recurrent_initializer=_engine_initializer(layer.recurrent_init),
                   bias_initializer=_engine_initializer(layer.bias_init),
                   **{f"{kinds[k]}_regularizer": v for k, v in layer.regularizers.items() if v is not None},
                   **{f"{kinds[k]}_constraint": v for k, v in layer.constraints.items() if v is not None},
                   **{k: v for k, v in own.items() if k in cls._own})

    @property
    def recurrent_kernel(self):
        return _variable(self.parameters["U"], "U", self.constraints.get("U"))

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "trainable": self.trainable, "units": self.units,
                  "activation": keras_name(activation_name(self._cell_activation_id)),
                  "use_bias": self.use_bias, "return_sequences": self.return_sequences,
                  "go_backwards": self.go_backwards,
                  **{key: _keras_form(value) for key, value in self._keras.items()}}
        if self.kind != "simple_rnn":
            config["recurrent_activation"] = keras_name(activation_name(self._recurrent_activation_id))
        return config


def _rnn_init(engine: type, extra: tuple[str, ...]) -> Any:
    """The ``__init__`` of Keras's ``engine`` layer: Keras's arguments, the engine's layer."""
    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, return_sequences: bool = False, go_backwards: bool = False,
                 reset_after: bool = True, unroll: bool = False, name: str | None = None, input_shape: Any = None,
                 trainable: bool = True, dtype: Any = None, seed: Any = None, use_cudnn: Any = "auto",
                 **extras: Any) -> None:
        arguments = self._keras_init(units, kernel_initializer, recurrent_initializer, bias_initializer,
                                     {}, {}, trainable, extras)
        own = {"recurrent_activation": keras_activation(recurrent_activation), "unit_forget_bias": unit_forget_bias,
               "reset_after": reset_after}
        engine.__init__(self, activation=keras_activation(activation) or "linear", use_bias=use_bias,
                        return_sequences=return_sequences, go_backwards=go_backwards, name=name,
                        input_shape=input_shape, **arguments, **{k: own[k] for k in extra})
        self._keras_edge_rnn(trainable, {"W": kernel_regularizer, "U": recurrent_regularizer, "b": bias_regularizer},
                             {"W": kernel_constraint, "U": recurrent_constraint, "b": bias_constraint})
    return __init__


@variant_of(_SimpleRNN)
class SimpleRNN(_KerasRecurrent, _SimpleRNN):
    """Keras's ``SimpleRNN(units, activation="tanh", ...)`` on seqnet's layer."""

    name_stem = "simple_rnn"
    _own: tuple[str, ...] = ()
    __init__ = _rnn_init(_SimpleRNN, _own)


@variant_of(_LSTM)
class LSTM(_KerasRecurrent, _LSTM):
    """Keras's ``LSTM(units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True, ...)``."""

    name_stem = "lstm"
    _own = ("recurrent_activation", "unit_forget_bias")
    __init__ = _rnn_init(_LSTM, _own)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@variant_of(_GRU)
class GRU(_KerasRecurrent, _GRU):
    """Keras's ``GRU(units, ..., reset_after=True)``: gates z, r, h; with ``reset_after`` the bias is
    ``(2, 3*units)``."""

    name_stem = "gru"
    _own = ("recurrent_activation", "reset_after")
    __init__ = _rnn_init(_GRU, _own)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


@variant_of(_Embedding)
class Embedding(KerasWeights, _Embedding):
    """Keras's ``Embedding(input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False)``."""

    name_stem = "embedding"
    _ndim = 2

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None, mask_zero: bool = False,
                 name: str | None = None, input_shape: Any = None, input_length: Any = None, trainable: bool = True,
                 dtype: Any = None, **extras: Any) -> None:
        _refuse("Embedding", extras, {})
        super().__init__(input_dim, output_dim, weight_init=_initializer(embeddings_initializer), mask_zero=mask_zero,
                         name=name, input_shape=input_shape)
        self._keras = {"embeddings_initializer": embeddings_initializer}
        self.trainable = bool(trainable)
        self.set_regularizers({"W": embeddings_regularizer})
        self.set_constraints({"W": embeddings_constraint})

    @classmethod
    def from_engine(cls, layer: _Embedding) -> "Embedding":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.input_dim, layer.output_dim, embeddings_initializer=_engine_initializer(layer.weight_init),
                   embeddings_regularizer=layer.regularizers.get("W"), embeddings_constraint=layer.constraints.get("W"),
                   mask_zero=layer.mask_zero, name=layer.name, trainable=layer.trainable)

    @property
    def embeddings(self):
        view = _variable(self.parameters["W"], "W", self.constraints.get("W"))
        view.name = "embeddings"
        return view

    @property
    def weights(self):
        return [self.embeddings]

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": _keras_form(self._keras["embeddings_initializer"])}


@variant_of(_Conv1D)
class Conv1D(KerasWeights, _Conv1D):
    """Keras's ``Conv1D(filters, kernel_size, strides=1, padding="valid", dilation_rate=1,
    activation=None, use_bias=True, ...)``; the bias is ``(filters,)`` as Keras keeps it."""

    name_stem = "conv1d"
    _ndim = 3

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: Any = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, name: str | None = None,
                 input_shape: Any = None, trainable: bool = True, dtype: Any = None, **extras: Any) -> None:
        _refuse("Conv1D", {"data_format": data_format or "channels_last", "groups": groups,
                           "activity_regularizer": activity_regularizer, **extras},
                {"data_format": "channels_last", "groups": 1})
        super().__init__(filters, kernel_size, strides, padding, dilation_rate,
                         activation=keras_activation(activation) or "linear",
                         weight_init=_initializer(kernel_initializer), bias_init=_bias_initializer(bias_initializer),
                         use_bias=use_bias, name=name, input_shape=input_shape)
        self._keras_edge(trainable, kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         activation=keras_name(activation))

    @classmethod
    def from_engine(cls, layer: _Conv1D) -> "Conv1D":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.filters, layer.kernel_size, layer.strides, layer.padding,
                   dilation_rate=layer.dilation_rate, **cls._engine_arguments(layer))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "filters": self.filters,
                "kernel_size": [self.kernel_size], "strides": [self.strides], "padding": self.padding,
                "dilation_rate": [self.dilation_rate], "use_bias": self.use_bias,
                "activation": self._keras["activation"] or "linear", **self._initializer_config()}


@variant_of(_LayerNormalization)
class LayerNormalization(KerasWeights, _LayerNormalization):
    """Keras's ``LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True)`` (the last axis)."""

    name_stem = "layer_normalization"
    _ndim = 3

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 name: str | None = None, input_shape: Any = None, trainable: bool = True, dtype: Any = None,
                 **extras: Any) -> None:
        axis = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        _refuse("LayerNormalization", {"axis": axis, "rms_scaling": rms_scaling,
                                       "beta_initializer": _initializers.keras_form(_initializer(beta_initializer)),
                                       "gamma_initializer": _initializers.keras_form(_initializer(gamma_initializer)),
                                       **extras},
                {"axis": [-1], "rms_scaling": False, "beta_initializer": "zeros", "gamma_initializer": "ones"})
        super().__init__(epsilon, center, scale, name=name, input_shape=input_shape)
        self.trainable = bool(trainable)

    @classmethod
    def from_engine(cls, layer: _LayerNormalization) -> "LayerNormalization":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(epsilon=layer.eps, center=layer.center, scale=layer.scale, name=layer.name,
                   trainable=layer.trainable)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "axis": [-1], "epsilon": self.eps,
                "center": self.center, "scale": self.scale}
