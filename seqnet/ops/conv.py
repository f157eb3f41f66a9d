"""Padding, sliding windows and the im2col ("gemm") convolution engine, all on NHWC arrays.

Convolution is cross-correlation::

    Z[n, i, j, f] = sum_{a, b, c} Xpad[n, i*s + a, j*s + b, c] * W[a, b, c, f] + b[f]

The gemm engine copies every window into one row of a buffer ``cols`` of shape
``(rows, kh*kw*c_in + 1)`` (im2col, plus a column of ones for the bias), so that a forward pass
is the matrix product ``cols @ [W.reshape(kh*kw*c_in, c_out); b]``, whose result is already NHWC.
The backward pass rebuilds the same rows and takes ``dW = cols^T dZ`` (the ones column gives
``db``) and ``dcols = dZ W^T``, whose entries col2im adds back onto the input.

The batch goes through in chunks of a few images, so that ``cols`` (a few MB) stays in the CPU
caches between the copy that fills it and the matrix product that reads it: one im2col buffer for
the whole batch would be ``kh*kw`` times the input's size and every pass over it would run at
main-memory speed. With several threads (:mod:`seqnet.ops.parallel`), each thread takes a
contiguous part of the batch, with its own buffers, through the same chunked loop; a layer of 64
or more channels in and out, whose products are most of its time, runs as one part on BLAS's
threads instead (:func:`~seqnet.ops.parallel.blas_bound`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import parallel


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


def keras_same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Keras's ``padding="same"`` along one axis: ``(before, after)`` so that the output has
    ``ceil(size / stride)`` positions; an odd total puts the extra one after (at the bottom or right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_after(X: np.ndarray, extra: tuple[int, int], value: float = 0.0) -> np.ndarray:
    """``X`` (NHWC) with ``extra`` more rows at the bottom and columns at the right (itself when none)."""
    if not any(extra):
        return X
    return np.pad(X, ((0, 0), (0, extra[0]), (0, extra[1]), (0, 0)), constant_values=value)


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


class Workspace:
    """Named scratch buffers reused from call to call (large fresh arrays cost page faults).

    A kernel that splits its batch over threads (:mod:`seqnet.ops.parallel`) gives part ``i``
    the workspace :meth:`part` ``(i)``.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}
        self._parts: list[Workspace] = []
        #: ``(X, start, stop)`` when the "cols" buffer holds the im2col rows of images
        #: ``start:stop`` of ``X`` (set by the gemm engine)
        self.cols_source: tuple[np.ndarray, int, int] | None = None
        #: the forward pass's split of the batch, where the backward pass must use the same one
        #: (the spectral engine's spectra are per part)
        self.parts: list[tuple[int, int]] | None = None

    def get(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An uninitialised array of ``shape`` backed by the buffer ``name``."""
        size = int(np.prod(shape))
        buf = self._buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != dtype:
            buf = self._buffers[name] = np.empty(size, dtype=dtype)
        return buf[:size].reshape(shape)

    def part(self, i: int) -> "Workspace":
        """The workspace of part ``i`` of a batch split over threads (part 0's is this one)."""
        if i == 0:
            return self
        while len(self._parts) < i:
            self._parts.append(Workspace())
        return self._parts[i - 1]


def chunks(start: int, stop: int, step: int) -> list[tuple[int, int]]:
    """``(lo, hi)`` ranges of ``step`` images (the last may be shorter) from ``start`` to ``stop``:
    how the kernels that work a cache-sized chunk at a time walk their images."""
    return [(lo, min(stop, lo + step)) for lo in range(start, stop, step)]


#: bytes of im2col rows per chunk: small enough to stay in a core's cache, large enough for BLAS
CHUNK_BYTES = 3 << 20
#: up to this many bytes, the whole batch's im2col rows are built once and kept for the backward pass
KEEP_BYTES = 16 << 20
#: up to this many input channels, dX's products are formed channel-major (see conv2d_backward_gemm)
CHANNEL_MAJOR_MAX = 4


def _chunk_images(images: int, out_hw: tuple[int, int], k: int, itemsize: int) -> int:
    """Images per chunk: all ``images`` up to :data:`KEEP_BYTES` of im2col rows, else as many
    as fit :data:`CHUNK_BYTES`, at least one."""
    per_image = out_hw[0] * out_hw[1] * (k + 1) * itemsize
    if images * per_image <= KEEP_BYTES:
        return images
    return max(1, min(images, CHUNK_BYTES // per_image))


class _Im2col:
    """Fills the im2col rows of images ``start:stop`` of ``X`` into a reused buffer, a chunk at a time.

    When those images are one chunk, their rows are kept: with ``reuse`` (the backward pass),
    rows already built from this same part of this same ``X`` (``Workspace.cols_source``) are
    used as they are. The forward pass always rebuilds them, since ``X`` may be a buffer
    refilled in place.
    """

    def __init__(self, X: np.ndarray, start: int, stop: int, kernel_shape: tuple[int, int], stride: int,
                 pad: tuple[int, int], ws: Workspace, reuse: bool = False) -> None:
        h, w, c_in = X.shape[1:]
        kh, kw = kernel_shape
        ph, pw = pad
        self.X, self.start, self.stop = X, start, stop
        self.kernel_shape, self.stride, self.pad = kernel_shape, stride, pad
        self.out_hw = (conv_output_size(h, kh, ph, stride), conv_output_size(w, kw, pw, stride))
        self.k = kh * kw * c_in
        self.images = _chunk_images(stop - start, self.out_hw, self.k, X.dtype.itemsize)
        self.cols = ws.get("cols", (self.images * self.out_hw[0] * self.out_hw[1], self.k + 1), X.dtype)
        self.ws = ws
        self.whole = self.images == stop - start
        self.padded = None
        source = ws.cols_source
        self.reused = (reuse and self.whole and source is not None and source[0] is X
                       and source[1:] == (start, stop))
        if self.reused:
            return
        ws.cols_source = None
        if ph or pw:  # borders zeroed once; each chunk only overwrites the interior
            self.padded = ws.get("padded", (self.images, h + 2 * ph, w + 2 * pw, c_in), X.dtype)
            self.padded.fill(0)

    def chunks(self):
        """``(lo, hi)`` of each chunk of images."""
        return chunks(self.start, self.stop, self.images)

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """The filled ``(rows, k + 1)`` block for images ``lo:hi``."""
        count = hi - lo
        rows = self.cols[:count * self.out_hw[0] * self.out_hw[1]]
        if self.reused:
            return rows
        if self.padded is None:
            source = self.X[lo:hi]
        else:
            ph, pw = self.pad
            h, w = self.X.shape[1:3]
            source = self.padded[:count]
            source[:, ph:ph + h, pw:pw + w] = self.X[lo:hi]
        windows = sliding_windows(source, self.kernel_shape, self.stride)
        np.copyto(rows[:, :self.k].reshape(windows.shape), windows)
        rows[:, self.k] = 1  # every time: the backward pass writes over the buffer
        if self.whole:
            self.ws.cols_source = (self.X, self.start, self.stop)
        return rows


def _parts(X: np.ndarray, out_hw: tuple[int, int], k: int) -> list[tuple[int, int]]:
    """The batch's parts for the threads; the work is the count of im2col entries."""
    return parallel.split(X.shape[0], X.shape[0] * out_hw[0] * out_hw[1] * k, opens=True)


def conv2d_forward_gemm(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: tuple[int, int],
                        ws: Workspace | None = None) -> np.ndarray:
    """Forward pass by im2col and matrix products, a chunk of images at a time.

    The im2col rows have one extra column of ones, so that the same product adds the bias
    (``[cols, 1] @ [W; b]``) and, in the backward pass, ``[cols, 1]^T dZ`` yields ``db`` as its
    last row: no separate pass over the (large) output for either. Inside a
    :func:`~seqnet.ops.parallel.session` the batch is split over threads.

    Parameters
    ----------
    X : ndarray of shape (n, h, w, c_in)
    W : ndarray of shape (kh, kw, c_in, c_out)
    b : ndarray of shape (1, c_out)
    stride : int
    pad : (int, int)
    ws : Workspace, optional
        Scratch buffers kept from an earlier call (the layer keeps one).

    Returns
    -------
    Z : ndarray of shape (n, oh, ow, c_out)
    """
    ws = ws or Workspace()
    kh, kw, c_in, c_out = W.shape
    out_hw = (conv_output_size(X.shape[1], kh, pad[0], stride), conv_output_size(X.shape[2], kw, pad[1], stride))
    Wb = np.concatenate([W.reshape(-1, c_out), b.reshape(1, c_out)]).astype(X.dtype, copy=False)
    Z = np.empty((X.shape[0], *out_hw, c_out), dtype=X.dtype)

    def part(i: int, start: int, stop: int) -> None:
        im2col = _Im2col(X, start, stop, (kh, kw), stride, pad, ws.part(i))
        for lo, hi in im2col.chunks():
            np.matmul(im2col.rows(lo, hi), Wb, out=Z[lo:hi].reshape(-1, c_out))

    with parallel.blas_bound(parallel.channel_intensity(c_in, c_out)):
        parallel.run(part, _parts(X, out_hw, kh * kw * c_in))
    return Z


def conv2d_backward_gemm(dZ: np.ndarray, X: np.ndarray, W: np.ndarray, stride: int, pad: tuple[int, int],
                         ws: Workspace | None = None, need_dX: bool = True
                         ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward pass of :func:`conv2d_forward_gemm` (``X`` is the forward input).

    Returns
    -------
    dX : ndarray of shape X.shape, or None when ``need_dX`` is false
    dW : ndarray of shape (kh, kw, c_in, c_out)
    db : ndarray of shape (1, c_out)
    """
    ws = ws or Workspace()
    kh, kw, c_in, c_out = W.shape
    k = kh * kw * c_in
    dX = np.empty(X.shape, dtype=dZ.dtype) if need_dX else None
    # dcols: one product per kernel offset, stored offset-major so that each offset's block is a
    # contiguous (images, oh, ow, c_in) array and col2im adds whole (ow, c_in) rows at a time;
    # with a few input channels, one product W dZ^T (channel-major rows) instead, since the
    # per-offset products would have only c_in columns each
    channel_major = c_in <= CHANNEL_MAJOR_MAX
    if channel_major:
        Wk = W.reshape(-1, c_out).astype(dZ.dtype, copy=False)
    else:
        Wt = W.reshape(kh * kw, c_in, c_out).transpose(0, 2, 1).astype(dZ.dtype, copy=False)

    def part(i: int, start: int, stop: int) -> np.ndarray:
        part_ws = ws.part(i)
        im2col = _Im2col(X, start, stop, (kh, kw), stride, pad, part_ws, reuse=True)
        dWb = np.zeros((k + 1, c_out), dtype=dZ.dtype)
        product = part_ws.get("dW", dWb.shape, dZ.dtype)
        for lo, hi in im2col.chunks():
            rows = im2col.rows(lo, hi)
            dz = dZ[lo:hi].reshape(-1, c_out)
            dWb += np.matmul(rows.T, dz, out=product)
            if not need_dX:
                continue
            dX[lo:hi] = 0
            # the products go where the chunk's rows were (done with, and still in cache)
            free = rows.reshape(-1)[:k * len(dz)]
            part_ws.cols_source = None
            if channel_major:
                dcols = np.matmul(Wk, dz.T, out=free.reshape(k, len(dz)))
            else:
                dcols = np.matmul(dz, Wt, out=free.reshape(kh * kw, len(dz), c_in))
            col2im_add(dcols, dX[lo:hi], (kh, kw), stride, pad, channel_major)
        return dWb

    out_hw = dZ.shape[1:3]
    with parallel.blas_bound(parallel.channel_intensity(c_in, c_out)):
        dWb = parallel.sum_parts(parallel.run(part, _parts(X, out_hw, k)))
    return dX, dWb[:-1].reshape(W.shape), dWb[-1:]


def col2im_add(dcols: np.ndarray, dX: np.ndarray, kernel_shape: tuple[int, int], stride: int,
               pad: tuple[int, int], channel_major: bool = False) -> None:
    """Add the window entries ``dcols`` back onto the input gradient ``dX`` ``(n, h, w, c)``, one
    kernel offset at a time; entries that fell on the padding are dropped.

    ``dcols`` is offset-major ``(kh*kw, n*oh*ow, c)``, or with ``channel_major``
    ``(kh*kw*c, n*oh*ow)`` (the rows of ``W dZ^T``).
    """
    kh, kw = kernel_shape
    n, h, w, c = dX.shape
    oh, ow = conv_output_size(h, kh, pad[0], stride), conv_output_size(w, kw, pad[1], stride)
    for a in range(kh):
        i0, i1, r0 = _inside(oh, h, a - pad[0], stride)
        for b in range(kw):
            j0, j1, c0 = _inside(ow, w, b - pad[1], stride)
            if i0 >= i1 or j0 >= j1:
                continue
            view = dX[:, r0:r0 + stride * (i1 - i0 - 1) + 1:stride, c0:c0 + stride * (j1 - j0 - 1) + 1:stride, :]
            if channel_major:
                offset = (a * kw + b) * c
                view.transpose(3, 0, 1, 2)[...] += dcols[offset:offset + c].reshape(c, n, oh, ow)[:, :, i0:i1, j0:j1]
            else:
                view += dcols[a * kw + b].reshape(n, oh, ow, c)[:, i0:i1, j0:j1]


def _inside(out: int, size: int, shift: int, stride: int) -> tuple[int, int, int]:
    """``(lo, hi, first)``: the outputs ``lo <= i < hi`` whose input position ``i*stride + shift``
    lies inside ``[0, size)``, and the first of those positions."""
    lo = max(0, -(shift // stride))
    hi = min(out, (size - 1 - shift) // stride + 1)
    return lo, hi, lo * stride + shift
