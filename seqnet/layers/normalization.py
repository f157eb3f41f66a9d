"""Batch normalization."""
from __future__ import annotations

import numpy as np

from .base import Layer, register


def channel_sum(A: np.ndarray) -> np.ndarray:
    """Sum over every axis but the last, as a matrix-vector product (much faster than ``A.sum``
    over leading axes, whose inner loop only spans the few channels)."""
    A2 = A.reshape(-1, A.shape[-1])
    return np.ones(A2.shape[0], dtype=A.dtype) @ A2


@register("batch_norm", aliases=("batch_normalization",))
class BatchNorm(Layer):
    r"""Batch normalization over the last axis of ``(n, c)`` or NHWC ``(n, h, w, c)`` input.

    In training, with batch statistics over every axis but the last (:math:`N` values per channel):

    .. math:: \hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}, \qquad y = \gamma \hat x + \beta

    and the running statistics move as in ``torch.nn.BatchNorm1d/2d``:
    ``running = (1 - momentum) * running + momentum * batch`` with the unbiased batch variance
    :math:`\sigma^2 N/(N-1)`. At inference the running statistics replace the batch ones.

    Parameters
    ----------
    momentum : float, default 0.1
    eps : float, default 1e-5
    name : str, optional

    Notes
    -----
    Parameters ``gamma`` and ``beta`` have shape ``(c,)``; buffers ``running_mean`` and
    ``running_var`` too. Backward in training mode:
    :math:`dx = \frac{1}{N\sigma}\left(N\,d\hat x - \sum d\hat x - \hat x \sum d\hat x\,\hat x\right)`.
    """

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5, name: str | None = None) -> None:
        super().__init__(name=name)
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"BatchNorm: expected `momentum` in [0, 1], received momentum={momentum}")
        if not float(eps) > 0:
            raise ValueError(f"BatchNorm: expected a positive `eps`, received eps={eps}")
        self.momentum, self.eps = float(momentum), float(eps)

    def _build(self, input_shape):
        if len(input_shape) not in (1, 3):
            raise ValueError(f"BatchNorm {self.name!r} expects (batch, features) or NHWC input, "
                             f"got input of shape {(None, *input_shape)}")
        c = input_shape[-1]
        self.parameters["gamma"] = np.ones(c, dtype=self.dtype)
        self.parameters["beta"] = np.zeros(c, dtype=self.dtype)
        self.buffers["running_mean"] = np.zeros(c, dtype=self.dtype)
        self.buffers["running_var"] = np.ones(c, dtype=self.dtype)

    def _forward(self, X):
        gamma, beta = self.parameters["gamma"], self.parameters["beta"]
        if self.training:
            count = X.size // X.shape[-1]
            mean = channel_sum(X) / count
            centered = X - mean
            var = channel_sum(np.square(centered)) / count
            m = self.momentum
            self.buffers["running_mean"] *= 1 - m
            self.buffers["running_mean"] += m * mean
            self.buffers["running_var"] *= 1 - m
            self.buffers["running_var"] += m * var * (count / max(count - 1, 1))
        else:
            centered = X - self.buffers["running_mean"]
            var = self.buffers["running_var"]
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(X.dtype, copy=False)
        X_hat = centered
        X_hat *= inv_std
        self.cache["X_hat"], self.cache["inv_std"] = X_hat, inv_std
        return X_hat * gamma + beta

    def _backward(self, dZ):
        X_hat, inv_std, gamma = self.cache["X_hat"], self.cache["inv_std"], self.parameters["gamma"]
        self.gradients["beta"][...] = channel_sum(dZ)
        self.gradients["gamma"][...] = channel_sum(dZ * X_hat)
        scale = gamma * inv_std
        if not self.training:
            return dZ * scale
        count = dZ.size // dZ.shape[-1]
        # dx = gamma/sigma * (dy - mean(dy) - x_hat * mean(dy * x_hat))
        dX = dZ - self.gradients["beta"] / count
        dX -= X_hat * (self.gradients["gamma"] / count)
        dX *= scale
        return dX

    def get_config(self):
        return {"momentum": self.momentum, "eps": self.eps, **super().get_config()}
