"""Checks at the boundary of training and inference: the data, the arguments, the loss against
the model's output, and the range of input values seen in training.

Each raises a ``TypeError`` or ``ValueError`` that names the argument, what was expected and what
was received, before anything about the model changes.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import losses as _losses
from ._contract import TrainedModel
from .activations import ELU, ArcTan, LeakyReLU, Linear, ReLU, Sigmoid, TanH


def check_X(model: TrainedModel, X: Any, what: str = "X") -> np.ndarray:
    """``X`` as an array of the model's dtype, or a ``TypeError`` / ``ValueError`` that says what is wrong."""
    X = as_array(X, what)
    if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise TypeError(f"{what} must be a real numeric array, got dtype {X.dtype}")
    one = model.built and X.shape == tuple(model.input_shape)
    if X.ndim < 2 or one:
        hint = (f"; for one example of shape {X.shape}, add the batch axis: {what}[None] (a batch of one)"
                if one or X.ndim == 1 else "")
        raise ValueError(f"{what} must have a batch axis before each example's shape, got shape {X.shape}{hint}")
    if X.shape[0] == 0:
        raise ValueError(f"{what} is empty (shape {X.shape})")
    ids = X.dtype.kind in "iu" and bool(model.layers) and getattr(model.layers[0], "takes_ids", False)
    if not ids:  # (an Embedding's token ids stay integers)
        X = X.astype(model.dtype, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{what} contains NaN or infinite values")
    if model.built and X.shape[1:] != model.input_shape and not (ids and X.ndim == len(model.input_shape) + 1):
        features = (f"{X.shape[1]} features" if X.ndim == 2 else f"example shape {X.shape[1:]}")
        expected = (f"{model.input_shape[0]} features" if len(model.input_shape) == 1
                    else f"example shape {model.input_shape}")
        raise ValueError(f"{what} has {features}, but Sequential {model.name!r} is expecting "
                         f"{expected} as input (got {what} of shape {X.shape})")
    return X


def is_stream(x: Any) -> bool:
    """Whether ``x`` is a dataset or an iterable of batches rather than an array of examples."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, str, bytes)) or hasattr(x, "__array__"):
        return False
    return (hasattr(x, "__getitem__") and hasattr(x, "__len__")) or hasattr(x, "__iter__")


def as_array(value: Any, what: str) -> np.ndarray:
    """``np.asarray(value)``, with an error that names ``what`` for None, ragged nested lists and streams."""
    if value is None:
        raise TypeError(f"{what} is None; pass an array (or nested lists) of numbers")
    if is_stream(value):
        raise TypeError(f"{what} is a {type(value).__name__}, a stream of batches: only fit reads those "
                        f"(as x, with y=None); here pass the examples as one array")
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(f"{what} is ragged: its nested lists have different lengths, so it is not an array of "
                         f"examples of one shape") from None


def check_y(model: TrainedModel, y: Any, n: int, what: str = "y", out: tuple[int, ...] | None = None) -> np.ndarray:
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
    ids = out[:-1]  # class ids: one per output position (per example, or per pixel)
    if y.shape[1:] == (*ids, 1) and out[-1] > 1:
        y = y[..., 0]  # Keras's (n, 1) labels, as keras.datasets give them
    if y.shape[1:] == ids:
        if out[-1] == 1:
            return y.astype(model.dtype)[..., None]
        try:
            return _losses.one_hot(y, out[-1], model.dtype)
        except ValueError as err:
            raise ValueError(f"{what}: {err}") from None
    hint = " (or put a Flatten layer before the Dense layers, for one output per example)" \
        if len(out) > 1 and y.ndim <= 2 else ""
    raise ValueError(f"{what} of shape {y.shape} does not match the model's output {(None, *out)}: "
                     f"pass class ids of shape {(n, *ids)} or targets of shape {(n, *out)}{hint}")


class InputRangeWarning(UserWarning):
    """Inputs far outside the range of values the model was trained on (raw pixels for a model
    trained on scaled ones, say)."""


def record_input_range(model: TrainedModel, X: np.ndarray) -> None:
    """Widen ``model.input_range`` to hold the training inputs ``X``."""
    low, high = float(X.min()), float(X.max())
    if model.input_range is not None:
        low, high = min(low, model.input_range[0]), max(high, model.input_range[1])
    model.input_range = [low, high]


def warn_if_out_of_range(model: TrainedModel, X: np.ndarray, what: str = "X") -> None:
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


def require_compiled(model: TrainedModel, method: str) -> None:
    if model.optimizer is None or model.loss is None:
        raise RuntimeError(f"Sequential.{method}: call compile(optimizer, loss) before {method}")


def require_built(model: TrainedModel, method: str) -> None:
    if not model.built:
        raise RuntimeError(f"Sequential.{method}: the model is not built; call fit or build first")


def check_verbose(verbose: Any, method: str) -> int:
    """``verbose`` as 0, 1 or 2 (Keras's "auto" is 1)."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"{method}: expected verbose 0, 1, 2 or 'auto', received verbose={verbose!r}")
    return int(verbose)


def check_batch_size(batch_size: Any, method: str, default: int | None = None) -> int:
    """A positive integer batch size (``default`` for None where the method has one)."""
    if batch_size is None and default is not None:
        return default
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"{method}: expected a positive integer batch_size, received batch_size={batch_size!r}")
    return int(batch_size)


def check_fit_arguments(epochs: Any, validation_split: Any, validation_data: Any, initial_epoch: Any) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: expected a non-negative integer epochs, received epochs={epochs!r}")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
        raise ValueError(f"fit: expected a non-negative integer initial_epoch, received initial_epoch={initial_epoch!r}")
    if (isinstance(validation_split, bool) or not isinstance(validation_split, (int, float, np.number))
            or not 0.0 <= validation_split < 1.0):
        raise ValueError(f"fit: expected validation_split to be a number in [0, 1), received "
                         f"validation_split={validation_split!r}")
    if validation_data is not None and (not isinstance(validation_data, (tuple, list))
                                        or len(validation_data) not in (2, 3)):
        got = f"a {type(validation_data).__name__}" + (f" of {len(validation_data)} items"
                                                        if isinstance(validation_data, (tuple, list)) else "")
        raise ValueError(f"fit: expected validation_data=(X_val, y_val) or (X_val, y_val, sample_weight_val), "
                         f"received {got}")


def validation_epochs(validation_freq: Any) -> Any:
    """Keras's ``validation_freq``: every ``n``-th epoch, or the listed epochs (counted from 1);
    returns ``validates(epoch)`` for 0-based epochs."""
    if isinstance(validation_freq, (int, np.integer)) and not isinstance(validation_freq, bool) and validation_freq >= 1:
        return lambda epoch: (epoch + 1) % int(validation_freq) == 0
    if isinstance(validation_freq, (list, tuple, set)) and all(
            isinstance(e, (int, np.integer)) and not isinstance(e, bool) and e >= 1 for e in validation_freq):
        chosen = {int(e) for e in validation_freq}
        return lambda epoch: epoch + 1 in chosen
    raise ValueError(f"fit: expected validation_freq to be a positive integer or a list of epochs (from 1), "
                     f"received validation_freq={validation_freq!r}")


def check_sample_weight(sample_weight: Any, n: int, what: str = "sample_weight") -> np.ndarray:
    """One finite, non-negative weight per example, as float64."""
    w = as_array(sample_weight, what)
    if w.dtype == bool or not np.issubdtype(w.dtype, np.number):
        raise TypeError(f"{what} must be numbers, got dtype {w.dtype}")
    w = w.astype(np.float64).reshape(-1) if w.ndim == 2 and w.shape[1] == 1 else w.astype(np.float64)
    if w.shape != (n,):
        raise ValueError(f"{what} must hold one weight per example, shape ({n},); received shape {w.shape}")
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise ValueError(f"{what} must be finite and non-negative")
    return w


def example_weights(Y: np.ndarray, sample_weight: Any, class_weight: Any, n: int) -> np.ndarray | None:
    """The weight of each example from ``sample_weight`` and/or ``class_weight`` (multiplied, as
    Keras does), or None when neither is given. ``Y`` holds the checked targets."""
    w = None if sample_weight is None else check_sample_weight(sample_weight, n)
    if class_weight is None:
        return w
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class id: weight}}, received {type(class_weight).__name__}")
    labels = Y.argmax(axis=-1) if Y.shape[-1] > 1 else (Y[:, 0] > 0.5).astype(int)
    missing = sorted(set(labels.tolist()) - {int(k) for k in class_weight})
    if missing:
        raise ValueError(f"class_weight has no weight for classes {missing}; give one for every class in y")
    table = np.zeros(max(int(k) for k in class_weight) + 1)
    for k, v in class_weight.items():
        table[int(k)] = float(v)
    by_class = table[labels]
    return by_class if w is None else w * by_class


