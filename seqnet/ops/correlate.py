"""The "scipy" convolution engine: the same layer computed with :func:`scipy.signal.correlate`.

It shares no code with the gemm engine beyond padding, so the two check each other.
Each call correlates the whole batch at once (4-D arrays); the only Python loops run
over output channels (forward, ``dW``) or input channels (``dX``).
"""
from __future__ import annotations

import numpy as np
from scipy import signal

from .conv import pad2d


def _dilate(dZ: np.ndarray, stride: int) -> np.ndarray:
    """Insert ``stride - 1`` zeros between neighbouring output positions (undoes the striding)."""
    if stride == 1:
        return dZ
    n, oh, ow, f = dZ.shape
    out = np.zeros((n, (oh - 1) * stride + 1, (ow - 1) * stride + 1, f), dtype=dZ.dtype)
    out[:, ::stride, ::stride, :] = dZ
    return out


def conv2d_forward_scipy(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int,
                         pad: tuple[int, int]) -> np.ndarray:
    """``Z`` of shape ``(n, oh, ow, c_out)``: a "valid" correlation per output channel, then striding."""
    Xp = pad2d(X, pad)
    kh, kw, _, c_out = W.shape
    oh = (Xp.shape[1] - kh) // stride + 1
    ow = (Xp.shape[2] - kw) // stride + 1
    Z = np.empty((X.shape[0], oh, ow, c_out), dtype=np.result_type(X, W))
    for f in range(c_out):
        full = signal.correlate(Xp, W[None, :, :, :, f], mode="valid")[..., 0]
        Z[..., f] = full[:, ::stride, ::stride][:, :oh, :ow]
    Z += b.reshape(c_out)
    return Z


def conv2d_backward_scipy(dZ: np.ndarray, X: np.ndarray, W: np.ndarray, stride: int,
                          pad: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dW, db)`` by correlations.

    ``dW[a, b, c, f] = sum_{n,i,j} Xpad[n, i*s + a, j*s + b, c] dZ[n, i, j, f]`` is a "valid"
    correlation of the padded input with the dilated ``dZ``; ``dXpad`` is the "full"
    convolution of the dilated ``dZ`` with each filter, summed over output channels.
    """
    Xp = pad2d(X, pad)
    kh, kw, c_in, c_out = W.shape
    D = _dilate(dZ, stride)
    dh, dw = D.shape[1:3]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, c_out)
    dW = np.empty_like(W, dtype=np.result_type(dZ, W))
    for f in range(c_out):
        dW[..., f] = signal.correlate(Xp, D[..., f:f + 1], mode="valid")[0, :kh, :kw, :]
    dXp = np.zeros(Xp.shape, dtype=dW.dtype)
    for c in range(c_in):
        # convolving along the channel axis with reversed filters puts sum_f D[..., f] * W[..., c, f]
        # at index c_out - 1 of that axis
        full = signal.convolve(D, W[None, :, :, c, ::-1], mode="full")[..., c_out - 1]
        dXp[:, :dh + kh - 1, :dw + kw - 1, c] = full
    ph, pw = pad
    return dXp[:, ph:ph + X.shape[1], pw:pw + X.shape[2], :], dW, db
