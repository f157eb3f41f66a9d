"""Keras's metrics at an operating point: the best sensitivity (recall) or specificity or
precision among the thresholds where another of them reaches ``value``, from confusion counts at
``num_thresholds`` thresholds evenly spaced over [0, 1]."""
from __future__ import annotations

from typing import Any

import numpy as np

from .confusion import _Counts, _ratio
from .stateful import Metric, _snake, metrics


class _AtValue(_Counts):
    """Counts at ``num_thresholds`` thresholds; :meth:`rates` gives ``(constrained, dependent)``."""

    direction = "up"

    value_name = "value"  # what Keras calls it: specificity, sensitivity, recall or precision

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        if not 0 <= float(value) <= 1:
            raise ValueError(f"{type(self).__name__}: `{self.value_name}` must be in the range [0, 1]. Received: "
                             f"{self.value_name}={value}")
        if int(num_thresholds) <= 0:
            raise ValueError(f"{type(self).__name__}: Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value, self.num_thresholds = float(value), int(num_thresholds)
        if self.num_thresholds == 1:
            thresholds = [0.5]
        else:
            thresholds = [0.0, *[(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)], 1.0]
        super().__init__(None, name, dtype, class_id=class_id, default=thresholds)

    def rates(self) -> tuple[np.ndarray, np.ndarray]:
        raise TypeError(f"{type(self).__name__} does not define rates")

    def result(self):
        constrained, dependent = self.rates()
        feasible = constrained >= self.value
        return float(dependent[feasible].max()) if feasible.any() else 0.0

    def get_config(self):
        return {**Metric.get_config(self), "num_thresholds": self.num_thresholds, "class_id": self.class_id}


def _register(cls_name: str, value_name: str, rates: Any, doc: str) -> type:
    def get_config(self):
        return {**_AtValue.get_config(self), value_name: self.value}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if value_name in kwargs:
            kwargs["value"] = kwargs.pop(value_name)
        _AtValue.__init__(self, *args, **kwargs)
    cls = type(cls_name, (_AtValue,), {"__init__": __init__, "rates": rates, "get_config": get_config,
                                       "value_name": value_name, "__module__": __name__, "__doc__": doc,
                                       value_name: property(lambda self: self.value)})  # Keras's attribute
    return metrics.register(_snake(cls_name))(cls)


def _sensitivity(self: _AtValue) -> np.ndarray:
    return _ratio(self.tp, self.tp + self.fn)


def _specificity(self: _AtValue) -> np.ndarray:
    return _ratio(self.tn, self.tn + self.fp)


def _precision(self: _AtValue) -> np.ndarray:
    return _ratio(self.tp, self.tp + self.fp)


SensitivityAtSpecificity = _register("SensitivityAtSpecificity", "specificity",
                                     lambda self: (_specificity(self), _sensitivity(self)),
                                     "The best sensitivity where the specificity is at least ``specificity``.")
SpecificityAtSensitivity = _register("SpecificityAtSensitivity", "sensitivity",
                                     lambda self: (_sensitivity(self), _specificity(self)),
                                     "The best specificity where the sensitivity is at least ``sensitivity``.")
PrecisionAtRecall = _register("PrecisionAtRecall", "recall", lambda self: (_sensitivity(self), _precision(self)),
                              "The best precision where the recall is at least ``recall``.")
RecallAtPrecision = _register("RecallAtPrecision", "precision", lambda self: (_precision(self), _sensitivity(self)),
                              "The best recall where the precision is at least ``precision``.")

__all__ = ["SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision"]