def output_shape_for(model: TrainedModel, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """One example's output shape for ``input_shape``, from the layers' ``compute_output_shape``
    (nothing is built)."""
    if not model.layers:
        raise ValueError("Sequential: the model has no layers; add some before fit")
    if model.built:
        return tuple(model.output_shape[1:])
    shape = tuple(input_shape)
    for layer in model.layers:
        shape = tuple(layer.compute_output_shape(shape))
    return shape


_NOT_PROBABILITIES = (Linear, ReLU, LeakyReLU, ELU, TanH, ArcTan)


def check_output_for_loss(model: TrainedModel, loss: Any = None, outputs: int | None = None) -> None:
    """Refuse a loss on probabilities after an output that gives none (a linear last layer, say).

    A user's own last layer is trusted. With the number of ``outputs`` known (the model's, once
    built), cross-entropy after sigmoid units must have one of them (several independent sigmoids
    are binary_crossentropy's case).
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
    if outputs is None and model.built and model.output_shapes:
        outputs = model.output_shape[-1]
    if outputs is not None and outputs > 1 and isinstance(loss, _losses.CrossEntropy) and isinstance(act, Sigmoid):
        raise ValueError(f"loss {kind!r} on {outputs} sigmoid outputs: use 'binary_crossentropy' "
                         f"for independent yes/no outputs, or activation='softmax' for one class out of several")
