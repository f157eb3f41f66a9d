"""Inference with a :class:`~seqnet.Sequential`: ``predict`` and ``evaluate``, batch by batch,
between Keras's ``on_predict_*`` and ``on_test_*`` callback hooks (``fit``'s validation passes
run through :func:`evaluate_batches` too)."""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import checks
from . import regularizers as _regularizers
from ._contract import TrainedModel
from .batches import ArrayBatches, StreamBatches
from .callbacks import CallbackList, format_logs
from .messages import say
from .ops import step_scope
from .tracking import MetricSet, metric_values


def loss_value(model: TrainedModel, Y: np.ndarray, Y_hat: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    """The batch loss, weighted as Keras weighs it when ``sample_weight`` is given."""
    if sample_weight is None:
        return model.loss.forward(Y, Y_hat)
    return model.loss.weighted_forward(Y, Y_hat, sample_weight)


def _callbacks(model: TrainedModel, callbacks: Any, steps: int, verbose: int) -> CallbackList | None:
    if not callbacks:
        return None
    return CallbackList(list(callbacks), model, {"epochs": 1, "steps": steps, "verbose": verbose})


def predict(model: TrainedModel, X: Any, batch_size: int | None = None, verbose: int = 0, callbacks: Any = None,
            steps: int | None = None) -> np.ndarray:
    """:meth:`Sequential.predict <seqnet.Sequential.predict>`."""
    checks.require_built(model, "predict")
    batch_size = checks.check_batch_size(batch_size, "predict", default=256)
    start = time.perf_counter()
    if checks.is_stream(X):  # a dataset or an iterable of batches: x, (x,) or (x, y[, w]) each
        batches, count = _stream_inputs(model, X, steps), steps or (len(X) if hasattr(X, "__len__") else None)
    else:
        X = checks.check_X(model, X)
        checks.warn_if_out_of_range(model, X)
        batches, count = (X[i:i + batch_size] for i in range(0, len(X), batch_size)), -(-len(X) // batch_size)
    cbs = _callbacks(model, callbacks, count, verbose)
    if cbs is not None:
        cbs.on_predict_begin()
    out = predict_batches(model, batches, cbs)
    if cbs is not None:
        cbs.on_predict_end()
    if checks.check_verbose(verbose, "predict"):
        say(f"predict: {len(out)} examples in {time.perf_counter() - start:.2f}s")
    return out


def _stream_inputs(model: TrainedModel, source: Any, steps: int | None) -> Any:
    items = (source[i] for i in range(len(source))) if hasattr(source, "__getitem__") and hasattr(
        source, "__len__") else iter(source)
    for i, item in enumerate(items):
        if steps is not None and i >= steps:
            break
        yield checks.check_X(model, item[0] if isinstance(item, (tuple, list)) else item, "x batch")
    if hasattr(source, "on_epoch_end"):
        source.on_epoch_end()


def evaluate(model: TrainedModel, X: Any, y: Any = None, batch_size: int | None = None, verbose: int = 0,
             sample_weight: Any = None, return_dict: bool = False, callbacks: Any = None, steps: int | None = None
             ) -> Any:
    """:meth:`Sequential.evaluate <seqnet.Sequential.evaluate>`."""
    checks.require_compiled(model, "evaluate")
    checks.require_built(model, "evaluate")
    batch_size = checks.check_batch_size(batch_size, "evaluate", default=256)
    if checks.is_stream(X):  # a dataset or an iterable of (x, y[, sample_weight]) batches
        if y is not None or sample_weight is not None:
            raise ValueError("evaluate: y and sample_weight must be None when x is a dataset or an iterable of "
                             "batches: its batches hold them as (x, y[, sample_weight])")
        batches = StreamBatches(model, X, steps, None, "x")
    else:
        X = checks.check_X(model, X)
        checks.warn_if_out_of_range(model, X)
        W = None if sample_weight is None else checks.check_sample_weight(sample_weight, len(X))
        batches = ArrayBatches(X, checks.check_y(model, y, len(X)), W, batch_size)
    cbs = _callbacks(model, callbacks, batches.steps, verbose)
    if cbs is not None:
        cbs.on_test_begin()
    results = evaluate_batches(model, batches, cbs)
    if cbs is not None:
        cbs.on_test_end(results)
    if checks.check_verbose(verbose, "evaluate"):
        say(format_logs(results))
    return as_keras_results(results, return_dict)


def predict_arrays(model: TrainedModel, X: np.ndarray, batch_size: int = 256,
                   cbs: CallbackList | None = None) -> np.ndarray:
    """Outputs for the checked ``X`` in inference mode, ``batch_size`` examples at a time."""
    return predict_batches(model, (X[i:i + batch_size] for i in range(0, len(X), batch_size)), cbs)


def predict_batches(model: TrainedModel, batches: Any, cbs: CallbackList | None = None) -> np.ndarray:
    """Outputs for each checked batch in inference mode, concatenated (each batch between the
    callbacks' ``on_predict_batch_begin`` and ``on_predict_batch_end``)."""
    outs = []
    with step_scope():
        for batch, X in enumerate(batches):
            if cbs is not None:
                cbs.on_predict_batch_begin(batch)
            outs.append(model.forward(X, training=False))
            if cbs is not None:
                cbs.on_predict_batch_end(batch, {"outputs": outs[-1]})
    for layer in model.layers:
        layer.clear_cache()
    if not outs:
        raise ValueError("predict: the dataset yielded no batches")
    return outs[0] if len(outs) == 1 else np.concatenate(outs)


def evaluate_batches(model: TrainedModel, batches: Any, cbs: CallbackList | None = None) -> dict[str, float]:
    """Loss and metrics over every batch of ``batches`` (arrays or a stream), weighted as in training;
    each batch between the callbacks' ``on_test_batch_begin`` and ``on_test_batch_end``."""
    loss_total, seen, metrics = 0.0, 0, MetricSet(model)
    penalty = _regularizers.penalty(model)  # the weights' penalties count in the loss, as in Keras
    for batch, (X, Y, W) in enumerate(batches.epoch(model.rng, shuffle=False)):
        if cbs is not None:
            cbs.on_test_batch_begin(batch)
        Y_hat = predict_arrays(model, X, len(X))
        loss_total, seen = loss_total + loss_value(model, Y, Y_hat, W) * len(X), seen + len(X)
        metrics.update(Y, Y_hat, W)
        if cbs is not None:
            cbs.on_test_batch_end(batch, {"loss": loss_total / seen + penalty, **metrics.results()})
    batches.end_epoch()
    return {"loss": loss_total / max(seen, 1) + penalty, **metrics.results()}


def evaluate_outputs(model: TrainedModel, y: Any, outputs: np.ndarray) -> dict[str, float]:
    """What :meth:`~seqnet.Sequential.evaluate` gives for data whose outputs ``model.predict`` has
    already given (``outputs``): the loss and metrics, without another pass through the model."""
    checks.require_compiled(model, "evaluate")
    outputs = np.asarray(outputs)
    Y = checks.check_y(model, y, len(outputs))
    return {"loss": loss_value(model, Y, outputs, None) + _regularizers.penalty(model),
            **metric_values(model, Y, outputs)}


def evaluate_arrays(model: TrainedModel, X: np.ndarray, Y: np.ndarray, batch_size: int = 256,
                    sample_weight: np.ndarray | None = None, cbs: CallbackList | None = None) -> dict[str, float]:
    """``{"loss": ..., <metric>: ...}`` for the checked ``(X, Y)`` (weighted by ``sample_weight``)."""
    return evaluate_batches(model, ArrayBatches(X, Y, sample_weight, batch_size), cbs)


def as_keras_results(results: dict[str, float], return_dict: bool) -> Any:
    """What Keras's ``evaluate`` and the one-batch methods return: the loss alone when there are no
    metrics, else ``[loss, *metrics]``, or the dict itself with ``return_dict``."""
    if return_dict:
        return results
    values = list(results.values())
    return values[0] if len(values) == 1 else values
