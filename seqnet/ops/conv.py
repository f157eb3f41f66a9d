"""Padding, sliding windows and the im2col ("gemm") convolution engine, all on NHWC arrays.

Convolution is cross-correlation::

    Z[n, i, j, f] = sum_{a, b, c} Xpad[n, i*s + a, j*s + b, c] * W[a, b, c, f] + b[f]

The gemm engine copies every window into one row of a buffer ``cols`` of shape
``(n*oh*ow, kh*kw*c_in + 1)`` (im2col, plus a column of ones for the bias), so the whole
forward pass is one matrix product ``cols @ [W.reshape(kh*kw*c_in, c_out); b]`` whose result is
already NHWC. The backward pass
reuses the same buffer: ``dW = cols^T dZ`` first, then the buffer receives the
per-offset products ``dZ @ W[a, b]^T`` that col2im adds back onto the input, one kernel
offset at a time.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided


def normalize_pad(pad: Any, kernel_shape: tuple[int, int]) -> tuple[int, int]:
    """``(pad_rows, pad_cols)`` from ``"same"`` (``(k-1)//2``), ``"valid"`` (0), an int or a pair."""
    if isinstance(pad, str):
        if pad == "same":
            return ((kernel_shape[0] - 1) // 2, (kernel_shape[1] - 1) // 2)
        if pad == "valid":
            return (0, 0)
    elif isinstance(pad, (int, np.integer)) and not isinstance(pad, bool) and pad >= 0:
        return (int(pad), int(pad))
    elif isinstance(pad, (tuple, list)) and len(pad) == 2 and all(
            isinstance(p, (int, np.integer)) and not isinstance(p, bool) and p >= 0 for p in pad):
        return (int(pad[0]), int(pad[1]))
    raise ValueError(f"pad must be 'same', 'valid', a non-negative int or a pair of them, got {pad!r}")


def conv_output_size(size: int, kernel: int, pad: int, stride: int) -> int:
    """``1 + (size + 2*pad - kernel) // stride``."""
    return 1 + (size + 2 * pad - kernel) // stride


def pad2d(X: np.ndarray, pad: tuple[int, int], value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes of an NHWC array (returns ``X`` itself when there is no padding)."""
    ph, pw = pad
    if ph == 0 and pw == 0:
        return X
    out = np.full((X.shape[0], X.shape[1] + 2 * ph, X.shape[2] + 2 * pw, X.shape[3]), value, dtype=X.dtype)
    out[:, ph:ph + X.shape[1], pw:pw + X.shape[2], :] = X
    return out


def sliding_windows(Xp: np.ndarray, kernel_shape: tuple[int, int], stride: int) -> np.ndarray:
    """Read-only view ``(n, oh, ow, kh, kw, c)`` of every window of the (already padded) ``Xp``."""
    n, h, w, c = Xp.shape
    kh, kw = kernel_shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    sn, sh, sw, sc = Xp.strides
    return as_strided(Xp, (n, oh, ow, kh, kw, c), (sn, sh * stride, sw * stride, sh, sw, sc), writeable=False)


def offset_view(Xp: np.ndarray, a: int, b: int, out_hw: tuple[int, int], stride: int) -> np.ndarray:
    """The entries ``Xp[:, i*s + a, j*s + b, :]`` for every output position ``(i, j)``."""
    oh, ow = out_hw
    return Xp[:, a:a + stride * (oh - 1) + 1:stride, b:b + stride * (ow - 1) + 1:stride, :]


def conv2d_forward_gemm(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: tuple[int, int],
                        cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass by im2col and one matrix product.

    The im2col buffer has one extra column of ones, so that the same product adds the bias
    (``[cols, 1] @ [W; b]``) and, in the backward pass, ``[cols, 1]^T dZ`` yields ``db`` as its
    last row: no separate pass over the (large) output for either.

    Parameters
    ----------
    X : ndarray of shape (n, h, w, c_in)
    W : ndarray of shape (kh, kw, c_in, c_out)
    b : ndarray of shape (1, c_out)
    stride : int
    pad : (int, int)
    cols : ndarray, optional
        A buffer from an earlier call, reused when it is large enough.

    Returns
    -------
    Z : ndarray of shape (n, oh, ow, c_out)
    cols : ndarray of shape (n*oh*ow, kh*kw*c_in + 1)
        The im2col buffer, needed by :func:`conv2d_backward_gemm`.
    """
    kh, kw, c_in, c_out = W.shape
    windows = sliding_windows(pad2d(X, pad), (kh, kw), stride)
    n, oh, ow = windows.shape[:3]
    rows, k = n * oh * ow, kh * kw * c_in
    if cols is None or cols.size < rows * (k + 1) or cols.dtype != X.dtype:
        cols = np.empty(rows * (k + 1), dtype=X.dtype)
    cols = cols.ravel()[:rows * (k + 1)].reshape(rows, k + 1)
    np.copyto(cols[:, :k].reshape(windows.shape), windows)
    cols[:, k] = 1
    Z = cols @ np.concatenate([W.reshape(k, c_out), b.reshape(1, c_out)]).astype(X.dtype, copy=False)
    return Z.reshape(n, oh, ow, c_out), cols


def conv2d_backward_gemm(dZ: np.ndarray, cols: np.ndarray, X_shape: tuple[int, ...], W: np.ndarray,
                         stride: int, pad: tuple[int, int], need_dX: bool = True
                         ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward pass of :func:`conv2d_forward_gemm`; overwrites ``cols``.

    Returns
    -------
    dX : ndarray of shape X_shape, or None when ``need_dX`` is false
    dW : ndarray of shape (kh, kw, c_in, c_out)
    db : ndarray of shape (1, c_out)
    """
    kh, kw, c_in, c_out = W.shape
    n, oh, ow = dZ.shape[:3]
    dZ2 = dZ.reshape(-1, c_out)
    dWb = cols.T @ dZ2  # the ones column gives the bias gradient as the last row
    dW, db = dWb[:-1].reshape(W.shape), dWb[-1:]
    if not need_dX:
        return None, dW, db
    # one product per kernel offset, stored offset-major in the (now free) im2col buffer so that
    # each slab is a contiguous (n, oh, ow, c_in) block: col2im then adds whole rows at a time
    Wt = W.reshape(kh * kw, c_in, c_out).transpose(0, 2, 1)
    slabs = cols.reshape(-1)[:kh * kw * n * oh * ow * c_in].reshape(kh * kw, n * oh * ow, c_in)
    np.matmul(dZ2, Wt, out=slabs)
    slabs = slabs.reshape(kh, kw, n, oh, ow, c_in)
    ph, pw = pad
    dXp = np.zeros((n, X_shape[1] + 2 * ph, X_shape[2] + 2 * pw, c_in), dtype=dZ.dtype)
    for a in range(kh):
        for b in range(kw):
            view = offset_view(dXp, a, b, (oh, ow), stride)
            view += slabs[a, b]
    return dXp[:, ph:ph + X_shape[1], pw:pw + X_shape[2], :], dW, db
