"""The "spectral" convolution engine: stride-1 convolution by the convolution theorem.

Each image and each filter is taken to the frequency domain by a 2-D discrete Fourier transform
(DFT), where the correlation becomes, at every frequency, a product of small matrices::

    Z^[u, v] = X^[u, v] @ K^[u, v]        (n x c_in) @ (c_in x c_out)

and one inverse DFT brings ``Z`` back. Per (sample, c_in, c_out) that costs about
``2 N_r N_c`` real multiply-adds where im2col costs ``kh kw oh ow``: the same for 3x3, about 3x
fewer for 5x5 and 6x fewer for 7x7 kernels, at the price of the transforms.

The DFTs are matrix products with explicit twiddle matrices rather than FFTs: the images are small
(a few dozen pixels a side), so one BLAS product per axis over the whole batch is faster than
thousands of tiny FFTs, and padding never has to be materialised. Two real images travel as one
complex image (the first half of the batch as real parts, the second as imaginary parts): the
filters are real, so the two results come back as the real and imaginary parts of one result, and
no spectrum symmetry has to be untangled.

Sizes. Input positions ``t = 0..h-1``, output ``i = 0..oh-1``, kernel offset ``a - pad``: a
correlation touches ``t = i + a - pad``, which a DFT of length ``N`` computes without wrap-around
when ``N >= max(h + pad, oh + kh - 1 - pad)``.
"""
from __future__ import annotations

import numpy as np

from . import parallel
from .conv import Workspace


def spectral_sizes(in_hw: tuple[int, int], kernel_shape: tuple[int, int],
                   pad: tuple[int, int]) -> tuple[int, int]:
    """DFT lengths ``(N_r, N_c)`` that compute a stride-1 correlation without wrap-around."""
    sizes = []
    for size, k, p in zip(in_hw, kernel_shape, pad):
        out = size + 2 * p - k + 1
        sizes.append(max(size + p, out + k - 1 - p))
    return tuple(sizes)


def _complex(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.complex64) if dtype == np.float32 else np.dtype(np.complex128)


def _twiddles(N: int, positions: np.ndarray, sign: int, dtype: np.dtype, scale: float = 1.0) -> np.ndarray:
    """``scale * exp(sign 2 pi i u t / N)`` for frequencies ``u < N`` (rows) and ``t`` in ``positions``."""
    return (scale * np.exp((sign * 2j * np.pi / N) * np.outer(np.arange(N), positions))).astype(dtype)


def _pack(A: np.ndarray, out: np.ndarray, conjugate: bool = False) -> np.ndarray:
    """``A[:m] + 1j * A[m:]`` (``m = ceil(n / 2)``), rows first: ``(n, h, w, c)`` real -> ``out`` ``(h, w, m, c)``.

    Convolution with a real kernel is real-linear, so one complex image carries two real ones:
    the real and imaginary parts of the result are the results of the two halves of the batch.
    ``conjugate`` stores ``A[:m] - 1j * A[m:]``.
    """
    n = A.shape[0]
    m = out.shape[2]
    parts = out.view(A.dtype).reshape(*out.shape[:3], out.shape[3], 2)
    np.copyto(parts[..., 0], A[:m].transpose(1, 2, 0, 3))
    second = A[m:].transpose(1, 2, 0, 3)
    if conjugate:
        np.negative(second, out=parts[:, :, :n - m, :, 1])
    else:
        np.copyto(parts[:, :, :n - m, :, 1], second)
    if n - m < m:  # odd batch: the last image's partner is zero
        parts[:, :, n - m:, :, 1] = 0
    return out


def _unpack(Y: np.ndarray, out: np.ndarray, conjugate: bool = False) -> np.ndarray:
    """Inverse of :func:`_pack`: ``Y`` ``(h, w, m, c)`` complex -> ``out`` ``(n, h, w, c)`` real."""
    n = out.shape[0]
    m = Y.shape[2]
    np.copyto(out[:m], Y.real.transpose(2, 0, 1, 3))
    second = Y.imag[:, :, :n - m].transpose(2, 0, 1, 3)
    if conjugate:
        np.negative(second, out=out[m:])
    else:
        np.copyto(out[m:], second)
    return out


