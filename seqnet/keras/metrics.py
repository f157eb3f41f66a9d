"""``keras.metrics``: seqnet's stateful metric classes (:mod:`seqnet.metrics.stateful`), and the
functions, which give each example's value."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..metrics import (AUC, Accuracy, BinaryAccuracy, CategoricalAccuracy, FalseNegatives, FalsePositives, Mean,
                       MeanAbsoluteError, MeanMetricWrapper, MeanSquaredError, Metric, Precision, Recall,
                       SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy,
                       TrueNegatives, TruePositives)
from ..metrics import functions as _F
from ._missing import missing


def _per_example(values: Any) -> Any:
    def fn(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        return _F.per_example(values(y_true, y_pred, **kwargs))
    return fn


categorical_accuracy = sparse_categorical_accuracy = _per_example(_F.accuracy_values)
binary_accuracy = _per_example(_F.binary_accuracy_values)
top_k_categorical_accuracy = sparse_top_k_categorical_accuracy = _per_example(_F.top_k_values)
mean_squared_error = mse = _per_example(_F.squared_error_values)
mean_absolute_error = mae = _per_example(_F.absolute_error_values)

__all__ = ["Metric", "MeanMetricWrapper", "Mean", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "Precision", "Recall", "TruePositives", "FalsePositives", "TrueNegatives",
           "FalseNegatives", "AUC", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error", "mse",
           "mean_absolute_error", "mae"]


__getattr__ = missing(__name__)
