"""Metrics: plain functions of labels and predicted scores (:mod:`seqnet.metrics.functions`) and
Keras's stateful metric objects (:mod:`seqnet.metrics.stateful`), which the training loop uses
for both."""
from .functions import (METRICS, VALUES, accuracy, binary_accuracy, canonical_name, confusion_matrix, get,
                        mean_absolute_error, mean_squared_error, top_k_accuracy)
from .auc import AUC
from .fscore import F1Score, FBetaScore
from .operating_points import (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
                               SpecificityAtSensitivity)
from .confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .stateful import (Accuracy, BinaryAccuracy, CategoricalAccuracy, Mean, MeanAbsoluteError, MeanMetricWrapper,
                       MeanSquaredError, Metric, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                       TopKCategoricalAccuracy, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                       CosineSimilarity, LogCoshError, KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
                       CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy,
                       RootMeanSquaredError, Sum, R2Score)

__all__ = ["accuracy", "binary_accuracy", "top_k_accuracy", "mean_absolute_error", "mean_squared_error",
           "confusion_matrix", "canonical_name", "get", "METRICS", "VALUES", "Metric", "MeanMetricWrapper", "Mean",
           "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "Precision", "Recall", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "AUC",
           "SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "CosineSimilarity", "LogCoshError",
           "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "BinaryCrossentropy", "RootMeanSquaredError", "Sum", "R2Score",
           "FBetaScore", "F1Score"]
