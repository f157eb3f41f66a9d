r"""Batch-normalization kernels over the last (channel) axis of ``(n, c)`` or NHWC arrays.

The per-channel arithmetic runs on :func:`as_rows`'s 2-D view of whole ``(w, c)`` pixel rows,
with row-long parameter vectors (:func:`per_channel`), so that numpy's inner loops span ``w*c``
values instead of ``c``. Inside a :func:`~seqnet.ops.parallel.session` the rows are split over
threads; the per-part channel sums are added in part order.

Training mode, with :math:`N` values per channel:
:math:`\hat x = (x - \mu)/\sigma`, :math:`z = \gamma \hat x + \beta`, and
:math:`dx = \frac{\gamma}{\sigma}\left(dz - \overline{dz} - \hat x\,\overline{dz\,\hat x}\right)`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import parallel


def channel_sum(A: np.ndarray) -> np.ndarray:
    """Sum over every axis but the last, as a matrix-vector product (much faster than ``A.sum``
    over leading axes, whose inner loop only spans the few channels)."""
    A2 = A.reshape(-1, A.shape[-1])
    return np.ones(A2.shape[0], dtype=A.dtype) @ A2


def as_rows(A: np.ndarray) -> np.ndarray:
    """``A`` as a 2-D array whose rows hold whole ``(w, c)`` pixel rows of an NHWC array."""
    return A.reshape(-1, A.shape[-1] * (A.shape[-2] if A.ndim > 2 else 1))


def per_channel(v: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The per-channel vector ``v`` repeated along a row of :func:`as_rows`'s view."""
    return np.tile(v, rows.shape[1] // v.shape[0])


def _parts(rows: np.ndarray) -> list[tuple[int, int]]:
    return parallel.split(len(rows), 4 * rows.size)


def _normalize(source: np.ndarray, scale: np.ndarray, shift: np.ndarray, parts: list) -> np.ndarray:
    """``source * scale + shift`` row by row."""
    Z = np.empty_like(source)

    def normalize(i: int, start: int, stop: int) -> None:
        np.multiply(source[start:stop], scale, out=Z[start:stop])
        Z[start:stop] += shift

    parallel.run(normalize, parts)
    return Z


def batchnorm_forward_train(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Normalize with the batch's statistics.

    Returns
    -------
    Z : ndarray shaped like X
    mean, var : ndarrays of shape (c,)
        The batch mean and (biased) variance per channel.
    cache : dict
        What :func:`batchnorm_backward` needs.
    """
    c = X.shape[-1]
    rows = as_rows(X)
    parts = _parts(rows)
    count = X.size // c
    mean = channel_sum(X) / count
    centered = np.empty_like(rows)
    row_mean = per_channel(mean, rows)

    def center(i: int, start: int, stop: int) -> np.ndarray:  # the part's sum of squared deviations
        np.subtract(rows[start:stop], row_mean, out=centered[start:stop])
        return channel_sum(np.square(centered[start:stop]).reshape(-1, c))

    var = parallel.sum_parts(parallel.run(center, parts)) / count
    inv_std = (1.0 / np.sqrt(var + eps)).astype(X.dtype, copy=False)
    Z = _normalize(centered, per_channel(gamma * inv_std, rows), per_channel(beta, rows), parts)
    return Z.reshape(X.shape), mean, var, {"training": True, "centered": centered, "inv_std": inv_std}


def batchnorm_forward_eval(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
                           var: np.ndarray, eps: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Normalize with fixed statistics (``Z = X * scale + shift``); returns ``Z`` and the cache."""
    rows = as_rows(X)
    inv_std = (1.0 / np.sqrt(var + eps)).astype(X.dtype, copy=False)
    scale = per_channel(gamma * inv_std, rows)
    shift = per_channel(beta - mean * gamma * inv_std, rows)
    Z = _normalize(rows, scale, shift, _parts(rows))
    return Z.reshape(X.shape), {"training": False, "X": rows, "mean": mean, "inv_std": inv_std}


def batchnorm_backward(dZ: np.ndarray, gamma: np.ndarray, cache: dict[str, Any]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dgamma, dbeta)`` of either forward kernel, whose ``cache`` is passed back."""
    inv_std = cache["inv_std"]
    c = dZ.shape[-1]
    rows = as_rows(dZ)
    dX = np.empty_like(rows)
    scale = per_channel(gamma * inv_std, rows)
    if not cache["training"]:  # the statistics were constants: dX = dZ gamma / sigma
        X_hat = (cache["X"] - per_channel(cache["mean"], rows)) * per_channel(inv_std, rows)
        dbeta = channel_sum(dZ)
        dgamma = channel_sum((rows * X_hat).reshape(-1, c))
        return np.multiply(rows, scale, out=dX).reshape(dZ.shape), dgamma, dbeta
    centered = cache["centered"]
    parts = _parts(rows)

    def sums(i: int, start: int, stop: int) -> np.ndarray:  # the part's sums of dZ and dZ * (X - mean)
        part = rows[start:stop]
        np.multiply(part, centered[start:stop], out=dX[start:stop])
        return np.stack([channel_sum(part.reshape(-1, c)), channel_sum(dX[start:stop].reshape(-1, c))])

    dbeta, dcentered = parallel.sum_parts(parallel.run(sums, parts))
    count = dZ.size // c
    dgamma = dcentered * inv_std  # sum of dZ * X_hat
    # dX = gamma/sigma * (dZ - mean(dZ) - X_hat mean(dZ X_hat)), X_hat = (X - mean) / sigma
    offset = per_channel(dbeta / count, rows)
    slope = per_channel(dcentered * inv_std ** 2 / count, rows)

    def gradient(i: int, start: int, stop: int) -> None:
        out = dX[start:stop]
        np.multiply(centered[start:stop], slope, out=out)
        np.subtract(rows[start:stop], out, out=out)
        out -= offset
        out *= scale

    parallel.run(gradient, parts)
    return dX.reshape(dZ.shape), dgamma, dbeta
