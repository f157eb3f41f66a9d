"""``keras.losses``: the classes, callable as ``loss(y_true, y_pred, sample_weight=None)``, and the
functions, which give each prediction's loss. They are seqnet's losses with Keras's arguments,
names, configs and defaults (probabilities clipped at Keras's ``1e-7``); the weighting and the
reduction are the engine's (:func:`seqnet.losses.reduce_weighted`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as _losses
from .._registry import variant_of
from ._missing import missing

EPSILON = 1e-7  # keras.config.epsilon()
_REDUCTIONS = _losses.REDUCTIONS


class Face:
    """Keras's ``reduction``, ``name``, class ``axis`` and config, mixed in before the engine loss.

    ``KERAS_ARGS`` names the attributes Keras's ``get_config`` writes besides the name and the
    reduction. A class ``axis`` other than the last is moved last at the edge (the engine's losses
    take classes on the last axis), in the calls a user or a model makes."""

    KERAS_ARGS: tuple[str, ...] = ()

    def _face(self, reduction: Any, name: str | None, axis: Any = -1) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of {_REDUCTIONS}. "
                             f"Received: reduction={reduction!r}")
        if isinstance(axis, bool):
            raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
        self.reduction, self.name, self.axis = reduction, name, axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, **{k: getattr(self, k) for k in self.KERAS_ARGS}}

    def _last(self, Y: Any, Y_hat: np.ndarray) -> tuple[Any, np.ndarray, int]:
        axis = self.axis % Y_hat.ndim
        if axis == Y_hat.ndim - 1:
            return Y, Y_hat, axis
        Y = np.asarray(Y)
        return (np.moveaxis(Y, axis, -1) if Y.ndim == Y_hat.ndim else Y), np.moveaxis(Y_hat, axis, -1), axis

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        y_true, y_pred, _ = self._last(y_true, np.asarray(y_pred))
        return super().__call__(y_true, y_pred, sample_weight)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return super().forward(*self._last(Y, Y_hat)[:2])

    def weighted_forward(self, Y: Any, Y_hat: np.ndarray, sample_weight: np.ndarray) -> float:
        return super().weighted_forward(*self._last(Y, Y_hat)[:2], sample_weight)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, moved, axis = self._last(Y, Y_hat)
        return np.moveaxis(super().backward(Y, moved), -1, axis)

    def fuses(self, activation: Any, outputs: int) -> bool:
        return self.axis == -1 and super().fuses(activation, outputs)


@variant_of(_losses.CrossEntropy)
class CategoricalCrossentropy(Face, _losses.CrossEntropy):
    KERAS_ARGS = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "categorical_crossentropy", dtype: Any = None):
        super().__init__(from_logits, label_smoothing, normalize=True, epsilon=EPSILON)
        self._face(reduction, name, axis)

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        if np.shape(Y) != Y_hat.shape:
            raise ValueError(f"Arguments `target` and `output` must have the same shape: the categorical "
                             f"cross-entropy takes one-hot targets, got targets of shape {np.shape(Y)} for outputs of "
                             f"shape {Y_hat.shape} (class ids take SparseCategoricalCrossentropy)")
        return super()._targets(Y, Y_hat)


@variant_of(_losses.CrossEntropy)
class SparseCategoricalCrossentropy(Face, _losses.CrossEntropy):
    KERAS_ARGS = ("from_logits", "ignore_class")

    def __init__(self, from_logits: bool = False, ignore_class: Any = None, reduction: Any = "sum_over_batch_size",
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None, axis: int = -1):
        super().__init__(from_logits, normalize=True, epsilon=EPSILON, ignore_class=ignore_class)
        self._face(reduction, name, axis)


@variant_of(_losses.BinaryCrossEntropy)
class BinaryCrossentropy(Face, _losses.BinaryCrossEntropy):
    KERAS_ARGS = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_crossentropy", dtype: Any = None):
        super().__init__(from_logits, label_smoothing, epsilon=EPSILON)
        self._face(reduction, name, axis)


@variant_of(_losses.BinaryFocalCrossEntropy)
class BinaryFocalCrossentropy(Face, _losses.BinaryFocalCrossEntropy):
    KERAS_ARGS = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_focal_crossentropy", dtype: Any = None):
        super().__init__(apply_class_balancing, alpha, gamma, from_logits, label_smoothing)
        self._face(reduction, name, axis)


@variant_of(_losses.CategoricalFocalCrossEntropy)
class CategoricalFocalCrossentropy(Face, _losses.CategoricalFocalCrossEntropy):
    KERAS_ARGS = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction: Any = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy", dtype: Any = None):
        super().__init__(alpha, gamma, from_logits, label_smoothing)
        self._face(reduction, name, axis)


@variant_of(_losses.CategoricalGeneralizedCrossEntropy)
class CategoricalGeneralizedCrossEntropy(Face, _losses.CategoricalGeneralizedCrossEntropy):
    KERAS_ARGS = ("q",)

    def __init__(self, q: float = 0.5, reduction: Any = "sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype: Any = None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(q)
        self._face(reduction, name)


@variant_of(_losses.Huber)
class Huber(Face, _losses.Huber):
    KERAS_ARGS = ("delta",)  # Keras's config leaves the delta out, so its reloaded Huber has delta 1

    def __init__(self, delta: float = 1.0, reduction: Any = "sum_over_batch_size", name: str = "huber_loss",
                 dtype: Any = None):
        super().__init__(delta)
        self._face(reduction, name)


@variant_of(_losses.CosineSimilarity)
class CosineSimilarity(Face, _losses.CosineSimilarity):
    KERAS_ARGS = ("axis",)  # Keras's config leaves the axis out

    def __init__(self, axis: int = -1, reduction: Any = "sum_over_batch_size", name: str = "cosine_similarity",
                 dtype: Any = None):
        super().__init__()
        self._face(reduction, name, axis)


@variant_of(_losses.Dice)
class Dice(Face, _losses.Dice):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "dice", axis: Any = None,
                 dtype: Any = None):
        super().__init__(axis)
        self._face(reduction, name, self.axis)  # the axes summed over (the engine's), not a class axis
        self.keras_axis = axis

    def _last(self, Y: Any, Y_hat: np.ndarray) -> tuple[Any, np.ndarray, int]:
        return Y, Y_hat, Y_hat.ndim - 1

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, "axis": self.keras_axis}


@variant_of(_losses.Tversky)
class Tversky(Face, _losses.Tversky):
    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction: Any = "sum_over_batch_size",
                 name: str = "tversky", axis: Any = None, dtype: Any = None):
        super().__init__(alpha, beta, axis)
        self._face(reduction, name, self.axis)
        self.keras_axis = axis

    def _last(self, Y: Any, Y_hat: np.ndarray) -> tuple[Any, np.ndarray, int]:
        return Y, Y_hat, Y_hat.ndim - 1

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, "alpha": self.alpha, "beta": self.beta,
                "axis": self.keras_axis}


def _simple(engine: type, keras_name: str) -> type:
    """The Keras face's class of an engine loss that takes no arguments but Keras's reduction and name."""
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = keras_name, dtype: Any = None) -> None:
        engine.__init__(self)
        self._face(reduction, name)
    cls = type(engine.__name__, (Face, engine), {"__init__": __init__, "__module__": __name__,
                                                   "__doc__": f"Keras's ``{engine.__name__}`` loss: "
                                                              f":class:`seqnet.losses.{engine.__name__}`."})
    return variant_of(engine)(cls)


MeanSquaredError = _simple(_losses.MeanSquaredError, "mean_squared_error")
MeanAbsoluteError = _simple(_losses.MeanAbsoluteError, "mean_absolute_error")
Hinge = _simple(_losses.Hinge, "hinge")
SquaredHinge = _simple(_losses.SquaredHinge, "squared_hinge")
CategoricalHinge = _simple(_losses.CategoricalHinge, "categorical_hinge")
KLDivergence = _simple(_losses.KLDivergence, "kl_divergence")
Poisson = _simple(_losses.Poisson, "poisson")
LogCosh = _simple(_losses.LogCosh, "log_cosh")
MeanSquaredLogarithmicError = _simple(_losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")
MeanAbsolutePercentageError = _simple(_losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error")


def _function(loss: type) -> Any:
    def fn(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        return loss(**kwargs, reduction="none")(y_true, y_pred)
    fn.__doc__ = f"Each prediction's loss under :class:`{loss.__name__}` (Keras's function)."
    return fn


#: Keras's names of its losses (and their short forms), each with the face's class
BY_NAME = {"categorical_crossentropy": CategoricalCrossentropy,
           "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
           "binary_crossentropy": BinaryCrossentropy, "binary_focal_crossentropy": BinaryFocalCrossentropy,
           "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
           "categorical_generalized_cross_entropy": CategoricalGeneralizedCrossEntropy,
           "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
           "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
           "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
           "kl_divergence": KLDivergence, "kld": KLDivergence, "poisson": Poisson, "log_cosh": LogCosh,
           "logcosh": LogCosh, "cosine_similarity": CosineSimilarity,
           "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
           "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError,
           "dice": Dice, "tversky": Tversky}
_FUNCTIONS = {name: _function(cls) for name, cls in BY_NAME.items()}
globals().update(_FUNCTIONS)


def get(identifier: Any) -> Any:
    """Keras's ``keras.losses.get``: a loss named as Keras names it becomes that Keras loss (with
    Keras's meaning, such as rows divided by their sum); anything else is returned as it is."""
    if isinstance(identifier, str) and identifier.lower() in BY_NAME:
        return BY_NAME[identifier.lower()]()
    return identifier


__all__ = ["get", *sorted({cls.__name__ for cls in BY_NAME.values()}), *sorted(_FUNCTIONS)]


__getattr__ = missing(__name__)
