"""Keras's guide "The Sequential model", block by block, under Keras 3 and under ``seqnet.keras``."""

import pytest

import numpy as np

from tests.keras_face.conftest import copy_weights


def test_creating_and_calling_a_sequential_model(libs):
    out = []
    for keras in libs:
        layers = keras.layers
        model = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                                  layers.Dense(3, activation="relu", name="layer2"), layers.Dense(4, name="layer3")])
        x = np.ones((3, 3), dtype="float32")
        y = model(x)
        out.append((model, [layer.name for layer in model.layers], tuple(y.shape)))
    (k, k_names, k_shape), (s, s_names, s_shape) = out
    assert k_names == s_names == ["layer1", "layer2", "layer3"] and k_shape == s_shape == (3, 4)
    copy_weights(k, s)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(s.predict(x, verbose=0), k.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_add_pop_and_layer_weights(libs):
    results = []
    for keras in libs:
        layers = keras.layers
        model = keras.Sequential()
        model.add(layers.Dense(2, activation="relu"))
        model.add(layers.Dense(3, activation="relu"))
        model.add(layers.Dense(4))
        model.pop()
        layer = layers.Dense(3)
        before = len(layer.weights)
        layer(np.ones((1, 4), dtype="float32"))
        results.append((len(model.layers), before, [tuple(w.shape) for w in layer.weights],
                        [w.shape for w in layer.get_weights()], tuple(layer.kernel.shape), tuple(layer.bias.shape)))
    assert results[0] == results[1] == (2, 0, [(4, 3), (3,)], [(4, 3), (3,)], (4, 3), (3,))


def test_input_summary_build_and_counts(libs):
    results = []
    for keras in libs:
        layers = keras.layers
        model = keras.Sequential()
        model.add(keras.Input(shape=(4,)))
        model.add(layers.Dense(2, activation="relu"))
        lines = []
        model.summary(print_fn=lambda line, *a, **k: lines.append(line))
        late = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3)])
        late.build((None, 4))
        results.append((model.count_params(), late.count_params(), "Total params" in "\n".join(lines)))
    assert results[0] == results[1] == (10, 19, True)


def test_the_mnist_convnet_has_keras_s_parameters(libs):
    counts = []
    for keras in libs:
        layers = keras.layers
        model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                                  layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                                  layers.MaxPooling2D(pool_size=(2, 2)),
                                  layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                                  layers.MaxPooling2D(pool_size=(2, 2)), layers.Flatten(), layers.Dropout(0.5),
                                  layers.Dense(10, activation="softmax")])
        counts.append((model.count_params(), [tuple(w.shape) for w in model.get_weights()]))
    assert counts[0] == counts[1] and counts[0][0] == 34826


def test_transfer_learning_freezes_layers(libs):
    results = []
    for keras in libs:
        layers = keras.layers
        model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(32, activation="relu"),
                                  layers.Dense(32, activation="relu"), layers.Dense(10)])
        for layer in model.layers[:-1]:
            layer.trainable = False
        results.append((len(model.trainable_weights), len(model.non_trainable_weights)))
    assert results[0] == results[1] == (2, 4)


def test_a_model_of_another_model_s_built_layers_predicts_at_once(libs):
    """The guide's transfer learning: ``Sequential(base.layers[:-1] + [Dense(...)])`` on a trained base."""
    x = np.random.default_rng(3).random((4, 784)).astype("float32")
    outputs = []
    for keras in libs:
        base = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(32, activation="relu"),
                                 keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)])
        base.set_weights([np.full(w.shape, 0.01 * (i + 1), "float32") for i, w in enumerate(base.get_weights())])
        head = keras.layers.Dense(5)
        model = keras.Sequential(base.layers[:-1] + [head])
        head.build((None, 32))
        head.set_weights([np.full((32, 5), 0.02, "float32"), np.zeros(5, "float32")])
        outputs.append(model.predict(x, verbose=0))
        assert model.layers[0] is base.layers[0]  # the same layer objects, weights shared
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5)


