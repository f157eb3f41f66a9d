"""The convolution engines share one interface and compute the same thing."""
import pytest

from seqnet.layers import Conv2D
from seqnet.ops.engines import ENGINES, choose_engine, make_engine
from seqnet.ops.reference import conv2d_naive

from tests.helpers import assert_close


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_computes_the_reference_and_the_gemm_gradients(name, rng):
    X, W, b = rng.normal(size=(5, 7, 6, 3)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=(1, 4))
    engine, gemm = make_engine(name, (3, 3), 1, (1, 1), 3), make_engine("gemm", (3, 3), 1, (1, 1), 3)
    Z, kept = engine.forward(X, W, b)
    assert engine.name == name
    assert_close(Z, conv2d_naive(X, W, b, 1, (1, 1)), tol=1e-10, what="forward")
    dZ = rng.normal(size=Z.shape)
    got = engine.backward(dZ, W, kept)
    want = gemm.backward(dZ, W, gemm.forward(X, W, b)[1])
    for g, w, what in zip(got, want, ("dX", "dW", "db")):
        assert_close(g, w, tol=1e-10, what=what)
    assert engine.backward(dZ, W, kept, need_dX=False)[0] is None
    engine.release()  # buffers dropped; the next pass makes them again
    assert_close(engine.forward(X, W, b)[0], Z, tol=1e-12, what="after release")


def test_auto_follows_the_measured_table_and_the_layer_names_its_engine():
    assert choose_engine((5, 5), 1, 16) == "spectral" and choose_engine((3, 3), 1, 16) == "gemm"
    assert choose_engine((5, 5), 2, 16) == "gemm"  # spectral is stride 1 only
    layer = Conv2D(8, 5)
    assert layer.engine == "auto" and layer.engine_used is None
    layer.build((10, 10, 16))
    assert layer.engine == "auto" and layer.engine_used == "spectral" == layer.conv_engine.name
    with pytest.raises(ValueError, match="known engines: auto, gemm, spectral, winograd, scipy"):
        make_engine("fft", (3, 3), 1, (1, 1), 3)


def test_winograd_takes_3x3_stride_1_layers_only_and_both_tiles_are_exact(rng):
    with pytest.raises(ValueError, match="3x3 kernels only"):
        Conv2D(4, 5, engine="winograd")
    with pytest.raises(ValueError, match="stride-1 convolutions only"):
        Conv2D(4, 3, stride=2, engine="winograd")
    with pytest.raises(ValueError, match="3x3 kernels only"):
        make_engine("winograd", (3, 5), 1, (1, 1), 3)
    X, W, b = rng.normal(size=(3, 9, 6, 2)), rng.normal(size=(3, 3, 2, 5)), rng.normal(size=(1, 5))
    for pad in ((1, 1), (0, 0), (2, 0)):
        want = conv2d_naive(X, W, b, 1, pad)
        for tile in (2, 4):
            engine = make_engine("winograd", (3, 3), 1, pad, 2)
            engine.tile = tile
            assert_close(engine.forward(X, W, b)[0], want, tol=1e-10, what=f"F({tile}x{tile}) pad {pad}")
