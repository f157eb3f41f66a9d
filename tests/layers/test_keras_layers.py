"""Keras's layer names compute what Keras computes (compared with Keras 3 itself, on the torch
backend, where it is installed) and have the right gradients."""
import os

import numpy as np
import pytest

from seqnet.gradcheck import check_gradients
from seqnet.layers import (ELU, BatchNormalization, Dense, GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPooling2D,
                           LeakyReLU, ReLU, Reshape, Softmax, ZeroPadding2D, layers)

os.environ.setdefault("KERAS_BACKEND", "torch")
# Keras computes some of these in float32 even for float64 layers: its values are compared at
# float32's precision; seqnet's own are held to hand formulas and gradient checks in float64
KERAS_RTOL = 1e-5


def keras_layers():
    keras = pytest.importorskip("keras", exc_type=ImportError)
    return keras.layers


CASES = [  # (seqnet layer, the Keras layer's name and arguments, one example's shape)
    (lambda: ZeroPadding2D(((1, 0), (2, 1))), ("ZeroPadding2D", dict(padding=((1, 0), (2, 1)))), (4, 5, 2)),
    (lambda: Reshape((-1, 3)), ("Reshape", dict(target_shape=(-1, 3))), (4, 3, 2)),
    (lambda: GlobalMaxPooling2D(), ("GlobalMaxPooling2D", {}), (4, 5, 3)),
    (lambda: GlobalAveragePooling2D(), ("GlobalAveragePooling2D", {}), (4, 5, 3)),
    (lambda: ReLU(), ("ReLU", {}), (7,)),
    (lambda: LeakyReLU(), ("LeakyReLU", {}), (7,)),  # Keras's default slope, 0.3
    (lambda: ELU(0.7), ("ELU", dict(alpha=0.7)), (7,)),
    (lambda: Softmax(), ("Softmax", {}), (7,)),
]


@pytest.mark.parametrize("make, keras_spec, shape", CASES, ids=[c[1][0] for c in CASES])
def test_keras_named_layers_match_keras_and_pass_a_gradient_check(make, keras_spec, shape, rng):
    X = rng.normal(size=(3, *shape))
    layer = make()
    ours = layer.forward(X)
    assert ours.shape[1:] == layer.compute_output_shape(shape)
    assert check_gradients(make(), X)["X"] < 1e-6
    name, kwargs = keras_spec
    theirs = getattr(keras_layers(), name)(dtype="float64", **kwargs)(X)
    theirs = np.asarray(theirs.detach() if hasattr(theirs, "detach") else theirs)
    np.testing.assert_allclose(ours, theirs, rtol=KERAS_RTOL, atol=KERAS_RTOL)


