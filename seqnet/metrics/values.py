"""Regression, probabilistic and hinge metrics as Keras defines them: each function gives one
value per example (reduced over the last axis), and :class:`~seqnet.metrics.stateful.MeanMetricWrapper`
averages them, weighted. Each is the value of the loss of the same name
(:meth:`seqnet.losses.Loss.values`), with Keras's ``EPSILON`` (``keras.config.epsilon()``) where a
logarithm or a quotient needs a floor.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as _losses
from ..losses.elementwise import EPSILON
from .functions import same_rank


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true, y_pred = same_rank(np.asarray(y_true, dtype=np.float64), y_pred)
    return np.broadcast_to(y_true, y_pred.shape), y_pred


def _of(loss: _losses.ElementwiseLoss, sign: float = 1.0) -> Any:
    def values(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
        return sign * loss.elementwise(*_pair(*_class_axis_last(y_true, y_pred, axis)))
    values.__doc__ = f"Each example's :class:`seqnet.losses.{type(loss).__name__}`" + (" (its sign turned: the cosine)"
                                                                                       if sign < 0 else "")
    return values


absolute_percentage_error = _of(_losses.MeanAbsolutePercentageError())
squared_logarithmic_error = _of(_losses.MeanSquaredLogarithmicError())
cosine_similarity = _of(_losses.CosineSimilarity(), -1.0)
log_cosh = _of(_losses.LogCosh())
kl_divergence = _of(_losses.KLDivergence())
poisson = _of(_losses.Poisson())
hinge = _of(_losses.Hinge())
squared_hinge = _of(_losses.SquaredHinge())
categorical_hinge = _of(_losses.CategoricalHinge())


def crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1) -> np.ndarray:
    """Keras's categorical cross-entropy per example: rows divided by their sum, clipped to
    ``[EPSILON, 1 - EPSILON]`` (or a log-softmax of logits)."""
    loss = _losses.CrossEntropy(from_logits, label_smoothing, normalize=True, epsilon=EPSILON)
    return loss.values(*_pair(*_class_axis_last(y_true, y_pred, axis)))


def sparse_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1,
                        ignore_class: int | None = None) -> np.ndarray:
    """:func:`crossentropy` of class ids (``(m,)``, ``(m, 1)``, or one per position); the
    predictions of ``ignore_class`` are masked (0, and weightless where weights are given)."""
    y_true, p = _class_axis_last(y_true, y_pred, axis)
    loss = _losses.CrossEntropy(from_logits, normalize=True, epsilon=EPSILON, ignore_class=ignore_class)
    ids = np.asarray(y_true)
    if ids.shape == p.shape:  # one-hot already (what fit hands its metrics)
        ids = ids.argmax(axis=-1) if ignore_class is not None else ids
    values = loss.values(ids, p)
    mask = loss.mask(ids, p)
    return values if mask is None else np.ma.MaskedArray(values, mask=~mask)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> np.ndarray:
    """Keras's binary cross-entropy, the mean over the last axis, probabilities clipped to
    ``[EPSILON, 1 - EPSILON]`` (or computed stably from logits)."""
    loss = _losses.BinaryCrossEntropy(from_logits, label_smoothing, epsilon=EPSILON)
    return loss.values(*_pair(*_class_axis_last(y_true, y_pred, axis)))


def _class_axis_last(y_true: Any, y_pred: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    axis = axis % y_pred.ndim
    if axis == y_pred.ndim - 1:
        return np.asarray(y_true), y_pred
    y_true = np.asarray(y_true)
    return (np.moveaxis(y_true, axis, -1) if y_true.ndim == y_pred.ndim else y_true), np.moveaxis(y_pred, axis, -1)