def test_layer_configs_round_trip_with_keras_s_keys(libs):
    keras, face = libs
    for conv in (keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="c"),
                 face.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="c")):
        config = conv.get_config()
        assert {k: config[k] for k in ("filters", "kernel_size", "strides", "padding", "activation", "use_bias")} == {
            "filters": 8, "kernel_size": (3, 3), "strides": (2, 2), "padding": "same", "activation": "relu",
            "use_bias": True}
    dense = face.layers.Dense(4, activation="relu", name="d")
    again = face.layers.Dense.from_config(dense.get_config())
    assert again.get_config() == dense.get_config() and again.units == 4


def test_ops_are_keras_s_functions_on_arrays(libs):
    keras, face = libs
    x = np.random.default_rng(2).normal(size=(3, 4)).astype("float32")
    for name in ("softmax", "relu", "sigmoid", "mean", "sum", "exp", "square", "sqrt", "argmax", "transpose"):
        arg = np.abs(x) if name == "sqrt" else x
        np.testing.assert_allclose(getattr(face.ops, name)(arg), keras.ops.convert_to_numpy(getattr(keras.ops, name)(arg)),
                                   rtol=1e-6, atol=1e-7, err_msg=name)
    np.testing.assert_array_equal(face.ops.one_hot(np.array([0, 2]), 3),
                                  keras.ops.convert_to_numpy(keras.ops.one_hot(np.array([0, 2]), 3)))
    assert face.ops.convert_to_numpy(face.ops.ones((2, 3))).shape == (2, 3)


def test_functional_and_subclassed_models_are_refused_with_what_to_do(libs):
    import pytest
    _, face = libs
    with pytest.raises(TypeError, match="seqnet runs Sequential models.*keras.Sequential"):
        face.Model(inputs=None, outputs=None)
    with pytest.raises(TypeError, match="class MyModel\\(keras.Model\\): seqnet runs Sequential models"):
        class MyModel(face.Model):
            pass


def test_preprocessing_layers_compute_what_keras_s_do(libs):
    keras, face = libs
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, (6, 5, 4, 3)).astype("float32")
    outs = []
    for lib in libs:
        norm = lib.layers.Normalization()
        norm.adapt(images)
        model = lib.Sequential([lib.Input((5, 4, 3)), lib.layers.Rescaling(1 / 255, offset=-0.5),
                                lib.layers.RandomFlip("horizontal"), norm, lib.layers.Flatten(),
                                lib.layers.Dense(2)])
        outs.append((model, [np.asarray(w) for w in norm.get_weights()], [type(l).__name__ for l in model.layers]))
    (k, kw, kn), (s, sw, sn) = outs
    assert kn == sn and len(sw) == len(kw) == 3  # mean, variance, count (which Keras 3 leaves at 0)
    for a, b in zip(sw[:2], kw[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    copy_weights(k, s)  # the Dense weights (and the same statistics)
    np.testing.assert_allclose(s.predict(images), k.predict(images, verbose=0), rtol=1e-4, atol=1e-5)


def test_random_flip_flips_in_training_only_and_its_gradient_is_exact(libs):
    from seqnet.gradcheck import check_gradients
    from seqnet.layers import RandomFlip
    _, face = libs
    flip = RandomFlip()
    x = np.random.default_rng(5).normal(size=(16, 4, 5, 2))
    flip.build(x.shape[1:], rng=np.random.default_rng(0), dtype=np.float64)
    flip.training = False
    assert np.array_equal(flip.forward(x), x)
    flip.training = True
    y = flip.forward(x)
    seen = {(np.array_equal(a, b[::-1, ::-1]), np.array_equal(a, b[:, ::-1]), np.array_equal(a, b[::-1]),
             np.array_equal(a, b)) for a, b in zip(y, x)}
    assert len(seen) > 1  # some images flipped, some not
    dY = np.random.default_rng(6).normal(size=y.shape)
    dX = flip.backward(dY)
    assert np.sum(dY * y) == pytest.approx(np.sum(dX * x))  # the adjoint of the same flips


def test_rescaling_and_normalization_pass_numerical_gradient_checks():
    from seqnet.gradcheck import check_gradients
    from seqnet.layers import Normalization, Rescaling
    x = np.random.default_rng(7).normal(size=(5, 4, 3))
    norm = Normalization()
    norm.adapt(x * 3 + 1)
    for layer in (Rescaling(0.5, offset=0.2), norm, Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25],
                                                                  invert=True)):
        errors = check_gradients(layer, x)
        assert max(errors.values()) < 1e-7, (type(layer).__name__, errors)


