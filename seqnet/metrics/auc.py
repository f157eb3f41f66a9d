"""Keras's ``AUC``: the area under the ROC, precision-recall or precision-recall-gain curve from confusion counts at many
thresholds, of all outputs together or of each label (``multi_label``), averaged."""
from __future__ import annotations

import enum

from typing import Any

import numpy as np

from .confusion import _Counts, _ratio
from .stateful import Metric, metrics

class AUCCurve(str, enum.Enum):
    """The curves :class:`AUC` integrates (equal to their names as strings)."""
    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"


class AUCSummationMethod(str, enum.Enum):
    """How :class:`AUC` sums the area between two thresholds (equal to their names as strings)."""
    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"


_CURVES, _SUMS = [c.value for c in AUCCurve], [m.value for m in AUCSummationMethod]


@metrics.register("auc")
class AUC(_Counts):
    """Area under the ROC (default), precision-recall (``"PR"``) or precision-gain-recall-gain
    (``"PRGAIN"``) curve, from counts at ``num_thresholds`` evenly spaced thresholds (or at
    ``thresholds``), summed as Keras sums it (``"interpolation"``, ``"minoring"``, ``"majoring"``;
    the PR curve with interpolation by Davis and Goadrich's formula).

    With ``multi_label=True`` each label (the last axis) has its curve, and the result is their
    mean, weighted by ``label_weights``; without it, ``label_weights`` weigh each label's counts.
    ``from_logits=True`` passes the scores through a sigmoid first.
    """

    direction = "up"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None, from_logits: bool = False) -> None:
        if str(curve).upper() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are {list(_CURVES)}')
        if str(summation_method).lower() not in _SUMS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             f'{list(_SUMS)}')
        if thresholds is not None:
            inner = sorted(float(t) for t in np.atleast_1d(thresholds))
            if any(not 0 <= t <= 1 for t in inner):
                raise ValueError(f"AUC: thresholds lie in [0, 1], received thresholds={thresholds!r}")
            num_thresholds = len(inner) + 2
        elif int(num_thresholds) < 2:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}")
        else:
            inner = [(i + 1) / (int(num_thresholds) - 1) for i in range(int(num_thresholds) - 2)]
        self.num_thresholds, self.curve = int(num_thresholds), AUCCurve(str(curve).upper())
        self.summation_method, self.thresholds_given = AUCSummationMethod(str(summation_method).lower()), thresholds
        self.multi_label, self.num_labels, self.from_logits = bool(multi_label), num_labels, bool(from_logits)
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        super().__init__(None, name, dtype, default=[-1e-7, *inner, 1.0 + 1e-7])

    def reset_state(self):
        seen = self.tp.shape[1] if np.ndim(getattr(self, "tp", None)) == 2 else 1  # labels of the batches seen
        shape = (len(self.cuts), self.num_labels or seen) if self.multi_label else (len(self.cuts),)
        self.tp, self.fp, self.tn, self.fn = (np.zeros(shape) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        super().update_state(y_true, 1.0 / (1.0 + np.exp(-y_pred)) if self.from_logits else y_pred, sample_weight)

    def _areas(self) -> np.ndarray:
        """The area under each curve: one per label, or one (counts along the thresholds' axis 0)."""
        tp, fp, tn, fn = self.tp, self.fp, self.tn, self.fn
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp, p = tp[:-1] - tp[1:], tp + fp
            slope = _ratio(dtp, np.maximum(p[:-1] - p[1:], 0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[:-1] > 0) & (p[1:] > 0)
            ratio = np.where(both, _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
            return np.sum(_ratio(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)), axis=0)
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _ratio(tp, tp + fp)
        else:  # the gains (Flach and Kull, 2015): recall gain 0 and precision gain 1 where tp is 0
            scale = _ratio(tp + fn, tn + fp)
            x = np.maximum(np.where(tp == 0, 0.0, 1.0 - scale * _ratio(fn, tp)), 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * _ratio(fp, tp))
        heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
                   "majoring": np.maximum(y[:-1], y[1:])}[self.summation_method]
        return np.sum((x[:-1] - x[1:]) * heights, axis=0)

    def result(self):
        areas = self._areas()
        if not self.multi_label:
            return float(areas)
        if self.label_weights is None:
            return float(np.mean(areas))
        return float(_ratio(np.sum(areas * self.label_weights), np.sum(self.label_weights)))

    def get_config(self):
        label_weights = None if self.label_weights is None else self.label_weights.tolist()
        return {**Metric.get_config(self), "num_thresholds": self.num_thresholds, "curve": self.curve.value,
                "summation_method": self.summation_method.value, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": label_weights, "from_logits": self.from_logits,
                **({"thresholds": self.thresholds_given} if self.thresholds_given is not None else {})}
