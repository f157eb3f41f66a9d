"""Stateful metrics, as Keras's: ``update_state`` batch by batch, ``result`` over all of them,
``reset_state`` at the start of each epoch and evaluation.

The training loop keeps one object per compiled metric. A metric named by a string
(``"accuracy"``) becomes a :class:`MeanMetricWrapper` of the per-example values in
:mod:`seqnet.metrics.functions`, so every metric is computed by one function whichever way it is
named. Metrics over the whole data (precision, recall, the confusion counts, AUC:
:mod:`seqnet.metrics.confusion`) keep counts, not means, and so are exact over an epoch, not an
average of batch values.
"""
from __future__ import annotations

import inspect

import re
import warnings
from typing import Any, Callable

import numpy as np

from .._registry import Configurable, Registry
from . import functions as F
from . import values as V

metrics = Registry("metric")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("a_u_c", "auc")


_NAMES_TAKEN: dict[str, int] = {}


def _unique(name: str) -> str:
    """``auc``, then ``auc_1``, ``auc_2``...: Keras names unnamed metrics uniquely within a process."""
    count = _NAMES_TAKEN.get(name, 0)
    _NAMES_TAKEN[name] = count + 1
    return name if count == 0 else f"{name}_{count}"


class Metric(Configurable):
    """Base class: ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``,
    ``reset_state()``; calling the metric updates it and returns the result, as in Keras.

    Parameters
    ----------
    name : str, optional
        What it is logged as; the class name in snake case by default (``"auc"``, ``"precision"``).
    """

    #: the names of the attributes that hold its state (Keras's ``variables``)
    state_names: tuple[str, ...] = ()
    #: whether a better model has a higher value ("up": accuracies, AUC...) or a lower one ("down":
    #: errors), which a monitoring callback in mode "auto" follows
    direction = "down"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or _unique(_snake(type(self).__name__))
        self._dtype = "float32" if dtype is None else str(np.dtype(dtype))
        self.reset_state()

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list[np.ndarray]:
        """Its state as arrays (Keras's metric variables: ``total`` and ``count``, the counts, ...)."""
        return [np.asarray(getattr(self, name), dtype=self._dtype) for name in self.state_names]

    def reset_state(self) -> None:
        """Forget every batch seen."""

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise TypeError(f"{type(self).__name__} does not define update_state")

    def result(self) -> float:
        raise TypeError(f"{type(self).__name__} does not define result")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self._dtype}


metrics.base = Metric


class MeanMetricWrapper(Metric):
    """The mean over examples (weighted by ``sample_weight``) of ``fn(y_true, y_pred, **kwargs)``,
    a function giving one value per example (or per output, averaged per example)."""

    state_names = ("total", "count")

    def __init__(self, fn: Callable[..., np.ndarray], name: str | None = None, dtype: Any = None, **kwargs: Any):
        self.fn, self.kwargs = fn, kwargs
        super().__init__(name or getattr(fn, "__name__", "mean_metric"), dtype)

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        total, count = F.weighted_parts(self.fn(y_true, y_pred, **self.kwargs), sample_weight)
        self.total += total
        self.count += count

    def result(self):
        return self.total / self.count if self.count else 0.0


def _wrapper(fn: Callable[..., np.ndarray], default: str, *extra: str) -> type:
    """A registered :class:`MeanMetricWrapper` class over ``fn`` with the arguments ``extra``."""
    class Wrapped(MeanMetricWrapper):
        def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
            unknown = set(kwargs) - set(extra)
            if unknown:
                raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(unknown)}")
            defaults = {k: p.default for k, p in inspect.signature(fn).parameters.items() if k in extra}
            super().__init__(fn, name or default, dtype, **{**defaults, **kwargs})
            vars(self).update(self.kwargs)  # Keras's attributes (metric.k, metric.from_logits, ...)

        def get_config(self):
            return {**super().get_config(), **self.kwargs}
    return Wrapped


