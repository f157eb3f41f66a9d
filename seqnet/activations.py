"""Element-wise activation functions and softmax.

Each activation has ``forward(Z)`` and ``backward(Z, dY)``, where ``Z`` is the
activation's input and ``dY`` the gradient of the loss with respect to its
output. All work on batches of any shape; softmax normalises over the last axis.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from scipy.special import erf

from ._registry import Configurable, Registry, serialize

activations = Registry("activation")


class Activation(Configurable, ABC):
    """Base class: subclasses implement ``forward`` and ``backward``."""

    @abstractmethod
    def forward(self, Z: np.ndarray) -> np.ndarray:
        """Apply the function to ``Z`` (any shape); returns an array of the same shape."""

    @abstractmethod
    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        """Gradient with respect to ``Z`` given ``dY = dL/dY``; same shape as ``Z``."""

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        return self.forward(Z)


activations.base = Activation


@activations.register("linear", aliases=("identity",))
class Linear(Activation):
    r"""Identity, :math:`f(z) = z`."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return Z

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return dY


@activations.register("sigmoid")
class Sigmoid(Activation):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, :math:`\sigma' = \sigma(1 - \sigma)`.

    Computed from :math:`e^{-|z|}`, which never overflows.
    """

    def forward(self, Z: np.ndarray) -> np.ndarray:
        E = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1.0, E) / (1.0 + E)

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        S = self.forward(Z)
        return dY * S * (1.0 - S)


@activations.register("tanh")
class TanH(Activation):
    r"""Hyperbolic tangent, :math:`\tanh'(z) = 1 - \tanh^2(z)`."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return np.tanh(Z)

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        T = np.tanh(Z)
        return dY * (1.0 - T * T)


@activations.register("arctan")
class ArcTan(Activation):
    r"""Arc tangent, :math:`\arctan'(z) = 1 / (1 + z^2)`."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return np.arctan(Z)

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return dY / (1.0 + Z * Z)


@activations.register("relu")
class ReLU(Activation):
    r"""Rectified linear unit :math:`\max(z, 0)`; its derivative is taken as 0 at :math:`z = 0`.

    Keras's arguments generalize it: values up to ``threshold`` become
    ``negative_slope * (z - threshold)``, and the others (as Keras computes them) are clipped to
    ``[0, max_value]``.

    Parameters
    ----------
    max_value : float or None, default None
    negative_slope : float, default 0
    threshold : float, default 0
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0) -> None:
        if max_value is not None and float(max_value) < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or float(negative_slope) < 0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                             f"{negative_slope}")
        if threshold is None or float(threshold) < 0:
            raise ValueError(f"threshold of a ReLU layer cannot be None or a negative value. Received: {threshold}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)
        self.plain = self.max_value is None and self.negative_slope == 0 and self.threshold == 0

    def _kept(self, Z: np.ndarray) -> np.ndarray:
        """Keras's positive part before the clip: ``z`` above the threshold (above 0 without one)."""
        return Z * (Z > self.threshold) if self.threshold else np.maximum(Z, 0)

    def forward(self, Z: np.ndarray) -> np.ndarray:
        if self.plain:
            return np.maximum(Z, 0)
        Y = self._kept(Z)
        if self.max_value is not None:
            Y = np.clip(Y, 0, self.max_value)
        return Y - self.negative_slope * np.maximum(self.threshold - Z, 0) if self.negative_slope else Y

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        if self.plain:
            return dY * (Z > 0)  # several times faster than np.where on large arrays
        slope = Z > self.threshold if self.threshold else Z > 0
        if self.max_value is not None:
            kept = self._kept(Z)
            slope = slope & (kept >= 0) & (kept <= self.max_value)
        slope = slope.astype(dY.dtype)
        if self.negative_slope:
            slope = slope + self.negative_slope * (self.threshold - Z > 0)
        return dY * slope

    def get_config(self) -> dict[str, Any]:
        return {} if self.plain else {"max_value": self.max_value, "negative_slope": self.negative_slope,
                                      "threshold": self.threshold}


@activations.register("leaky_relu")
class LeakyReLU(Activation):
    r""":math:`z` for :math:`z > 0`, else :math:`\alpha z`.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs.
    """

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = float(alpha)

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, Z, self.alpha * Z)

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, dY, self.alpha * dY)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


