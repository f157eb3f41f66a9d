"""``keras.layers`` over seqnet's layers: Keras's defaults, argument names, weight shapes and config.

The layers with weights differ from seqnet's own names at the edge only: ``Dense`` and ``Conv2D``
take Keras's arguments with Keras's defaults (``padding="valid"``, ``glorot_uniform`` kernels
without the activation's gain, zero biases); ``get_weights`` / ``set_weights``, ``weights``,
``kernel`` and ``bias`` have Keras's shapes (a bias is ``(n,)``, seqnet keeps ``(1, n)``);
``get_config`` has Keras's keys and ``build`` takes a shape with its batch axis. The forward
and backward passes are seqnet's. The layers without weights are seqnet's own Keras-named ones.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import serialize, variant_of
from ..layers import (ELU, AveragePooling2D, BatchNormalization, Dropout, Flatten, GlobalAveragePooling2D,
                      GlobalMaxPooling2D, LeakyReLU, MaxPooling2D, Normalization, RandomCrop, RandomFlip,
                      RandomTranslation, RandomZoom, ReLU, Rescaling, Reshape,
                      Softmax, ZeroPadding2D)
from ..layers import Activation as _Activation
from ..layers import Conv2D as _Conv2D
from ..layers import Dense as _Dense
from ..layers import Input as _Input
from ..layers import Layer
from ..layers.base import check_positive_int
from . import constraints as _constraints
from . import initializers as _initializers
from ._missing import missing
from ._naming import WEIGHT_NAMES, activation_name, keras_name
from ._naming import activation as keras_activation



class Variable(np.ndarray):
    """A layer's weight as Keras hands it out: an array (a view of the layer's own) with ``numpy()``,
    ``assign()`` and a ``name``, in Keras's shape."""

    name = ""
    constraint = None  # Keras's: what the update is followed by (the layer's constraint of this weight)

    def numpy(self) -> np.ndarray:
        return np.array(self)

    def assign(self, value: Any) -> None:
        self[...] = np.asarray(value).reshape(self.shape)

    @property
    def value(self) -> np.ndarray:
        return np.asarray(self)


def _variable(array: np.ndarray, key: str, constraint: Any = None) -> Variable:
    view = (array[0] if key == "b" else array).view(Variable)
    view.name, view.constraint = WEIGHT_NAMES.get(key, key), constraint
    return view


class KerasWeights:
    """Keras's view of a layer's weights (mixed in before the seqnet layer class)."""

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(v) for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        targets = self.weights
        if len(weights) != len(targets):
            raise ValueError(f"{type(self).__name__} {self.name!r} has {len(targets)} weight arrays, "
                             f"got {len(weights)}")
        for target, value in zip(targets, weights):
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(f"{type(self).__name__} {self.name!r}: weight {target.name!r} has shape "
                                 f"{target.shape}, got {value.shape}")
        for target, value in zip(targets, weights):
            target.assign(value)

    @property
    def weights(self) -> list[Variable]:
        return [_variable(a, k) for k, a in [*self.parameters.items(), *self.buffers.items()]]

    @property
    def trainable_weights(self) -> list[Variable]:
        return [_variable(a, k) for k, a in self.parameters.items()] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        frozen = [] if self.trainable else list(self.parameters.items())
        return [_variable(a, k) for k, a in [*frozen, *self.buffers.items()]]

    def _keras_edge(self, trainable: bool, kernel_regularizer: Any, bias_regularizer: Any, kernel_constraint: Any,
                    bias_constraint: Any, **keras: Any) -> None:
        """What Keras's arguments add to the seqnet layer: the config as given, trainability, and the
        weights' penalties and constraints."""
        self._keras = keras
        self.trainable = bool(trainable)
        self.set_regularizers({"W": kernel_regularizer, "b": bias_regularizer})
        self.set_constraints({"W": kernel_constraint, "b": bias_constraint})

    def _initializer_config(self) -> dict[str, Any]:
        """The initializers as given, and the weights' penalties and constraints."""
        return {"kernel_initializer": _keras_form(self._keras["kernel_initializer"]),
                "bias_initializer": _keras_form(self._keras["bias_initializer"]),
                **{f"{'kernel' if name == 'W' else 'bias'}_regularizer": serialize(r)
                   for name, r in self.regularizers.items()}, **_constraint_config(self)}

    @staticmethod
    def keras_extras(layer: Layer) -> dict[str, Any]:
        """Keras's serialized initializers (those Keras has) and constraints of seqnet's ``layer``,
        for a Keras file."""
        found = {"kernel_initializer": layer.weight_init,
                 "bias_initializer": _initializers.Zeros() if layer.bias_init is None else layer.bias_init}
        return {**{key: _initializers.serialize(init) for key, init in found.items()
                   if _initializers.to_keras(init) is not None}, **_constraint_config(layer)}

    @staticmethod
    def _engine_arguments(layer: Layer) -> dict[str, Any]:
        """Keras's arguments for seqnet's ``layer`` (those Dense and Conv2D share); its initializers
        as this face's equals (a gain-scaled one is Keras's ``VarianceScaling``), seqnet's own where
        Keras has none."""
        activation = activation_name(layer._activation_config())
        return {"activation": None if activation == "linear" else activation, "use_bias": layer.use_bias,
                "name": layer.name, "trainable": layer.trainable,
                "kernel_initializer": _initializers.to_keras(layer.weight_init) or layer.weight_init,
                "bias_initializer": "zeros" if layer.bias_init is None else
                _initializers.to_keras(layer.bias_init) or layer.bias_init,
                "kernel_regularizer": layer.regularizers.get("W"), "bias_regularizer": layer.regularizers.get("b"),
                "kernel_constraint": layer.constraints.get("W"), "bias_constraint": layer.constraints.get("b")}

    @property
    def kernel(self) -> Variable:
        return _variable(self.parameters["W"], "W", self.constraints.get("W"))

    @property
    def bias(self) -> Variable | None:
        if not (self.use_bias and "b" in self.parameters):
            return None
        return _variable(self.parameters["b"], "b", self.constraints.get("b"))

    def build(self, input_shape: Any = None, rng: Any = None, dtype: Any = None) -> None:
        """Keras's ``build(input_shape)`` with the batch axis (``(None, 784)``), or seqnet's without it."""
        shape = tuple(input_shape)
        if rng is None and dtype is None and len(shape) > 1 and (shape[0] is None or len(shape) == self._ndim):
            shape = shape[1:]
        super().build(shape, rng, dtype if dtype is not None else np.float32)


