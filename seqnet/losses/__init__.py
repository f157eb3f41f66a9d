"""Loss functions, averaged over the mini-batch.

Losses take ``(Y, Y_hat)`` in that order: ``Y`` the targets, ``Y_hat`` the
network's output of shape ``(m, k)``. ``Y`` may be one-hot (or real-valued) of
the same shape, or integer class ids of shape ``(m,)``.

seqnet's own names keep the assignment's meanings (``"cross_entropy"``, ``"l2"``: half the
summed squared error over the batch size); Keras's names mean Keras's losses
(``"categorical_crossentropy"``, ``"sparse_categorical_crossentropy"``,
``"binary_crossentropy"``, ``"mse"``, ``"mae"``, ``"huber"``: means over every output).
"""
from .core import L2, Huber, Loss, MeanAbsoluteError, MeanSquaredError, as_targets, get, losses, one_hot, serialize
from .crossentropy import BinaryCrossEntropy, CrossEntropy
from .reduction import REDUCTIONS, reduce_weighted
from .elementwise import (CategoricalHinge, CosineSimilarity, ElementwiseLoss, Hinge, KLDivergence, LogCosh,
                          MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Poisson, SquaredHinge)
from .focal import BinaryFocalCrossEntropy, CategoricalFocalCrossEntropy, CategoricalGeneralizedCrossEntropy
from .overlap import Dice, Tversky

__all__ = ["Loss", "CrossEntropy", "BinaryCrossEntropy", "L2", "MeanSquaredError", "MeanAbsoluteError", "Huber",
           "one_hot", "as_targets", "get", "serialize", "losses", "ElementwiseLoss", "Hinge", "SquaredHinge",
           "CategoricalHinge", "KLDivergence", "Poisson", "LogCosh", "CosineSimilarity", "MeanSquaredLogarithmicError",
           "MeanAbsolutePercentageError", "BinaryFocalCrossEntropy", "CategoricalFocalCrossEntropy",
           "CategoricalGeneralizedCrossEntropy", "Dice", "Tversky", "REDUCTIONS", "reduce_weighted"]
