"""Classification metrics on labels and predicted scores.

``y_true`` is class ids ``(m,)`` or one-hot ``(m, k)``; ``y_pred`` is scores or
probabilities ``(m, k)``. With a single output column, scores above 0.5 mean class 1.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _labels(y: Any) -> np.ndarray:
    y = np.asarray(y)
    return y.argmax(axis=-1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y)).astype(np.int64)


def _predicted(y_pred: np.ndarray) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 2 and y_pred.shape[1] == 1:
        return (y_pred[:, 0] > 0.5).astype(np.int64)
    return y_pred.argmax(axis=-1)


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of rows whose highest-scoring class is the true class."""
    return float(np.mean(_predicted(y_pred) == _labels(y_true)))


def top_k_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> float:
    """Fraction of rows whose true class is among the ``k`` highest scores."""
    y_pred = np.asarray(y_pred)
    top = np.argpartition(-y_pred, min(k, y_pred.shape[1]) - 1, axis=1)[:, :k]
    return float(np.mean(np.any(top == _labels(y_true)[:, None], axis=1)))


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` counts rows of true class ``i`` predicted as class ``j``.

    ``y_pred`` may be scores ``(m, k)`` or predicted class ids ``(m,)``.
    """
    t = _labels(y_true)
    y_pred = np.asarray(y_pred)
    p = _predicted(y_pred) if y_pred.ndim == 2 else y_pred.astype(np.int64)
    if n_classes is None:
        n_classes = int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
        if y_pred.ndim == 2 and y_pred.shape[1] > 1:
            n_classes = max(n_classes, y_pred.shape[1])
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> float:
    """Fraction of outputs on the right side of ``threshold``: every column is its own yes/no
    (Keras's ``binary_accuracy``, for sigmoid outputs)."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape)
    return float(np.mean((y_pred > threshold) == (y_true > 0.5)))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``|y_pred - y_true|`` over every output."""
    y_pred = np.asarray(y_pred)
    return float(np.mean(np.abs(y_pred - np.asarray(y_true).reshape(y_pred.shape))))


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``(y_pred - y_true)**2`` over every output."""
    y_pred = np.asarray(y_pred)
    return float(np.mean((y_pred - np.asarray(y_true).reshape(y_pred.shape)) ** 2))


METRICS: dict[str, Callable[[Any, Any], float]] = {
    # "accuracy" picks its kind from the output: one column is a yes/no at 0.5, several are
    # classes (the highest score); the model makes it binary_accuracy under binary_crossentropy
    "accuracy": accuracy,
    "acc": accuracy,
    "categorical_accuracy": accuracy,
    "sparse_categorical_accuracy": accuracy,
    "binary_accuracy": binary_accuracy,
    "top_k_accuracy": top_k_accuracy,
    "top_k_categorical_accuracy": top_k_accuracy,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}


def get(name: str) -> Callable[[Any, Any], float]:
    """The metric function registered as ``name``; ``ValueError`` listing known names if none."""
    if not isinstance(name, str) or name not in METRICS:
        raise ValueError(f"Unknown metric {name!r}. Known metric names: {', '.join(sorted(METRICS))}")
    return METRICS[name]


__all__ = ["accuracy", "binary_accuracy", "top_k_accuracy", "mean_absolute_error", "mean_squared_error",
           "confusion_matrix", "get", "METRICS"]
