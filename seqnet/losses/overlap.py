"""Overlap losses for segmentation: Dice and Tversky, one minus an overlap ratio between the
target mask and the predicted one, over the axes ``axis`` names (``None``: the whole batch, one
value). The conventions are :mod:`seqnet.losses`'s; each gradient is checked against its
numerical one (``tests/test_losses.py`` walks every registered loss)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import Loss, losses
from .elementwise import EPSILON


def _axes(axis: Any) -> tuple[int, ...] | None:
    if axis is None:
        return None
    return tuple(int(a) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))


class _Overlap(Loss):
    """``1 - numerator / denominator``, both sums over :attr:`axis` of elementwise terms."""

    axis: tuple[int, ...] | None = None

    def _sum(self, X: np.ndarray) -> np.ndarray:
        return np.sum(X, axis=self.axis)

    def _spread(self, G: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """A per-value array broadcast back over the summed axes."""
        if self.axis is not None:
            G = np.expand_dims(G, tuple(a % len(shape) for a in self.axis))
        return np.broadcast_to(G, shape)

    def _targets(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = np.asarray(Y, dtype=Y_hat.dtype)
        if Y.shape != Y_hat.shape:
            if Y.size != Y_hat.size:
                raise ValueError(f"{type(self).__name__}: targets of shape {Y.shape} do not match outputs of shape "
                                 f"{Y_hat.shape}")
            Y = Y.reshape(Y_hat.shape)
        return Y

    def values(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = self._targets(Y, Y_hat)
        numerator, denominator = self._parts(Y, Y_hat)
        return 1.0 - numerator / denominator

    def forward(self, Y: Any, Y_hat: np.ndarray) -> float:
        return float(np.mean(self.values(Y, Y_hat)))

    def per_sample(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        if self.axis is None or any(a % Y_hat.ndim == 0 for a in self.axis):
            raise TypeError(f"{type(self).__name__} over axis={self.axis} gives one value for the whole batch, so it "
                            f"takes no per-example weights: give an axis without the batch axis, such as (1, 2, 3)")
        return super().per_sample(Y, Y_hat)

    def backward(self, Y: Any, Y_hat: np.ndarray) -> np.ndarray:
        Y = self._targets(Y, Y_hat)
        numerator, denominator = self._parts(Y, Y_hat)
        d_num, d_den = self._derivatives(Y)
        count = numerator.size
        spread = self._spread
        return -(d_num * spread(1 / denominator, Y.shape)
                 - d_den * spread(numerator / denominator ** 2, Y.shape)) / count

    def get_config(self) -> dict[str, Any]:
        return {"axis": None if self.axis is None else list(self.axis)}


@losses.register("dice")
class Dice(_Overlap):
    r"""The Dice loss :math:`1 - 2\sum y\hat y / (\sum y + \sum \hat y + \epsilon)`, with
    :math:`\epsilon = 10^{-7}` (Keras's).

    Parameters
    ----------
    axis : int, tuple of ints or None, default None
        The axes summed over; ``None`` sums over every axis (one value for the batch).
    """

    def __init__(self, axis: Any = None) -> None:
        self.axis = _axes(axis)

    def _parts(self, Y, Y_hat):
        return 2.0 * self._sum(Y * Y_hat), self._sum(Y) + self._sum(Y_hat) + EPSILON

    def _derivatives(self, Y):
        return 2.0 * Y, np.ones_like(Y)


@losses.register("tversky")
class Tversky(_Overlap):
    r"""The Tversky loss :math:`1 - T / (T + \alpha F_1 + \beta F_2 + \epsilon)` with
    :math:`T = \sum y\hat y`, :math:`F_1 = \sum y(1 - \hat y)`, :math:`F_2 = \sum (1 - y)\hat y`,
    named and weighted as Keras names them; ``alpha = beta = 0.5`` is the Dice loss.

    Parameters
    ----------
    alpha, beta : float, default 0.5
    axis : int, tuple of ints or None, default None
        As :class:`Dice`'s.
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, axis: Any = None) -> None:
        self.alpha, self.beta, self.axis = float(alpha), float(beta), _axes(axis)

    def _parts(self, Y, Y_hat):
        overlap = self._sum(Y * Y_hat)
        return overlap, overlap + self.alpha * self._sum((1 - Y_hat) * Y) + self.beta * self._sum(Y_hat * (1 - Y)) \
            + EPSILON

    def _derivatives(self, Y):
        return Y, Y - self.alpha * Y + self.beta * (1 - Y)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "beta": self.beta, **super().get_config()}


__all__ = ["Dice", "Tversky"]
