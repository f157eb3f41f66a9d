"""The cross-entropies: categorical (with class ids or one-hot targets, on probabilities or
logits) and binary, with the fused gradient after a softmax or a sigmoid (the conventions are
:mod:`seqnet.losses`'s)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import Sigmoid, SoftMax
from .core import Loss, _check_smoothing, _floor, _log_softmax, _predictions, as_targets, losses


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


__all__ = ["CrossEntropy", "BinaryCrossEntropy"]
