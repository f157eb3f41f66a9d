"""Keras's weighting and reduction of a loss's values per prediction: ``loss(Y, Y_hat,
sample_weight)`` through :func:`reduce_weighted`."""
from __future__ import annotations

from typing import Any

import numpy as np


def same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``x1`` and ``x2`` brought to the same rank where they differ by a last axis of size 1
    (Keras's ``squeeze_or_expand_to_same_rank``: a rank-1 one gains the axis, another loses it)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        return (x1, x2[..., None]) if x2.ndim == 1 and expand_rank_1 else (x1[..., 0], x2)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        return (x1[..., None], x2) if x1.ndim == 1 and expand_rank_1 else (x1, x2[..., 0])
    return x1, x2



#: how ``loss(Y, Y_hat, sample_weight)`` reduces the weighted per-prediction values (Keras's names):
#: their mean over the predictions ("sum_over_batch_size", "mean"), their sum, their sum over the
#: weights' sum ("mean_with_sample_weight"), or none (the values themselves)
REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none", None)


def reduce_weighted(values: np.ndarray, sample_weight: Any = None, reduction: Any = "sum_over_batch_size",
                    mask: np.ndarray | None = None) -> Any:
    """Keras's reduction of per-prediction ``values`` (shape ``(m, ...)``): weighted by
    ``sample_weight`` (a scalar, one per example, or one per prediction: a last axis of size 1
    is added or dropped to match, and weights of fewer axes apply to every position of their
    example), predictions outside ``mask`` counting for nothing, then reduced by ``reduction``
    (one of :data:`REDUCTIONS`). A float, or the weighted values for ``"none"``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`: expected one of {REDUCTIONS}, "
                         f"received reduction={reduction!r}")
    values = np.asarray(values)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=values.dtype)
    if mask is not None:
        scale = mask.size / max(int(mask.sum()), 1) if reduction in ("sum_over_batch_size", "mean") else 1.0
        mask = np.where(mask, scale, 0.0).astype(values.dtype)
        weights = mask if weights is None else _expanded(*same_rank(mask, weights)) * mask
    if weights is not None:
        values, weights = _expanded(*same_rank(values, weights))
        try:
            values = values * weights
        except ValueError:
            raise ValueError(f"sample_weight of shape {weights.shape} does not fit losses of shape {values.shape}: "
                             f"give one weight per example or per prediction") from None
    if reduction in ("none", None) or values.ndim == 0 or values.shape == (0,):
        return values
    total = float(values.sum())
    if reduction == "sum":
        return total
    divisor = float(weights.sum()) if reduction == "mean_with_sample_weight" and weights is not None else values.size
    return total / divisor if divisor else 0.0


def _expanded(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights of fewer axes than the values, with their leading shape, gain the values' trailing axes."""
    if 0 < weights.ndim < values.ndim and weights.shape == values.shape[:weights.ndim]:
        weights = weights.reshape(weights.shape + (1,) * (values.ndim - weights.ndim))
    return values, weights


__all__ = ["REDUCTIONS", "reduce_weighted", "same_rank"]
