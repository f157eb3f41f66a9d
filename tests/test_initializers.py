import numpy as np
import pytest

from seqnet import initializers
from seqnet.initializers import fans, gain_for

NAMES = initializers.initializers.names()


@pytest.mark.parametrize("name", NAMES)
def test_shape_dtype_and_reproducible(name):
    """Every registered initializer: the shape and dtype asked for, a fresh writable array, the same
    draws from the same generator, and the same config after a round trip."""
    init = initializers.get(name)
    a = init((40, 30), np.random.default_rng(0), np.float32)
    b = init((40, 30), rng=np.random.default_rng(0), dtype=np.float32)
    assert a.shape == (40, 30) and a.dtype == np.float32 and a.flags.writeable and a.flags.owndata
    assert np.array_equal(a, b)
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()


@pytest.mark.parametrize("scale, mode, distribution", [(2.0, "fan_in", "uniform"), (1.0, "fan_out", "truncated_normal"),
                                                       (3.0, "fan_avg", "untruncated_normal")])
def test_variance_scaling_has_the_variance_it_is_named_for(scale, mode, distribution):
    W = initializers.VarianceScaling(scale, mode, distribution)((3, 3, 64, 128), np.random.default_rng(0))
    n = {"fan_in": 9 * 64, "fan_out": 9 * 128, "fan_avg": 9 * 96}[mode]
    assert W.std() == pytest.approx(np.sqrt(scale / n), rel=0.02)
    if distribution == "truncated_normal":
        assert np.abs(W).max() <= 2 * np.sqrt(scale / n) / initializers.TRUNCATED_STD


@pytest.mark.parametrize("shape", [(5, 5), (8, 3), (3, 8), (3, 3, 4, 6)])
def test_orthogonal_columns_or_rows_are_orthonormal_times_the_gain(shape):
    W = initializers.Orthogonal(gain=2.0)(shape, np.random.default_rng(0)).reshape(-1, shape[-1])
    small = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    np.testing.assert_allclose(small, 4.0 * np.eye(len(small)), atol=1e-12)


def test_truncated_normal_and_constant_arrays():
    W = initializers.TruncatedNormal(mean=1.0, std=0.5)((200, 300), np.random.default_rng(0))
    assert W.min() >= 0.0 and W.max() <= 2.0 and W.mean() == pytest.approx(1.0, abs=0.01)
    value = np.arange(3.0)
    init = initializers.Constant(value)
    np.testing.assert_array_equal(init((2, 3)), np.tile(value, (2, 1)))
    assert init.get_config() == {"value": [0.0, 1.0, 2.0]}


def test_fans_of_dense_and_conv_weights():
    assert fans((30, 20)) == (30, 20)
    assert fans((3, 5, 4, 8)) == (60, 120)
    assert fans((7,)) == (7, 7) and fans(()) == (1, 1)
    assert fans((512, 8, 64), input_axes=[0, 1], output_axes=[2]) == (4096, 64)


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
