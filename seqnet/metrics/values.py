"""Regression, probabilistic and hinge metrics as Keras defines them: each function gives one
value per example (reduced over the last axis), and :class:`~seqnet.metrics.stateful.MeanMetricWrapper`
averages them, weighted. Probabilities and labels are clipped to ``[EPSILON, 1]`` where a
logarithm or a quotient needs it, with Keras's ``EPSILON`` (``keras.config.epsilon()``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .functions import same_rank

EPSILON = 1e-7


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true, y_pred = same_rank(np.asarray(y_true, dtype=np.float64), y_pred)
    return np.broadcast_to(y_true, y_pred.shape), y_pred


def absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``100 * mean(|y - p| / max(|y|, EPSILON))`` over the last axis."""
    y, p = _pair(y_true, y_pred)
    return 100.0 * np.mean(np.abs(y - p) / np.maximum(np.abs(y), EPSILON), axis=-1)


def squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean((log(1 + max(p, EPSILON)) - log(1 + max(y, EPSILON)))**2)`` over the last axis."""
    y, p = _pair(y_true, y_pred)
    return np.mean((np.log1p(np.maximum(p, EPSILON)) - np.log1p(np.maximum(y, EPSILON))) ** 2, axis=-1)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.maximum(np.sum(x * x, axis=-1, keepdims=True), 1e-12))


def cosine_similarity(y_true: Any, y_pred: Any) -> np.ndarray:
    """The cosine of the angle between each target and prediction (the last axis)."""
    y, p = _pair(y_true, y_pred)
    return np.sum(_unit(y) * _unit(p), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(log(cosh(p - y)))`` over the last axis, as ``x + softplus(-2x) - log 2`` (no overflow)."""
    y, p = _pair(y_true, y_pred)
    x = p - y
    return np.mean(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0), axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """``sum(y * log(y / p))`` over the last axis, both clipped to ``[EPSILON, 1]``."""
    y, p = _pair(y_true, y_pred)
    y, p = np.clip(y, EPSILON, 1.0), np.clip(p, EPSILON, 1.0)
    return np.sum(y * np.log(y / p), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(p - y * log(p + EPSILON))`` over the last axis."""
    y, p = _pair(y_true, y_pred)
    return np.mean(p - y * np.log(p + EPSILON), axis=-1)


def _signed(y: np.ndarray) -> np.ndarray:
    """Labels 0/1 as -1/+1 (hinge losses' labels); labels already -1/+1 as they are."""
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(max(1 - y p, 0))`` over the last axis, labels as -1/+1."""
    y, p = _pair(y_true, y_pred)
    return np.mean(np.maximum(1.0 - _signed(y) * p, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(max(1 - y p, 0)**2)`` over the last axis, labels as -1/+1."""
    y, p = _pair(y_true, y_pred)
    return np.mean(np.maximum(1.0 - _signed(y) * p, 0.0) ** 2, axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``max(max((1 - y) p) - sum(y p) + 1, 0)``: the best wrong score against the true one."""
    y, p = _pair(y_true, y_pred)
    return np.maximum(np.max((1.0 - y) * p, axis=-1) - np.sum(y * p, axis=-1) + 1.0, 0.0)


def crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1) -> np.ndarray:
    """Keras's categorical cross-entropy per example: rows divided by their sum, clipped to
    ``[EPSILON, 1 - EPSILON]`` (or a log-softmax of logits)."""
    y, p = _pair(y_true, y_pred)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + label_smoothing / y.shape[-1]
    if from_logits:
        shifted = p - p.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    else:
        log_p = np.log(np.clip(p / p.sum(axis=-1, keepdims=True), EPSILON, 1.0 - EPSILON))
    return -np.sum(y * log_p, axis=-1)


def sparse_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1) -> np.ndarray:
    """:func:`crossentropy` of class ids (``(m,)``, ``(m, 1)``, or one per position)."""
    p = np.asarray(y_pred, dtype=np.float64)
    ids = np.asarray(y_true)
    if ids.shape == p.shape:  # one-hot already (what fit hands its metrics)
        return crossentropy(ids, p, from_logits)
    if ids.shape == (*p.shape[:-1], 1):
        ids = ids[..., 0]
    return crossentropy(np.eye(p.shape[-1])[ids.astype(np.int64)], p, from_logits)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> np.ndarray:
    """Keras's binary cross-entropy, the mean over the last axis, probabilities clipped to
    ``[EPSILON, 1 - EPSILON]`` (or computed stably from logits)."""
    y, p = _pair(y_true, y_pred)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p)))
    else:
        p = np.clip(p, EPSILON, 1.0 - EPSILON)
        values = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return np.mean(values, axis=-1)