def test_summary_prints_what_keras_prints(libs):
    texts = []
    for keras in libs:
        layers = keras.layers
        built = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, activation="relu", name="conv"),
                                  layers.MaxPooling2D(2, name="pool"), layers.BatchNormalization(name="a_long_norm_name"),
                                  layers.Flatten(name="flat"), layers.Dense(10, name="head")], name="demo")
        unbuilt = keras.Sequential([layers.Dense(4, name="d")], name="later")
        trained = []  # after training, Keras adds the optimizer's numbers ("Optimizer params")
        for optimizer in ("adam", keras.optimizers.SGD(momentum=0.9), keras.optimizers.RMSprop(
                learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))):
            model = keras.Sequential([keras.Input((4,)), layers.Dense(6, name="d"), layers.BatchNormalization(name="n"),
                                      layers.Dense(3, activation="softmax", name="out")], name="trained")
            model.compile(optimizer, "sparse_categorical_crossentropy")
            model.fit(np.ones((4, 4), "float32"), np.arange(4) % 3, verbose=0)
            trained.append(model)
        lines = []
        for model in (built, unbuilt, *trained):
            model.summary(print_fn=lambda text, *args, **kwargs: lines.append(text))
        texts.append(lines)
    assert texts[1] == texts[0]


@pytest.mark.parametrize("name", ["GlorotNormal", "HeNormal", "GlorotUniform", "HeUniform", "LecunNormal",
                                  "LecunUniform", "TruncatedNormal"])
def test_initializers_draw_from_keras_s_distributions(libs, name):
    keras, face = libs
    shape = (400, 300)
    ours = face.initializers.get(name[0].lower() + "".join("_" + c.lower() if c.isupper() else c
                                                            for c in name[1:]))(shape, rng=np.random.default_rng(0))
    theirs = np.asarray(getattr(keras.initializers, name)(seed=0)(shape))
    assert ours.std() == pytest.approx(theirs.std(), rel=0.01)
    # cut at the same place (Keras's torch backend lets about one draw in 250,000 through uncut)
    assert np.quantile(np.abs(ours), 0.999) == pytest.approx(np.quantile(np.abs(theirs), 0.999), rel=0.01)


def test_every_keras_activation_name_computes_as_in_keras(libs):
    """Each activation name the face maps (``keras._naming.ACTIVATIONS``), in a Dense and as an
    ``Activation`` layer, gives Keras's numbers (Keras's ``"leaky_relu"`` has slope 0.2)."""
    from seqnet.keras._naming import ACTIVATIONS
    x = np.random.default_rng(5).normal(size=(6, 4)).astype("float32")
    for name in ACTIVATIONS:
        outputs = []
        for keras in libs:
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation=name),
                                      keras.layers.Activation(name)])
            model.set_weights([np.eye(4, dtype="float32"), np.full(4, 0.1, "float32")])
            outputs.append(model.predict(x, verbose=0))
        np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-6, err_msg=name)


def test_a_sequential_as_a_block_of_another_trains_as_in_keras(libs):
    """Keras's pattern of a model as a block (an augmentation or a frozen base): the outer model
    trains the same, and freezing the inner model freezes its layers in the outer one."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    pairs = []
    for lib in libs:
        inner = lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="relu")])
        outer = lib.Sequential([inner, lib.layers.Dense(2)])
        inner.trainable = False
        outer.compile(lib.optimizers.SGD(0.1), "mse")
        pairs.append((inner, outer))
    (k_inner, k_outer), (inner, outer) = pairs
    outer.set_weights(k_outer.get_weights())
    frozen = [np.array(w) for w in inner.get_weights()]
    assert len(outer.trainable_weights) == len(k_outer.trainable_weights) == 2
    for _, model in pairs:
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for theirs, ours in zip(k_outer.get_weights(), outer.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    for before, after in zip(frozen, inner.get_weights()):
        np.testing.assert_array_equal(before, after)
