r"""Layer-normalization kernels over the last axis: each example's (and step's) features.

:math:`\hat x = (x - \mu)/\sigma` with :math:`\mu, \sigma^2` the mean and variance of the last
axis and :math:`\sigma = \sqrt{\sigma^2 + \epsilon}`; :math:`z = \gamma \hat x + \beta`. Backward,
with :math:`g = \gamma\,dz` and means over the last axis:
:math:`dx = \frac{1}{\sigma}\left(g - \overline{g} - \hat x\,\overline{g\,\hat x}\right)`.
"""
from __future__ import annotations

import numpy as np


def layernorm_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float
                      ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """``(Z, kept)``: the normalized, scaled and shifted ``X`` and what the backward pass needs."""
    mean = X.mean(axis=-1, keepdims=True)
    centered = X - mean
    inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=-1, keepdims=True) + eps)
    X_hat = centered * inv_std
    return X_hat * gamma + beta, (X_hat, inv_std)


def layernorm_backward(dZ: np.ndarray, gamma: np.ndarray, kept: tuple[np.ndarray, np.ndarray]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dgamma, dbeta)``."""
    X_hat, inv_std = kept
    rows = dZ.reshape(-1, dZ.shape[-1])
    dgamma = np.einsum("ij,ij->j", rows, X_hat.reshape(rows.shape))
    dbeta = rows.sum(axis=0)
    g = dZ * gamma
    dX = inv_std * (g - g.mean(axis=-1, keepdims=True) - X_hat * (g * X_hat).mean(axis=-1, keepdims=True))
    return dX, dgamma, dbeta
