"""The stateless kernels: padding, windows, and three convolution implementations agreeing."""
import numpy as np
import pytest

from seqnet.ops import (conv2d_backward_gemm, conv2d_forward_gemm, conv2d_forward_scipy, conv_output_size,
                        normalize_pad, pad2d, sliding_windows)
from seqnet.ops.reference import conv2d_naive

from conftest import assert_close


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
    Z, cols = conv2d_forward_gemm(X, W, b, stride, pad)
    assert_close(Z, conv2d_naive(X, W, b, stride, pad), tol=1e-13)
    assert_close(conv2d_forward_scipy(X, W, b, stride, pad), Z, tol=1e-13)
    # the im2col buffer is reused when it is large enough
    Z2, cols2 = conv2d_forward_gemm(X[:2], W, b, stride, pad, cols)
    assert np.shares_memory(cols, cols2) and np.array_equal(Z2, Z[:2])
    dX, dW, db = conv2d_backward_gemm(np.ones_like(Z), cols, X.shape, W, stride, pad, need_dX=False)
    assert dX is None and dW.shape == W.shape and np.allclose(db, Z.shape[0] * Z.shape[1] * Z.shape[2])