def _initializer(identifier: Any) -> Any:
    """A Keras initializer: Keras's scales, without seqnet's activation gain."""
    return _initializers.get(identifier)


def _bias_initializer(identifier: Any) -> Any:
    """As :func:`_initializer`; zeros stays the engine's own start for a bias."""
    if identifier in ("zeros", None):
        return identifier
    initializer = _initializers.get(identifier)
    return "zeros" if _initializers.keras_form(initializer) == "zeros" else initializer


def _constraint_config(layer: Layer) -> dict[str, Any]:
    """Keras's ``kernel_constraint`` / ``bias_constraint`` of a layer's constraints, serialized."""
    return {f"{'kernel' if name == 'W' else 'bias'}_constraint": _constraints.serialize(c)
            for name, c in layer.constraints.items()}


def _keras_form(identifier: Any) -> Any:
    """An initializer argument as Keras's config writes it: a name as given, else its Keras form."""
    return identifier if isinstance(identifier, str) or identifier is None else _initializers.keras_form(identifier)


def _refuse_extras(who: str, extras: dict[str, Any]) -> None:
    given = {k: v for k, v in extras.items() if v is not None}
    if given:
        raise ValueError(f"{who}: seqnet does not apply {', '.join(sorted(given))}; leave "
                         f"{'it' if len(given) == 1 else 'them'} out (kernel_regularizer and bias_regularizer "
                         f"are applied)")


@variant_of(_Dense)
class Dense(KerasWeights, _Dense):
    """Keras's ``Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    bias_initializer="zeros")`` on seqnet's dense layer."""

    name_stem = "dense"
    _ndim = 2

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, name: str | None = None,
                 input_shape: Any = None, trainable: bool = True, dtype: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Dense", dict(activity_regularizer=activity_regularizer, **kwargs))
        super().__init__(units=check_positive_int(units, "units", "Dense"), activation=keras_activation(activation),
                         weight_init=_initializer(kernel_initializer),
                         name=name, use_bias=use_bias, bias_init=_bias_initializer(bias_initializer),
                         input_shape=input_shape)
        self._keras_edge(trainable, kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, activation=keras_name(activation))

    @property
    def units(self) -> int:
        return self.n_out

    @classmethod
    def from_engine(cls, layer: _Dense) -> "Dense":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.n_out, **cls._engine_arguments(layer))

    @staticmethod
    def keras_arguments(layer: _Dense) -> dict[str, Any]:
        """Keras's arguments for the shape of seqnet's Dense ``layer`` (its config and files)."""
        return {"units": layer.n_out, "use_bias": layer.use_bias}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.keras_arguments(self),
                "activation": self._keras["activation"] or "linear", **self._initializer_config()}


