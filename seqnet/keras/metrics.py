"""``keras.metrics``: seqnet's stateful metric classes (:mod:`seqnet.metrics.stateful`), and the
functions, which give each example's value."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..metrics import (Accuracy, BinaryAccuracy, CategoricalAccuracy, FalseNegatives, FalsePositives, Mean,
                       MeanAbsoluteError, MeanMetricWrapper, MeanSquaredError, Metric, Precision, Recall,
                       SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy,
                       TrueNegatives, TruePositives, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
                       KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, CategoricalCrossentropy,
                       SparseCategoricalCrossentropy, BinaryCrossentropy, RootMeanSquaredError, Sum, R2Score)
from ..metrics.auc import AUC
from ..metrics.fscore import F1Score, FBetaScore
from ..metrics.operating_points import (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
                                        SpecificityAtSensitivity)
from ..metrics import functions as _F
from ..metrics import values as _V
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
mean_absolute_percentage_error = mape = _V.absolute_percentage_error
mean_squared_logarithmic_error = msle = _V.squared_logarithmic_error
cosine_similarity, log_cosh_error, kl_divergence, poisson = _V.cosine_similarity, _V.log_cosh, _V.kl_divergence, _V.poisson
hinge, squared_hinge, categorical_hinge = _V.hinge, _V.squared_hinge, _V.categorical_hinge
categorical_crossentropy, sparse_categorical_crossentropy = _V.crossentropy, _V.sparse_crossentropy
binary_crossentropy = _V.binary_crossentropy

__all__ = ["Metric", "MeanMetricWrapper", "Mean", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "Precision", "Recall", "TruePositives", "FalsePositives",
           "TrueNegatives", "FalseNegatives", "AUC", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
           "PrecisionAtRecall", "RecallAtPrecision", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "CosineSimilarity", "LogCoshError", "KLDivergence", "Poisson", "Hinge", "SquaredHinge",
           "CategoricalHinge", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy",
           "RootMeanSquaredError", "Sum", "R2Score", "FBetaScore", "F1Score", "categorical_accuracy",
           "sparse_categorical_accuracy", "binary_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "mean_squared_error", "mse", "mean_absolute_error", "mae",
           "mean_absolute_percentage_error", "mape", "mean_squared_logarithmic_error", "msle", "cosine_similarity",
           "log_cosh_error", "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy"]


__getattr__ = missing(__name__)
