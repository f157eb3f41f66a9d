"""Conv2D against PyTorch in float64 (every engine), gradient checks, and bad input."""
import numpy as np
import pytest

from seqnet import Sequential
from seqnet.gradcheck import check_gradients
from seqnet.layers import Conv2D, Flatten, Dense, MaxPool2D
from seqnet.layers.conv import kernel_pair
from seqnet.ops.engines import CHOICES, refusal

from tests.helpers import assert_close, F, torch, torch_grad

TORCH_ACT = {"relu": lambda z: torch.relu(z), "tanh": lambda z: torch.tanh(z), "linear": lambda z: z}
# the assignment's test configurations: (n_out, activation, kernel, stride)
CONFIGS = [(32, "relu", (3, 3), 1), (32, "relu", (3, 5), 1), (7, "relu", (5, 5), 1), (7, "relu", (5, 5), 2),
           (18, "tanh", (3, 3), 3)]


def torch_conv(activation, stride, pads):
    """torch's convolution after zero padding ``pads = ((top, bottom), (left, right))``."""
    (t, b_), (l, r) = pads

    def fn(x, w, b):
        x = F.pad(x.permute(0, 3, 1, 2), (l, r, t, b_))
        z = F.conv2d(x, w.permute(3, 2, 0, 1), b.reshape(-1), stride=stride)
        return TORCH_ACT[activation](z).permute(0, 2, 3, 1)
    return fn


def check_against_torch(layer, X, rng):
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    dX = layer.backward(dY)
    W, b = layer.parameters["W"], layer.parameters["b"]
    activation = layer.get_config()["activation"]
    out, (tX, tW, tb) = torch_grad(torch_conv(activation, layer.stride, layer.pads(X.shape[1:])), X, W, b, upstream=dY)
    assert_close(Y, out, what="forward")
    assert_close(dX, tX, what="dX")
    assert_close(layer.gradients["W"], tW, what="dW")
    assert_close(layer.gradients["b"], tb, what="db")


def skip_unless_computes(engine, kernel, stride):
    reason = refusal(engine, kernel_pair(kernel, "test"), stride)
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("engine", CHOICES)  # the engines and the two ways of choosing one
@pytest.mark.parametrize("n_out, activation, kernel, stride", CONFIGS)
@pytest.mark.parametrize("shape", [(16, 16, 16, 3), (16, 32, 24, 21)], ids=["16x16x3", "32x24x21"])
def test_assignment_configs_match_torch(engine, n_out, activation, kernel, stride, shape, rng):
    skip_unless_computes(engine, kernel, stride)
    layer = Conv2D(n_out, kernel, activation=activation, stride=stride, engine=engine)
    check_against_torch(layer, rng.normal(size=shape), rng)


@pytest.mark.parametrize("engine", CHOICES)  # the engines and the two ways of choosing one
@pytest.mark.parametrize("pad, stride", [("valid", 1), ("valid", 2), (2, 1), ((0, 3), 2), (1, 3), ((3, 0), 1),
                                         ((0, 4), 1)])
def test_padding_variants_match_torch(engine, pad, stride, rng):
    kernel = (3, 3) if engine == "winograd" else (3, 4)
    skip_unless_computes(engine, kernel, stride)
    layer = Conv2D(5, kernel, activation="linear", stride=stride, pad=pad, engine=engine)
    check_against_torch(layer, rng.normal(size=(4, 11, 13, 3)), rng)


