"""``keras.losses``: the classes, callable as ``loss(y_true, y_pred, sample_weight=None)``, and the
functions, which give each example's loss. They are seqnet's losses with Keras's arguments."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as _losses
from .._registry import variant_of
from ._missing import missing

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


class _Reduced:
    """Keras's ``reduction`` over the examples' losses (mixed in before the seqnet loss)."""

    def _face(self, reduction: Any, name: str | None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction is one of {_REDUCTIONS}, received {reduction!r}")
        self.reduction, self.name = reduction, name

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        y_pred = np.asarray(y_pred)
        if self.reduction == "sum_over_batch_size":
            return super().__call__(y_true, y_pred, sample_weight)
        per_example = self.per_sample(y_true, y_pred)
        if sample_weight is not None:
            per_example = per_example * np.asarray(sample_weight).reshape(-1)
        return per_example if self.reduction in ("none", None) else float(per_example.sum())


@variant_of(_losses.CrossEntropy)
class CategoricalCrossentropy(_Reduced, _losses.CrossEntropy):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "categorical_crossentropy", dtype: Any = None):
        super().__init__(from_logits, label_smoothing, normalize=True)
        self._face(reduction, name)


@variant_of(_losses.CrossEntropy)
class SparseCategoricalCrossentropy(_Reduced, _losses.CrossEntropy):
    def __init__(self, from_logits: bool = False, ignore_class: Any = None, reduction: Any = "sum_over_batch_size",
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None):
        if ignore_class is not None:
            raise ValueError("SparseCategoricalCrossentropy: seqnet has no ignore_class; drop those examples, or "
                             "give them sample_weight 0")
        super().__init__(from_logits, normalize=True)
        self._face(reduction, name)


@variant_of(_losses.BinaryCrossEntropy)
class BinaryCrossentropy(_Reduced, _losses.BinaryCrossEntropy):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_crossentropy", dtype: Any = None):
        super().__init__(from_logits, label_smoothing)
        self._face(reduction, name)


@variant_of(_losses.MeanSquaredError)
class MeanSquaredError(_Reduced, _losses.MeanSquaredError):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_squared_error", dtype: Any = None):
        super().__init__()
        self._face(reduction, name)


@variant_of(_losses.MeanAbsoluteError)
class MeanAbsoluteError(_Reduced, _losses.MeanAbsoluteError):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__()
        self._face(reduction, name)


@variant_of(_losses.Huber)
class Huber(_Reduced, _losses.Huber):
    def __init__(self, delta: float = 1.0, reduction: Any = "sum_over_batch_size", name: str = "huber_loss",
                 dtype: Any = None):
        super().__init__(delta)
        self._face(reduction, name)


def _simple(engine: type, keras_name: str) -> type:
    """The Keras face's class of an engine loss that takes no arguments but Keras's reduction and name."""
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = keras_name, dtype: Any = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - {"axis"}  # Keras's axis: seqnet's losses reduce the last axis
        if unknown or kwargs.get("axis", -1) != -1:
            raise TypeError(f"{engine.__name__}: unexpected arguments {sorted(kwargs)}")
        engine.__init__(self)
        self._face(reduction, name)
    cls = type(engine.__name__, (_Reduced, engine), {"__init__": __init__, "__module__": __name__,
                                                      "__doc__": f"Keras's ``{engine.__name__}`` loss: "
                                                                 f":class:`seqnet.losses.{engine.__name__}`."})
    return variant_of(engine)(cls)


Hinge = _simple(_losses.Hinge, "hinge")
SquaredHinge = _simple(_losses.SquaredHinge, "squared_hinge")
CategoricalHinge = _simple(_losses.CategoricalHinge, "categorical_hinge")
KLDivergence = _simple(_losses.KLDivergence, "kl_divergence")
Poisson = _simple(_losses.Poisson, "poisson")
LogCosh = _simple(_losses.LogCosh, "log_cosh")
CosineSimilarity = _simple(_losses.CosineSimilarity, "cosine_similarity")
MeanSquaredLogarithmicError = _simple(_losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")
MeanAbsolutePercentageError = _simple(_losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error")
_SIMPLE = {"hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
           "kl_divergence": KLDivergence, "kld": KLDivergence, "poisson": Poisson, "log_cosh": LogCosh,
           "logcosh": LogCosh, "cosine_similarity": CosineSimilarity, "mean_squared_logarithmic_error":
           MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
           "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError}


def _per_example(loss: Any) -> Any:
    def fn(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        return loss(**kwargs, reduction="none")(y_true, y_pred)
    fn.__doc__ = f"Each example's loss under :class:`{loss.__name__}` (Keras's function)."
    return fn


categorical_crossentropy = _per_example(CategoricalCrossentropy)
sparse_categorical_crossentropy = _per_example(SparseCategoricalCrossentropy)
binary_crossentropy = _per_example(BinaryCrossentropy)
mean_squared_error = mse = _per_example(MeanSquaredError)
mean_absolute_error = mae = _per_example(MeanAbsoluteError)
huber = _per_example(Huber)
hinge, squared_hinge, categorical_hinge = _per_example(Hinge), _per_example(SquaredHinge), _per_example(CategoricalHinge)
kl_divergence = kld = _per_example(KLDivergence)
poisson, log_cosh = _per_example(Poisson), _per_example(LogCosh)
cosine_similarity = _per_example(CosineSimilarity)
mean_squared_logarithmic_error = msle = _per_example(MeanSquaredLogarithmicError)
mean_absolute_percentage_error = mape = _per_example(MeanAbsolutePercentageError)

BY_NAME = {"categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
            "binary_crossentropy": BinaryCrossentropy, "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
            "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
            **_SIMPLE}


def get(identifier: Any) -> Any:
    """Keras's ``keras.losses.get``: a loss named as Keras names it becomes that Keras loss (with
    Keras's meaning, such as rows divided by their sum); anything else is returned as it is."""
    if isinstance(identifier, str) and identifier.lower() in BY_NAME:
        return BY_NAME[identifier.lower()]()
    return identifier


__all__ = ["get", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy", "MeanSquaredError",
           "MeanAbsoluteError", "Huber", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy", "mean_squared_error", "mse", "mean_absolute_error", "mae", "huber", "Hinge",
           "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "LogCosh", "CosineSimilarity",
           "MeanSquaredLogarithmicError", "MeanAbsolutePercentageError", "hinge", "squared_hinge", "categorical_hinge",
           "kl_divergence", "kld", "poisson", "log_cosh", "cosine_similarity", "mean_squared_logarithmic_error", "msle",
           "mean_absolute_percentage_error", "mape"]


__getattr__ = missing(__name__)
