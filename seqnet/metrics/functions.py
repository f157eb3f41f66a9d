"""Classification metrics on labels and predicted scores.

``y_true`` is class ids ``(m,)`` or one-hot ``(m, k)``; ``y_pred`` is scores or
probabilities ``(m, k)``. With a single output column, scores above 0.5 mean class 1.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._registry import did_you_mean, find_name
from ..losses.reduction import same_rank


def _labels(y: Any, y_pred: Any = None) -> np.ndarray:
    """Class ids from one-hot rows or ids (``(m,)``, Keras's ``(m, 1)``, or one per position of a
    ``(m, ..., k)`` output)."""
    y = np.asarray(y)
    shape = np.shape(y_pred) if y_pred is not None else (len(y), *(y.shape[1:] or (1,)))
    if y.shape == shape and shape[-1] > 1:
        return y.argmax(axis=-1)
    return y.reshape(shape[:-1] if len(shape) > 1 else shape).astype(np.int64)


def _predicted(y_pred: np.ndarray) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    if y_pred.ndim >= 2 and y_pred.shape[-1] == 1:
        return (y_pred[..., 0] > 0.5).astype(np.int64)
    return y_pred.argmax(axis=-1)


def per_example(values: np.ndarray) -> np.ndarray:
    """Each example's value: the mean over its outputs (Keras's reduction over the last axes)."""
    values = np.asarray(values)
    return values.reshape(len(values), -1).mean(axis=1)


def weighted_parts(values: Any, sample_weight: Any = None, reduce: Callable[..., Any] = np.mean) -> tuple[float, float]:
    """``(total, count)`` of Keras's weighted mean of ``values`` (one per example, or per output):
    the weights (of the examples, or of each output) are brought to the values' rank, the values
    reduced (``reduce``: averaged, or summed for a sum) over the axes the weights lack, each
    example's weighted values and weights reduced over its outputs, then summed. The metric is
    ``total / count``."""
    if np.ma.isMaskedArray(values):  # predictions a loss ignores: 0, and weightless where weights are given
        if sample_weight is not None:
            mask, weights = same_rank(~np.ma.getmaskarray(values), np.asarray(sample_weight, dtype=np.float64))
            sample_weight = mask * weights
        values = values.filled(0.0)
    values = np.asarray(values, dtype=np.float64)
    if sample_weight is None:
        count = values.shape[0] if values.ndim else 1
    else:
        values, weights = same_rank(values, np.asarray(sample_weight, dtype=np.float64))
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        weights = np.broadcast_to(weights, values.shape)
        values = values * weights
        count = float(reduce(weights.reshape(len(weights), -1), axis=1).sum() if weights.ndim > 1 else weights.sum())
    if values.ndim > 1:
        values = reduce(values.reshape(len(values), -1), axis=1)
    return float(values.sum()), float(count)


def _mean(values: np.ndarray, sample_weight: Any) -> float:
    """The mean of per-example values, weighted by ``sample_weight`` when given (Keras's weighted metrics);
    0 where the examples all weigh nothing."""
    total, count = weighted_parts(values, sample_weight)
    return total / count if count else 0.0


# Each metric is a function of (y_true, y_pred) -> one value per example (or per output, averaged
# per example); the float metrics below and the stateful ones (seqnet.metrics.stateful) both use them.
def accuracy_values(y_true: Any, y_pred: Any) -> np.ndarray:
    return _predicted(y_pred) == _labels(y_true, y_pred)


def top_k_values(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False) -> np.ndarray:
    """Whether each true class is among the ``k`` highest scores (with ``from_sorted_ids``,
    ``y_pred`` holds class ids already sorted by score: among its first ``k``)."""
    y_pred = np.asarray(y_pred)
    if from_sorted_ids:
        ids = np.asarray(y_true)
        ids = ids.reshape(y_pred.shape[:-1]) if ids.size == np.prod(y_pred.shape[:-1]) else ids
        return np.any(y_pred[..., :k] == ids[..., None], axis=-1)
    top = np.argpartition(-y_pred, min(k, y_pred.shape[-1]) - 1, axis=-1)[..., :k]
    return np.any(top == _labels(y_true, y_pred)[..., None], axis=-1)


def binary_accuracy_values(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return (y_pred > threshold) == (np.asarray(y_true).reshape(y_pred.shape) > 0.5)


def absolute_error_values(y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.abs(y_pred - np.asarray(y_true).reshape(y_pred.shape))


def squared_error_values(y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return (y_pred - np.asarray(y_true).reshape(y_pred.shape)) ** 2


def accuracy(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Fraction of rows whose highest-scoring class is the true class (weighted by ``sample_weight``)."""
    return _mean(accuracy_values(y_true, y_pred), sample_weight)


def top_k_accuracy(y_true: Any, y_pred: Any, k: int = 5, sample_weight: Any = None) -> float:
    """Fraction of rows whose true class is among the ``k`` highest scores."""
    return _mean(top_k_values(y_true, y_pred, k), sample_weight)


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


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5, sample_weight: Any = None) -> float:
    """Fraction of outputs on the right side of ``threshold``: every column is its own yes/no
    (Keras's ``binary_accuracy``, for sigmoid outputs)."""
    return _mean(binary_accuracy_values(y_true, y_pred, threshold), sample_weight)


def mean_absolute_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Mean of ``|y_pred - y_true|`` over every output."""
    return _mean(absolute_error_values(y_true, y_pred), sample_weight)


def mean_squared_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Mean of ``(y_pred - y_true)**2`` over every output."""
    return _mean(squared_error_values(y_true, y_pred), sample_weight)


VALUES: dict[str, Callable[..., np.ndarray]] = {  # each name's values per example (or per output)
    # "accuracy" picks its kind from the output: one column is a yes/no at 0.5, several are
    # classes (the highest score); the model makes it binary_accuracy under binary_crossentropy
    "accuracy": accuracy_values,
    "acc": accuracy_values,
    "categorical_accuracy": accuracy_values,
    "sparse_categorical_accuracy": accuracy_values,
    "binary_accuracy": binary_accuracy_values,
    "top_k_accuracy": top_k_values,
    "top_k_categorical_accuracy": top_k_values,
    "mae": absolute_error_values,
    "mean_absolute_error": absolute_error_values,
    "mse": squared_error_values,
    "mean_squared_error": squared_error_values,
}
_MEANS = {accuracy_values: accuracy, binary_accuracy_values: binary_accuracy, top_k_values: top_k_accuracy,
          absolute_error_values: mean_absolute_error, squared_error_values: mean_squared_error}
METRICS: dict[str, Callable[..., float]] = {name: _MEANS[fn] for name, fn in VALUES.items()}  # the same, as means


def canonical_name(name: str) -> str:
    """The registered spelling of the metric ``name`` means (regardless of case and underscores);
    ``ValueError`` suggesting the closest name and listing the known ones if none."""
    key = find_name(name, list(METRICS)) if isinstance(name, str) else None
    if key is None:
        raise ValueError(f"Unknown metric {name!r}.{did_you_mean(str(name), list(METRICS))} "
                         f"Known metric names: {', '.join(sorted(METRICS))}")
    return key


def get(name: str) -> Callable[[Any, Any], float]:
    """The metric function registered as ``name`` (see :func:`canonical_name`)."""
    return METRICS[canonical_name(name)]


__all__ = ["accuracy", "binary_accuracy", "top_k_accuracy", "mean_absolute_error", "mean_squared_error",
           "confusion_matrix", "canonical_name", "get", "METRICS"]
