"""The cross-entropies, the squared and absolute errors and Huber: the assignment's losses and
Keras's core set (the conventions are :mod:`seqnet.losses`'s)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._registry import Configurable, Registry, serialize
from ..activations import Sigmoid, SoftMax

losses = Registry("loss")

def same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``x1`` and ``x2`` brought to the same rank where they differ by a last axis of size 1
    (Keras's ``squeeze_or_expand_to_same_rank``: a rank-1 one gains the axis, another loses it)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        return (x1, x2[..., None]) if x2.ndim == 1 and expand_rank_1 else (x1[..., 0], x2)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        return (x1[..., None], x2) if x1.ndim == 1 and expand_rank_1 else (x1, x2[..., 0])
    return x1, x2



#: how ``loss(Y, Y_hat, sample_weight)`` reduces the weighted per-prediction values (Keras's names):
#: their mean over the predictions ("sum_over_batch_size", "mean"), their sum, their sum over the
#: weights' sum ("mean_with_sample_weight"), or none (the values themselves)
REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none", None)


def reduce_weighted(values: np.ndarray, sample_weight: Any = None, reduction: Any = "sum_over_batch_size",
                    mask: np.ndarray | None = None) -> Any:
    """Keras's reduction of per-prediction ``values`` (shape ``(m, ...)``): weighted by
    ``sample_weight`` (a scalar, one per example, or one per prediction: a last axis of size 1
    is added or dropped to match, and weights of fewer axes apply to every position of their
    example), predictions outside ``mask`` counting for nothing, then reduced by ``reduction``
    (one of :data:`REDUCTIONS`). A float, or the weighted values for ``"none"``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`: expected one of {REDUCTIONS}, "
                         f"received reduction={reduction!r}")
    values = np.asarray(values)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=values.dtype)
    if mask is not None:
        scale = mask.size / max(int(mask.sum()), 1) if reduction in ("sum_over_batch_size", "mean") else 1.0
        mask = np.where(mask, scale, 0.0).astype(values.dtype)
        weights = mask if weights is None else _expanded(*same_rank(mask, weights)) * mask
    if weights is not None:
        values, weights = _expanded(*same_rank(values, weights))
        try:
            values = values * weights
        except ValueError:
            raise ValueError(f"sample_weight of shape {weights.shape} does not fit losses of shape {values.shape}: "
                             f"give one weight per example or per prediction") from None
    if reduction in ("none", None) or values.ndim == 0 or values.shape == (0,):
        return values
    total = float(values.sum())
    if reduction == "sum":
        return total
    divisor = float(weights.sum()) if reduction == "mean_with_sample_weight" and weights is not None else values.size
    return total / divisor if divisor else 0.0


def _expanded(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights of fewer axes than the values, with their leading shape, gain the values' trailing axes."""
    if 0 < weights.ndim < values.ndim and weights.shape == values.shape[:weights.ndim]:
        weights = weights.reshape(weights.shape + (1,) * (values.ndim - weights.ndim))
    return values, weights


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
    #: how :meth:`__call__` reduces the values (one of :data:`REDUCTIONS`)
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


class _Binary:
    """Binary cross-entropy per element, on probabilities or on logits, and its gradients.
    Probabilities are clipped to ``[epsilon, 1 - epsilon]`` (the gradient is 0 where they are
    clipped), or with ``epsilon=None`` floored at the smallest normal number."""

    @staticmethod
    def values(Y: np.ndarray, Y_hat: np.ndarray, from_logits: bool, epsilon: float | None = None) -> np.ndarray:
        if from_logits:  # max(z, 0) - z y + log(1 + e^-|z|): never overflows
            return np.maximum(Y_hat, 0) - Y_hat * Y + np.log1p(np.exp(-np.abs(Y_hat)))
        if epsilon is not None:
            P = np.clip(Y_hat, epsilon, 1 - epsilon)
            return -(Y * np.log(P) + (1 - Y) * np.log(1 - P))
        return -(Y * np.log(_floor(Y_hat)) + (1 - Y) * np.log(_floor(1 - Y_hat)))

    @staticmethod
    def gradient(Y: np.ndarray, Y_hat: np.ndarray, from_logits: bool, epsilon: float | None = None) -> np.ndarray:
        if from_logits:
            return Sigmoid().forward(Y_hat) - Y
        if epsilon is not None:
            inside = (Y_hat >= epsilon) & (Y_hat <= 1 - epsilon)
            return np.where(inside, (Y_hat - Y) / _floor(Y_hat * (1 - Y_hat)), 0.0)
        return (Y_hat - Y) / _floor(Y_hat * (1 - Y_hat))


def _check_epsilon(epsilon: Any, who: str) -> float | None:
    if epsilon is None:
        return None
    if not 0.0 < float(epsilon) < 0.5:
        raise ValueError(f"{who}: expected `epsilon` in (0, 0.5) or None, received epsilon={epsilon}")
    return float(epsilon)


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
    epsilon : float or None, default None
        Clip probabilities to :math:`[\epsilon, 1 - \epsilon]` before the logarithm, with no
        gradient where they are clipped (Keras clips at ``1e-7``). ``None`` floors them at the
        smallest positive normal number of their dtype, so a probability of exactly 0 gives a
        large but finite loss and gradient, never ``inf`` or ``nan``. The fused gradient after a
        softmax does not clip.
    ignore_class : int or None, default None
        Predictions whose class id is this count for nothing: no loss, no gradient, and the mean
        is over the others (PyTorch's ``ignore_index``; class-id targets only).
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, normalize: bool = False,
                 epsilon: float | None = None, ignore_class: int | None = None) -> None:
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "CrossEntropy")
        self.normalize = bool(normalize)
        self.epsilon = _check_epsilon(epsilon, "CrossEntropy")
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.expects_probabilities = not self.from_logits

    def mask(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray | None:
        if self.ignore_class is None:
            return None
        Y = np.asarray(Y)
        if Y.shape == (*Y_hat.shape[:-1], 1) and Y_hat.shape[-1] > 1:
            Y = Y[..., 0]
        if Y.shape != Y_hat.shape[:-1]:
            raise ValueError(f"CrossEntropy: ignore_class needs class ids of shape {Y_hat.shape[:-1]}, "
                             f"got targets of shape {Y.shape}")
        return Y != self.ignore_class

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        mask = self.mask(Y, Y_hat)
        if mask is not None:
            Y = np.where(mask, np.asarray(Y).reshape(mask.shape), 0)
        Y = as_targets(Y, Y_hat)
        if self.label_smoothing:
            k = Y_hat.shape[-1]
            Y = Y * (1 - self.label_smoothing) + self.label_smoothing / (2 if k == 1 else k)
        return Y if mask is None else Y * mask[..., None]

    def _count(self, Y: Any, Y_hat: np.ndarray) -> int:
        """The predictions the mean is over."""
        mask = self.mask(Y, Y_hat)
        return max(int(mask.sum()), 1) if mask is not None else _predictions(Y_hat)

    def _probabilities(self, Y_hat: np.ndarray) -> np.ndarray:
        return Y_hat / _floor(Y_hat.sum(axis=-1, keepdims=True)) if self.normalize else Y_hat

    def _log_p(self, Y_hat: np.ndarray) -> np.ndarray:
        if self.from_logits:
            return _log_softmax(Y_hat)
        P = self._probabilities(Y_hat)
        return np.log(np.clip(P, self.epsilon, 1 - self.epsilon) if self.epsilon is not None else _floor(P))

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = self._targets(Y, Y_hat)
        if Y_hat.shape[-1] == 1:
            return _Binary.values(Y, Y_hat, self.from_logits, self.epsilon)[..., 0]
        return -np.sum(Y * self._log_p(Y_hat), axis=-1)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.sum(self.values(Y, Y_hat)) / self._count(Y, Y_hat))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        m = self._count(Y, Y_hat)
        Y = self._targets(Y, Y_hat)
        if Y_hat.shape[-1] == 1:
            return _Binary.gradient(Y, Y_hat, self.from_logits, self.epsilon) / m
        if self.from_logits:
            return (SoftMax().forward(Y_hat) * Y.sum(axis=-1, keepdims=True) - Y) / m
        P = self._probabilities(Y_hat)
        gradient = -Y / _floor(P)  # with respect to the (normalized) probabilities
        if self.epsilon is not None:
            gradient = np.where((P >= self.epsilon) & (P <= 1 - self.epsilon), gradient, 0.0)
        if self.normalize:  # through P = Y_hat / S: (g - sum_j g_j P_j) / S
            gradient = (gradient - np.sum(gradient * P, axis=-1, keepdims=True)) / _floor(
                Y_hat.sum(axis=-1, keepdims=True))
        return gradient / m

    def fuses(self, activation: Any, outputs: int) -> bool:
        if self.from_logits:
            return False
        return isinstance(activation, SoftMax) if outputs > 1 else isinstance(activation, Sigmoid)

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        """Gradient with respect to the logits ``Z`` when ``Y_hat = softmax(Z)`` (or ``sigmoid(Z)`` on
        one column): ``(Y_hat - Y) / m`` (for ignored predictions, 0)."""
        m = self._count(Y, Y_hat)
        Y = self._targets(Y, Y_hat)
        if Y_hat.shape[-1] > 1:
            return (Y_hat * Y.sum(axis=-1, keepdims=True) - Y) / m
        mask = self.mask(Y, Y_hat)
        return (Y_hat - Y) * (1 if mask is None else mask[..., None]) / m

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "normalize": self.normalize,
                "epsilon": self.epsilon, "ignore_class": self.ignore_class}


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
    epsilon : float or None, default None
        As :class:`CrossEntropy`'s.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, epsilon: float | None = None) -> None:
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "BinaryCrossEntropy")
        self.epsilon = _check_epsilon(epsilon, "BinaryCrossEntropy")
        self.expects_probabilities = not self.from_logits

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = np.asarray(Y)
        if Y.shape != Y_hat.shape and not (Y_hat.shape[-1] == 1 and Y.shape == Y_hat.shape[:-1]):
            raise ValueError(f"BinaryCrossEntropy: targets and outputs must have the same shape, got {Y.shape} "
                             f"and {Y_hat.shape}")
        Y = as_targets(Y, Y_hat)
        return Y * (1 - self.label_smoothing) + 0.5 * self.label_smoothing if self.label_smoothing else Y

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.mean(_Binary.values(self._targets(Y, Y_hat), Y_hat, self.from_logits, self.epsilon), axis=-1)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(_Binary.values(self._targets(Y, Y_hat), Y_hat, self.from_logits, self.epsilon)))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return _Binary.gradient(self._targets(Y, Y_hat), Y_hat, self.from_logits, self.epsilon) / Y_hat.size

    def fuses(self, activation: Any, outputs: int) -> bool:
        return not self.from_logits and isinstance(activation, Sigmoid)

    def fused_backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return (Y_hat - self._targets(Y, Y_hat)) / Y_hat.size

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "epsilon": self.epsilon}


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


__all__ = ["REDUCTIONS", "reduce_weighted", "Loss", "CrossEntropy", "BinaryCrossEntropy", "L2", "MeanSquaredError", "MeanAbsoluteError", "Huber",
           "one_hot", "as_targets", "get", "serialize"]
