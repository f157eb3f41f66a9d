"""The stateless kernels: padding, windows, and three convolution implementations agreeing."""
import numpy as np
import pytest

from seqnet.ops import (Workspace, conv2d_backward_gemm, conv2d_forward_gemm, conv2d_forward_scipy, conv_output_size,
                        normalize_pad, pad2d, sliding_windows)
from seqnet.ops.reference import conv2d_naive

from tests.helpers import assert_close


def test_normalize_pad_and_output_size():
    assert normalize_pad("same", (3, 5)) == (1, 2)
    assert normalize_pad("valid", (3, 5)) == (0, 0)
    assert normalize_pad(2, (3, 3)) == (2, 2) and normalize_pad((1, 0), (3, 3)) == (1, 0)
    for bad in ("full", -1, (1, 2, 3), 1.5):
        with pytest.raises(ValueError):
            normalize_pad(bad, (3, 3))
    assert conv_output_size(28, 3, 1, 1) == 28 and conv_output_size(32, 5, 0, 2) == 14


def test_pad_and_windows(rng):
    X = rng.normal(size=(2, 3, 4, 2))
    Xp = pad2d(X, (1, 2), value=-1.0)
    assert Xp.shape == (2, 5, 8, 2) and np.all(Xp[:, 0] == -1) and np.array_equal(Xp[:, 1:4, 2:6], X)
    win = sliding_windows(Xp, (3, 3), 2)
    assert win.shape == (2, 2, 3, 3, 3, 2)
    assert np.array_equal(win[1, 1, 2, :, :, 0], Xp[1, 2:5, 4:7, 0])


@pytest.mark.parametrize("stride, pad", [(1, (1, 1)), (2, (0, 2)), (3, (2, 0))])
def test_gemm_scipy_and_naive_loops_agree(stride, pad, rng):
    X, W, b = rng.normal(size=(3, 9, 8, 4)), rng.normal(size=(3, 5, 4, 6)), rng.normal(size=(1, 6))
    ws = Workspace()
    Z = conv2d_forward_gemm(X, W, b, stride, pad, ws)
    assert_close(Z, conv2d_naive(X, W, b, stride, pad), tol=1e-13)
    assert_close(conv2d_forward_scipy(X, W, b, stride, pad), Z, tol=1e-13)
    # the scratch buffers are reused when they are large enough
    cols = ws.get("cols", (1,), X.dtype)
    Z2 = conv2d_forward_gemm(X[:2], W, b, stride, pad, ws)
    assert np.shares_memory(cols, ws.get("cols", (1,), X.dtype)) and np.array_equal(Z2, Z[:2])
    dX, dW, db = conv2d_backward_gemm(np.ones_like(Z), X, W, stride, pad, ws, need_dX=False)
    assert dX is None and dW.shape == W.shape and np.allclose(db, Z.shape[0] * Z.shape[1] * Z.shape[2])


def _gemm_fwd_bwd(X, W, b, dZ, stride, pad):
    ws = Workspace()
    Z = conv2d_forward_gemm(X, W, b, stride, pad, ws)
    return (Z, *conv2d_backward_gemm(dZ, X, W, stride, pad, ws))


@pytest.mark.parametrize("kernel, stride, pad, c_in", [((3, 3), 1, (1, 1), 4), ((3, 5), 2, (0, 2), 6),
                                                       ((2, 3), 3, (2, 0), 1), ((4, 4), 1, (0, 0), 2)])
def test_gemm_chunks_agree_with_the_whole_batch(kernel, stride, pad, c_in, rng, monkeypatch):
    """Whole-batch (kept rows) and chunked passes, with a short last chunk, give the same results."""
    from seqnet.ops import conv
    X, b = rng.normal(size=(5, 11, 10, c_in)), rng.normal(size=(1, 3))
    W = rng.normal(size=(*kernel, c_in, 3))
    Z = conv2d_forward_gemm(X, W, b, stride, pad)
    dZ = rng.normal(size=Z.shape)
    whole = _gemm_fwd_bwd(X, W, b, dZ, stride, pad)
    assert_close(whole[0], conv2d_naive(X, W, b, stride, pad), tol=1e-13)
    per_image = Z.shape[1] * Z.shape[2] * (kernel[0] * kernel[1] * c_in + 1) * X.itemsize
    monkeypatch.setattr(conv, "KEEP_BYTES", 0)
    monkeypatch.setattr(conv, "CHUNK_BYTES", 2 * per_image)  # chunks of 2, 2 and 1 images
    for channel_major_max in (0, 10):  # both layouts of dX's products
        monkeypatch.setattr(conv, "CHANNEL_MAJOR_MAX", channel_major_max)
        for got, want in zip(_gemm_fwd_bwd(X, W, b, dZ, stride, pad), whole):
            assert_close(got, want, tol=1e-13)


def test_gemm_kept_rows_are_rebuilt_for_a_refilled_input(rng):
    """The backward pass reuses the forward pass's rows, but a forward pass never trusts old ones."""
    W, b, ws = rng.normal(size=(3, 3, 2, 4)), np.zeros((1, 4)), Workspace()
    X = rng.normal(size=(3, 6, 6, 2))
    conv2d_forward_gemm(X, W, b, 1, (1, 1), ws)
    assert ws.cols_source[0] is X and ws.cols_source[1:] == (0, 3)
    X[...] = rng.normal(size=X.shape)  # the same buffer with a new batch in it
    assert_close(conv2d_forward_gemm(X, W, b, 1, (1, 1), ws), conv2d_naive(X, W, b, 1, (1, 1)), tol=1e-13)
    dZ = rng.normal(size=(3, 6, 6, 4))
    fresh = conv2d_backward_gemm(dZ, X, W, 1, (1, 1), Workspace())
    for got, want in zip(conv2d_backward_gemm(dZ, X, W, 1, (1, 1), ws), fresh):
        assert_close(got, want, tol=1e-13)
    # the first backward pass wrote its products over the kept rows: a second one rebuilds them
    for got, want in zip(conv2d_backward_gemm(dZ, X, W, 1, (1, 1), ws), fresh):
        assert_close(got, want, tol=1e-13)