@activations.register("elu")
class ELU(Activation):
    r""":math:`z` for :math:`z > 0`, else :math:`\alpha (e^z - 1)`.

    Parameters
    ----------
    alpha : float, default 1.0
        Saturation value for very negative inputs is :math:`-\alpha`.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0)))

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, dY, dY * self.alpha * np.exp(np.minimum(Z, 0)))

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


@activations.register("softmax")
class SoftMax(Activation):
    r"""Softmax over the last axis, :math:`\sigma_i = e^{z_i - m} / \sum_j e^{z_j - m}`, :math:`m = \max_j z_j`.

    The Jacobian is :math:`\partial\sigma_i/\partial z_j = \sigma_i(\delta_{ij} - \sigma_j)`, so the
    vector-Jacobian product is :math:`\sigma \odot (dY - \langle dY, \sigma\rangle)` row by row.
    """

    def forward(self, Z: np.ndarray) -> np.ndarray:
        E = np.exp(Z - Z.max(axis=-1, keepdims=True))
        E /= E.sum(axis=-1, keepdims=True)
        return E

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        S = self.forward(Z)
        return S * (dY - np.sum(dY * S, axis=-1, keepdims=True))


@activations.register("selu")
class SELU(Activation):
    r"""Scaled ELU: :math:`\lambda z` for :math:`z > 0`, else :math:`\lambda\alpha(e^z - 1)`, with
    Klambauer et al.'s :math:`\alpha \approx 1.6733`, :math:`\lambda \approx 1.0507`."""

    ALPHA, SCALE = 1.6732632423543772, 1.0507009873554805

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return self.SCALE * np.where(Z > 0, Z, self.ALPHA * np.expm1(np.minimum(Z, 0)))

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return dY * self.SCALE * np.where(Z > 0, 1.0, self.ALPHA * np.exp(np.minimum(Z, 0)))


@activations.register("softplus")
class Softplus(Activation):
    r""":math:`\log(1 + e^z)`, computed as :math:`\max(z, 0) + \log(1 + e^{-|z|})`; its derivative is
    :math:`\sigma(z)`."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z)))

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        return dY * Sigmoid().forward(Z)


@activations.register("silu", aliases=("swish",))
class SiLU(Activation):
    r""":math:`z\,\sigma(z)` (Keras's ``silu`` and ``swish``), with derivative
    :math:`\sigma(z)\,(1 + z(1 - \sigma(z)))`."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        return Z * Sigmoid().forward(Z)

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        S = Sigmoid().forward(Z)
        return dY * S * (1.0 + Z * (1.0 - S))


@activations.register("gelu")
class GELU(Activation):
    r""":math:`z\,\Phi(z) = \tfrac12 z\,(1 + \mathrm{erf}(z/\sqrt2))`, with derivative
    :math:`\Phi(z) + z\,\varphi(z)`; with ``approximate=True``, Hendrycks and Gimpel's
    :math:`\tfrac12 z\,(1 + \tanh u)`, :math:`u = \sqrt{2/\pi}\,(z + 0.044715 z^3)`.
    Keras's default is exact, as PyTorch's is."""

    def __init__(self, approximate: bool = False) -> None:
        self.approximate = bool(approximate)

    def forward(self, Z: np.ndarray) -> np.ndarray:
        if self.approximate:
            return 0.5 * Z * (1.0 + np.tanh(_C * (Z + 0.044715 * Z ** 3)))
        return 0.5 * Z * (1.0 + erf(Z * _SQRT_HALF))

    def backward(self, Z: np.ndarray, dY: np.ndarray) -> np.ndarray:
        if self.approximate:
            T = np.tanh(_C * (Z + 0.044715 * Z ** 3))
            return dY * (0.5 * (1.0 + T) + 0.5 * Z * (1.0 - T * T) * _C * (1.0 + 3 * 0.044715 * Z * Z))
        return dY * (0.5 * (1.0 + erf(Z * _SQRT_HALF)) + Z * np.exp(-0.5 * Z * Z) * _INV_SQRT_2PI)

    def get_config(self) -> dict[str, Any]:
        return {"approximate": self.approximate}


# Python floats, so that float32 inputs stay float32
_C, _SQRT_HALF, _INV_SQRT_2PI = math.sqrt(2.0 / math.pi), math.sqrt(0.5), 1.0 / math.sqrt(2.0 * math.pi)


def get(identifier: Any) -> Activation:
    """An activation from a name (``"relu"``), a config dict or an instance."""
    return activations.get(identifier)


__all__ = ["Activation", "Linear", "Sigmoid", "TanH", "ArcTan", "ReLU", "LeakyReLU", "ELU", "SELU", "Softplus",
           "SiLU", "GELU", "SoftMax", "get", "serialize"]
