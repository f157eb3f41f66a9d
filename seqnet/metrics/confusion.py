"""Keras's confusion metrics: weighted counts of true and false positives and negatives at
thresholds, over every batch (so exact over an epoch), and Precision and Recall from them; AUC and
the operating points (:mod:`seqnet.metrics.auc`, :mod:`seqnet.metrics.operating_points`) build on
the same counts."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import functions as F
from .stateful import Metric, _snake, metrics


class _Counts(Metric):
    """True/false positives/negatives at each threshold, every output a yes/no of its own (Keras's
    confusion metrics: a prediction above the threshold is a yes, a label above 0.5 a true yes)."""

    state_names = ("tp", "fp", "tn", "fn")
    multi_label, label_weights = False, None  # AUC's: counts per label, or labels weighted

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None, top_k: int | None = None,
                 class_id: int | None = None, default: float = 0.5) -> None:
        self.thresholds_arg, self.top_k, self.class_id = thresholds, top_k, class_id
        given = [] if thresholds is None else list(np.atleast_1d(np.asarray(thresholds, dtype=object)))
        wrong = [t for t in given if t is None or not 0 <= t <= 1]
        if wrong:
            raise ValueError(f"{type(self).__name__}: Threshold values must be in [0, 1]. Received: {wrong}")
        self.cuts = np.atleast_1d(np.asarray(default if thresholds is None else thresholds, dtype=np.float64))
        self.thresholds = self.cuts.tolist()  # Keras's attribute: a list
        super().__init__(name, dtype)

    def reset_state(self):
        self.tp, self.fp, self.tn, self.fn = (np.zeros(len(self.cuts)) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred, y_true = F.same_rank(np.asarray(y_pred, dtype=np.float64), np.asarray(y_true, dtype=np.float64))
        w = np.ones(()) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)[..., None]
        _, w = F.same_rank(y_true, w, expand_rank_1=False)  # a weight per example, or per output
        if self.top_k is not None:  # only each row's k highest scores can be a yes
            order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :self.top_k]
            keep = np.zeros(y_pred.shape, dtype=bool)
            np.put_along_axis(keep, order, True, axis=-1)
            y_pred = np.where(keep, y_pred, NEG_INF)
        if self.class_id is not None and y_pred.ndim < 2:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {y_pred.shape}")
        if self.class_id is not None:  # one class's column alone
            y_true, y_pred = y_true[..., self.class_id, None], y_pred[..., self.class_id, None]
        truth, w = y_true.reshape(y_pred.shape) > 0.5, np.broadcast_to(w, y_pred.shape)
        if self.label_weights is not None and not self.multi_label:
            w = w * self.label_weights
        if self.multi_label:  # counts per label (the last axis)
            truth, pred, w = (a.reshape(-1, a.shape[-1]) for a in (truth, y_pred, w))
            above = pred[None] > self.cuts[:, None, None]
            count = lambda mask: np.einsum("tnl,nl->tl", mask, w)  # noqa: E731
        else:
            truth, pred, w = truth.reshape(-1), y_pred.reshape(-1), w.reshape(-1)
            above = pred[None, :] > self.cuts[:, None]
            count = lambda mask: mask @ w  # noqa: E731
        self.tp = self.tp + count(above & truth)
        self.fp = self.fp + count(above & ~truth)
        self.fn = self.fn + count(~above & truth)
        self.tn = self.tn + count(~above & ~truth)

    #: Keras's names of the counts (``metric.true_positives``, and in ``variables``)
    KERAS_NAMES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}
    true_positives = property(lambda self: self.tp)
    false_positives = property(lambda self: self.fp)
    true_negatives = property(lambda self: self.tn)
    false_negatives = property(lambda self: self.fn)

    @property
    def variables(self) -> list[np.ndarray]:
        """The counts as arrays with Keras's names (``variable.name``)."""
        return [_Named(getattr(self, name), self.KERAS_NAMES[name]) for name in self.state_names]

    def _value(self, counts: np.ndarray) -> Any:
        return float(counts[0]) if np.ndim(self.thresholds_arg) == 0 else counts.tolist()

    def get_config(self):
        config = {**super().get_config(), "thresholds": self.thresholds_arg}
        return {**config, "top_k": self.top_k, "class_id": self.class_id} if isinstance(self, Precision) else config


class _Named(np.ndarray):
    """A copy of a state array that carries Keras's variable ``name``."""

    def __new__(cls, values: Any, name: str) -> "_Named":
        array = np.array(values, dtype=np.float64).view(cls)
        array.name = name
        return array


NEG_INF = -1e10  # a score no threshold lets through: what top_k leaves of the other classes


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b``, 0 where ``b`` is 0 (Keras's ``divide_no_nan``)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


for _cls_name, _count in (("TruePositives", "tp"), ("FalsePositives", "fp"), ("TrueNegatives", "tn"),
                          ("FalseNegatives", "fn")):
    globals()[_cls_name] = metrics.register(_snake(_cls_name))(type(_cls_name, (_Counts,), {
        "result": lambda self, _count=_count: self._value(getattr(self, _count)), "__module__": __name__,
        "direction": "up" if _cls_name.startswith("True") else "down",
        "state_names": (_count,),
        "__doc__": f"Keras's ``{_cls_name}``: the weighted count at ``thresholds`` (default 0.5)."}))


@metrics.register("precision")
class Precision(_Counts):
    """``tp / (tp + fp)`` over every batch, at ``thresholds`` (default 0.5; with ``top_k``, each
    row's ``k`` highest scores are the yeses), of every output or of the column ``class_id``."""

    state_names = ("tp", "fp")
    direction = "up"

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(thresholds, name, dtype, top_k, class_id, 0.5 if top_k is None else NEG_INF)

    def result(self):
        return self._value(_ratio(self.tp, self.tp + self.fp))


@metrics.register("recall")
class Recall(Precision):
    """``tp / (tp + fn)`` over every batch, at ``thresholds`` (default 0.5), as :class:`Precision`."""

    state_names = ("tp", "fn")

    def result(self):
        return self._value(_ratio(self.tp, self.tp + self.fn))
