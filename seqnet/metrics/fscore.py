"""The F-scores, as Keras computes them: per class from weighted counts kept over every batch."""
from __future__ import annotations

from typing import Any

import numpy as np

from .stateful import Metric, metrics

EPSILON = 1e-7  # Keras's fuzz factor, added to each denominator


@metrics.register("fbeta_score")
class FBetaScore(Metric):
    r"""Keras's ``FBetaScore``: :math:`(1+\beta^2)\,pr/(\beta^2 p + r)` of each class, from the
    precision :math:`p` and recall :math:`r` of one-hot labels ``(n, classes)``.

    A prediction says yes for each class whose score is the row's highest (and not 0), or is above
    ``threshold`` when given. ``average`` None gives the score of each class (an array); ``"micro"``
    counts every class together; ``"macro"`` averages the classes' scores; ``"weighted"`` weighs
    them by each class's share of the true labels.
    """

    state_names = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")
    direction = "up"

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype: Any = None) -> None:
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: {{None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta} "
                             f"of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None and not isinstance(threshold, float):
            raise ValueError(f"Invalid `threshold` argument value. It should be a Python float. Received: "
                             f"threshold={threshold} of type '{type(threshold)}'")
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: "
                             f"threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        for name in self.state_names:  # a count per class once the first batch says how many
            setattr(self, name, np.float64(0.0))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.threshold is None:
            said = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            said = y_pred > self.threshold
        said = said.astype(np.float64)
        weight = None if sample_weight is None else np.asarray(sample_weight, np.float64).reshape(-1, 1)

        def total(values: np.ndarray) -> np.ndarray:
            return np.sum(values if weight is None else values * weight, axis=self.axis)
        for name, values in (("true_positives", said * y_true), ("false_positives", said * (1 - y_true)),
                             ("false_negatives", (1 - said) * y_true), ("intermediate_weights", y_true)):
            setattr(self, name, getattr(self, name) + total(values))

    def result(self):
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision, recall = tp / (tp + fp + EPSILON), tp / (tp + fn + EPSILON)
        beta2 = self.beta ** 2
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall + EPSILON)
        if self.average == "weighted":
            return float(np.sum(score * self.intermediate_weights / (np.sum(self.intermediate_weights) + EPSILON)))
        if self.average is not None:
            return float(np.mean(score))
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


@metrics.register("f1_score")
class F1Score(FBetaScore):
    """Keras's ``F1Score``: :class:`FBetaScore` with ``beta=1``."""

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype: Any = None) -> None:
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
