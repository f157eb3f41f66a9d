"""``keras.ops``: the numpy-like functions Keras's guides call on arrays, as numpy itself (seqnet's
tensors are numpy arrays), plus Keras's conversions and the activations Keras's ops module names."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as _activations
from ._missing import missing

_NUMPY = ["abs", "add", "all", "any", "arange", "argmax", "argmin", "argsort", "array", "broadcast_to", "ceil",
          "clip", "concatenate", "cos", "cumsum", "divide", "dot", "equal", "exp", "expand_dims", "eye", "floor",
          "full", "greater", "greater_equal", "less", "less_equal", "linspace", "log", "matmul", "max", "maximum",
          "mean", "min", "minimum", "multiply", "negative", "not_equal", "ones", "ones_like", "power", "prod",
          "repeat", "reshape", "round", "sign", "sin", "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum",
          "take", "tanh", "tile", "transpose", "var", "where", "zeros", "zeros_like"]
globals().update({name: getattr(np, name) for name in _NUMPY})


def convert_to_numpy(x: Any) -> np.ndarray:
    return np.asarray(x)


def convert_to_tensor(x: Any, dtype: Any = None) -> np.ndarray:
    return np.asarray(x, dtype=dtype)


def cast(x: Any, dtype: Any) -> np.ndarray:
    return np.asarray(x).astype(dtype)


def shape(x: Any) -> tuple[int, ...]:
    return np.shape(x)


def relu(x: Any) -> np.ndarray:
    return _activations.ReLU().forward(np.asarray(x))


def sigmoid(x: Any) -> np.ndarray:
    return _activations.Sigmoid().forward(np.asarray(x))


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    moved = np.moveaxis(np.asarray(x), axis, -1)
    return np.moveaxis(_activations.SoftMax().forward(moved), -1, axis)


def one_hot(x: Any, num_classes: int) -> np.ndarray:
    return np.eye(num_classes, dtype=np.float32)[np.asarray(x, dtype=np.int64)]


__all__ = [*_NUMPY, "convert_to_numpy", "convert_to_tensor", "cast", "shape", "relu", "sigmoid", "softmax", "one_hot"]


__getattr__ = missing(__name__)
