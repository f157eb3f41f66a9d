r"""Winograd's minimal filtering for stride-1 3x3 convolutions (Lavin and Gray, 2016).

``F(m x m, 3x3)`` computes an ``m x m`` tile of output from a ``t x t`` tile of input, ``t = m + 2``,
with ``t*t`` products per channel pair instead of the ``9*m*m`` of a direct convolution:

.. math:: Y = A^T \big[ (G\,g\,G^T) \odot (B^T d\,B) \big] A

where ``g`` is the 3x3 kernel, ``d`` the input tile, and ``B``, ``G``, ``A`` fixed matrices. Over
the channels, the ``t*t`` element-wise products become ``t*t`` matrix products, one per transform
position: ``M[xi] = V[xi] @ U[xi]``, with ``V`` the transformed tiles ``(tiles, c_in)`` and ``U``
the transformed kernel ``(c_in, c_out)``. ``F(2x2, 3x3)`` does 16 products for 4 outputs (2.25x
fewer multiplications than a direct convolution); ``F(4x4, 3x3)`` does 36 for 16 (4x fewer), at
the price of transforms with larger entries, which cost float32 digits.

The map from ``(d, g)`` to ``Y`` is exactly the convolution's, so its gradients are the same
linear maps transposed: ``dM = A\,dY\,A^T`` gives the kernel's gradient through
``dU[xi] = V[xi]^T dM[xi]`` and ``dW = G^T dU\,G``, and the input's through
``dV[xi] = dM[xi]\,U[xi]^T`` and ``dd = B\,dV\,B^T``, the overlapping tiles summed back into place.
Ragged edges are handled by padding the input with zeros to whole tiles, and cropping.
"""
from __future__ import annotations

import numpy as np

from . import parallel
from .conv import Workspace, chunks

#: bytes of transformed tiles per chunk of images (the chunk's transforms and products stay in cache)
CHUNK_BYTES = 4 << 20

#: Lavin and Gray's matrices ``(B^T, G, A^T)`` for each output tile size ``m``
MATRICES: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
    2: (np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64),
        np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64),
        np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)),
    4: (np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0],
                  [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], dtype=np.float64),
        np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
                  [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]], dtype=np.float64),
        np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
                 dtype=np.float64)),
}


