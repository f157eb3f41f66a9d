"""``keras.activations``: Keras's activation functions on numpy arrays, each computed by seqnet's
activation of the same name (:mod:`seqnet.activations`). Passed as a layer's ``activation``, a
function is that activation (``Dense(10, activation=keras.activations.gelu)``), and a config
names it, as in Keras."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import activations as _act
from ._missing import missing


def _apply(activation: _act.Activation, x: Any) -> np.ndarray:
    x = np.asarray(x)
    return activation.forward(x.astype(np.float32) if x.dtype.kind in "biu" else x)


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> np.ndarray:
    return _apply(_act.ReLU(max_value=max_value, negative_slope=negative_slope, threshold=threshold), x)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> np.ndarray:
    return _apply(_act.LeakyReLU(negative_slope), x)


def elu(x: Any, alpha: float = 1.0) -> np.ndarray:
    return _apply(_act.ELU(alpha), x)


def gelu(x: Any, approximate: bool = False) -> np.ndarray:
    return _apply(_act.GELU(approximate), x)


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    x = np.asarray(x)
    return np.moveaxis(_apply(_act.SoftMax(), np.moveaxis(x, axis, -1)), -1, axis)


def selu(x: Any) -> np.ndarray:
    return _apply(_act.SELU(), x)


def softplus(x: Any) -> np.ndarray:
    return _apply(_act.Softplus(), x)


def silu(x: Any) -> np.ndarray:
    return _apply(_act.SiLU(), x)


def sigmoid(x: Any) -> np.ndarray:
    return _apply(_act.Sigmoid(), x)


def tanh(x: Any) -> np.ndarray:
    return _apply(_act.TanH(), x)


def linear(x: Any) -> np.ndarray:
    return np.asarray(x)


swish = silu
FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "relu": relu, "leaky_relu": leaky_relu, "elu": elu, "gelu": gelu, "softmax": softmax, "selu": selu,
    "softplus": softplus, "silu": silu, "swish": swish, "sigmoid": sigmoid, "tanh": tanh, "linear": linear}


def name_of(function: Any) -> str | None:
    """Keras's name of one of these functions; None for anything else."""
    return next((name for name, f in FUNCTIONS.items() if f is function), None)


def get(identifier: Any) -> Callable[..., np.ndarray] | None:
    """The function for a Keras name (``"relu"``), or a function as it is; None gives ``linear``."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in FUNCTIONS:
        return FUNCTIONS[identifier]
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}; Keras names seqnet has: "
                     f"{', '.join(FUNCTIONS)}")


def serialize(activation: Any) -> Any:
    return name_of(activation) or activation


def deserialize(config: Any, custom_objects: Any = None) -> Callable[..., np.ndarray] | None:
    return get(config)


__all__ = [*FUNCTIONS, "get", "serialize", "deserialize"]


__getattr__ = missing(__name__)
