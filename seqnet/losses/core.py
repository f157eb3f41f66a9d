"""The cross-entropies, the squared and absolute errors and Huber: the assignment's losses and
Keras's core set (the conventions are :mod:`seqnet.losses`'s)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._registry import Configurable, Registry, serialize
from ..activations import Sigmoid, SoftMax

losses = Registry("loss")


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Encode integer class ids ``labels`` of shape ``(m,)`` as ``(m, n_classes)`` rows.

    Raises
    ------
    ValueError
        If a label is not an integer in ``0..n_classes-1``.
    """
    labels = np.asarray(labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.number) or not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"class labels must be integers, got dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"class labels must be in 0..{n_classes - 1} for {n_classes} outputs, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out.reshape(*labels.shape, n_classes)


def as_targets(Y: Any, Y_hat: np.ndarray) -> np.ndarray:
    """Targets with the shape and dtype of ``Y_hat`` (class ids become one-hot rows).

    Raises
    ------
    ValueError
        If ``Y`` fits neither as same-shape targets nor as class ids.
    """
    Y = np.asarray(Y)
    if Y.shape == Y_hat.shape:
        return Y.astype(Y_hat.dtype, copy=False)
    if Y.shape == (*Y_hat.shape[:-1], 1) and Y_hat.shape[-1] > 1:
        Y = Y[..., 0]  # class ids as Keras's (m, 1)
    if Y.shape == Y_hat.shape[:-1]:
        if Y_hat.shape[-1] == 1:
            return Y[..., None].astype(Y_hat.dtype, copy=False)
        return one_hot(Y, Y_hat.shape[-1], Y_hat.dtype)
    raise ValueError(
        f"targets of shape {Y.shape} do not match outputs of shape {Y_hat.shape}: expected "
        f"{Y_hat.shape} (one-hot or real values) or {Y_hat.shape[:-1]} (class ids)"
    )


class Loss(Configurable, ABC):
    """Base class: a scalar cost of a batch and its gradient with respect to ``Y_hat``.

    A loss whose gradient through the model's last activation has a simple closed form (softmax
    or sigmoid followed by cross-entropy) says so in :meth:`fuses` and gives it in
    :meth:`fused_backward`; the model then skips the activation's Jacobian.
    """

    #: the output must be probabilities (the model checks its last activation)
    expects_probabilities = False

    @abstractmethod
    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        """The mean loss over the batch."""

    @abstractmethod
    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """``dL/dY_hat``, shape of ``Y_hat``."""

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """Each example's loss, shape ``(m,)``: :meth:`forward` is their sum over ``m``."""
        raise TypeError(f"{type(self).__name__} does not give per-example losses, so it takes no sample weights")

    def weighted_forward(self, Y: Any, Y_hat: np.ndarray, sample_weight: np.ndarray) -> float:
        """Keras's weighted loss: ``sum(w_i * loss_i) / m`` (weights of 1 give :meth:`forward`)."""
        return float(np.dot(self.per_sample(Y, Y_hat), sample_weight) / Y_hat.shape[0])

    def fuses(self, activation: Any, outputs: int) -> bool:
        """Whether :meth:`fused_backward` gives ``dL/dZ`` through ``activation`` on ``outputs`` columns."""
        return False

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """``dL/dZ`` where ``Y_hat = activation(Z)`` (see :meth:`fuses`)."""
        raise TypeError(f"{type(self).__name__} has no fused gradient")

    def __call__(self, Y: Any, Y_hat: np.ndarray, sample_weight: Any = None) -> float:
        """The batch loss, as Keras's ``loss(y_true, y_pred, sample_weight=None)`` gives it."""
        Y_hat = np.asarray(Y_hat)
        if sample_weight is None:
            return self.forward(Y, Y_hat)
        return self.weighted_forward(Y, Y_hat, np.broadcast_to(np.asarray(sample_weight, dtype=Y_hat.dtype).reshape(-1),
                                                               (Y_hat.shape[0],)))


losses.base = Loss


def _per_example(values: np.ndarray, reduce: Any) -> np.ndarray:
    """``reduce`` (np.sum or np.mean) of elementwise ``values`` over every axis but the batch axis."""
    return reduce(values.reshape(len(values), -1), axis=1)


def _predictions(Y_hat: np.ndarray) -> int:
    """How many predictions a batch of outputs ``(m, ..., k)`` holds: one per example and position."""
    return Y_hat.size // Y_hat.shape[-1] if Y_hat.shape[-1] else Y_hat.shape[0]


def _floor(P: np.ndarray) -> np.ndarray:
    """Probabilities floored at the dtype's smallest normal number: a probability of exactly 0
    gives a large but finite loss and gradient, never ``inf`` or ``nan``."""
    return np.maximum(P, np.finfo(P.dtype).tiny)


