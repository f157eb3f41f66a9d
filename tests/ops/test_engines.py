"""The convolution engines share one interface and compute the same thing."""
import time

import numpy as np
import pytest

from seqnet.layers import Conv2D
from seqnet.ops.engines import CHOICES, ENGINES, TunedEngine, choose_engine, make_engine, refusal
from seqnet.ops.reference import conv2d_naive

from tests.helpers import assert_close


@pytest.mark.parametrize("name", CHOICES)
def test_every_engine_computes_the_reference_and_the_gemm_gradients(name, rng):
    X, W, b = rng.normal(size=(5, 7, 6, 3)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=(1, 4))
    engine, gemm = make_engine(name, (3, 3), 1, (1, 1), 3), make_engine("gemm", (3, 3), 1, (1, 1), 3)
    Z, kept = engine.forward(X, W, b)
    assert engine.name == name if name in ENGINES else engine.name in ENGINES  # "auto" and "tune" name their choice
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
    with pytest.raises(ValueError, match="known engines: auto, tune, gemm, spectral, winograd, scipy"):
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


def slowed(cls, seconds):
    """``cls`` with ``seconds`` added to each forward pass."""
    class Slow(cls):
        def forward(self, X, W, b):
            time.sleep(seconds)
            return super().forward(X, W, b)
    return Slow


@pytest.mark.parametrize("kernel, stride, candidates", [((3, 3), 1, ["gemm", "spectral", "winograd"]),
                                                        ((5, 3), 1, ["gemm", "spectral"]),
                                                        ((3, 3), 2, ["gemm"])])
def test_tune_times_each_engine_that_computes_the_layer_and_keeps_the_fastest(kernel, stride, candidates,
                                                                             monkeypatch, rng):
    assert [name for name in ENGINES if name != "scipy" and refusal(name, kernel, stride) is None] == candidates
    X, W, b = rng.normal(size=(4, 9, 8, 2)), rng.normal(size=(*kernel, 2, 3)), rng.normal(size=(1, 3))
    for fastest in candidates:
        for name in candidates:  # every engine but one is made slow
            monkeypatch.setitem(ENGINES, name, slowed(ENGINES[name], 0 if name == fastest else 0.03))
        engine = make_engine("tune", kernel, stride, (1, 1), 2)
        assert isinstance(engine, TunedEngine) and engine.name == "tune"
        Z = engine.forward(X, W, b)[0]
        assert engine.name == fastest and sorted(engine.timings) == sorted(candidates)
        assert min(engine.timings, key=engine.timings.get) == fastest
        assert all(t >= 0.03 for name, t in engine.timings.items() if name != fastest)
        want = make_engine("gemm", kernel, stride, (1, 1), 2).forward(X, W, b)[0]
        np.testing.assert_allclose(Z, want, rtol=1e-10, atol=1e-10)
        monkeypatch.undo()


def test_a_tuned_layer_tunes_once_and_saves_the_way_it_chooses(rng):
    layer = Conv2D(4, 3, engine="tune")
    assert layer.engine_used is None
    layer.forward(rng.normal(size=(2, 6, 6, 3)))
    chosen = layer.conv_engine.chosen
    assert layer.engine_used == chosen.name in ENGINES and layer.get_config()["engine"] == "tune"
    layer.forward(rng.normal(size=(3, 6, 6, 3)))  # another batch size: the same engine
    assert layer.conv_engine.chosen is chosen
    buffers = chosen.workspace
    layer.clear_cache()  # as after predict: buffers dropped, the choice kept
    assert layer.conv_engine.chosen is chosen and chosen.workspace is not buffers
