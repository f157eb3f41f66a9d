"""Keras's guide "The Sequential model", block by block, under Keras 3 and under ``seqnet.keras``."""
import json

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


def test_save_load_and_json(libs, tmp_path):
    keras, face = libs
    k = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    s = face.Sequential([face.Input((6,)), face.layers.Dense(5, activation="relu"),
                         face.layers.Dense(3, activation="softmax")])
    copy_weights(k, s)
    x = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    s.save(tmp_path / "s.keras")
    from_keras = keras.models.load_model(tmp_path / "s.keras")  # Keras opens seqnet's file
    np.testing.assert_allclose(from_keras.predict(x, verbose=0), k.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    k.save(tmp_path / "k.keras")
    loaded = face.models.load_model(tmp_path / "k.keras")
    assert isinstance(loaded, face.Sequential)
    np.testing.assert_allclose(loaded.predict(x), k.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    rebuilt = face.models.model_from_json(s.to_json())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Dense", "Dense"]
    assert rebuilt.count_params() == s.count_params() == k.count_params()
    assert json.loads(s.to_json())["class_name"] == "Sequential"
    clone = face.models.clone_model(s)
    assert clone.count_params() == s.count_params() and not np.array_equal(clone.get_weights()[0], s.get_weights()[0])


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


@pytest.mark.parametrize("make", ["Adam", "SGD", "RMSprop"])
def test_keras_files_keep_the_optimizer_s_state_both_ways(libs, tmp_path, make):
    """Save after a few steps, load, train on: the same numbers as Keras, whichever library wrote the file."""
    keras, face = libs
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(64, 6)).astype("float32"), rng.integers(0, 3, 64)
    kwargs = {"Adam": dict(learning_rate=0.01), "SGD": dict(learning_rate=0.05, momentum=0.9),
              "RMSprop": dict(learning_rate=0.01, momentum=0.5, centered=True)}[make]
    models = [lib.Sequential([lib.Input((6,)), lib.layers.Dense(8, activation="relu"),
                              lib.layers.Dense(3, activation="softmax")]) for lib in libs]
    copy_weights(models[0], models[1])
    for lib, m in zip(libs, models):
        m.compile(getattr(lib.optimizers, make)(**kwargs), "sparse_categorical_crossentropy")
        m.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    models[0].save(tmp_path / "k.keras")
    models[1].save(tmp_path / "s.keras")
    resumed = {"keras": keras.models.load_model(tmp_path / "k.keras"),
               "seqnet from keras's file": face.models.load_model(tmp_path / "k.keras"),
               "keras from seqnet's file": keras.models.load_model(tmp_path / "s.keras"),
               "seqnet from its file": face.models.load_model(tmp_path / "s.keras")}
    assert int(resumed["seqnet from keras's file"].optimizer.iterations) == 4
    losses = {name: m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
              for name, m in resumed.items()}
    for name, values in losses.items():
        np.testing.assert_allclose(values, losses["keras"], rtol=1e-5, err_msg=name)


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
        lines = []
        for model in (built, unbuilt):
            model.summary(print_fn=lambda text, *args, **kwargs: lines.append(text))
        texts.append(lines)
    assert texts[1] == texts[0]


def test_weights_files_move_both_ways_in_keras_s_layout(libs, tmp_path):
    keras, face = libs
    models = [lib.Sequential([lib.Input((8, 8, 1)), lib.layers.Conv2D(4, 3, activation="relu"),
                              lib.layers.BatchNormalization(), lib.layers.Flatten(), lib.layers.Dense(3)])
              for lib in libs]
    x = np.random.default_rng(8).normal(size=(5, 8, 8, 1)).astype("float32")
    models[0].save_weights(tmp_path / "k.weights.h5")
    models[1].load_weights(tmp_path / "k.weights.h5")  # seqnet reads Keras's file
    np.testing.assert_allclose(models[1].predict(x), models[0].predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    fresh = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(), keras.layers.Dense(3)])
    models[1].save_weights(tmp_path / "s.weights.h5")
    fresh.load_weights(tmp_path / "s.weights.h5")  # Keras reads seqnet's
    np.testing.assert_allclose(fresh.predict(x, verbose=0), models[0].predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="weights alone"):
        face.models.load_model(tmp_path / "s.weights.h5")


def test_get_config_and_from_config_cross_the_libraries(libs):
    keras, face = libs
    built = [lib.Sequential([lib.Input((32,)), lib.layers.Dense(4, activation="relu"), lib.layers.Dense(1)])
             for lib in libs]
    for source in built:
        for lib in libs:
            again = lib.Sequential.from_config(source.get_config())
            assert [type(layer).__name__ for layer in again.layers] == ["Dense", "Dense"]
            assert again.count_params() == 32 * 4 + 4 + 4 + 1
    unbuilt = face.Sequential([face.layers.Dense(3)])
    assert face.Sequential.from_config(unbuilt.get_config()).layers[0].units == 3
