"""Layers against PyTorch autograd in float64, plus central-difference gradient checks."""
import numpy as np
import pytest

from seqnet import layers
from seqnet.gradcheck import check_gradients
from seqnet.layers import (Activation, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, FullyConnected,
                           GlobalAvgPool2D, MaxPool2D, Pool2D)

from tests.helpers import assert_close, torch, torch_grad

TORCH_ACT = {"relu": lambda z: torch.relu(z), "tanh": lambda z: torch.tanh(z), "linear": lambda z: z,
             "sigmoid": lambda z: torch.sigmoid(z)}


@pytest.mark.parametrize("n_out, activation", [(128, "relu"), (37, "tanh"), (256, "tanh"), (5, "sigmoid")])
@pytest.mark.parametrize("batch, n_in", [(72, 61), (128, 311), (223, 61)])
def test_dense_matches_torch(n_out, activation, batch, n_in, rng):
    layer = Dense(n_out, activation=activation)
    X = rng.normal(size=(batch, n_in))
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    dX = layer.backward(dY)
    W, b = layer.parameters["W"], layer.parameters["b"]
    out, (tX, tW, tb) = torch_grad(lambda x, w, c: TORCH_ACT[activation](x @ w + c), X, W, b, upstream=dY)
    assert_close(Y, out, what="forward")
    assert_close(dX, tX, what="dX")
    assert_close(layer.gradients["W"], tW, what="dW")
    assert_close(layer.gradients["b"], tb, what="db")


def test_dense_builds_lazily_with_shapes_and_dtype():
    layer = FullyConnected(7)
    assert not layer.built and not layer.parameters
    layer.forward(np.zeros((3, 4), dtype=np.float32))
    assert layer.parameters["W"].shape == (4, 7) and layer.parameters["b"].shape == (1, 7)
    assert layer.parameters["W"].dtype == np.float32
    assert list(layer.gradients) == list(layer.parameters) == ["W", "b"]
    assert layer.count_params() == 35


@pytest.mark.parametrize("layer, shape", [
    (Dense(6, activation="relu"), (5, 4)),
    (Dense(3, activation="softmax"), (5, 4)),
    (Dense(4, activation="elu", weight_init="he_normal"), (5, 3)),
    (Dense(4, activation="tanh", use_bias=False), (5, 3)),
    (Flatten(), (3, 2, 3, 2)),
    (Activation("tanh"), (4, 5)),
    (Dropout(0.4), (6, 5)),
], ids=["dense_relu", "dense_softmax", "dense_elu", "dense_no_bias", "flatten", "activation", "dropout"])
def test_gradient_check(layer, shape, rng):
    X = rng.normal(size=shape)
    errors = check_gradients(layer, X)
    assert max(errors.values()) < 1e-6, errors


def test_dropout_is_inverted_and_uses_its_mask_in_backward(rng):
    layer = Dropout(0.25)
    X = np.ones((400, 50))
    Y = layer.forward(X)
    kept = Y != 0
    assert np.allclose(Y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    dX = layer.backward(np.ones_like(X))
    assert np.array_equal(dX, Y)  # same mask, same scale
    layer.training = False
    assert layer.forward(X) is X and layer.backward(X) is X


def test_flatten_round_trip(rng):
    X = rng.normal(size=(2, 3, 4, 5))
    layer = Flatten()
    assert np.array_equal(layer.forward(X), X.reshape(2, 60))
    assert np.array_equal(layer.backward(layer.forward(X)), X)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"`n_out`, expected a positive integer. Received: n_out=0"):
        Dense(0)
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.0)
    with pytest.raises(ValueError, match="Known activation names"):
        Dense(3, activation="relu6")
    with pytest.raises(ValueError, match="Known initializer names"):
        Dense(3, weight_init="xavier")
    layer = Dense(3, name="dense_2")
    layer.forward(np.zeros((2, 64)))
    with pytest.raises(ValueError, match=r"Dense 'dense_2' expects inputs with 64 features on the last axis, got "
                                         r"shape \(32, 10\)"):
        layer.forward(np.zeros((32, 10)))
    per_position = Dense(3)  # on more axes, Keras's Dense: the same weights at every position of the last axis
    X = np.random.default_rng(0).normal(size=(2, 4, 5))
    np.testing.assert_allclose(per_position.forward(X)[:, 1], per_position.forward(X[:, 1]))
    assert max(check_gradients(per_position, X).values()) < 1e-6


