"""Training and evaluation of a :class:`~seqnet.Sequential`: data checks, batches, the loop, callbacks.

``Sequential.fit`` / ``evaluate`` / ``predict`` / ``train_step`` are the public face; they call
the functions here, which take the model as their first argument. One training step::

    X_batch -> model.forward(training=True) -> Y_hat -> loss.forward(Y, Y_hat)
            -> backward_loss (fused softmax + cross-entropy where it applies) -> optimizer.update(model)

Each pass over the model runs inside :func:`seqnet.ops.step_scope`, where the kernels may keep
process-wide settings (BLAS's thread count) for the length of the pass.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from .activations import ELU, ArcTan, LeakyReLU, Linear, ReLU, Sigmoid, TanH
from .callbacks import CallbackList, History, ProgressBar
from .ops import step_scope


def batch_count(n: int, batch_size: int) -> int:
    return -(-n // batch_size)


# -- data checks -------------------------------------------------------------
def check_X(model: Any, X: Any, what: str = "X") -> np.ndarray:
    """``X`` as an array of the model's dtype, or a ``TypeError`` / ``ValueError`` that says what is wrong."""
    X = as_array(X, what)
    if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise TypeError(f"{what} must be a real numeric array, got dtype {X.dtype}")
    if X.ndim < 2:
        raise ValueError(f"{what} must have a batch axis and features, got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{what} is empty (shape {X.shape})")
    X = X.astype(model.dtype, copy=False)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what} contains NaN or infinite values")
    if model.built and X.shape[1:] != model.input_shape:
        features = (f"{X.shape[1]} features" if X.ndim == 2 else f"example shape {X.shape[1:]}")
        expected = (f"{model.input_shape[0]} features" if len(model.input_shape) == 1
                    else f"example shape {model.input_shape}")
        raise ValueError(f"{what} has {features}, but Sequential {model.name!r} is expecting "
                         f"{expected} as input (got {what} of shape {X.shape})")
    return X


def as_array(value: Any, what: str) -> np.ndarray:
    """``np.asarray(value)``, with an error that names ``what`` for None and for ragged nested lists."""
    if value is None:
        raise TypeError(f"{what} is None; pass an array (or nested lists) of numbers")
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(f"{what} is ragged: its nested lists have different lengths, so it is not an array of "
                         f"examples of one shape") from None


def check_y(model: Any, y: Any, n: int, what: str = "y", out: tuple[int, ...] | None = None) -> np.ndarray:
    """Targets for ``n`` examples as the model's output expects them (class ids become one-hot rows).

    ``out``: one example's output shape, for a model not built yet (by default the model's).
    """
    y = as_array(y, what)
    if y.ndim == 0:
        raise ValueError(f"{what} must hold one target per example, got a scalar {y!r}")
    if len(y) != n:
        raise ValueError(f"X and {what} have different lengths: {n} and {len(y)}")
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"{what} must be numeric (class ids or one-hot rows), got dtype {y.dtype}")
    out = tuple(model.output_shape[1:] if out is None else out)
    if y.shape[1:] == out:
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{what} contains NaN or infinite values")
        return y.astype(model.dtype, copy=False)
    if y.ndim == 1 and len(out) == 1:
        if out[0] == 1:
            return y.astype(model.dtype).reshape(-1, 1)
        try:
            return _losses.one_hot(y, out[0], model.dtype)
        except ValueError as err:
            raise ValueError(f"{what}: {err}") from None
    raise ValueError(f"{what} of shape {y.shape} does not match the model's output {(None, *out)}: "
                     f"pass class ids of shape ({n},) or targets of shape ({n}, {', '.join(map(str, out))})")


class InputRangeWarning(UserWarning):
    """Inputs far outside the range of values the model was trained on (raw pixels for a model
    trained on scaled ones, say)."""


def record_input_range(model: Any, X: np.ndarray) -> None:
    """Widen ``model.input_range`` to hold the training inputs ``X``."""
    low, high = float(X.min()), float(X.max())
    if model.input_range is not None:
        low, high = min(low, model.input_range[0]), max(high, model.input_range[1])
    model.input_range = [low, high]


