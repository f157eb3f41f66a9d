"""The compiled metrics of a model as stateful trackers, logged under Keras's names.

``compile(metrics=..., weighted_metrics=...)`` takes names (``"accuracy"``) and metric objects
(``Precision()``). Each fit epoch and each evaluation starts a fresh :class:`MetricSet`: every
batch updates it, and its results are what is logged. As in Keras, ``metrics`` are computed
without the sample weights and ``weighted_metrics`` with them; a weighted metric whose name is
taken already is logged as ``weighted_<name>``.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import losses as _losses
from ._contract import TrainedModel
from ._registry import find_name, serialize
from .metrics import VALUES, Metric, MeanMetricWrapper, canonical_name
from .metrics.stateful import metrics as _registry


def canonical(entry: Any) -> Any:
    """A compiled metric as stored: a name in its registered spelling, or a metric object."""
    if isinstance(entry, Metric):
        return entry
    if isinstance(entry, dict):  # a metric object as saved
        return _registry.get(entry)
    if callable(entry) and not isinstance(entry, str):
        raise TypeError(f"compile: a metric is a name (\"accuracy\") or a seqnet.metrics.Metric object, received "
                        f"the function {getattr(entry, '__name__', entry)!r}; wrap it as "
                        f"seqnet.metrics.MeanMetricWrapper(fn, name=...) with fn giving one value per example")
    if isinstance(entry, str) and find_name(entry, list(VALUES)) is None and entry in _registry.names():
        return entry  # a metric class by its registered name ("hinge", "auc", "f1_score"), logged under it
    return canonical_name(entry)


def stored(entry: Any) -> Any:
    """A compiled metric as a file keeps it: its name, or the object's class name and config."""
    return serialize(entry) if isinstance(entry, Metric) else entry


def name_of(entry: Any) -> str:
    return entry.name if isinstance(entry, Metric) else entry


def _tracker(model: TrainedModel, entry: Any) -> Metric:
    if isinstance(entry, Metric):
        tracker = copy.deepcopy(entry)  # the compiled object stays as the user made it
        tracker.reset_state()
        return tracker
    if entry not in VALUES:
        return _registry.lookup(entry)(name=entry)
    fn = VALUES[entry]
    if entry in ("accuracy", "acc") and isinstance(model.loss, _losses.BinaryCrossEntropy):
        fn = VALUES["binary_accuracy"]  # per output, as Keras's "accuracy" under binary_crossentropy
    wrapper = MeanMetricWrapper(fn, entry)
    wrapper.direction = "up" if "acc" in entry else "down"  # the metrics named by strings: accuracies and errors
    return wrapper


class MetricSet:
    """Fresh trackers for every compiled metric of ``model``."""

    def __init__(self, model: TrainedModel) -> None:
        self.entries: list[tuple[str, Metric, bool]] = []
        taken = {"loss"}
        for weighted, group in ((False, model.metrics), (True, getattr(model, "weighted_metrics", []))):
            for entry in group:
                name = name_of(entry)
                if name in taken:
                    name = f"weighted_{name}" if weighted else name
                taken.add(name)
                self.entries.append((name, _tracker(model, entry), weighted))

    def names(self) -> list[str]:
        return [name for name, _, _ in self.entries]

    def direction(self, name: str) -> str | None:
        """Whether the metric logged as ``name`` is better "up" or "down"; None for no such metric."""
        return next((tracker.direction for logged, tracker, _ in self.entries if logged == name), None)

    def update(self, Y: np.ndarray, Y_hat: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        for _, tracker, weighted in self.entries:
            tracker.update_state(Y, Y_hat, sample_weight if weighted else None)

    def results(self) -> dict[str, Any]:
        """Each metric's result: a float, or a list of floats for a metric of each class (an F-score
        with ``average=None``)."""
        return {name: _loggable(tracker.result()) for name, tracker, _ in self.entries}


def _loggable(value: Any) -> Any:
    return float(np.ravel(value)[0]) if np.size(value) == 1 else [float(v) for v in np.ravel(value)]


def metric_values(model: TrainedModel, Y: np.ndarray, Y_hat: np.ndarray, sample_weight: np.ndarray | None = None
                  ) -> dict[str, float]:
    """Every compiled metric of one batch."""
    metrics = MetricSet(model)
    metrics.update(Y, Y_hat, sample_weight)
    return metrics.results()