def _log_softmax(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_smoothing(value: float, who: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{who}: expected `label_smoothing` in [0, 1], received label_smoothing={value}")
    return value


class _Binary:
    """Binary cross-entropy per element, on probabilities or on logits, and its gradients."""

    @staticmethod
    def values(Y: np.ndarray, Y_hat: np.ndarray, from_logits: bool) -> np.ndarray:
        if from_logits:  # max(z, 0) - z y + log(1 + e^-|z|): never overflows
            return np.maximum(Y_hat, 0) - Y_hat * Y + np.log1p(np.exp(-np.abs(Y_hat)))
        return -(Y * np.log(_floor(Y_hat)) + (1 - Y) * np.log(_floor(1 - Y_hat)))

    @staticmethod
    def gradient(Y: np.ndarray, Y_hat: np.ndarray, from_logits: bool) -> np.ndarray:
        if from_logits:
            return Sigmoid().forward(Y_hat) - Y
        return (Y_hat - Y) / _floor(Y_hat * (1 - Y_hat))


@losses.register("cross_entropy", aliases=("categorical_crossentropy", "sparse_categorical_crossentropy",
                                            "crossentropy"))
class CrossEntropy(Loss):
    r"""Multi-class cross-entropy :math:`J = -\frac1m \sum_{i,j} Y_{ij} \ln \hat Y_{ij}`.

    ``Y_hat`` holds probabilities (a softmax output), or with ``from_logits=True`` the scores
    before the softmax (computed stably as a log-softmax). Targets may be one-hot rows or class
    ids (so this is also Keras's ``sparse_categorical_crossentropy``). On a single output column
    (a sigmoid unit) it is the binary cross-entropy
    :math:`-\frac1m\sum y\ln\hat y + (1-y)\ln(1-\hat y)`, never the categorical formula on one
    column, which would push every output to 1.

    Probabilities are floored at the smallest positive normal number of their dtype, so a
    probability of exactly 0 gives a large but finite loss and gradient, never ``inf`` or ``nan``.
    The gradient is :math:`\partial J/\partial \hat Y = -Y / (m \hat Y)`; after a softmax (or on
    one column after a sigmoid) the model uses the fused :math:`\partial J/\partial Z = (\hat Y - Y)/m`
    instead (:meth:`fused_backward`).

    The loss is averaged over the predictions: the examples, or every position of an output of
    shape ``(m, ..., k)`` (a class per pixel, with class ids ``(m, ...)``), as Keras averages it.

    Parameters
    ----------
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
        Targets become :math:`Y(1 - s) + s/k` (:math:`Y(1-s) + s/2` on one column), as in Keras and PyTorch.
    normalize : bool, default False
        Divide each row of probabilities by its sum first, :math:`\hat Y / S` with
        :math:`S = \sum_j \hat Y_j` (Keras's categorical cross-entropy does; a softmax's rows sum to
        1 already). The gradient gains :math:`\sum_j Y_j / (m S)`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, normalize: bool = False) -> None:
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "CrossEntropy")
        self.normalize = bool(normalize)
        self.expects_probabilities = not self.from_logits

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = as_targets(Y, Y_hat)
        if self.label_smoothing:
            k = Y_hat.shape[-1]
            Y = Y * (1 - self.label_smoothing) + self.label_smoothing / (2 if k == 1 else k)
        return Y

    def _log_p(self, Y_hat: np.ndarray) -> np.ndarray:
        if self.from_logits:
            return _log_softmax(Y_hat)
        log_p = np.log(_floor(Y_hat))
        return log_p - np.log(_floor(Y_hat.sum(axis=-1, keepdims=True))) if self.normalize else log_p

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        Y = self._targets(Y, Y_hat)
        m = _predictions(Y_hat)
        if Y_hat.shape[-1] == 1:
            return float(np.sum(_Binary.values(Y, Y_hat, self.from_logits)) / m)
        return float(-np.sum(Y * self._log_p(Y_hat)) / m)

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = self._targets(Y, Y_hat)
        if Y_hat.shape[-1] == 1:
            return _per_example(_Binary.values(Y, Y_hat, self.from_logits), np.mean)
        return -_per_example((Y * self._log_p(Y_hat)).sum(axis=-1, keepdims=True), np.mean)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = self._targets(Y, Y_hat)
        m = _predictions(Y_hat)
        if Y_hat.shape[-1] == 1:
            return _Binary.gradient(Y, Y_hat, self.from_logits) / m
        if self.from_logits:
            return (SoftMax().forward(Y_hat) - Y) / m
        gradient = -Y / _floor(Y_hat)
        if self.normalize:
            gradient += Y.sum(axis=-1, keepdims=True) / _floor(Y_hat.sum(axis=-1, keepdims=True))
        return gradient / m

    def fuses(self, activation: Any, outputs: int) -> bool:
        if self.from_logits:
            return False
        return isinstance(activation, SoftMax) if outputs > 1 else isinstance(activation, Sigmoid)

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """Gradient with respect to the logits ``Z`` when ``Y_hat = softmax(Z)`` (or ``sigmoid(Z)`` on
        one column): ``(Y_hat - Y) / m``."""
        return (Y_hat - self._targets(Y, Y_hat)) / _predictions(Y_hat)

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "normalize": self.normalize}


@losses.register("binary_crossentropy", aliases=("binary_cross_entropy",))
class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy averaged over every output, as Keras's ``binary_crossentropy``:
    :math:`J = -\frac{1}{mk}\sum y\ln\hat y + (1-y)\ln(1-\hat y)` (one or several independent
    sigmoid outputs). ``from_logits=True`` takes the scores before the sigmoid. After a sigmoid the
    model uses the fused :math:`\partial J/\partial Z = (\hat Y - Y)/(mk)`.

    Parameters
    ----------
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
        Targets become :math:`y(1 - s) + s/2`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "BinaryCrossEntropy")
        self.expects_probabilities = not self.from_logits

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = as_targets(Y, Y_hat)
        return Y * (1 - self.label_smoothing) + 0.5 * self.label_smoothing if self.label_smoothing else Y

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(_Binary.values(self._targets(Y, Y_hat), Y_hat, self.from_logits)))

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _per_example(_Binary.values(self._targets(Y, Y_hat), Y_hat, self.from_logits), np.mean)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _Binary.gradient(self._targets(Y, Y_hat), Y_hat, self.from_logits) / Y_hat.size

    def fuses(self, activation: Any, outputs: int) -> bool:
        return not self.from_logits and isinstance(activation, Sigmoid)

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return (Y_hat - self._targets(Y, Y_hat)) / Y_hat.size

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@losses.register("l2")
class L2(Loss):
    r"""The assignment's half squared error :math:`J = \frac{1}{2m}\sum (\hat Y - Y)^2`, gradient
    :math:`(\hat Y - Y)/m` (Keras's ``"mse"`` is :class:`MeanSquaredError`)."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        D = Y_hat - as_targets(Y, Y_hat)
        return float(0.5 * np.sum(D * D) / Y_hat.shape[0])

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        D = Y_hat - as_targets(Y, Y_hat)
        return 0.5 * _per_example(D * D, np.sum)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return (Y_hat - as_targets(Y, Y_hat)) / Y_hat.shape[0]


@losses.register("mse", aliases=("mean_squared_error",))
class MeanSquaredError(Loss):
    r"""Keras's ``"mse"``: :math:`J = \frac{1}{mk}\sum (\hat Y - Y)^2`, gradient :math:`2(\hat Y - Y)/(mk)`."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean((Y_hat - as_targets(Y, Y_hat)) ** 2))

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _per_example((Y_hat - as_targets(Y, Y_hat)) ** 2, np.mean)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return 2 * (Y_hat - as_targets(Y, Y_hat)) / Y_hat.size


@losses.register("mae", aliases=("mean_absolute_error",))
class MeanAbsoluteError(Loss):
    r"""Keras's ``"mae"``: :math:`J = \frac{1}{mk}\sum |\hat Y - Y|`, gradient :math:`\mathrm{sign}(\hat Y - Y)/(mk)`."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(np.abs(Y_hat - as_targets(Y, Y_hat))))

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _per_example(np.abs(Y_hat - as_targets(Y, Y_hat)), np.mean)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.sign(Y_hat - as_targets(Y, Y_hat)) / Y_hat.size


@losses.register("huber")
class Huber(Loss):
    r"""Keras's ``"huber"``: the mean over every output of :math:`\frac12 d^2` where
    :math:`|d| \le \delta`, else :math:`\delta(|d| - \frac12\delta)`, with :math:`d = \hat Y - Y`.

    Parameters
    ----------
    delta : float, default 1.0
    """

    def __init__(self, delta: float = 1.0) -> None:
        if not float(delta) > 0:
            raise ValueError(f"Huber: expected a positive `delta`, received delta={delta}")
        self.delta = float(delta)

    def _values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        D = np.abs(Y_hat - as_targets(Y, Y_hat))
        quadratic = np.minimum(D, self.delta)
        return 0.5 * quadratic ** 2 + self.delta * (D - quadratic)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self._values(Y, Y_hat)))

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _per_example(self._values(Y, Y_hat), np.mean)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.clip(Y_hat - as_targets(Y, Y_hat), -self.delta, self.delta) / Y_hat.size

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta}


def get(identifier: Any) -> Loss:
    """A loss from a name (``"cross_entropy"``, ``"l2"``, ``"mse"``, ...), a config dict or an instance."""
    return losses.get(identifier)


__all__ = ["Loss", "CrossEntropy", "BinaryCrossEntropy", "L2", "MeanSquaredError", "MeanAbsoluteError", "Huber",
           "one_hot", "as_targets", "get", "serialize"]