def warn_if_out_of_range(model: Any, X: np.ndarray, what: str = "X") -> None:
    """Warn when ``X`` reaches more than one training range's width beyond the training range."""
    if model.input_range is None:
        return
    low, high = model.input_range
    span = max(high - low, 1e-12)
    x_low, x_high = float(X.min()), float(X.max())
    if x_low < low - span or x_high > high + span:
        warnings.warn(f"{what} holds values from {x_low:.4g} to {x_high:.4g}, far outside the range "
                      f"{low:.4g} to {high:.4g} that Sequential {model.name!r} was trained on: scale it as the "
                      f"training data was (e.g. divide raw pixels by 255)", InputRangeWarning, stacklevel=3)


def require_compiled(model: Any, method: str) -> None:
    if model.optimizer is None or model.loss is None:
        raise RuntimeError(f"Sequential.{method}: call compile(optimizer, loss) before {method}")


def require_built(model: Any, method: str) -> None:
    if not model.built:
        raise RuntimeError(f"Sequential.{method}: the model is not built; call fit or build first")


def check_batch_size(batch_size: Any, method: str, default: int | None = None) -> int:
    """A positive integer batch size (``default`` for None where the method has one)."""
    if batch_size is None and default is not None:
        return default
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"{method}: expected a positive integer batch_size, received batch_size={batch_size!r}")
    return int(batch_size)


def _check_fit_arguments(epochs: Any, validation_split: Any, validation_data: Any, initial_epoch: Any) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: expected a non-negative integer epochs, received epochs={epochs!r}")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
        raise ValueError(f"fit: expected a non-negative integer initial_epoch, received initial_epoch={initial_epoch!r}")
    if (isinstance(validation_split, bool) or not isinstance(validation_split, (int, float, np.number))
            or not 0.0 <= validation_split < 1.0):
        raise ValueError(f"fit: expected validation_split to be a number in [0, 1), received "
                         f"validation_split={validation_split!r}")
    if validation_data is not None and (not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2):
        got = f"a {type(validation_data).__name__}" + (f" of {len(validation_data)} items"
                                                        if isinstance(validation_data, (tuple, list)) else "")
        raise ValueError(f"fit: expected validation_data=(X_val, y_val), received {got}")


