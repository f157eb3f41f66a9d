"""Batch normalization."""
from __future__ import annotations

import numpy as np

from ..ops import parallel
from .base import Layer, register


def channel_sum(A: np.ndarray) -> np.ndarray:
    """Sum over every axis but the last, as a matrix-vector product (much faster than ``A.sum``
    over leading axes, whose inner loop only spans the few channels)."""
    A2 = A.reshape(-1, A.shape[-1])
    return np.ones(A2.shape[0], dtype=A.dtype) @ A2


def as_rows(A: np.ndarray) -> np.ndarray:
    """``A`` as a 2-D array whose rows hold whole ``(w, c)`` pixel rows of an NHWC array.

    Per-channel arithmetic on it broadcasts a row-long vector (see :func:`per_channel`), so that
    numpy's inner loops run over ``w*c`` values instead of the ``c`` of a plain ``(c,)`` broadcast.
    """
    return A.reshape(-1, A.shape[-1] * (A.shape[-2] if A.ndim > 2 else 1))


def per_channel(v: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The per-channel vector ``v`` repeated along a row of :func:`as_rows`'s view."""
    return np.tile(v, rows.shape[1] // v.shape[0])


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
        c = X.shape[-1]
        rows = as_rows(X)
        parts = parallel.split(len(rows), 4 * rows.size)
        if self.training:
            count = X.size // c
            mean = channel_sum(X) / count
            centered = np.empty_like(rows)
            row_mean = per_channel(mean, rows)

            def center(i, start, stop):  # returns the part's sum of squared deviations
                np.subtract(rows[start:stop], row_mean, out=centered[start:stop])
                return channel_sum(np.square(centered[start:stop]).reshape(-1, c))

            var = parallel.sum_parts(parallel.run(center, parts)) / count
            m = self.momentum
            self.buffers["running_mean"] *= 1 - m
            self.buffers["running_mean"] += m * mean
            self.buffers["running_var"] *= 1 - m
            self.buffers["running_var"] += m * var * (count / max(count - 1, 1))
            self.cache["centered"] = centered
        else:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
            self.cache["X"] = rows
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(X.dtype, copy=False)
        self.cache["inv_std"] = inv_std
        # Z = gamma * (X - mean) / sigma + beta, as X * scale + shift in inference mode
        scale = per_channel(gamma * inv_std, rows)
        shift = per_channel(beta if self.training else beta - mean * gamma * inv_std, rows)
        source = self.cache["centered"] if self.training else rows
        Z = np.empty_like(rows)

        def normalize(i, start, stop):
            np.multiply(source[start:stop], scale, out=Z[start:stop])
            Z[start:stop] += shift

        parallel.run(normalize, parts)
        return Z.reshape(X.shape)

    def _backward(self, dZ):
        inv_std, gamma = self.cache["inv_std"], self.parameters["gamma"]
        c = dZ.shape[-1]
        rows = as_rows(dZ)
        parts = parallel.split(len(rows), 4 * rows.size)
        dX = np.empty_like(rows)
        scale = per_channel(gamma * inv_std, rows)
        if not self.training:  # the statistics were constants: dX = dZ gamma / sigma
            X_hat = (self.cache["X"] - per_channel(self.buffers["running_mean"], rows)) * per_channel(inv_std, rows)
            self.gradients["beta"][...] = channel_sum(dZ)
            self.gradients["gamma"][...] = channel_sum((rows * X_hat).reshape(-1, c))
            return np.multiply(rows, scale, out=dX).reshape(dZ.shape)
        centered = self.cache["centered"]

        def sums(i, start, stop):  # the part's sums of dZ and of dZ * (X - mean)
            part = rows[start:stop]
            np.multiply(part, centered[start:stop], out=dX[start:stop])
            return np.stack([channel_sum(part.reshape(-1, c)), channel_sum(dX[start:stop].reshape(-1, c))])

        dbeta, dcentered = parallel.sum_parts(parallel.run(sums, parts))
        count = dZ.size // c
        self.gradients["beta"][...] = dbeta
        self.gradients["gamma"][...] = dcentered * inv_std  # sum of dZ * X_hat
        # dX = gamma/sigma * (dZ - mean(dZ) - X_hat mean(dZ X_hat)), X_hat = (X - mean) / sigma
        offset = per_channel(dbeta / count, rows)
        slope = per_channel(dcentered * inv_std ** 2 / count, rows)

        def gradient(i, start, stop):
            out = dX[start:stop]
            np.multiply(centered[start:stop], slope, out=out)
            np.subtract(rows[start:stop], out, out=out)
            out -= offset
            out *= scale

        parallel.run(gradient, parts)
        return dX.reshape(dZ.shape)

    def get_config(self):
        return {"momentum": self.momentum, "eps": self.eps, **super().get_config()}
