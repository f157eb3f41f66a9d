"""Cross-entropies that weigh the examples by how wrong they are: the binary and categorical
focal losses (Lin et al., 2017) and the generalized cross-entropy (Zhang and Sabuncu, 2018), as
Keras computes them (probabilities clipped to ``[1e-7, 1 - 1e-7]``, no gradient where clipped).
The conventions are :mod:`seqnet.losses`'s; each gradient is checked against its numerical one
(``tests/test_losses.py`` walks every registered loss)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import Sigmoid, SoftMax
from .core import Loss, _check_smoothing, _predictions, as_targets, losses
from .crossentropy import CrossEntropy, _Binary
from .elementwise import EPSILON


def _power(base: np.ndarray, exponent: float) -> np.ndarray:
    """``base ** exponent`` for ``base >= 0``, 0 where the base is 0 (a negative exponent's pole)."""
    return np.where(base > 0, np.maximum(base, 1e-300) ** exponent, 0.0 if exponent != 0 else 1.0)


@losses.register("binary_focal_crossentropy")
class BinaryFocalCrossEntropy(Loss):
    r"""The binary cross-entropy of each output times :math:`(1 - p_t)^\gamma`, where
    :math:`p_t = y\hat y + (1 - y)(1 - \hat y)` is the probability given to the true label,
    averaged over the last axis; with ``apply_class_balancing``, times :math:`\alpha` for
    positives and :math:`1 - \alpha` for negatives.

    Parameters
    ----------
    apply_class_balancing : bool, default False
    alpha : float, default 0.25
    gamma : float, default 2.0
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        self.apply_class_balancing, self.alpha, self.gamma = bool(apply_class_balancing), float(alpha), float(gamma)
        if self.gamma < 0:
            raise ValueError(f"BinaryFocalCrossEntropy: expected gamma >= 0, received gamma={gamma}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "BinaryFocalCrossEntropy")
        self.expects_probabilities = not self.from_logits

    def _parts(self, Y: Any, Y_hat: np.ndarray) -> tuple[np.ndarray, ...]:
        Y = as_targets(Y, Y_hat)
        if self.label_smoothing:
            Y = Y * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
        P = Sigmoid().forward(Y_hat) if self.from_logits else Y_hat
        weight = Y * self.alpha + (1 - Y) * (1 - self.alpha) if self.apply_class_balancing else np.ones_like(Y)
        return Y, P, 1.0 - (Y * P + (1 - Y) * (1 - P)), weight

    def elementwise(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, P, miss, weight = self._parts(Y, Y_hat)
        return weight * _power(miss, self.gamma) * _Binary.values(Y, P, False, EPSILON)

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        return np.mean(self.elementwise(Y, Y_hat), axis=-1)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self.elementwise(Y, Y_hat)))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, P, miss, weight = self._parts(Y, Y_hat)
        bce = _Binary.values(Y, P, False, EPSILON)
        # d miss / dP = 1 - 2Y; d bce / dP from _Binary (0 where clipped)
        d_p = _power(miss, self.gamma - 1) * self.gamma * (1 - 2 * Y) * bce \
            + _power(miss, self.gamma) * _Binary.gradient(Y, P, False, EPSILON)
        if self.from_logits:
            d_p = d_p * P * (1 - P)
        return weight * d_p / Y_hat.size

    def get_config(self) -> dict[str, Any]:
        return {"apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha, "gamma": self.gamma,
                "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@losses.register("categorical_focal_crossentropy")
class CategoricalFocalCrossEntropy(Loss):
    r""":math:`-\sum_j \alpha (1 - p_j)^\gamma y_j \ln p_j` over the classes (the last axis), with
    :math:`p` the rows of probabilities divided by their sums (or the softmax of logits).

    Parameters
    ----------
    alpha : float, default 0.25
    gamma : float, default 2.0
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:
        self.alpha, self.gamma = float(alpha), float(gamma)
        if self.gamma < 0:
            raise ValueError(f"CategoricalFocalCrossEntropy: expected gamma >= 0, received gamma={gamma}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing, "CategoricalFocalCrossEntropy")
        self.expects_probabilities = not self.from_logits

    def _parts(self, Y: Any, Y_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        Y = as_targets(Y, Y_hat)
        if self.label_smoothing:
            Y = Y * (1 - self.label_smoothing) + self.label_smoothing / Y_hat.shape[-1]
        P = SoftMax().forward(Y_hat) if self.from_logits else Y_hat / Y_hat.sum(axis=-1, keepdims=True)
        return Y, P, np.clip(P, EPSILON, 1 - EPSILON)

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, _, Q = self._parts(Y, Y_hat)
        return -np.sum(self.alpha * _power(1 - Q, self.gamma) * Y * np.log(Q), axis=-1)

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self.values(Y, Y_hat)))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, P, Q = self._parts(Y, Y_hat)
        inside = (P >= EPSILON) & (P <= 1 - EPSILON)
        g = self.alpha * Y * (self.gamma * _power(1 - Q, self.gamma - 1) * np.log(Q) - _power(1 - Q, self.gamma) / Q)
        g = np.where(inside, g, 0.0)  # dJ/dP, then through P = Y_hat / S or softmax(Y_hat)
        through = g - np.sum(g * P, axis=-1, keepdims=True)
        gradient = P * through if self.from_logits else through / Y_hat.sum(axis=-1, keepdims=True)
        return gradient / _predictions(Y_hat)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "gamma": self.gamma, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


@losses.register("categorical_generalized_cross_entropy")
class CategoricalGeneralizedCrossEntropy(Loss):
    r""":math:`(1 - p_y^q) / q` with :math:`p_y` the probability of the true class (class ids as
    targets): between the cross-entropy (:math:`q \to 0`) and the mean absolute error
    (:math:`q = 1`), robust to noisy labels.

    Parameters
    ----------
    q : float in (0, 1], default 0.5
    from_logits : bool, default False
    """

    def __init__(self, q: float = 0.5, from_logits: bool = False) -> None:
        if not 0.0 < float(q) <= 1.0:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: expected q in (0, 1], received q={q}")
        self.q, self.from_logits = float(q), bool(from_logits)
        self.expects_probabilities = not self.from_logits

    def _parts(self, Y: Any, Y_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        P = SoftMax().forward(Y_hat) if self.from_logits else Y_hat
        return CrossEntropy()._targets(Y, Y_hat), P

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, P = self._parts(Y, Y_hat)
        return (1 - np.sum(P * Y, axis=-1) ** self.q) / self.q

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self.values(Y, Y_hat)))

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y, P = self._parts(Y, Y_hat)
        p_y = np.sum(P * Y, axis=-1, keepdims=True)
        g = -Y * _power(p_y, self.q - 1)  # dJ/dP
        if self.from_logits:
            g = P * (g - np.sum(g * P, axis=-1, keepdims=True))
        return g / _predictions(Y_hat)

    def get_config(self) -> dict[str, Any]:
        return {"q": self.q, "from_logits": self.from_logits}


__all__ = ["BinaryFocalCrossEntropy", "CategoricalFocalCrossEntropy", "CategoricalGeneralizedCrossEntropy"]
