"""Keras's other losses, each a value per output reduced over the last axis and its gradient:
hinges, KL divergence, Poisson, log-cosh, cosine similarity, and the logarithmic and percentage
errors. The batch loss is the mean over every prediction (example, or position of an output of
shape ``(m, ..., k)``), as Keras averages it; each is checked against its numerical gradient
(``tests/test_losses.py`` walks every registered loss).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import Loss, as_targets, losses

EPSILON = 1e-7  # Keras's epsilon, where a logarithm or a quotient needs a floor


class ElementwiseLoss(Loss):
    """A loss given by ``elementwise(Y, Y_hat)`` (one value per prediction, shape
    ``Y_hat.shape[:-1]``, of targets already shaped as ``Y_hat``) and ``gradient(Y, Y_hat)`` (of
    their sum, shape of ``Y_hat``)."""

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return self.elementwise(as_targets(Y, Y_hat), Y_hat)

    def elementwise(self, Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray:
        raise TypeError(f"{type(self).__name__} does not define elementwise")

    def gradient(self, Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray:
        raise TypeError(f"{type(self).__name__} does not define gradient")

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self.values(Y, Y_hat)))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return self.gradient(as_targets(Y, Y_hat), Y_hat) / (Y_hat.size // Y_hat.shape[-1])


def _signed(Y: np.ndarray) -> np.ndarray:
    """Labels 0/1 as -1/+1, as Keras's hinge losses take them; -1/+1 labels as they are."""
    return 2.0 * Y - 1.0 if np.all((Y == 0) | (Y == 1)) else Y


@losses.register("hinge")
class Hinge(ElementwiseLoss):
    r"""Keras's ``"hinge"``: the mean over the last axis of :math:`\max(1 - y\hat y, 0)`, labels as -1/+1."""

    def elementwise(self, Y, Y_hat):
        return np.mean(np.maximum(1.0 - _signed(Y) * Y_hat, 0.0), axis=-1)

    def gradient(self, Y, Y_hat):
        S = _signed(Y)
        return -S * (1.0 - S * Y_hat > 0) / Y_hat.shape[-1]


@losses.register("squared_hinge")
class SquaredHinge(ElementwiseLoss):
    r"""Keras's ``"squared_hinge"``: the mean over the last axis of :math:`\max(1 - y\hat y, 0)^2`."""

    def elementwise(self, Y, Y_hat):
        return np.mean(np.maximum(1.0 - _signed(Y) * Y_hat, 0.0) ** 2, axis=-1)

    def gradient(self, Y, Y_hat):
        S = _signed(Y)
        return -2.0 * S * np.maximum(1.0 - S * Y_hat, 0.0) / Y_hat.shape[-1]


@losses.register("categorical_hinge")
class CategoricalHinge(ElementwiseLoss):
    r"""Keras's ``"categorical_hinge"``: :math:`\max(\max_j (1 - y_j)\hat y_j - \sum_j y_j \hat y_j + 1, 0)`."""

    def elementwise(self, Y, Y_hat):
        return np.maximum(np.max((1.0 - Y) * Y_hat, axis=-1) - np.sum(Y * Y_hat, axis=-1) + 1.0, 0.0)

    def gradient(self, Y, Y_hat):
        wrong = (1.0 - Y) * Y_hat
        best = np.argmax(wrong, axis=-1)[..., None] == np.arange(Y_hat.shape[-1])
        active = (self.elementwise(Y, Y_hat) > 0)[..., None]
        return active * (best * (1.0 - Y) - Y)


@losses.register("kl_divergence", aliases=("kld", "kullback_leibler_divergence"))
class KLDivergence(ElementwiseLoss):
    r"""Keras's ``"kl_divergence"``: :math:`\sum_j y_j \ln(y_j / \hat y_j)`, both clipped to ``[1e-7, 1]``."""

    def elementwise(self, Y, Y_hat):
        Y, P = np.clip(Y, EPSILON, 1.0), np.clip(Y_hat, EPSILON, 1.0)
        return np.sum(Y * np.log(Y / P), axis=-1)

    def gradient(self, Y, Y_hat):
        inside = (Y_hat > EPSILON) & (Y_hat < 1.0)
        return -np.clip(Y, EPSILON, 1.0) / np.clip(Y_hat, EPSILON, 1.0) * inside


