"""Weight penalties added to the loss, as Keras's regularizers: ``L1(l1)`` adds ``l1 * sum(|w|)``,
``L2(l2)`` adds ``l2 * sum(w**2)`` (no one-half, as in Keras), ``L1L2`` both.

A layer keeps them in ``layer.regularizers`` (parameter name -> regularizer); the training step
adds every penalty to the batch loss and its gradient to the parameter's, and ``evaluate`` reports
the loss with the penalties, as Keras does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import Configurable, Registry

regularizers = Registry("regularizer")


class Regularizer(Configurable):
    """Base class: ``penalty(w)`` and its gradient ``gradient(w)``."""

    def penalty(self, w: np.ndarray) -> float:
        raise TypeError(f"{type(self).__name__} defines no penalty")

    def gradient(self, w: np.ndarray) -> np.ndarray:
        raise TypeError(f"{type(self).__name__} defines no gradient")

    def __call__(self, w: Any) -> float:
        return self.penalty(np.asarray(w))


regularizers.base = Regularizer


@regularizers.register("l1l2", aliases=("l1_l2",))
class L1L2(Regularizer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError(f"{type(self).__name__}: the factors must be non-negative, received l1={l1}, l2={l2}")

    def penalty(self, w: np.ndarray) -> float:
        return float(self.l1 * np.sum(np.abs(w)) + self.l2 * np.sum(np.square(w)))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return (self.l1 * np.sign(w) + 2.0 * self.l2 * w).astype(w.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@regularizers.register("l1")
class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


@regularizers.register("l2")
class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from a name (``"l2"``: Keras's default factor 0.01), a config dict or an object."""
    return None if identifier is None else regularizers.get(identifier)


def penalty(model: Any) -> float:
    """The sum of every layer's penalties."""
    return sum(reg.penalty(layer.parameters[name]) for layer in model.layers
               for name, reg in getattr(layer, "regularizers", {}).items())


def add_gradients(model: Any) -> None:
    """Add each penalty's gradient to its parameter's gradient (after the backward pass)."""
    for layer in model.layers:
        for name, reg in getattr(layer, "regularizers", {}).items():
            if layer.trainable:
                layer.gradients[name] += reg.gradient(layer.parameters[name])


__all__ = ["Regularizer", "L1", "L2", "L1L2", "get", "penalty", "add_gradients"]
