"""Training of a :class:`~seqnet.Sequential`: one step, batches, the loop, callbacks (the checks at
its boundary are :mod:`seqnet.checks`; ``predict`` and ``evaluate`` are :mod:`seqnet.inference`).

``Sequential.fit`` / ``evaluate`` / ``predict`` / ``train_step`` are the public face; they call
the functions here, which take the model as their first argument. One training step::

    X_batch -> model.forward(training=True) -> Y_hat -> loss.forward(Y, Y_hat)
            -> backward_loss (fused softmax + cross-entropy where it applies) -> optimizer.update(model)

Each pass over the model runs inside :func:`seqnet.ops.step_scope`, where the kernels may keep
process-wide settings (BLAS's thread count) for the length of the pass.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import constraints as _constraints
from . import regularizers as _regularizers
from ._contract import TrainedModel
from .batches import ArrayBatches, StreamBatches
from .callbacks import CallbackList, History, ProgressBar
from .checks import (check_batch_size, check_fit_arguments, check_output_for_loss, check_sample_weight, check_X,
                     check_y, example_weights, is_stream, output_shape_for, record_input_range, require_compiled,
                     validation_epochs)
from .ops import step_scope
from .inference import evaluate_batches, loss_value
from .tracking import MetricSet


# -- one step ------------------------------------------------------------------
def fused(model: TrainedModel) -> bool:
    """Softmax (or sigmoid) followed by cross-entropy: ``dL/dZ = (Y_hat - Y) / m``, cheaper and exact."""
    return model.loss.fuses(model.layers[-1].activation, model.output_shape[-1])


def backward_loss(model: TrainedModel, Y: np.ndarray, Y_hat: np.ndarray,
                  sample_weight: np.ndarray | None = None) -> np.ndarray | None:
    """Backpropagate the loss of output ``Y_hat`` against targets ``Y``; returns ``dL/dX``."""
    is_fused = fused(model)
    dY = model.loss.fused_backward(Y, Y_hat) if is_fused else model.loss.backward(Y, Y_hat)
    if sample_weight is not None:  # each example's gradient scaled by its weight
        dY = dY * sample_weight.reshape(-1, *[1] * (dY.ndim - 1))
    return model.backward(dY, from_logits=is_fused)


class NonFiniteStep(FloatingPointError):
    """A step whose loss or gradients were not finite; it was not applied.

    ``where`` says where the non-finite values appeared: ``"the inputs"``, ``"the loss"`` or
    ``"the gradient of <layer>/<parameter>"``.
    """

    def __init__(self, where: str, loss: float) -> None:
        super().__init__(f"{where} became non-finite (loss {loss}); the step was not applied")
        self.where, self.loss = where, loss


def _first_non_finite_gradient(model: TrainedModel) -> str | None:
    for layer in model.layers:
        if not layer.trainable:
            continue
        for name, grad in layer.gradients.items():
            # a sum is a fast pass and carries any NaN or inf; an overflow of the sum alone is checked exactly
            if not np.isfinite(grad.sum()) and not np.all(np.isfinite(grad)):
                return f"the gradient of {layer.name}/{name}"
    return None


def _buffers(model: TrainedModel) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(b, b.copy()) for layer in model.layers for b in layer.buffers.values()]


def train_step(model: TrainedModel, X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
               ) -> tuple[float, np.ndarray]:
    """One optimizer update on the batch ``(X, Y)`` (its examples weighted by ``sample_weight``);
    returns the batch loss and output.

    Raises :class:`NonFiniteStep` (a ``FloatingPointError``) before the update when the loss or a
    gradient is not finite: the weights, the optimizer's state, the layers' buffers (BatchNorm's
    running statistics) and the model's random generator are then as they were before the step.
    """
    rng_state, buffers = model.rng.bit_generator.state, _buffers(model)
    try:
        with step_scope():
            Y_hat = model.forward(X, training=True)
            loss = loss_value(model, Y, Y_hat, sample_weight) + _regularizers.penalty(model)
            if not np.isfinite(loss):
                raise NonFiniteStep("the loss", loss)
            backward_loss(model, Y, Y_hat, sample_weight)
            _regularizers.add_gradients(model)
            where = _first_non_finite_gradient(model)
            if where is not None:
                raise NonFiniteStep(where, loss)
            model.optimizer.update(model)
            _constraints.apply(model)
    except NonFiniteStep:
        model.rng.bit_generator.state = rng_state
        for buffer, saved in buffers:
            buffer[...] = saved
        raise
    return loss, Y_hat


# -- the loop ------------------------------------------------------------------
def fit(model: TrainedModel, X: Any, y: Any = None, batch_size: int = 32, epochs: int = 1,
        validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True, callbacks: list | None = None,
        verbose: int = 1, initial_epoch: int = 0, augment: Any = None, sample_weight: Any = None,
        class_weight: dict | None = None, validation_freq: Any = 1, steps_per_epoch: int | None = None,
        validation_steps: int | None = None, validation_batch_size: int | None = None) -> History:
    """Train ``model`` for ``epochs - initial_epoch`` epochs of mini-batch updates: ``model.fit(...)``.

    Parameters
    ----------
    X : array of shape (n, ...), or a dataset or iterable of batches
        A dataset has ``__len__`` and ``__getitem__(i)`` giving batch ``i`` (Keras's
        ``PyDataset``; its ``on_epoch_end()`` runs after every epoch); any other iterable or
        generator is read in order. Batches are ``(x, y)`` or ``(x, y, sample_weight)``, and
        ``y`` is then None (see :mod:`seqnet.batches`). Data too large for memory streams this way.
    y : array of shape (n,) with class ids, or (n, k) one-hot rows / targets
    batch_size : int, default 32
    epochs : int, default 1
        Index of the last epoch (so ``initial_epoch=3, epochs=6`` trains three epochs).
    validation_split : float in [0, 1)
        The last fraction of ``(X, y)``, taken before shuffling, is held out for validation (as
        in Keras: shuffle ordered data first if the last examples are not representative).
    validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
        Overrides ``validation_split``.
    shuffle : bool, default True
    callbacks : list of Callback, optional
    verbose : {0, 1, 2}
    initial_epoch : int, default 0
    augment : callable, optional
        ``augment(X_batch, rng) -> X_batch`` applied to every training batch (e.g.
        :func:`seqnet.augment.crop_and_flip`), drawing from the model's generator. An object
        whose ``per_example`` is true is called ``augment(X_batch, rng, positions=, epoch=)``
        with the batch's places in ``X`` and the epoch (:class:`seqnet.augment.CropAndFlip`).
    sample_weight : array of shape (n,), optional
        Each example's weight: the loss is ``sum(w_i * loss_i) / batch size`` and the metrics
        are weighted means, as in Keras.
    class_weight : dict, optional
        ``{class id: weight}``, multiplied into each example's weight by its class.
    validation_freq : int or list of int, default 1
        Validate every ``n``-th epoch, or at the listed epochs (from 1), as Keras.
    steps_per_epoch, validation_steps : int, optional
        Batches of a dataset or iterable per epoch (default: all of a dataset, an iterable
        until it runs out) and per validation.

    Returns
    -------
    History
        This call's epochs: ``history.history`` maps ``loss``, each metric and ``val_*`` to
        per-epoch values. ``model.history`` keeps the record of every epoch of the run
        (resumed fits included), which ``save`` stores.

    The validation pass goes ``validation_batch_size`` examples at a time (``batch_size`` by
    default, as in Keras).

    Raises
    ------
    ValueError, TypeError
        On bad arguments or data; FloatingPointError if the loss stops being finite.
    """
    require_compiled(model, "fit")
    batch_size = check_batch_size(batch_size, "fit")
    val_batch = check_batch_size(validation_batch_size, "fit", default=batch_size)
    streamed_val = is_stream(validation_data)
    check_fit_arguments(epochs, validation_split, None if streamed_val else validation_data, initial_epoch)
    validates = validation_epochs(validation_freq)
    # every argument is checked before the model is built, so a rejected fit changes nothing
    if is_stream(X):
        if getattr(augment, "per_example", False):
            raise ValueError(f"fit: {type(augment).__name__} treats each example by its place in the training "
                             f"set, which a dataset or an iterable of batches does not give; pass arrays")
        train, val = _stream_sources(model, X, y, sample_weight, class_weight, validation_split, steps_per_epoch)
        X_first = train.first()[0]
        out = output_shape_for(model, X_first.shape[1:])
    else:
        X = check_X(model, X)
        out = output_shape_for(model, X.shape[1:])
        Y = check_y(model, y, len(X), out=out)
        W = example_weights(Y, sample_weight, class_weight, len(X))
        # validation_data, when given, replaces the split (as in Keras)
        (X, Y, W), val = split_validation(X, Y, W, 0.0 if validation_data is not None else validation_split)
        train, X_first = ArrayBatches(X, Y, W, batch_size), X
        val = None if val[0] is None else ArrayBatches(*val, val_batch)
    if validation_data is not None:
        val = _validation_source(model, validation_data, validation_steps, X_first, out, streamed_val, val_batch)
    check_output_for_loss(model, outputs=out[-1])
    if not model.built:
        model.build(X_first.shape[1:])
    if isinstance(train, ArrayBatches):
        record_input_range(model, train.X)
    _start_history(model, initial_epoch)
    run = History()  # this call's epochs, returned; model.history keeps the full record (saved, resumed)
    model.callbacks = list(callbacks or [])
    logged = ["loss", *MetricSet(model).names()]
    logged += [f"val_{k}" for k in logged] if val is not None else []
    params = {"epochs": epochs, "steps": train.steps, "initial_epoch": initial_epoch, "verbose": verbose,
              "metrics": logged}
    cbs = CallbackList([model.history, run, ProgressBar(verbose, epochs, train.steps), *model.callbacks], model,
                       params)
    model.stop_training = False
    cbs.on_train_begin()
    # a callback that restored an interrupted run (BackupAndRestore) says where it left off
    start, model.resume_epoch = max(initial_epoch, model.resume_epoch or 0), None
    for epoch in range(start, epochs):
        cbs.on_epoch_begin(epoch)
        logs = train_epoch(model, train, epoch, shuffle, augment, cbs)
        train.end_epoch()
        if val is not None and validates(epoch):
            cbs.on_test_begin()
            results = evaluate_batches(model, val, cbs)
            cbs.on_test_end(results)
            logs.update({f"val_{k}": v for k, v in results.items()})
        model.epochs_done = epoch + 1
        if any(getattr(cb, "logs_learning_rate", False) for cb in model.callbacks):  # as Keras's rate callbacks do
            logs["learning_rate"] = float(model.optimizer.learning_rate)
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs if start < epochs else {})
    return run


def _stream_sources(model: TrainedModel, x: Any, y: Any, sample_weight: Any, class_weight: Any, validation_split: float,
                    steps_per_epoch: int | None) -> tuple[StreamBatches, None]:
    """The batches of a dataset or iterable ``x``; what only arrays can have is refused."""
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"fit: {name} must be None when x is a dataset or an iterable of batches: its "
                             f"batches hold the targets (and weights) as (x, y[, sample_weight])")
    if validation_split:
        raise ValueError("fit: validation_split needs arrays; with a dataset or an iterable, pass validation_data")
    return StreamBatches(model, x, steps_per_epoch, class_weight), None


def _validation_source(model: TrainedModel, data: Any, steps: int | None, X_first: np.ndarray, out: tuple[int, ...],
                       streamed: bool, batch_size: int) -> Any:
    """The validation batches, from arrays ``(X, y[, w])`` or a dataset or iterable of batches."""
    if streamed:
        source = StreamBatches(model, data, steps, None, "validation_data")
        X_val = source.first()[0]
    else:
        X_val = check_X(model, data[0], "validation X")
        Y_val = check_y(model, data[1], len(X_val), "validation y", out=out)
        W_val = check_sample_weight(data[2], len(X_val), "validation sample_weight") if len(data) == 3 else None
        source = ArrayBatches(X_val, Y_val, W_val, batch_size)
    if X_val.shape[1:] != X_first.shape[1:]:
        raise ValueError(f"validation X has example shape {X_val.shape[1:]}, but X has {X_first.shape[1:]}")
    return source


def _start_history(model: TrainedModel, initial_epoch: int) -> None:
    """A new History, or on resuming the records of the epochs before ``initial_epoch``."""
    if initial_epoch == 0 or not model.history.epoch:
        model.history = History()
        return
    keep = sum(e < initial_epoch for e in model.history.epoch)
    model.history.epoch = model.history.epoch[:keep]
    model.history.history = {k: v[:keep] for k, v in model.history.history.items()}


def split_validation(X: np.ndarray, Y: np.ndarray, W: np.ndarray | None, validation_split: float
                     ) -> tuple[tuple, tuple]:
    """``((X, Y, W), (X_val, Y_val, W_val))``: the last ``validation_split`` of the examples held
    out, taken before any shuffling (as Keras does); no validation part for a split of 0."""
    if validation_split == 0:
        return (X, Y, W), (None, None, None)
    split_at = int(len(X) * (1.0 - validation_split))
    if split_at < 1 or split_at >= len(X):
        raise ValueError(f"fit: validation_split={validation_split} of {len(X)} examples leaves "
                         f"{len(X) - split_at} for validation and {split_at} for training")
    cut = lambda a, part: None if a is None else (a[:split_at] if part == 0 else a[split_at:])  # noqa: E731
    return (cut(X, 0), cut(Y, 0), cut(W, 0)), (cut(X, 1), cut(Y, 1), cut(W, 1))


def train_epoch(model: TrainedModel, batches: Any, epoch: int, shuffle: bool, augment: Any, cbs: CallbackList
                ) -> dict[str, float]:
    """One pass of mini-batch updates; returns the epoch's mean loss (over examples) and metrics
    (over every batch, the weighted metrics weighted by the sample weights)."""
    loss_total, seen, metrics = 0.0, 0, MetricSet(model)
    streamed = not isinstance(batches, ArrayBatches)
    for batch, (X_batch, Y_batch, W_batch) in enumerate(batches.epoch(model.rng, shuffle)):
        cbs.on_train_batch_begin(batch)
        if streamed:
            record_input_range(model, X_batch)
        rng_state = model.rng.bit_generator.state
        try:
            if augment is not None:
                X_batch = (augment(X_batch, model.rng, positions=batches.positions, epoch=epoch)
                           if getattr(augment, "per_example", False) else augment(X_batch, model.rng))
                X_batch = X_batch.astype(model.dtype, copy=False)
                if not np.isfinite(X_batch.sum()) and not np.all(np.isfinite(X_batch)):
                    raise NonFiniteStep("the inputs (after augment)", float("nan"))
            loss, Y_hat = train_step(model, X_batch, Y_batch, W_batch)
        except NonFiniteStep as bad:
            model.rng.bit_generator.state = rng_state  # as before the batch, augmentation included
            cbs.on_train_batch_end(batch, {"loss": bad.loss, **metrics.results()})
            if model.stop_training:  # TerminateOnNaN: stop quietly, the epoch's loss logged as it became
                return {"loss": bad.loss, **metrics.results()}
            cbs.on_train_end()
            raise FloatingPointError(
                f"fit: {bad.where} became non-finite at epoch {epoch + 1}, batch {batch + 1} (loss {bad.loss}); "
                f"the step was not applied, so the weights, the optimizer's state and the random generator "
                f"are as before it. Lower the learning rate or check the data") from None
        seen, loss_total = seen + len(X_batch), loss_total + loss * len(X_batch)
        metrics.update(Y_batch, Y_hat, W_batch)
        cbs.on_train_batch_end(batch, {"loss": loss_total / seen, **metrics.results()})
        if model.stop_training:
            break
    return {"loss": loss_total / seen, **metrics.results()} if seen else {}