@losses.register("poisson")
class Poisson(ElementwiseLoss):
    r"""Keras's ``"poisson"``: the mean over the last axis of :math:`\hat y - y \ln(\hat y + 10^{-7})`."""

    def elementwise(self, Y, Y_hat):
        return np.mean(Y_hat - Y * np.log(Y_hat + EPSILON), axis=-1)

    def gradient(self, Y, Y_hat):
        return (1.0 - Y / (Y_hat + EPSILON)) / Y_hat.shape[-1]


@losses.register("log_cosh", aliases=("logcosh",))
class LogCosh(ElementwiseLoss):
    r"""Keras's ``"log_cosh"``: the mean over the last axis of :math:`\ln\cosh(\hat y - y)`."""

    def elementwise(self, Y, Y_hat):
        x = Y_hat - Y
        return np.mean(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0), axis=-1)

    def gradient(self, Y, Y_hat):
        return np.tanh(Y_hat - Y) / Y_hat.shape[-1]


def _norm(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(np.sum(x * x, axis=-1, keepdims=True), 1e-12))


@losses.register("cosine_similarity")
class CosineSimilarity(ElementwiseLoss):
    r"""Keras's ``"cosine_similarity"`` loss: minus the cosine between target and prediction (the
    last axis), so that training brings them together: -1 is the best value."""

    def elementwise(self, Y, Y_hat):
        return -np.sum((Y / _norm(Y)) * (Y_hat / _norm(Y_hat)), axis=-1)

    def gradient(self, Y, Y_hat):
        unit_y, norm = Y / _norm(Y), _norm(Y_hat)
        cos = np.sum(unit_y * Y_hat / norm, axis=-1, keepdims=True)
        small = np.sum(Y_hat * Y_hat, axis=-1, keepdims=True) < 1e-12  # the norm's floor: a constant there
        return -(unit_y - np.where(small, 0.0, cos * Y_hat / norm)) / norm


@losses.register("mean_squared_logarithmic_error", aliases=("msle",))
class MeanSquaredLogarithmicError(ElementwiseLoss):
    r"""Keras's ``"msle"``: the mean over the last axis of
    :math:`(\ln(1 + \max(\hat y, \epsilon)) - \ln(1 + \max(y, \epsilon)))^2`."""

    def elementwise(self, Y, Y_hat):
        return np.mean((np.log1p(np.maximum(Y_hat, EPSILON)) - np.log1p(np.maximum(Y, EPSILON))) ** 2, axis=-1)

    def gradient(self, Y, Y_hat):
        d = np.log1p(np.maximum(Y_hat, EPSILON)) - np.log1p(np.maximum(Y, EPSILON))
        return 2.0 * d / (1.0 + Y_hat) * (Y_hat > EPSILON) / Y_hat.shape[-1]


@losses.register("mean_absolute_percentage_error", aliases=("mape",))
class MeanAbsolutePercentageError(ElementwiseLoss):
    r"""Keras's ``"mape"``: :math:`100` times the mean over the last axis of :math:`|y - \hat y| / \max(|y|, \epsilon)`."""

    def elementwise(self, Y, Y_hat):
        return 100.0 * np.mean(np.abs(Y - Y_hat) / np.maximum(np.abs(Y), EPSILON), axis=-1)

    def gradient(self, Y, Y_hat):
        return 100.0 * np.sign(Y_hat - Y) / np.maximum(np.abs(Y), EPSILON) / Y_hat.shape[-1]


__all__ = ["ElementwiseLoss", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "LogCosh",
           "CosineSimilarity", "MeanSquaredLogarithmicError", "MeanAbsolutePercentageError"]
