"""Max and average pooling on NHWC arrays, computed one kernel offset at a time.

For an output of shape ``(n, oh, ow, c)``, the entries a window sees at kernel offset
``(a, b)`` form the strided view ``Xpad[:, a::s, b::s, :]`` of that same shape, so a
pooling pass is ``kh*kw`` whole-array operations, never a loop over output pixels.
"""
from __future__ import annotations

import numpy as np

from . import parallel
from .conv import Workspace, chunks, conv_output_size, offset_view, pad2d

#: bytes of input per chunk of images: a chunk's passes over its outputs and their temporaries
#: run in cache. Measured (2 threads, forward and backward of 2x2 max pooling): 1 MB beat 0.5, 2
#: and 4 MB, and took about 30% less time than whole parts on the CIFAR network's shapes at batch
#: 512; chunks of 256 KB were 2-3 times slower (each thread's many small numpy calls take turns
#: at the GIL)
CHUNK_BYTES = 1 << 20


def _chunk_images(image_bytes: int) -> int:
    """Images per chunk: about :data:`CHUNK_BYTES` of input, at least one."""
    return max(1, CHUNK_BYTES // max(1, image_bytes))


def pool2d_forward(X: np.ndarray, kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int],
                   mode: str, with_argmax: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Pool ``X`` ``(n, h, w, c)``; in a session the batch is split over threads (:mod:`seqnet.ops.parallel`).

    Returns ``Z`` ``(n, oh, ow, c)`` and, for max pooling with ``with_argmax``, ``argmax``: the
    kernel offset ``a*kw + b`` of each window's first maximal entry (row-major window order,
    PyTorch's rule for ties), which is all the backward pass needs. Max pooling pads with
    ``-inf``; average pooling pads with zeros and divides by ``kh*kw`` (padding counts). Each
    thread works through its images a cache-sized chunk at a time.
    """
    kh, kw = kernel_shape
    n, h, w, c = X.shape
    out_hw = (conv_output_size(h, kh, pad[0], stride), conv_output_size(w, kw, pad[1], stride))
    Z = np.empty((n, *out_hw, c), dtype=X.dtype)
    argmax = np.empty(Z.shape, dtype=np.min_scalar_type(kh * kw - 1)) if mode == "max" and with_argmax else None

    def part(i: int, start: int, stop: int) -> None:
        scratch = Workspace()
        for lo, hi in chunks(start, stop, _chunk_images(X[0].nbytes)):
            _pool_chunk(X[lo:hi], kernel_shape, stride, pad, mode, Z[lo:hi],
                        None if argmax is None else argmax[lo:hi], scratch)

    parallel.run(part, parallel.split(n, X.size, opens=True))
    return Z, argmax


def _pool_chunk(X: np.ndarray, kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int], mode: str,
                Z: np.ndarray, argmax: np.ndarray | None, scratch: Workspace) -> None:
    """:func:`pool2d_forward` for some images, into their slices ``Z`` and ``argmax``."""
    kh, kw = kernel_shape
    Xp = pad2d(X, pad, -np.inf if mode == "max" else 0.0)
    out_hw = Z.shape[1:3]
    np.copyto(Z, offset_view(Xp, 0, 0, out_hw, stride))
    if argmax is not None:
        argmax.fill(0)
        greater = scratch.get("greater", Z.shape, np.dtype(bool))
        code = scratch.get("code", Z.shape, argmax.dtype)
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
                np.multiply(greater, argmax.dtype.type(a * kw + b), out=code)
                np.maximum(argmax, code, out=argmax)
    if mode == "average":
        Z *= 1.0 / (kh * kw)


def pool2d_backward(dZ: np.ndarray, X_shape: tuple[int, ...], argmax: np.ndarray | None,
                    kernel_shape: tuple[int, int], stride: int, pad: tuple[int, int], mode: str) -> np.ndarray:
    """``dL/dX`` of :func:`pool2d_forward`.

    Max pooling routes each window's gradient to the entry recorded in ``argmax``; average
    pooling gives each entry ``1/(kh*kw)`` of it. When the windows do not overlap (stride at
    least the kernel size), every entry belongs to at most one window and the gradient is
    written straight into place (into zeros where the windows leave entries out); otherwise it
    is accumulated window offset by offset.
    """
    kh, kw = kernel_shape
    ph, pw = pad
    n, h, w, c = X_shape
    hp, wp = h + 2 * ph, w + 2 * pw
    oh, ow = dZ.shape[1:3]
    disjoint = stride >= kh and stride >= kw  # no entry in two windows: each is written, not added to
    covered = disjoint and oh * stride == hp and ow * stride == wp and stride == kh == kw
    dXp = (np.empty if covered else np.zeros)((n, hp, wp, c), dtype=dZ.dtype)

    def part(i: int, start: int, stop: int) -> None:
        scratch = Workspace()
        for lo, hi in chunks(start, stop, _chunk_images(dXp[0].nbytes)):
            dz, dxp = dZ[lo:hi], dXp[lo:hi]
            share = dz * (1.0 / (kh * kw)) if mode == "average" else dz
            route = None if mode == "average" else scratch.get("route", dz.shape, np.dtype(bool))
            for a in range(kh):
                for b in range(kw):
                    view = offset_view(dxp, a, b, (oh, ow), stride)
                    if mode == "average":
                        if disjoint:
                            view[...] = share
                        else:
                            view += share
                        continue
                    np.equal(argmax[lo:hi], a * kw + b, out=route)
                    if disjoint:
                        np.multiply(share, route, out=view)
                    else:
                        np.add(view, share, out=view, where=route)

    parallel.run(part, parallel.split(n, dXp.size, opens=True))
    return dXp[:, ph:ph + h, pw:pw + w, :]
