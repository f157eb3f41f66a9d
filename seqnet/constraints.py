"""Weight constraints, as Keras's: after each optimizer update, a constrained parameter is replaced
by ``constraint(w)``. ``NonNeg`` zeroes its negative entries; ``MaxNorm``, ``MinMaxNorm`` and
``UnitNorm`` rescale the weights of each unit, the norm taken over ``axis`` (0 for a Dense kernel's
incoming weights; ``[0, 1, 2]`` for a Conv2D filter).

A layer keeps them in ``layer.constraints`` (parameter name -> constraint); the training step
applies them after the update, and a frozen layer's weights are left as they are.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import Configurable, Registry

constraints = Registry("constraint")
EPSILON = 1e-7  # Keras's fuzz factor, added to each norm before dividing by it


class Constraint(Configurable):
    """Base class: ``constraint(w)`` returns the constrained weights (the base returns ``w``)."""

    def __call__(self, w: Any) -> np.ndarray:
        return np.asarray(w)


constraints.base = Constraint


def _axis(axis: Any) -> Any:
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


class _Norm(Constraint):
    """Rescales each unit's weights from their norm over ``axis`` to :meth:`desired` of it."""

    def __call__(self, w: Any) -> np.ndarray:
        w = np.asarray(w)
        norms = np.sqrt(np.sum(np.square(w), axis=_axis(self.axis), keepdims=True))
        return (w * (self.desired(norms) / (EPSILON + norms))).astype(w.dtype, copy=False)


@constraints.register("max_norm")
class MaxNorm(_Norm):
    """Norms above ``max_value`` are brought down to it."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def desired(self, norms: np.ndarray) -> np.ndarray:
        return np.clip(norms, 0, self.max_value)

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@constraints.register("min_max_norm")
class MinMaxNorm(_Norm):
    """Norms moved a fraction ``rate`` of the way into ``[min_value, max_value]``."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def desired(self, norms: np.ndarray) -> np.ndarray:
        return self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


@constraints.register("unit_norm")
class UnitNorm(_Norm):
    """Every norm brought to 1."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def desired(self, norms: np.ndarray) -> np.ndarray:
        return np.ones_like(norms)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@constraints.register("non_neg")
class NonNeg(Constraint):
    """Negative weights become 0."""

    def __call__(self, w: Any) -> np.ndarray:
        return np.maximum(np.asarray(w), 0)


def get(identifier: Any) -> Constraint | None:
    """A constraint from a name (``"non_neg"``), a config dict or an object; None as it is."""
    return None if identifier is None else constraints.get(identifier)


def apply(model: Any) -> None:
    """Constrain every trainable layer's parameters in place (after an optimizer update)."""
    for layer in model.layers:
        if getattr(layer, "trainable", True):
            for name, constraint in getattr(layer, "constraints", {}).items():
                layer.parameters[name][...] = constraint(layer.parameters[name])


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "UnitNorm", "NonNeg", "get", "apply"]
