"""The fully-connected kernels: ``Z = X W + b`` and its gradients.

Inside a :func:`~seqnet.ops.parallel.session` (a model with convolutions) the products are split
over seqnet's threads by output units (forward) or input features (backward); outside one they
are single BLAS calls on BLAS's own threads.
"""
from __future__ import annotations

import numpy as np

from . import parallel


def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Z = X W + b``.

    Parameters
    ----------
    X : ndarray of shape (m, n_in)
    W : ndarray of shape (n_in, n_out)
    b : ndarray of shape (1, n_out)

    Returns
    -------
    Z : ndarray of shape (m, n_out)
    """
    n_out = W.shape[1]
    Z = np.empty((len(X), n_out), dtype=np.result_type(X, W))

    def outputs(i: int, start: int, stop: int) -> None:  # a share of the output units
        np.matmul(X, W[:, start:stop], out=Z[:, start:stop])
        Z[:, start:stop] += b[:, start:stop]

    parallel.run(outputs, parallel.split(n_out, parallel.product_work(*X.shape, n_out)))
    return Z


def dense_backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray, dW: np.ndarray, db: np.ndarray,
                   need_dX: bool = True) -> np.ndarray | None:
    """Fill ``dW = X^T dZ`` and ``db = 1^T dZ`` in place; return ``dX = dZ W^T`` (None unless ``need_dX``).

    Parameters
    ----------
    dZ : ndarray of shape (m, n_out)
    X : ndarray of shape (m, n_in)
        The forward pass's input.
    W : ndarray of shape (n_in, n_out)
    dW, db : ndarrays shaped like ``W`` and ``b``, overwritten
    """
    n_in = W.shape[0]
    np.sum(dZ, axis=0, keepdims=True, out=db)
    dX = np.empty((len(dZ), n_in), dtype=np.result_type(dZ, W)) if need_dX else None

    def inputs(i: int, start: int, stop: int) -> None:  # a share of the input features
        np.matmul(X[:, start:stop].T, dZ, out=dW[start:stop])
        if dX is not None:
            np.matmul(dZ, W[start:stop].T, out=dX[:, start:stop])

    parallel.run(inputs, parallel.split(n_in, parallel.product_work(*X.shape, W.shape[1])))
    return dX