def dft2(A: np.ndarray, N: tuple[int, int], offset: tuple[int, int], sign: int, ws: Workspace,
         key: str) -> np.ndarray:
    """``F[u, v] = sum_{s,t} A[s, t] exp(sign 2 pi i (u (s + o_r) / N_r + v (t + o_c) / N_c))``.

    ``A`` has shape ``(h, w, B)`` (complex); ``F``, shape ``(N_r, N_c, B)``, is the buffer ``key``
    of ``ws``. Two matrix products: one over the rows of the whole batch, one per row frequency
    over the columns.
    """
    h, w, B = A.shape
    Nr, Nc = N
    rows = ws.get("dft.rows", (Nr, w, B), A.dtype)
    np.matmul(_twiddles(Nr, np.arange(h) + offset[0], sign, A.dtype), A.reshape(h, w * B),
              out=rows.reshape(Nr, w * B))
    F = ws.get(key, (Nr, Nc, B), A.dtype)
    np.matmul(_twiddles(Nc, np.arange(w) + offset[1], sign, A.dtype), rows, out=F)
    return F


def idft2(F: np.ndarray, out_hw: tuple[int, int], offset: tuple[int, int], sign: int, ws: Workspace,
          key: str) -> np.ndarray:
    """``Y[i, j] = 1/(N_r N_c) sum_{u,v} F[u, v] exp(sign 2 pi i (u (i + o_r) / N_r + v (j + o_c) / N_c))``.

    ``F`` has shape ``(N_r, N_c, B)``; ``Y``, shape ``(rows, cols, B)``, is evaluated only at the
    ``out_hw`` positions that are needed and is the buffer ``key`` of ``ws``.
    """
    Nr, Nc, B = F.shape
    rows, cols = out_hw
    half = ws.get("idft.rows", (rows, Nc, B), F.dtype)
    Gr = _twiddles(Nr, np.arange(rows) + offset[0], sign, F.dtype, 1.0 / (Nr * Nc)).T
    np.matmul(Gr, F.reshape(Nr, Nc * B), out=half.reshape(rows, Nc * B))
    Y = ws.get(key, (rows, cols, B), F.dtype)
    np.matmul(_twiddles(Nc, np.arange(cols) + offset[1], sign, F.dtype).T, half, out=Y)
    return Y


def conv2d_forward_spectral(X: np.ndarray, W: np.ndarray, b: np.ndarray, pad: tuple[int, int],
                            ws: Workspace) -> np.ndarray:
    """Stride-1 correlation ``Z`` of shape ``(n, oh, ow, c_out)``; keeps the spectra in ``ws``.

    Inside a :func:`~seqnet.ops.parallel.session` the batch is split over threads (unless the
    layer is :func:`~seqnet.ops.parallel.blas_bound`); each part keeps its spectra in its own
    workspace, and ``ws.parts`` records the split for the backward pass. Outside one, BLAS's own
    threads share out the products.

    Parameters
    ----------
    X : ndarray of shape (n, h, w, c_in)
    W : ndarray of shape (kh, kw, c_in, c_out)
    b : ndarray of shape (1, c_out)
    pad : (int, int)
    ws : Workspace
        Scratch space of the layer; :func:`conv2d_backward_spectral` reads the spectra of the
        input and of the filters from it.
    """
    n, h, w, c_in = X.shape
    kh, kw, _, c_out = W.shape
    oh, ow = h + 2 * pad[0] - kh + 1, w + 2 * pad[1] - kw + 1
    N = spectral_sizes((h, w), (kh, kw), pad)
    Z = np.empty((n, oh, ow, c_out), dtype=X.dtype)

    def part(i: int, start: int, stop: int) -> None:
        _forward_part(X[start:stop], W, b, pad, N, Z[start:stop], ws.part(i))

    work = parallel.product_work(n * N[0] * N[1], c_in, c_out) + n * N[0] * N[1] * (c_in + c_out)
    with parallel.blas_bound(parallel.channel_intensity(c_in, c_out)):
        ws.parts = parallel.split(n, work, opens=True)
        parallel.run(part, ws.parts)
    return Z


