"""Max and average pooling on NHWC arrays, computed one kernel offset at a time.

For an output of shape ``(n, oh, ow, c)``, the entries a window sees at kernel offset
``(a, b)`` form the strided view ``Xpad[:, a::s, b::s, :]`` of that same shape, so a
pooling pass is ``kh*kw`` whole-array operations, never a loop over output pixels.
"""
from __future__ import annotations

import numpy as np

from .conv import offset_view, pad2d


def pool2d_forward(X: np.ndarray, kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int],
                   mode: str, with_argmax: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Pool ``X`` ``(n, h, w, c)``.

    Returns ``Z`` ``(n, oh, ow, c)`` and, for max pooling with ``with_argmax``, ``argmax``: the
    kernel offset ``a*kw + b`` of each window's first maximal entry (row-major window order,
    PyTorch's rule for ties), which is all the backward pass needs. Max pooling pads with
    ``-inf``; average pooling pads with zeros and divides by ``kh*kw`` (padding counts).
    """
    kh, kw = kernel_shape
    Xp = pad2d(X, pad, -np.inf if mode == "max" else 0.0)
    out_hw = ((Xp.shape[1] - kh) // stride + 1, (Xp.shape[2] - kw) // stride + 1)
    Z = offset_view(Xp, 0, 0, out_hw, stride).copy()
    code_type = np.min_scalar_type(kh * kw - 1)
    argmax = np.zeros(Z.shape, dtype=code_type) if mode == "max" and with_argmax else None
    if argmax is not None:
        greater = np.empty(Z.shape, dtype=bool)
        code = np.empty(Z.shape, dtype=code_type)
    for a in range(kh):
        for b in range(kw):
            if not (a or b):
                continue
            view = offset_view(Xp, a, b, out_hw, stride)
            if mode == "average":
                Z += view
            elif argmax is None:
                np.maximum(Z, view, out=Z)
            else:
                # strict ">": an equal later entry does not win; offsets only grow along the loop,
                # so "argmax = offset where greater" is a running maximum of greater * offset
                np.greater(view, Z, out=greater)
                np.maximum(Z, view, out=Z)
                np.multiply(greater, code_type.type(a * kw + b), out=code)
                np.maximum(argmax, code, out=argmax)
    if mode == "average":
        Z *= 1.0 / (kh * kw)
    return Z, argmax


def pool2d_backward(dZ: np.ndarray, X_shape: tuple[int, ...], argmax: np.ndarray | None,
                    kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int], mode: str) -> np.ndarray:
    """``dL/dX`` of :func:`pool2d_forward`.

    Max pooling routes each window's gradient to the entry recorded in ``argmax``; average
    pooling gives each entry ``1/(kh*kw)`` of it. When the windows tile the padded input
    exactly (stride = kernel size), every entry belongs to exactly one window and the gradient
    is written straight into place; otherwise it is accumulated window offset by offset.
    """
    kh, kw = kernel_shape
    ph, pw = pad
    n, h, w, c = X_shape
    hp, wp = h + 2 * ph, w + 2 * pw
    oh, ow = dZ.shape[1:3]
    tiles = stride == kh == kw and oh * kh == hp and ow * kw == wp
    dXp = (np.empty if tiles else np.zeros)((n, hp, wp, c), dtype=dZ.dtype)
    share = dZ * (1.0 / (kh * kw)) if mode == "average" else dZ
    for a in range(kh):
        for b in range(kw):
            view = offset_view(dXp, a, b, (oh, ow), stride)
            if mode == "average":
                if tiles:
                    view[...] = share
                else:
                    view += share
            elif tiles:
                np.multiply(share, argmax == a * kw + b, out=view)
            else:
                np.add(view, share, out=view, where=argmax == a * kw + b)
    return dXp[:, ph:ph + h, pw:pw + w, :]
