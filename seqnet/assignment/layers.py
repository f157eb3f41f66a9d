"""The assignment's ``neural_networks.layers``: ``FullyConnected``, ``Conv2D``, ``Pool2D`` and
``Flatten`` with its signatures, over seqnet's layers (the same forward and backward code).

At the edge, as the assignment's layers do: the parameters are made on the first ``forward`` (or
by ``_init_parameters(X_shape)``, which the assignment's tests call) from numpy's global random
state, so ``np.random.seed`` fixes them; ``cache`` holds ``"X"`` and ``"Z"``; ``parameters["W"]``
may be replaced by a new array between calls; ``clear_gradients()`` zeroes the gradients.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from .. import initializers as _initializers
from ..activations import Linear
from ..layers import Conv2D as _Conv2D
from ..layers import Dense as _Dense
from ..layers import Flatten as _Flatten
from ..layers import Layer
from ..layers import Pool2D as _Pool2D
from .activations import initialize_activation


def global_rng() -> np.random.Generator:
    """A generator drawn from numpy's global random state (what ``np.random.seed`` sets)."""
    return np.random.default_rng(np.random.randint(0, 2**31 - 1))


def initialize_weights(name: str, activation: str | None = None) -> Callable[[tuple[int, ...]], np.ndarray]:
    """``init(shape)``: the initializer ``name`` (``"xavier_uniform"``, ``"he_normal"``...) with the
    gain of ``activation``, drawing from numpy's global random state."""
    initializer = _initializers.get(name, activation=activation)
    return lambda shape: initializer(tuple(shape), rng=global_rng(), dtype=np.float64)


class AssignmentLayer:
    """The assignment's layer protocol on top of a seqnet layer (mixed in before it)."""

    def _init_parameters(self, X_shape: tuple[int, ...]) -> None:
        """Make the parameters for inputs of ``X_shape`` (batch axis first)."""
        self.build(tuple(X_shape)[1:], rng=global_rng(), dtype=np.float64)
        self.cache = OrderedDict({"Z": [], "X": []})

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if not self.built:
            self._init_parameters(X.shape)
        out = super().forward(X)
        self.cache["X"] = X
        if isinstance(self.activation, Linear):  # seqnet keeps Z only where the activation needs it
            self.cache["Z"] = out
        return out

    __call__ = forward

    def clear_gradients(self) -> None:
        for gradient in self.gradients.values():
            gradient[...] = 0


class FullyConnected(AssignmentLayer, _Dense):
    """``FullyConnected(n_out, activation, weight_init="xavier_uniform")``: ``activation(X W + b)``."""

    def __init__(self, n_out: int, activation: str, weight_init: str = "xavier_uniform") -> None:
        super().__init__(n_out=n_out, activation=activation, weight_init=weight_init)
        self.init_weights = initialize_weights(weight_init, activation=activation)


class Conv2D(AssignmentLayer, _Conv2D):
    """``Conv2D(n_out, kernel_shape, activation, stride=1, pad="same", weight_init="xavier_uniform")``:
    NHWC cross-correlation; "same" pads ``(k - 1) // 2`` on each side, "valid" nothing, an int that many."""

    def __init__(self, n_out: int, kernel_shape: tuple[int, int], activation: str, stride: int = 1,
                 pad: Any = "same", weight_init: str = "xavier_uniform") -> None:
        super().__init__(n_out=n_out, kernel_shape=kernel_shape, activation=activation, stride=stride, pad=pad,
                         weight_init=weight_init)
        self.init_weights = initialize_weights(weight_init, activation=activation)


class Pool2D(AssignmentLayer, _Pool2D):
    """``Pool2D(kernel_shape, mode="max", stride=1, pad=0)``: max or average pooling."""

    def __init__(self, kernel_shape: tuple[int, int], mode: str = "max", stride: int = 1, pad: Any = 0) -> None:
        super().__init__(kernel_shape, mode=mode, stride=stride, pad=pad)


class Flatten(AssignmentLayer, _Flatten):
    """``Flatten(keep_dim="first")``: each example to a vector."""

    def __init__(self, keep_dim: str = "first") -> None:
        if keep_dim != "first":
            raise ValueError(f"Flatten keeps the first (batch) axis; received keep_dim={keep_dim!r}")
        super().__init__()


LAYERS = {"fully_connected": FullyConnected, "conv2d": Conv2D, "pool2d": Pool2D, "flatten": Flatten}


def initialize_layer(name: str, **arguments: Any) -> Layer:
    """The layer ``name`` ("fully_connected", "conv2d", "pool2d", "flatten") with the given arguments;
    those left None take the layer's defaults."""
    if name not in LAYERS:
        raise ValueError(f"unknown layer {name!r}; the assignment's layers are {', '.join(LAYERS)}")
    return LAYERS[name](**{k: v for k, v in arguments.items() if v is not None})


__all__ = ["FullyConnected", "Conv2D", "Pool2D", "Flatten", "initialize_layer", "initialize_weights",
           "initialize_activation", "global_rng"]