def _equal_values(y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.asarray(y_true).reshape(y_pred.shape) == y_pred


for _cls_name, _fn, _default, _extra in [
        ("Accuracy", _equal_values, "accuracy", ()),
        ("BinaryAccuracy", F.binary_accuracy_values, "binary_accuracy", ("threshold",)),
        ("CategoricalAccuracy", F.accuracy_values, "categorical_accuracy", ()),
        ("SparseCategoricalAccuracy", F.accuracy_values, "sparse_categorical_accuracy", ()),
        ("TopKCategoricalAccuracy", F.top_k_values, "top_k_categorical_accuracy", ("k",)),
        ("SparseTopKCategoricalAccuracy", F.top_k_values, "sparse_top_k_categorical_accuracy", ("k",
                                                                                                 "from_sorted_ids")),
        ("MeanSquaredError", F.squared_error_values, "mean_squared_error", ()),
        ("MeanAbsoluteError", F.absolute_error_values, "mean_absolute_error", ()),
        ("MeanAbsolutePercentageError", V.absolute_percentage_error, "mean_absolute_percentage_error", ()),
        ("MeanSquaredLogarithmicError", V.squared_logarithmic_error, "mean_squared_logarithmic_error", ()),
        ("CosineSimilarity", V.cosine_similarity, "cosine_similarity", ("axis",)),
        ("LogCoshError", V.log_cosh, "logcosh", ()),
        ("KLDivergence", V.kl_divergence, "kl_divergence", ()),
        ("Poisson", V.poisson, "poisson", ()),
        ("Hinge", V.hinge, "hinge", ()),
        ("SquaredHinge", V.squared_hinge, "squared_hinge", ()),
        ("CategoricalHinge", V.categorical_hinge, "categorical_hinge", ()),
        ("CategoricalCrossentropy", V.crossentropy, "categorical_crossentropy", ("from_logits", "label_smoothing",
                                                                                  "axis")),
        ("SparseCategoricalCrossentropy", V.sparse_crossentropy, "sparse_categorical_crossentropy", ("from_logits",
                                                                                                     "ignore_class",
                                                                                                     "axis")),
        ("BinaryCrossentropy", V.binary_crossentropy, "binary_crossentropy", ("from_logits", "label_smoothing"))]:
    globals()[_cls_name] = metrics.register(_default)(type(_cls_name, (_wrapper(_fn, _default, *_extra),), {
        "direction": "up" if "Accuracy" in _cls_name or _cls_name == "CosineSimilarity" else "down",
        "__doc__": f"Keras's ``{_cls_name}``: the mean over examples of :func:`seqnet.metrics.functions."
                   f"{_fn.__name__}`.", "__module__": __name__}))


@metrics.register("root_mean_squared_error")
class RootMeanSquaredError(MeanMetricWrapper):
    """Keras's ``RootMeanSquaredError``: the square root of the weighted mean squared error."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(F.squared_error_values, name or "root_mean_squared_error", dtype)

    def result(self):
        return float(np.sqrt(super().result()))

    def get_config(self):
        return Metric.get_config(self)


@metrics.register("r2_score")
class R2Score(Metric):
    """Keras's ``R2Score``: the coefficient of determination of each output over every batch,
    ``1 - residual / total`` (0 where the total is 0), averaged (``class_aggregation``
    ``"uniform_average"``), weighted by each output's variance (``"variance_weighted_average"``)
    or per output (``None``); adjusted for ``num_regressors`` predictors when given."""

    direction = "up"

    state_names = ("squared_sum", "sum", "total_mse", "count", "num_samples")

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str | None = "r2_score", dtype: Any = None) -> None:
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of (None, "
                             f"'uniform_average', 'variance_weighted_average'). Received: "
                             f"class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
                             f"num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, int(num_regressors)
        super().__init__(name, dtype)

    def reset_state(self):
        self.squared_sum = self.sum = self.total_mse = self.count = 0.0
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = F.same_rank(np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64))
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        w = np.asarray(1.0 if sample_weight is None else sample_weight, dtype=np.float64)
        w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, y_true.shape)
        self.sum = self.sum + np.sum(y_true * w, axis=0)
        self.squared_sum = self.squared_sum + np.sum(y_true * y_true * w, axis=0)
        self.total_mse = self.total_mse + np.sum((y_true - y_pred) ** 2 * w, axis=0)
        self.count = self.count + np.sum(w, axis=0)
        self.num_samples += y_true.size

    def result(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            total = self.squared_sum - self.sum * (self.sum / self.count)
            raw = 1.0 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = self.num_samples, self.num_regressors
        if p and p > n - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                          "standard R2 score.", UserWarning, stacklevel=2)
        elif p and p == n - 1:
            warnings.warn("Division by zero in adjusted R2 score. Falling back to standard R2 score.", UserWarning,
                          stacklevel=2)
        elif p:
            score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return float(score) if np.ndim(score) == 0 else np.asarray(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


@metrics.register("mean")
class Mean(Metric):
    """The (weighted) mean of the values passed to ``update_state(values, sample_weight=None)``."""

    state_names = ("total", "count")

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        total, count = F.weighted_parts(values, sample_weight)
        self.total += total
        self.count += count

    def result(self):
        return self.total / self.count if self.count else 0.0


@metrics.register("sum")
class Sum(Mean):
    """The (weighted) sum of the values passed to ``update_state(values, sample_weight=None)``."""

    state_names = ("total",)

    def update_state(self, values, sample_weight=None):
        self.total += F.weighted_parts(values, sample_weight, np.sum)[0]

    def result(self):
        return self.total


def get(identifier: Any) -> Metric:
    """A metric object from a :class:`Metric`, a config dict or a class name (``"auc"``)."""
    return metrics.get(identifier)