def test_engines_agree_in_float64(rng):
    X = rng.normal(size=(6, 15, 12, 4))
    a = Conv2D(9, (5, 3), stride=2, pad=(2, 1), engine="gemm")
    a.build(X.shape[1:], rng=np.random.default_rng(0))
    b = Conv2D(9, (5, 3), stride=2, pad=(2, 1), engine="scipy")
    b.build(X.shape[1:], rng=np.random.default_rng(0))
    dY = rng.normal(size=a.forward(X).shape)
    assert_close(a.forward(X), b.forward(X), tol=1e-12)
    assert_close(a.backward(dY), b.backward(dY), tol=1e-12)
    assert_close(a.gradients["W"], b.gradients["W"], tol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_spectral_engine_agrees_with_gemm(n, rng):
    """Odd batches (one image packed with a zero partner), even kernels, a second call with new shapes."""
    for shape, kernel, pad in [((n, 9, 7, 3), (4, 2), (2, 1)), ((n, 6, 11, 2), (5, 5), "same")]:
        X = rng.normal(size=shape)
        a = Conv2D(4, kernel, pad=pad, engine="gemm")
        a.build(X.shape[1:], rng=np.random.default_rng(0))
        b = Conv2D(4, kernel, pad=pad, engine="spectral")
        b.build(X.shape[1:], rng=np.random.default_rng(0))
        for X in (X, X[:, :-1, 1:]):  # the workspace is resized for a smaller image
            dY = rng.normal(size=a.forward(X).shape)
            assert_close(b.forward(X), a.forward(X), tol=1e-12)
            assert_close(b.backward(dY), a.backward(dY), tol=1e-12)
            assert_close(b.gradients["W"], a.gradients["W"], tol=1e-12)
            assert_close(b.gradients["b"], a.gradients["b"], tol=1e-12)


def test_spectral_engine_in_float32_is_as_accurate_as_gemm(rng):
    X = rng.normal(size=(8, 16, 16, 32)).astype(np.float32)
    exact = Conv2D(16, 7, engine="gemm")
    exact.build(X.shape[1:], rng=np.random.default_rng(0), dtype=np.float64)
    errors = {}
    for engine in ("gemm", "spectral"):
        layer = Conv2D(16, 7, engine=engine)
        layer.build(X.shape[1:], rng=np.random.default_rng(0), dtype=np.float32)
        errors[engine] = np.abs(layer.forward(X) - exact.forward(X.astype(np.float64))).max()
    assert errors["spectral"] < 4 * errors["gemm"] + 1e-6, errors


@pytest.mark.parametrize("tile, factor", [(2, 4), (4, 40)])
def test_winograd_in_float32_stays_close_to_float64(tile, factor, rng):
    """F(2x2, 3x3) is as accurate as gemm in float32; F(4x4, 3x3)'s larger transforms cost about
    ten times that (1e-5 of the largest output, measured on the CIFAR network's layers)."""
    X = np.maximum(rng.normal(size=(4, 15, 15, 64)), 0).astype(np.float32)
    exact = Conv2D(64, 3, engine="gemm", use_bias=False)
    exact.build(X.shape[1:], rng=np.random.default_rng(0), dtype=np.float64)
    want, dY = exact.forward(X.astype(np.float64)), rng.normal(size=(4, 15, 15, 64))
    want_dX = exact.backward(dY)
    errors = {}
    for engine in ("gemm", "winograd"):
        layer = Conv2D(64, 3, engine=engine, use_bias=False)
        layer.build(X.shape[1:], rng=np.random.default_rng(0), dtype=np.float32)
        if engine == "winograd":
            layer.conv_engine.tile = tile
        got = layer.forward(X)
        got_dX = layer.backward(dY.astype(np.float32))
        errors[engine] = max(np.abs(got - want).max() / np.abs(want).max(),
                             np.abs(got_dX - want_dX).max() / np.abs(want_dX).max(),
                             np.abs(layer.gradients["W"] - exact.gradients["W"]).max() / np.abs(exact.gradients["W"]).max())
    assert errors["winograd"] < factor * errors["gemm"] and errors["winograd"] < 2e-5, errors


def test_spectral_outputs_are_not_overwritten_by_the_next_call(rng):
    layer = Conv2D(3, 5, engine="spectral")
    X1, X2 = rng.normal(size=(2, 8, 8, 2)), rng.normal(size=(2, 8, 8, 2))
    Y1 = layer.forward(X1)
    kept = Y1.copy()
    layer.forward(X2)
    np.testing.assert_array_equal(Y1, kept)


def test_auto_engine_choice():
    def used(kernel, stride, c_in):
        layer = Conv2D(8, kernel, stride=stride)
        layer.forward(np.zeros((1, 12, 12, c_in)))
        return layer.engine_used
    assert used(3, 1, 1) == "gemm" and used(3, 1, 64) == "gemm" and used(1, 1, 256) == "gemm"
    assert used(3, 1, 128) == "spectral"
    assert used(5, 1, 3) == "spectral" and used(7, 1, 128) == "spectral" and used((3, 5), 1, 32) == "spectral"
    assert used(5, 1, 1) == "gemm" and used(5, 2, 64) == "gemm"
    assert Conv2D(8, 3).engine_used is None and Conv2D(8, 3).get_config()["engine"] == "auto"
    assert Conv2D(8, 3, engine="gemm").engine_used == "gemm"


def test_output_shapes_follow_the_formula():
    for pad, stride, expected in [("same", 1, (10, 9)), ("valid", 1, (8, 5)), (1, 2, (5, 4)), ((0, 2), 3, (3, 3))]:
        layer = Conv2D(2, (3, 5), stride=stride, pad=pad)
        assert layer.forward(np.zeros((1, 10, 9, 1))).shape == (1, *expected, 2)


@pytest.mark.parametrize("engine", CHOICES)  # the engines and the two ways of choosing one
@pytest.mark.parametrize("kwargs", [dict(kernel_shape=3), dict(kernel_shape=(2, 3), stride=2, pad="valid"),
                                    dict(kernel_shape=3, activation="tanh", pad=2)])
def test_gradient_check(engine, kwargs, rng):
    skip_unless_computes(engine, kwargs["kernel_shape"], kwargs.get("stride", 1))
    errors = check_gradients(Conv2D(3, engine=engine, **kwargs), rng.normal(size=(2, 7, 6, 2)))
    assert max(errors.values()) < 1e-6, errors


def test_first_layer_skips_the_input_gradient(rng):
    model = Sequential([Conv2D(2, 3), Flatten(), Dense(2, activation="softmax")], seed=0, dtype="float64")
    model.compile("sgd", "cross_entropy")
    model.build((5, 5, 1))
    assert model.backward_loss(np.array([0]), model.forward(rng.normal(size=(1, 5, 5, 1)), training=True)) is None
    assert model.layers[0].gradients["W"].any()


def test_small_cnn_gradient_check_end_to_end(rng):
    model = Sequential([Conv2D(3, 3, activation="relu"), MaxPool2D(2), Conv2D(4, (2, 2), stride=2, pad="valid",
                        activation="tanh"), Flatten(), Dense(3, activation="softmax")], seed=0, dtype="float64")
    model.compile("sgd", "cross_entropy")
    errors = check_gradients(model, rng.normal(size=(3, 8, 8, 2)), np.array([0, 2, 1]))
    assert max(errors.values()) < 1e-6, errors


def test_bad_input():
    with pytest.raises(ValueError, match="stride"):
        Conv2D(4, 3, stride=0)
    with pytest.raises(ValueError, match="pad"):
        Conv2D(4, 3, pad="full")
    with pytest.raises(ValueError, match="engine"):
        Conv2D(4, 3, engine="fft")
    with pytest.raises(ValueError, match="'spectral' computes stride-1 convolutions only, got stride 2"):
        Conv2D(4, 3, stride=2, engine="spectral")
    layer = Conv2D(4, 3, name="c")
    with pytest.raises(ValueError, match=r"Conv2D 'c' expects 4-D NHWC input .* \(None, 8, 3\)"):
        layer.forward(np.zeros((2, 8, 3)))
    layer.forward(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"built for 3 input channels, got input of shape \(2, 8, 8, 5\)"):
        layer.forward(np.zeros((2, 8, 8, 5)))
    with pytest.raises(ValueError, match=r"kernel \(7, 7\) is larger than the padded input \(5, 5\)"):
        Conv2D(2, 7, pad="valid", name="big").forward(np.zeros((1, 5, 5, 1)))