class Tiling:
    """How ``F(m x m, 3x3)`` covers the padded images of one layer call: ``(th, tw)`` tiles of
    ``m x m`` outputs, read from ``t x t`` input tiles ``m`` apart."""

    def __init__(self, m: int, in_hw: tuple[int, int], pad: tuple[int, int]) -> None:
        if m not in MATRICES:
            raise ValueError(f"winograd: output tiles of 2x2 or 4x4, not {m}x{m}")
        self.m, self.t, self.pad = m, m + 2, pad
        self.in_hw = in_hw
        self.out_hw = (in_hw[0] + 2 * pad[0] - 2, in_hw[1] + 2 * pad[1] - 2)
        if min(self.out_hw) < 1:
            raise ValueError(f"winograd: a 3x3 kernel does not fit images of {in_hw} padded by {pad}")
        self.th, self.tw = -(-self.out_hw[0] // m), -(-self.out_hw[1] // m)
        self.padded_hw = (self.th * m + 2, self.tw * m + 2)

    def padded(self, X: np.ndarray, ws: Workspace) -> np.ndarray:
        """``X`` ``(n, h, w, c)`` with its padding and the zeros that complete the last tiles."""
        (ph, pw), (H, W), (h, w) = self.pad, self.padded_hw, X.shape[1:3]
        Xp = ws.get("padded", (X.shape[0], H, W, X.shape[3]), X.dtype)
        for border in (Xp[:, :ph], Xp[:, ph + h:], Xp[:, ph:ph + h, :pw], Xp[:, ph:ph + h, pw + w:]):
            border.fill(0)
        Xp[:, ph:ph + h, pw:pw + w] = X
        return Xp

    def chunk(self, channels: int, itemsize: int) -> int:
        """Images per chunk: their transformed tiles, about :data:`CHUNK_BYTES`, stay in cache."""
        return max(1, CHUNK_BYTES // (self.t * self.t * self.th * self.tw * channels * itemsize))


def kernel_transform(W: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """``U = G g G^T`` of each channel pair: ``(t*t, c_in, c_out)`` (computed in float64)."""
    G = MATRICES[m][1]
    t = m + 2
    U = np.einsum("ik,jl,klco->ijco", G, G, W.astype(np.float64, copy=False), optimize=True)
    return U.reshape(t * t, *W.shape[2:]).astype(dtype, copy=False)


def _mix(matrix: np.ndarray, sources: list[np.ndarray], outs: list[np.ndarray], accumulate: bool = False) -> None:
    """``outs[i] (+)= sum_k matrix[i, k] * sources[k]``, skipping the zeros of the (small, sparse)
    transform matrix and multiplying only by the entries other than 1 and -1: whole-array passes
    over strided views, no copy of a tile."""
    scratch = None
    for out, row in zip(outs, matrix):
        terms = [(source, float(v)) for source, v in zip(sources, row) if v != 0]
        for n, (source, v) in enumerate(terms):
            if n == 0 and not accumulate:
                np.copyto(out, source) if v == 1 else np.multiply(source, out.dtype.type(v), out=out)
            elif v == 1:
                np.add(out, source, out=out)
            elif v == -1:
                np.subtract(out, source, out=out)
            else:
                if scratch is None or scratch.shape != source.shape:
                    scratch = np.empty(source.shape, dtype=out.dtype)
                np.multiply(source, out.dtype.type(v), out=scratch)
                np.add(out, scratch, out=out)


def input_transform(Xp: np.ndarray, tiling: "Tiling", ws: Workspace) -> np.ndarray:
    """``V = B^T d B`` of each input tile ``d`` of the padded images ``Xp``: ``(t*t, n*th*tw, c)``."""
    BT, m, t, th, tw = MATRICES[tiling.m][0], tiling.m, tiling.t, tiling.th, tiling.tw
    n, _, W, c = Xp.shape
    rows = ws.get("rows", (t, n, th, W, c), Xp.dtype)  # B^T applied down the tiles' rows
    _mix(BT, [Xp[:, k:k + th * m:m] for k in range(t)], list(rows))
    V = ws.get("V", (t * t, n, th, tw, c), Xp.dtype)
    for i in range(t):  # and along their columns
        _mix(BT, [rows[i][:, :, l:l + tw * m:m] for l in range(t)], list(V[i * t:(i + 1) * t]))
    return V.reshape(t * t, n * th * tw, c)


def output_transform(M: np.ndarray, tiling: "Tiling", n: int, ws: Workspace) -> np.ndarray:
    """``Y = A^T M A`` of each tile: ``(n, th*m, tw*m, c_out)`` from ``M`` ``(t*t, n*th*tw, c_out)``."""
    AT, m, t, th, tw = MATRICES[tiling.m][2], tiling.m, tiling.t, tiling.th, tiling.tw
    M = M.reshape(t, t, n, th, tw, -1)
    half = ws.get("half", (t, m, n, th, tw, M.shape[-1]), M.dtype)  # A applied along the columns
    for i in range(t):
        _mix(AT, list(M[i]), list(half[i]))
    Y = ws.get("Y", (n, th, m, tw, m, M.shape[-1]), M.dtype)
    for q in range(m):  # and down the rows
        _mix(AT, [half[i, q] for i in range(t)], [Y[:, :, p, :, q] for p in range(m)])
    return Y.reshape(n, th * m, tw * m, -1)


def output_transform_transposed(dY: np.ndarray, tiling: "Tiling", ws: Workspace) -> np.ndarray:
    """``dM = A dY A^T`` of each output tile of ``dY`` ``(n, th*m, tw*m, c_out)``: ``(t*t, n*th*tw, c_out)``."""
    AT, m, t, th, tw = MATRICES[tiling.m][2], tiling.m, tiling.t, tiling.th, tiling.tw
    n, c = dY.shape[0], dY.shape[-1]
    dY = dY.reshape(n, th, m, tw, m, c)
    half = ws.get("half", (m, t, n, th, tw, c), dY.dtype)
    for p in range(m):
        _mix(AT.T, [dY[:, :, p, :, q] for q in range(m)], list(half[p]))
    dM = ws.get("dM", (t, t, n, th, tw, c), dY.dtype)
    for j in range(t):
        _mix(AT.T, [half[p, j] for p in range(m)], [dM[i, j] for i in range(t)])
    return dM.reshape(t * t, n * th * tw, c)


def input_transform_transposed(dV: np.ndarray, tiling: "Tiling", dXp: np.ndarray, ws: Workspace) -> None:
    """Add ``B dV B^T`` of each tile into the padded images' gradient ``dXp``, where the tile was
    read (the overlapping tiles summed)."""
    BT, m, t, th, tw = MATRICES[tiling.m][0], tiling.m, tiling.t, tiling.th, tiling.tw
    n, c = dXp.shape[0], dXp.shape[-1]
    dV = dV.reshape(t, t, n, th, tw, c)
    half = ws.get("half", (t, t, n, th, tw, c), dV.dtype)  # B applied along the columns
    for i in range(t):
        _mix(BT.T, list(dV[i]), list(half[i]))
    for l in range(t):  # and down the rows, into place
        _mix(BT.T, [half[i, l] for i in range(t)], [dXp[:, k:k + th * m:m, l:l + tw * m:m] for k in range(t)],
             accumulate=True)


def conv2d_forward_winograd(X: np.ndarray, W: np.ndarray, b: np.ndarray, pad: tuple[int, int], m: int = 2,
                            ws: Workspace | None = None) -> np.ndarray:
    """The stride-1 cross-correlation of ``X`` ``(n, h, w, c_in)`` with the 3x3 kernel ``W``
    ``(3, 3, c_in, c_out)``, plus ``b``, by ``F(m x m, 3x3)``, a chunk of images at a time; the
    batch is split over threads in a :func:`~seqnet.ops.parallel.session`."""
    ws = ws or Workspace()
    tiling = Tiling(m, X.shape[1:3], pad)
    U = kernel_transform(W, m, X.dtype)
    c_out, t = W.shape[3], m + 2
    Z = np.empty((X.shape[0], *tiling.out_hw, c_out), dtype=X.dtype)
    oh, ow = tiling.out_hw
    step = tiling.chunk(max(X.shape[3], c_out), X.itemsize)
    bias = b.reshape(-1).astype(X.dtype, copy=False)

    def part(i: int, start: int, stop: int) -> None:
        w = ws.part(i)
        for lo, hi in chunks(start, stop, step):
            V = input_transform(tiling.padded(X[lo:hi], w), tiling, w)
            M = np.matmul(V, U, out=w.get("M", (t * t, V.shape[1], c_out), X.dtype))
            np.add(output_transform(M, tiling, hi - lo, w)[:, :oh, :ow], bias, out=Z[lo:hi])

    parallel.run(part, parallel.split(X.shape[0], X.size * t * t // m ** 2, opens=True))
    return Z


def conv2d_backward_winograd(dZ: np.ndarray, X: np.ndarray, W: np.ndarray, pad: tuple[int, int], m: int = 2,
                             ws: Workspace | None = None, need_dX: bool = True
                             ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``(dX, dW, db)`` of :func:`conv2d_forward_winograd`, through the same transforms
    transposed (see the module), a chunk of images at a time; ``dX`` is None unless ``need_dX``."""
    ws = ws or Workspace()
    tiling = Tiling(m, X.shape[1:3], pad)
    G = MATRICES[m][1]
    t, n, c_in, c_out = m + 2, X.shape[0], X.shape[3], W.shape[3]
    U = kernel_transform(W, m, X.dtype)
    Ut = np.ascontiguousarray(U.transpose(0, 2, 1))
    dX = np.empty_like(X) if need_dX else None
    (ph, pw), (h, w) = pad, X.shape[1:3]
    oh, ow = tiling.out_hw
    step = tiling.chunk(max(c_in, c_out), X.itemsize)

    def part(i: int, start: int, stop: int) -> np.ndarray:
        wk = ws.part(i)
        dU = np.zeros((t * t, c_in, c_out), dtype=X.dtype)  # this part's share
        for lo, hi in chunks(start, stop, step):
            dY = wk.get("dY", (hi - lo, tiling.th * m, tiling.tw * m, c_out), dZ.dtype)
            dY[:, oh:], dY[:, :oh, ow:] = 0, 0
            dY[:, :oh, :ow] = dZ[lo:hi]
            dM = output_transform_transposed(dY, tiling, wk)
            V = input_transform(tiling.padded(X[lo:hi], wk), tiling, wk)
            dU += np.matmul(V.transpose(0, 2, 1), dM, out=wk.get("dU", dU.shape, X.dtype))
            if need_dX:
                dXp = wk.get("dXp", (hi - lo, *tiling.padded_hw, c_in), X.dtype)
                dXp.fill(0)
                dV = np.matmul(dM, Ut, out=wk.get("dV", (t * t, dM.shape[1], c_in), X.dtype))
                input_transform_transposed(dV, tiling, dXp, wk)
                dX[lo:hi] = dXp[:, ph:ph + h, pw:pw + w]
        return dU

    parts = parallel.run(part, parallel.split(n, X.size * t * t // m ** 2, opens=True))
    dU = np.sum(parts, axis=0, dtype=np.float64).reshape(t, t, c_in, c_out)
    dW = np.einsum("ik,jl,ijco->klco", G, G, dU, optimize=True).astype(W.dtype, copy=False)
    db = dZ.sum(axis=(0, 1, 2), dtype=np.float64).reshape(1, -1).astype(dZ.dtype, copy=False)
    return dX, dW, db
