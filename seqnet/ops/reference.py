"""Slow, obviously-correct loop implementations; used only by the tests as a third opinion."""
from __future__ import annotations

import numpy as np

from .conv import pad2d


def conv2d_naive(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: tuple[int, int]) -> np.ndarray:
    """Cross-correlation by a loop over output pixels (the assignment's definition)."""
    Xp = pad2d(X, pad)
    kh, kw, _, c_out = W.shape
    oh = (Xp.shape[1] - kh) // stride + 1
    ow = (Xp.shape[2] - kw) // stride + 1
    Z = np.zeros((X.shape[0], oh, ow, c_out))
    for i in range(oh):
        for j in range(ow):
            window = Xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            Z[:, i, j, :] = np.einsum("nabc,abcf->nf", window, W)
    return Z + b.reshape(c_out)


def pool2d_naive(X: np.ndarray, kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int],
                 mode: str) -> np.ndarray:
    """Max or average pooling by a loop over output pixels (average counts padding)."""
    Xp = pad2d(X, pad, -np.inf if mode == "max" else 0.0)
    kh, kw = kernel_shape
    oh = (Xp.shape[1] - kh) // stride + 1
    ow = (Xp.shape[2] - kw) // stride + 1
    Z = np.zeros((X.shape[0], oh, ow, X.shape[3]))
    fn = np.max if mode == "max" else np.mean
    for i in range(oh):
        for j in range(ow):
            Z[:, i, j, :] = fn(Xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :], axis=(1, 2))
    return Z