def output_shape_for(model: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """One example's output shape for ``input_shape``, from the layers' ``compute_output_shape``
    (nothing is built)."""
    if model.built:
        return tuple(model.output_shape[1:])
    if not model.layers:
        raise ValueError("Sequential: the model has no layers; add some before fit")
    shape = tuple(input_shape)
    for layer in model.layers:
        shape = tuple(layer.compute_output_shape(shape))
    return shape


# -- one step ------------------------------------------------------------------
def fused(model: Any) -> bool:
    """Softmax (or sigmoid) followed by cross-entropy: ``dL/dZ = (Y_hat - Y) / m``, cheaper and exact."""
    return model.loss.fuses(model.layers[-1].activation, model.output_shape[-1])


_NOT_PROBABILITIES = (Linear, ReLU, LeakyReLU, ELU, TanH, ArcTan)


def check_output_for_loss(model: Any, loss: Any = None) -> None:
    """Refuse a loss on probabilities after an output that gives none (a linear last layer, say).

    A user's own last layer is trusted. Once built, cross-entropy after sigmoid units must have
    one of them (several independent sigmoids are binary_crossentropy's case).
    """
    loss = model.loss if loss is None else loss
    last = model.layers[-1] if model.layers else None
    if last is None or not loss.expects_probabilities or not type(last).__module__.startswith("seqnet."):
        return
    act, name = last.activation, type(last.activation).registered_name
    kind = type(loss).registered_name
    if isinstance(act, _NOT_PROBABILITIES):
        raise ValueError(f"loss {kind!r} expects probabilities, but the last layer {last.name!r} outputs "
                         f"{name!r} values: end the model in activation='softmax' (or 'sigmoid' for one "
                         f"output), or pass the loss with from_logits=True (e.g. CrossEntropy(from_logits=True))")
    if (model.built and isinstance(loss, _losses.CrossEntropy) and isinstance(act, Sigmoid)
            and model.output_shape[-1] > 1):
        raise ValueError(f"loss {kind!r} on {model.output_shape[-1]} sigmoid outputs: use 'binary_crossentropy' "
                         f"for independent yes/no outputs, or activation='softmax' for one class out of several")


def backward_loss(model: Any, Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray | None:
    """Backpropagate the loss of output ``Y_hat`` against targets ``Y``; returns ``dL/dX``."""
    if fused(model):
        return model.backward(model.loss.fused_backward(Y, Y_hat), from_logits=True)
    return model.backward(model.loss.backward(Y, Y_hat))


class NonFiniteStep(FloatingPointError):
    """A step whose loss or gradients were not finite; it was not applied.

    ``where`` says where the non-finite values appeared: ``"the inputs"``, ``"the loss"`` or
    ``"the gradient of <layer>/<parameter>"``.
    """

    def __init__(self, where: str, loss: float) -> None:
        super().__init__(f"{where} became non-finite (loss {loss}); the step was not applied")
        self.where, self.loss = where, loss


def _first_non_finite_gradient(model: Any) -> str | None:
    for layer in model.layers:
        if not layer.trainable:
            continue
        for name, grad in layer.gradients.items():
            # a sum is a fast pass and carries any NaN or inf; an overflow of the sum alone is checked exactly
            if not np.isfinite(grad.sum()) and not np.all(np.isfinite(grad)):
                return f"the gradient of {layer.name}/{name}"
    return None


def _buffers(model: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(b, b.copy()) for layer in model.layers for b in layer.buffers.values()]


def train_step(model: Any, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """One optimizer update on the batch ``(X, Y)``; returns the batch loss and output.

    Raises :class:`NonFiniteStep` (a ``FloatingPointError``) before the update when the loss or a
    gradient is not finite: the weights, the optimizer's state, the layers' buffers (BatchNorm's
    running statistics) and the model's random generator are then as they were before the step.
    """
    rng_state, buffers = model.rng.bit_generator.state, _buffers(model)
    try:
        with step_scope():
            Y_hat = model.forward(X, training=True)
            loss = model.loss.forward(Y, Y_hat)
            if not np.isfinite(loss):
                raise NonFiniteStep("the loss", loss)
            backward_loss(model, Y, Y_hat)
            where = _first_non_finite_gradient(model)
            if where is not None:
                raise NonFiniteStep(where, loss)
            model.optimizer.update(model)
    except NonFiniteStep:
        model.rng.bit_generator.state = rng_state
        for buffer, saved in buffers:
            buffer[...] = saved
        raise
    return loss, Y_hat


def metric_function(model: Any, name: str) -> Any:
    """The function behind a metric name; "accuracy" under binary_crossentropy is per output, as in Keras."""
    if name in ("accuracy", "acc") and isinstance(model.loss, _losses.BinaryCrossEntropy):
        return _metrics.binary_accuracy
    return _metrics.get(name)


def metric_values(model: Any, Y: np.ndarray, Y_hat: np.ndarray) -> dict[str, float]:
    return {m: metric_function(model, m)(Y, Y_hat) for m in model.metrics}


# -- the loop ------------------------------------------------------------------
def fit(model: Any, X: Any, y: Any, batch_size: int = 32, epochs: int = 1, validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None, shuffle: bool = True, callbacks: list | None = None,
        verbose: int = 1, initial_epoch: int = 0, augment: Any = None) -> History:
    """:meth:`Sequential.fit <seqnet.Sequential.fit>`."""
    require_compiled(model, "fit")
    batch_size = check_batch_size(batch_size, "fit")
    _check_fit_arguments(epochs, validation_split, validation_data, initial_epoch)
    # every argument is checked before the model is built, so a rejected fit changes nothing
    X = check_X(model, X)
    out = output_shape_for(model, X.shape[1:])
    Y = check_y(model, y, len(X), out=out)
    validation = None
    if validation_data is not None:
        X_val = check_X(model, validation_data[0], "validation X")
        if X_val.shape[1:] != X.shape[1:]:
            raise ValueError(f"validation X has example shape {X_val.shape[1:]}, but X has {X.shape[1:]}")
        validation = (X_val, check_y(model, validation_data[1], len(X_val), "validation y", out=out))
    X, Y, X_val, Y_val = split_validation(model, X, Y, validation, validation_split)
    if not model.built:
        model.build(X.shape[1:])
    check_output_for_loss(model)
    record_input_range(model, X)
    steps = batch_count(len(X), batch_size)
    _start_history(model, initial_epoch)
    model.callbacks = list(callbacks or [])
    logged = ["loss", *model.metrics]
    logged += [f"val_{k}" for k in logged] if X_val is not None else []
    params = {"epochs": epochs, "steps": steps, "initial_epoch": initial_epoch, "verbose": verbose,
              "metrics": logged}
    cbs = CallbackList([model.history, ProgressBar(verbose, epochs, steps), *model.callbacks], model, params)
    model.stop_training = False
    cbs.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        cbs.on_epoch_begin(epoch)
        logs = train_epoch(model, X, Y, epoch, batch_size, shuffle, augment, cbs)
        if X_val is not None:
            logs.update({f"val_{k}": v for k, v in evaluate_arrays(model, X_val, Y_val).items()})
        model.epochs_done = epoch + 1
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end()
    return model.history


def _start_history(model: Any, initial_epoch: int) -> None:
    """A new History, or on resuming the records of the epochs before ``initial_epoch``."""
    if initial_epoch == 0 or not model.history.epoch:
        model.history = History()
        return
    keep = sum(e < initial_epoch for e in model.history.epoch)
    model.history.epoch = model.history.epoch[:keep]
    model.history.history = {k: v[:keep] for k, v in model.history.history.items()}


def split_validation(model: Any, X: np.ndarray, Y: np.ndarray, validation_data: Any, validation_split: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Training and validation arrays from the checked ``validation_data`` or a random ``validation_split``."""
    if validation_data is not None:
        return X, Y, *validation_data
    if validation_split == 0:
        return X, Y, None, None
    n_val = int(round(len(X) * validation_split))
    if n_val < 1 or n_val >= len(X):
        raise ValueError(f"fit: validation_split={validation_split} of {len(X)} examples leaves "
                         f"{n_val} for validation and {len(X) - n_val} for training")
    # a generator of its own, so the split is the same in every fit (and on resuming)
    order = np.random.default_rng([model.seed, len(X)]).permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return X[train], Y[train], X[val], Y[val]


def train_epoch(model: Any, X: np.ndarray, Y: np.ndarray, epoch: int, batch_size: int, shuffle: bool,
                augment: Any, cbs: CallbackList) -> dict[str, float]:
    """One pass of mini-batch updates; returns the epoch's mean loss and metrics."""
    order = model.rng.permutation(len(X)) if shuffle else np.arange(len(X))
    totals: dict[str, float] = {}
    seen = 0
    for batch, start in enumerate(range(0, len(X), batch_size)):
        idx = order[start:start + batch_size]
        cbs.on_train_batch_begin(batch)
        X_batch, Y_batch = X[idx], Y[idx]
        rng_state = model.rng.bit_generator.state
        try:
            if augment is not None:
                X_batch = augment(X_batch, model.rng).astype(model.dtype, copy=False)
                if not np.isfinite(X_batch.sum()) and not np.all(np.isfinite(X_batch)):
                    raise NonFiniteStep("the inputs (after augment)", float("nan"))
            loss, Y_hat = train_step(model, X_batch, Y_batch)
        except NonFiniteStep as bad:
            model.rng.bit_generator.state = rng_state  # as before the batch, augmentation included
            cbs.on_train_batch_end(batch, {**{k: v / seen for k, v in totals.items()}, "loss": bad.loss})
            if model.stop_training:  # TerminateOnNaN: stop quietly
                break
            cbs.on_train_end()
            raise FloatingPointError(
                f"fit: {bad.where} became non-finite at epoch {epoch + 1}, batch {batch + 1} (loss {bad.loss}); "
                f"the step was not applied, so the weights, the optimizer's state and the random generator "
                f"are as before it. Lower the learning rate or check the data") from None
        seen += len(idx)
        for k, v in {"loss": loss, **metric_values(model, Y_batch, Y_hat)}.items():
            totals[k] = totals.get(k, 0.0) + v * len(idx)
        cbs.on_train_batch_end(batch, {k: v / seen for k, v in totals.items()})
        if model.stop_training:
            break
    return {k: v / seen for k, v in totals.items()} if seen else {}


# -- inference -------------------------------------------------------------------
def predict_arrays(model: Any, X: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Outputs for the checked ``X`` in inference mode, ``batch_size`` examples at a time."""
    with step_scope():
        outs = [model.forward(X[i:i + batch_size], training=False) for i in range(0, len(X), batch_size)]
    for layer in model.layers:
        layer.clear_cache()
    return outs[0] if len(outs) == 1 else np.concatenate(outs)


def evaluate_arrays(model: Any, X: np.ndarray, Y: np.ndarray, batch_size: int = 256) -> dict[str, float]:
    """``{"loss": ..., <metric>: ...}`` for the checked ``(X, Y)``."""
    Y_hat = predict_arrays(model, X, batch_size)
    return {"loss": model.loss.forward(Y, Y_hat), **metric_values(model, Y, Y_hat)}