@variant_of(_Conv2D)
class Conv2D(KerasWeights, _Conv2D):
    """Keras's ``Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", activation=None, ...)``
    on seqnet's convolution (NHWC, ``data_format="channels_last"``)."""

    name_stem = "conv2d"
    _ndim = 4

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, name: str | None = None,
                 input_shape: Any = None, trainable: bool = True, dtype: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Conv2D", dict(activity_regularizer=activity_regularizer, **kwargs))
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Conv2D: seqnet's images are channels_last (NHWC); received data_format={data_format!r}")
        if tuple(np.broadcast_to(dilation_rate, 2)) != (1, 1) or groups != 1:
            raise ValueError(f"Conv2D: seqnet convolves with dilation_rate=1 and groups=1; received "
                             f"dilation_rate={dilation_rate!r}, groups={groups!r}")
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         activation=keras_activation(activation), weight_init=_initializer(kernel_initializer),
                         name=name, use_bias=use_bias, bias_init=_bias_initializer(bias_initializer),
                         input_shape=input_shape)
        self._keras_edge(trainable, kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, activation=keras_name(activation))

    @property
    def filters(self) -> int:
        return self.n_out

    @classmethod
    def from_engine(cls, layer: _Conv2D) -> "Conv2D":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.n_out, layer.kernel_shape, strides=layer.stride, padding=layer.padding,
                   **cls._engine_arguments(layer))

    @staticmethod
    def keras_arguments(layer: _Conv2D, padding: str | None = None) -> dict[str, Any]:
        """Keras's arguments for the shape of seqnet's Conv2D ``layer`` (its config and files), with
        Keras's ``padding`` (the layer's own unless given)."""
        return {"filters": layer.n_out, "kernel_size": tuple(layer.kernel_shape), "strides": (layer.stride,) * 2,
                "padding": padding or layer.padding, "data_format": "channels_last", "dilation_rate": (1, 1),
                "groups": 1, "use_bias": layer.use_bias}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.keras_arguments(self),
                "activation": self._keras["activation"] or "linear", **self._initializer_config()}


@variant_of(_Activation)
class Activation(_Activation):
    """Keras's ``Activation(activation)``: Keras's names computed as Keras computes them (its
    ``"leaky_relu"`` has slope 0.2)."""

    def __init__(self, activation: Any, name: str | None = None, input_shape: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Activation", {k: v for k, v in kwargs.items() if k not in ("trainable", "dtype")})
        super().__init__(keras_activation(activation), name, input_shape=input_shape)
        self._keras_activation = keras_name(activation)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "activation": self._keras_activation}


def face_layer(layer: Layer) -> Layer:
    """The Keras-face layer for seqnet's ``layer`` (as loaded from a file), not built: a new
    :class:`Dense` or :class:`Conv2D` of the same config; other layers, which both faces share,
    as they are."""
    engine = type(layer)
    if engine is _Dense or (engine is _Conv2D and layer.padding in ("valid", "same")):
        return (Dense if engine is _Dense else Conv2D).from_engine(layer)
    if engine is _Activation:
        face = Activation(activation_name(layer._activation_config()), name=layer.name)
        face.trainable = layer.trainable
        return face
    return layer


class Input(_Input):
    """Keras's ``Input(shape, batch_size=None, name=None, dtype=None)``: first in a Sequential, it
    builds the model for examples of ``shape``."""

    def __init__(self, shape: Any = None, batch_size: int | None = None, name: str | None = None, dtype: Any = None,
                 batch_shape: Any = None, **kwargs: Any) -> None:
        if shape is None and batch_shape is not None:
            shape = tuple(batch_shape)[1:]
        if shape is None:
            raise TypeError("Input: pass shape= (one example's shape, without the batch axis)")
        super().__init__(shape)
        self.batch_size, self.name, self.dtype = batch_size, name, dtype


InputLayer = Input

__all__ = ["Input", "InputLayer", "Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "GlobalMaxPooling2D", "Flatten", "Reshape", "Dropout", "BatchNormalization", "Activation", "ReLU",
           "LeakyReLU", "Softmax", "ELU", "ZeroPadding2D", "Rescaling", "Normalization", "RandomFlip", "RandomTranslation",
           "RandomZoom", "RandomCrop", "Variable"]


__getattr__ = missing(__name__)