def test_config_round_trip():
    for layer in [Dense(4, activation="tanh", weight_init="he_uniform", name="d"), Flatten(name="f"),
                  Dropout(0.3, name="x"), Activation("softmax", name="s"),
                  Conv2D(3, (3, 5), activation="relu", stride=2, pad=(1, 0), engine="scipy", name="c"),
                  Pool2D(3, mode="average", stride=2, pad="same"), MaxPool2D(3), AvgPool2D(2, stride=1),
                  GlobalAvgPool2D(), BatchNorm(momentum=0.2, eps=1e-4)]:
        config = layers.layers.get({"class_name": layer.registered_name, "config": layer.get_config()}).get_config()
        assert config == layer.get_config()


def test_user_layer_registers_by_name():
    @layers.register("test_times_two")
    class TimesTwo(layers.Layer):
        def _forward(self, X):
            return 2 * X

        def _backward(self, dZ):
            return 2 * dZ

    layer = layers.get("test_times_two")
    assert isinstance(layer, TimesTwo)
    assert check_gradients(layer, np.ones((2, 3)))["X"] < 1e-8


@pytest.mark.parametrize("layer, shape", [
    (Dense(5), (7,)), (Conv2D(4, 3, stride=2), (9, 8, 3)), (Conv2D(2, (2, 3), pad="valid"), (6, 6, 1)),
    (Conv2D(3, 5, engine="spectral"), (8, 8, 2)), (Pool2D(3, stride=2, pad=1), (7, 7, 2)), (MaxPool2D(2), (8, 6, 3)),
    (AvgPool2D(2), (5, 5, 1)), (GlobalAvgPool2D(), (4, 4, 6)), (Flatten(), (3, 4, 5)), (BatchNorm(), (4, 4, 2)),
    (BatchNorm(), (6,)), (Dropout(0.5), (3, 2)), (Activation("softmax"), (4,)),
], ids=lambda v: type(v).__name__ if not isinstance(v, tuple) else str(v))
def test_compute_output_shape_is_the_shape_forward_gives(layer, shape, rng):
    predicted = layer.compute_output_shape(shape)  # before the layer is built: no forward pass needed
    layer.training = False
    assert layer.forward(rng.normal(size=(2, *shape))).shape[1:] == predicted


def test_compute_output_shape_refuses_what_the_layer_cannot_take():
    assert Dense(3).compute_output_shape((4, 4, 1)) == (4, 4, 3)  # Keras's Dense: on the last axis
    with pytest.raises(ValueError, match="larger than the padded input"):
        Conv2D(2, 5, pad="valid").compute_output_shape((3, 3, 1))


def test_a_user_layer_without_compute_output_shape_is_probed_once():
    class Twice(layers.Layer):
        def _forward(self, X):
            return np.concatenate([X, X], axis=1)

    assert Twice().compute_output_shape((3,)) == (6,)


@pytest.mark.parametrize("layer", [Conv2D(3, 3), AvgPool2D(2), MaxPool2D(2), BatchNorm(), Dense(4), Flatten()],
                         ids=lambda l: type(l).__name__)
def test_integer_images_into_a_layer_on_its_own_are_cast_to_float(layer, rng):
    images = rng.integers(0, 256, size=(2, 4, 4, 3)).astype(np.uint8)
    if isinstance(layer, Dense):
        images = images.reshape(2, -1)
    out = layer.forward(images)
    assert out.dtype == np.float64  # built from integer input: the default float dtype, no overflow
    twin = type(layer).from_config(layer.get_config())
    twin.build(images.shape[1:], dtype=np.float64)
    twin.set_weights(layer.get_weights())
    np.testing.assert_allclose(out, twin.forward(images.astype(np.float64)), rtol=1e-12)
    with pytest.raises(TypeError, match="real numeric array"):
        layer.forward(images.astype(str))


def test_use_bias_false_leaves_b_out_and_trains(rng):
    import seqnet
    from seqnet.layers import Conv2D
    model = seqnet.Sequential([Conv2D(2, 3, use_bias=False, input_shape=(5, 5, 1)), Flatten(),
                               Dense(3, use_bias=False)], seed=0)
    assert all("b" not in layer.parameters for layer in (model.layers[0], model.layers[2]))
    assert model.count_params() == 3 * 3 * 2 + 50 * 3
    X = rng.normal(size=(4, 5, 5, 1)).astype(np.float32)
    hidden = model.layers[1].forward(model.layers[0].forward(X))
    np.testing.assert_allclose(model.predict(X), hidden @ model.layers[2].parameters["W"], rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    model.fit(X, rng.normal(size=(4, 3)), epochs=1, verbose=0)
    again = seqnet.Sequential.from_config(model.get_config())
    assert again.layers[0].use_bias is False and again.layers[2].get_config()["use_bias"] is False
