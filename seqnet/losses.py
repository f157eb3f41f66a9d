"""Loss functions, averaged over the mini-batch.

Losses take ``(Y, Y_hat)`` in that order: ``Y`` the targets, ``Y_hat`` the
network's output of shape ``(m, k)``. ``Y`` may be one-hot (or real-valued) of
the same shape, or integer class ids of shape ``(m,)``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ._registry import Configurable, Registry, serialize

losses = Registry("loss")


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Encode integer class ids ``labels`` of shape ``(m,)`` as ``(m, n_classes)`` rows.

    Raises
    ------
    ValueError
        If a label is not an integer in ``0..n_classes-1``.
    """
    labels = np.asarray(labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.number) or not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"class labels must be integers, got dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"class labels must be in 0..{n_classes - 1} for {n_classes} outputs, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out.reshape(*labels.shape, n_classes)


def as_targets(Y: Any, Y_hat: np.ndarray) -> np.ndarray:
    """Targets with the shape and dtype of ``Y_hat`` (class ids become one-hot rows).

    Raises
    ------
    ValueError
        If ``Y`` fits neither as same-shape targets nor as class ids.
    """
    Y = np.asarray(Y)
    if Y.shape == Y_hat.shape:
        return Y.astype(Y_hat.dtype, copy=False)
    if Y.shape == Y_hat.shape[:-1]:
        if Y_hat.shape[-1] == 1:
            return Y[..., None].astype(Y_hat.dtype, copy=False)
        return one_hot(Y, Y_hat.shape[-1], Y_hat.dtype)
    raise ValueError(
        f"targets of shape {Y.shape} do not match outputs of shape {Y_hat.shape}: expected "
        f"{Y_hat.shape} (one-hot or real values) or {Y_hat.shape[:-1]} (class ids)"
    )


class Loss(Configurable, ABC):
    """Base class: a scalar cost of a batch and its gradient with respect to ``Y_hat``."""

    @abstractmethod
    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        """The mean loss over the batch."""

    @abstractmethod
    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """``dL/dY_hat``, shape of ``Y_hat``."""

    def __call__(self, Y: Any, Y_hat: np.ndarray) -> float:
        return self.forward(Y, Y_hat)


losses.base = Loss


@losses.register("cross_entropy", aliases=("categorical_crossentropy", "crossentropy"))
class CrossEntropy(Loss):
    r"""Multi-class cross-entropy :math:`J = -\frac1m \sum_{i,j} Y_{ij} \ln \hat Y_{ij}`.

    ``Y_hat`` holds probabilities (a softmax output). Probabilities are floored at the
    smallest positive normal number of their dtype, so a probability of exactly 0 gives a
    large but finite loss and gradient, never ``inf`` or ``nan``.
    The gradient is :math:`\partial J/\partial \hat Y = -Y / (m \hat Y)`; after a softmax the
    model uses the fused :math:`\partial J/\partial Z = (\hat Y - Y)/m` instead
    (:meth:`fused_backward`).
    """

    @staticmethod
    def _floor(Y_hat: np.ndarray) -> np.ndarray:
        return np.maximum(Y_hat, np.finfo(Y_hat.dtype).tiny)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        Y = as_targets(Y, Y_hat)
        return float(-np.sum(Y * np.log(self._floor(Y_hat))) / Y_hat.shape[0])

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = as_targets(Y, Y_hat)
        return -Y / self._floor(Y_hat) / Y_hat.shape[0]

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """Gradient with respect to the logits ``Z`` when ``Y_hat = softmax(Z)``: ``(Y_hat - Y) / m``."""
        return (Y_hat - as_targets(Y, Y_hat)) / Y_hat.shape[0]


@losses.register("l2", aliases=("mse", "mean_squared_error"))
class L2(Loss):
    r"""Half squared error :math:`J = \frac{1}{2m}\sum (\hat Y - Y)^2`, gradient :math:`(\hat Y - Y)/m`."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        D = Y_hat - as_targets(Y, Y_hat)
        return float(0.5 * np.sum(D * D) / Y_hat.shape[0])

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return (Y_hat - as_targets(Y, Y_hat)) / Y_hat.shape[0]


def get(identifier: Any) -> Loss:
    """A loss from a name (``"cross_entropy"``, ``"l2"``), a config dict or an instance."""
    return losses.get(identifier)


__all__ = ["Loss", "CrossEntropy", "L2", "one_hot", "as_targets", "get", "serialize"]