def _forward_part(X: np.ndarray, W: np.ndarray, b: np.ndarray, pad: tuple[int, int], N: tuple[int, int],
                  Z: np.ndarray, ws: Workspace) -> None:
    """:func:`conv2d_forward_spectral` for some images, into their slice ``Z``."""
    n, h, w, c_in = X.shape
    kh, kw, _, c_out = W.shape
    cdtype, m = _complex(X.dtype), (n + 1) // 2
    packed = _pack(X, ws.get("packed", (h, w, m, c_in), cdtype))
    Xs = dft2(packed.reshape(h, w, m * c_in), N, (0, 0), -1, ws, "X^").reshape(-1, m, c_in)
    Wc = ws.get("W", (kh, kw, c_in * c_out), cdtype)
    np.copyto(Wc, W.reshape(Wc.shape), casting="unsafe")
    # the filters are placed at offsets a - pad, and conjugated: correlation, not convolution
    Ks = dft2(Wc, N, (-pad[0], -pad[1]), +1, ws, "K^").reshape(-1, c_in, c_out)
    Zs = ws.get("Z^", (N[0], N[1], m * c_out), cdtype)
    np.matmul(Xs, Ks, out=Zs.reshape(-1, m, c_out))
    Zt = idft2(Zs, Z.shape[1:3], (0, 0), +1, ws, "spatial").reshape(*Z.shape[1:3], m, c_out)
    _unpack(Zt, Z)
    Z += b.reshape(c_out)


def conv2d_backward_spectral(dZ: np.ndarray, X_shape: tuple[int, ...], W: np.ndarray, pad: tuple[int, int],
                             ws: Workspace, need_dX: bool = True
                             ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``(dX, dW, db)`` of :func:`conv2d_forward_spectral`, whose spectra ``ws`` holds.

    ``dZ`` is packed conjugated (``dZ[:m] - 1j dZ[m:]``), so its spectrum ``G`` is the conjugate of
    the packed gradient's. Then at every frequency ``dW^ = X^T G`` (whose real part, summed over
    both halves of the batch, is the correlation of the input with ``dZ``) and ``dX^ = G K^T``
    (the conjugate of the full convolution of ``dZ`` with the filters). Each part of the
    forward pass's split takes its own images; their ``dW`` are added in part order.
    """
    if ws.parts is None or ws.parts[-1][1] != len(dZ):
        raise ValueError(f"conv2d_backward_spectral: the workspace holds no forward pass over {len(dZ)} "
                         f"images; run conv2d_forward_spectral with it first")
    N = spectral_sizes(X_shape[1:3], W.shape[:2], pad)
    dX = np.empty(X_shape, dtype=dZ.dtype) if need_dX else None

    def part(i: int, start: int, stop: int) -> np.ndarray:
        return _backward_part(dZ[start:stop], W, pad, N, None if dX is None else dX[start:stop], ws.part(i))

    with parallel.blas_bound(parallel.channel_intensity(*W.shape[2:])):
        dW = parallel.sum_parts(parallel.run(part, ws.parts))
    return dX, dW, dZ.sum(axis=(0, 1, 2)).reshape(1, -1)


def _backward_part(dZ: np.ndarray, W: np.ndarray, pad: tuple[int, int], N: tuple[int, int],
                   dX: np.ndarray | None, ws: Workspace) -> np.ndarray:
    """:func:`conv2d_backward_spectral` for some images: fills their slice ``dX``, returns their ``dW``."""
    kh, kw, c_in, c_out = W.shape
    n, oh, ow = dZ.shape[:3]
    cdtype, m = _complex(dZ.dtype), (n + 1) // 2
    P = N[0] * N[1]
    packed = _pack(dZ, ws.get("packed", (oh, ow, m, c_out), cdtype), conjugate=True)
    G = dft2(packed.reshape(oh, ow, m * c_out), N, (0, 0), +1, ws, "D^").reshape(P, m, c_out)
    Xs = ws.get("X^", (P, m, c_in), cdtype)
    dWs = ws.get("dW^", (N[0], N[1], c_in * c_out), cdtype)
    np.matmul(Xs.transpose(0, 2, 1), G, out=dWs.reshape(P, c_in, c_out))
    dW = idft2(dWs, (kh, kw), (-pad[0], -pad[1]), +1, ws, "dW").real.reshape(W.shape).astype(dZ.dtype)
    if dX is not None:
        Ks = ws.get("K^", (P, c_in, c_out), cdtype)
        dXs = ws.get("Z^", (N[0], N[1], m * c_in), cdtype)
        np.matmul(G, Ks.transpose(0, 2, 1), out=dXs.reshape(P, m, c_in))
        dXt = idft2(dXs, dX.shape[1:3], (0, 0), -1, ws, "spatial").reshape(*dX.shape[1:3], m, c_in)
        _unpack(dXt, dX, conjugate=True)
    return dW