@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False)])
def test_batch_normalization_has_keras_momentum_epsilon_center_and_scale(center, scale, rng):
    X = rng.normal(2.0, 3.0, size=(16, 4, 4, 3))
    ours = BatchNormalization(momentum=0.9, center=center, scale=scale)
    ours.build(X.shape[1:], dtype=np.float64)
    assert sorted(ours.parameters) == sorted(k for k, on in (("gamma", scale), ("beta", center)) if on)
    ours.training = True
    Z = ours.forward(X)
    mean, var = X.mean(axis=(0, 1, 2)), X.var(axis=(0, 1, 2))  # Keras: the biased batch variance
    np.testing.assert_allclose(ours.buffers["running_mean"], 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(ours.buffers["running_var"], 0.9 + 0.1 * var, rtol=1e-12)
    np.testing.assert_allclose(Z, (X - mean) / np.sqrt(var + 1e-3), rtol=1e-10, atol=1e-12)
    assert check_gradients(BatchNormalization(center=center, scale=scale), X[:6, :2, :2])["X"] < 1e-6
    keras = keras_layers().BatchNormalization(momentum=0.9, center=center, scale=scale, dtype="float64")
    out = keras(X, training=True)
    np.testing.assert_allclose(Z, np.asarray(out.detach()), rtol=KERAS_RTOL, atol=KERAS_RTOL)
    for ours_stat, theirs_stat in ((ours.buffers["running_mean"], keras.moving_mean), (ours.buffers["running_var"],
                                                                                      keras.moving_variance)):
        np.testing.assert_allclose(ours_stat, np.asarray(theirs_stat.value.detach()), rtol=KERAS_RTOL, atol=KERAS_RTOL)


def test_keras_spellings_and_names():
    assert Dense(units=4).n_out == 4 and Dense(units=4).get_config() == Dense(4).get_config()
    with pytest.raises(TypeError, match="as n_out .* or units"):
        Dense(3, units=4)
    assert GlobalAveragePooling2D is GlobalAvgPool2D
    for name in ["re_lu", "softmax", "leaky_re_lu", "elu", "reshape", "zero_padding2d", "global_max_pooling2d",
                 "global_average_pooling2d", "batch_normalization"]:
        layers.lookup(name)
    with pytest.raises(ValueError, match="over one axis"):
        Softmax(axis=(1, 2))
    X = np.random.default_rng(0).normal(size=(2, 3, 4))
    np.testing.assert_allclose(Softmax(axis=1)(X), np.exp(X) / np.exp(X).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("size, kernel, strides", [(8, 2, 1), (8, 3, 2), (7, 3, 2), (9, 4, 3)])
def test_conv2d_with_keras_same_padding_matches_keras_and_torch(size, kernel, strides, rng):
    from seqnet.layers import Conv2D
    from seqnet.ops.conv import keras_same_padding
    from tests.layers.test_conv import check_against_torch
    layer = Conv2D(filters=3, kernel_size=kernel, strides=strides, padding="same")
    X = rng.normal(size=(2, size, size + 1, 2))
    out_rows = -(-size // strides)
    assert layer.compute_output_shape(X.shape[1:])[:2] == (out_rows, -(-(size + 1) // strides))
    assert layer.pads(X.shape[1:])[0] == keras_same_padding(size, kernel, strides)
    check_against_torch(layer, X, rng)  # forward, dX, dW and db against torch on the padded input
    keras = keras_layers().Conv2D(3, kernel, strides=strides, padding="same", dtype="float64")
    keras.build((None, *X.shape[1:]))
    keras.set_weights([layer.parameters["W"], layer.parameters["b"][0]])
    np.testing.assert_allclose(layer.forward(X), np.asarray(keras(X).detach()), rtol=KERAS_RTOL, atol=KERAS_RTOL)


@pytest.mark.parametrize("name", ["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize("size, pool, strides, padding", [(8, 3, 2, "same"), (7, 3, 2, "same"), (7, 2, None, "same"),
                                                          (7, 2, None, "valid"), (6, 3, 1, "same")])
def test_keras_pooling_matches_keras_and_a_loop(name, size, pool, strides, padding, rng):
    import seqnet.layers as L
    layer = getattr(L, name)(pool_size=pool, strides=strides, padding=padding)
    X = rng.normal(size=(2, size, size, 3))
    Y = layer.forward(X)
    (t, b), (l, r) = layer.pads(X.shape[1:])
    s = pool if strides is None else strides
    for i in range(Y.shape[1]):  # each window, over the entries inside the image (Keras's rule for both)
        for j in range(Y.shape[2]):
            rows = slice(max(i * s - t, 0), min(i * s - t + pool, size))
            cols = slice(max(j * s - l, 0), min(j * s - l + pool, size))
            window = X[:, rows, cols, :].reshape(2, -1, 3)
            want = window.max(axis=1) if name == "MaxPooling2D" else window.mean(axis=1)
            np.testing.assert_allclose(Y[:, i, j], want, rtol=1e-12)
    assert check_gradients(getattr(L, name)(pool_size=pool, strides=strides, padding=padding), X)["X"] < 1e-6
    if name == "AveragePooling2D" and (t, l) != (b, r):
        return  # Keras's torch backend pads the uneven extra itself and counts it: its TensorFlow rule is the loop's
    theirs = getattr(keras_layers(), name)(pool_size=pool, strides=strides, padding=padding, dtype="float64")(X)
    np.testing.assert_allclose(Y, np.asarray(theirs.detach()), rtol=KERAS_RTOL, atol=KERAS_RTOL)


def test_keras_padding_round_trips_and_crosses_to_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    from lightning_models import to_torch
    from seqnet import Sequential
    from seqnet.layers import Conv2D, Flatten, MaxPooling2D
    model = Sequential([Conv2D(filters=4, kernel_size=2, strides=2, padding="same", activation="relu"),
                        MaxPooling2D(3, strides=2, padding="same"), Flatten(), Dense(3)], seed=0, dtype="float64")
    model.build((9, 8, 2))
    again = Sequential.from_config(model.get_config())
    assert again.layers[0].padding == "same" and again.layers[0].pad is None and again.output_shapes == model.output_shapes
    X = rng.normal(size=(4, 9, 8, 2))
    out = to_torch(model)(torch.from_numpy(X.transpose(0, 3, 1, 2).copy())).detach().numpy()
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-10)
    with pytest.raises(TypeError, match="not both"):
        Conv2D(2, 3, pad=1, padding="same")
    with pytest.raises(ValueError, match="Keras's meanings"):
        Conv2D(2, 3, padding="full")
