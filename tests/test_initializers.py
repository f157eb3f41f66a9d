import numpy as np
import pytest

from seqnet import initializers
from seqnet.initializers import fans, gain_for

NAMES = ["zeros", "ones", "constant", "identity", "uniform", "normal", "he_uniform", "he_normal",
         "xavier_uniform", "xavier_normal"]


@pytest.mark.parametrize("name", NAMES)
def test_shape_dtype_and_reproducible(name):
    init = initializers.get(name)
    a = init((40, 30), np.random.default_rng(0), np.float32)
    b = init((40, 30), np.random.default_rng(0), np.float32)
    assert a.shape == (40, 30) and a.dtype == np.float32
    assert np.array_equal(a, b)


def test_fans_of_dense_and_conv_weights():
    assert fans((30, 20)) == (30, 20)
    assert fans((3, 5, 4, 8)) == (60, 120)


@pytest.mark.parametrize("activation, gain", [("relu", np.sqrt(2)), ("tanh", 5 / 3), ("sigmoid", 1.0), (None, 1.0)])
def test_assignment_gains(activation, gain):
    assert gain_for(activation) == pytest.approx(gain)
    W = initializers.get("xavier_uniform", activation=activation)((300, 200), np.random.default_rng(0))
    bound = gain * np.sqrt(6 / 500)
    assert W.max() <= bound and W.min() >= -bound and W.max() > 0.95 * bound


@pytest.mark.parametrize("name, std", [
    ("he_normal", np.sqrt(2) / np.sqrt(3 * 3 * 64)),
    ("xavier_normal", np.sqrt(2) * np.sqrt(2 / (9 * 64 + 9 * 128))),
    ("he_uniform", np.sqrt(2) * np.sqrt(3 / (9 * 64)) / np.sqrt(3)),
])
def test_scaled_standard_deviations(name, std):
    W = initializers.get(name, activation="relu")((3, 3, 64, 128), np.random.default_rng(0))
    assert W.std() == pytest.approx(std, rel=0.02)
    assert abs(W.mean()) < 0.05 * std


def test_constant_identity_and_errors():
    rng = np.random.default_rng(0)
    assert np.all(initializers.get({"class_name": "constant", "config": {"value": 2.5}})((2, 2), rng) == 2.5)
    assert np.array_equal(initializers.get("identity")((2, 3), rng), np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D"):
        initializers.get("identity")((2, 2, 2), rng)
    with pytest.raises(ValueError, match="Known initializer names: .*xavier_uniform"):
        initializers.get("xavier")


@pytest.mark.parametrize("init", [initializers.Uniform(seed=3), initializers.Normal(seed=3),
                                  initializers.HeUniform(seed=3), initializers.XavierNormal(truncated=True, seed=3)],
                         ids=lambda i: type(i).__name__)
def test_a_seeded_initializer_draws_the_same_array_every_time(init):
    draws = [init((4, 5), np.random.default_rng(k), np.float32) for k in range(2)]
    np.testing.assert_array_equal(draws[0], draws[1])
    again = type(init).from_config(init.get_config())
    np.testing.assert_array_equal(again((4, 5), np.random.default_rng(9), np.float32), draws[0])
    unseeded = type(init)(**{k: v for k, v in init.get_config().items() if k != "seed"})
    assert not np.array_equal(unseeded((4, 5), np.random.default_rng(0), np.float32),
                              unseeded((4, 5), np.random.default_rng(1), np.float32))


def test_keras_face_initializers_honour_their_seed():
    import seqnet.keras as keras
    for make in (keras.initializers.GlorotUniform, keras.initializers.HeNormal, keras.initializers.RandomNormal):
        a = keras.layers.Dense(3, kernel_initializer=make(seed=7))
        b = keras.layers.Dense(3, kernel_initializer=make(seed=7))
        a.build((None, 4))
        b.build((None, 4))
        np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])
