"""The base :class:`Loss` and the targets' shapes; the squared and absolute errors and Huber (the
conventions are :mod:`seqnet.losses`'s)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._registry import Configurable, Registry, serialize
from .reduction import reduce_weighted

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
    #: how :meth:`__call__` reduces the values (one of :data:`~seqnet.losses.REDUCTIONS`)
    reduction: Any = "sum_over_batch_size"

    @abstractmethod
    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        """The mean loss over the batch."""

    @abstractmethod
    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """``dL/dY_hat``, shape of ``Y_hat``."""

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """The loss of each prediction, shape ``Y_hat.shape[:-1]`` (an example, or a position of an
        output of shape ``(m, ..., k)``): :meth:`forward` is their mean."""
        raise TypeError(f"{type(self).__name__} does not give per-prediction losses, so it takes no sample weights")

    def mask(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray | None:
        """The predictions that count (``None``: all of them)."""
        return None

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """Each example's loss, shape ``(m,)``: the mean of its predictions' :meth:`values`."""
        values = np.asarray(self.values(Y, Y_hat))
        return values.reshape(len(values), -1).mean(axis=1)

    def weighted_forward(self, Y: Any, Y_hat: np.ndarray, sample_weight: np.ndarray) -> float:
        """Keras's weighted loss: ``sum(w_i * loss_i) / m`` (weights of 1 give :meth:`forward`)."""
        return float(np.dot(self.per_sample(Y, Y_hat), sample_weight) / Y_hat.shape[0])

    def fuses(self, activation: Any, outputs: int) -> bool:
        """Whether :meth:`fused_backward` gives ``dL/dZ`` through ``activation`` on ``outputs`` columns."""
        return False

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """``dL/dZ`` where ``Y_hat = activation(Z)`` (see :meth:`fuses`)."""
        raise TypeError(f"{type(self).__name__} has no fused gradient")

    def __call__(self, Y: Any, Y_hat: Any, sample_weight: Any = None) -> Any:
        """The batch loss as Keras's ``loss(y_true, y_pred, sample_weight=None)`` gives it: the
        predictions' :meth:`values`, weighted and reduced by :func:`reduce_weighted` under
        :attr:`reduction`."""
        Y_hat = np.asarray(Y_hat)
        if not np.issubdtype(Y_hat.dtype, np.floating):
            Y_hat = Y_hat.astype(np.float64)
        return reduce_weighted(self.values(Y, Y_hat), sample_weight, self.reduction, self.mask(Y, Y_hat))


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


@losses.register("l2")
class L2(Loss):
    r"""The assignment's half squared error :math:`J = \frac{1}{2m}\sum (\hat Y - Y)^2`, gradient
    :math:`(\hat Y - Y)/m` (Keras's ``"mse"`` is :class:`MeanSquaredError`)."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        D = Y_hat - as_targets(Y, Y_hat)
        return float(0.5 * np.sum(D * D) / Y_hat.shape[0])

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """One value per example (the sum over all its outputs), so that their mean is the loss."""
        D = Y_hat - as_targets(Y, Y_hat)
        return 0.5 * _per_example(D * D, np.sum)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return (Y_hat - as_targets(Y, Y_hat)) / Y_hat.shape[0]


@losses.register("mse", aliases=("mean_squared_error",))
class MeanSquaredError(Loss):
    r"""Keras's ``"mse"``: :math:`J = \frac{1}{mk}\sum (\hat Y - Y)^2`, gradient :math:`2(\hat Y - Y)/(mk)`."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean((Y_hat - as_targets(Y, Y_hat)) ** 2))

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.mean((Y_hat - as_targets(Y, Y_hat)) ** 2, axis=-1)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return 2 * (Y_hat - as_targets(Y, Y_hat)) / Y_hat.size


@losses.register("mae", aliases=("mean_absolute_error",))
class MeanAbsoluteError(Loss):
    r"""Keras's ``"mae"``: :math:`J = \frac{1}{mk}\sum |\hat Y - Y|`, gradient :math:`\mathrm{sign}(\hat Y - Y)/(mk)`."""

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(np.abs(Y_hat - as_targets(Y, Y_hat))))

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(Y_hat - as_targets(Y, Y_hat)), axis=-1)

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

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.mean(self._values(Y, Y_hat), axis=-1)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.clip(Y_hat - as_targets(Y, Y_hat), -self.delta, self.delta) / Y_hat.size

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta}


def get(identifier: Any) -> Loss:
    """A loss from a name (``"cross_entropy"``, ``"l2"``, ``"mse"``, ...), a config dict or an instance."""
    return losses.get(identifier)


__all__ = ["Loss", "L2", "MeanSquaredError", "MeanAbsoluteError", "Huber",
           "one_hot", "as_targets", "get", "serialize"]
