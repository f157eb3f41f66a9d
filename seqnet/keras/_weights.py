"""Keras's view of a seqnet layer's weights, shared by the face's layers: ``Variable`` (a
weight as Keras hands it out), the ``KerasWeights`` mixin (``weights``, ``get_weights`` /
``set_weights``, ``kernel`` / ``bias`` in Keras's shapes, ``build`` with the batch axis) and the
conversions of Keras's initializer, penalty and constraint arguments at the face's edge."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import serialize
from ..layers import Layer
from . import constraints as _constraints
from . import initializers as _initializers
from ._naming import WEIGHT_NAMES, activation_name


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
    view = (array[0] if key == "b" and array.ndim == 2 and array.shape[0] == 1 else array).view(Variable)
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
