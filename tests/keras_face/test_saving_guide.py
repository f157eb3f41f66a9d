"""Keras's guide "Save, serialize, and export models", block by block where it uses a Sequential
model (its functional and subclassed blocks are outside what seqnet runs), under Keras 3 and under
``seqnet.keras``; files written by either library are read by both."""
import json

import numpy as np
import pytest

from tests.keras_face.conftest import copy_weights


def test_the_whole_model_saves_and_loads_with_its_compile_state(libs, tmp_path):
    """``model.save("my_model.keras")``, ``keras.models.load_model``: the same predictions, and the
    reconstructed model is compiled and trains on as the original does."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 32)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    keras, face = libs
    models = {}
    for lib in libs:
        model = lib.Sequential([lib.Input((32,)), lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.Adam(), loss="mean_squared_error")
        models[lib] = model
    copy_weights(models[keras], models[face])
    for model in models.values():
        model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    models[keras].save(tmp_path / "k.keras")
    face.saving.save_model(models[face], tmp_path / "s.keras")
    for reader in libs:
        for name in ("k.keras", "s.keras"):
            reconstructed = reader.models.load_model(tmp_path / name)
            np.testing.assert_allclose(reconstructed.predict(x, verbose=0), models[keras].predict(x, verbose=0),
                                       rtol=1e-5, atol=1e-6)
            history = reconstructed.fit(x, y, epochs=1, shuffle=False, verbose=0).history["loss"]
            np.testing.assert_allclose(history, models[keras].fit(x, y, epochs=1, shuffle=False, verbose=0)
                                       .history["loss"], rtol=1e-4)
            models[keras] = keras.models.load_model(tmp_path / "k.keras")  # undo the step just taken


def test_weights_copy_between_layers_and_models_of_one_architecture(libs):
    """``layer_2.set_weights(layer_1.get_weights())`` after ``build((None, 784))``, in and across libraries."""
    built = []
    for lib in libs:
        def create_layer():
            layer = lib.layers.Dense(64, activation="relu", name="dense_2")
            layer.build((None, 784))
            return layer
        layer_1, layer_2 = create_layer(), create_layer()
        layer_2.set_weights(layer_1.get_weights())
        for a, b in zip(layer_1.get_weights(), layer_2.get_weights()):
            np.testing.assert_array_equal(a, b)
        built.append(layer_1)
    built[1].set_weights(built[0].get_weights())  # Keras's layer into seqnet's
    built[0].set_weights(built[1].get_weights())  # and back
    assert [w.shape for w in built[1].get_weights()] == [(784, 64), (64,)]


def test_serialize_and_deserialize_one_object(libs):
    """``keras.saving.serialize_keras_object`` / ``deserialize_keras_object``, in and across libraries."""
    keras, face = libs
    for obj in ("L1", "Dense", "loss", "optimizer", "initializer", "constraint"):
        made = {lib: {"L1": lambda: lib.regularizers.L1(0.005), "Dense": lambda: lib.layers.Dense(3, activation="relu"),
                      "loss": lambda: lib.losses.SparseCategoricalCrossentropy(from_logits=True),
                      "optimizer": lambda: lib.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                      "initializer": lambda: lib.initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=3),
                      "constraint": lambda: lib.constraints.MaxNorm(3.0, axis=[0, 1])}[obj]()
                for lib in libs}
        for source in libs:
            config = source.saving.serialize_keras_object(made[source])
            assert config["class_name"] == type(made[keras]).__name__
            for target in libs:
                again = target.saving.deserialize_keras_object(config)
                mine = target.saving.serialize_keras_object(made[target])["config"]
                theirs = target.saving.serialize_keras_object(again)["config"]
                for key in set(mine) & set(theirs) - {"name"}:
                    if isinstance(mine[key], float):
                        assert theirs[key] == pytest.approx(mine[key], rel=1e-6), (obj, key)
                    else:
                        assert theirs[key] == mine[key], (obj, key)


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


@pytest.mark.parametrize("make", ["Adam", "Adam amsgrad", "SGD", "RMSprop"])
def test_keras_files_keep_the_optimizer_s_state_both_ways(libs, tmp_path, make):
    """Save after a few steps, load, train on: the same numbers as Keras, whichever library wrote the file."""
    keras, face = libs
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(64, 6)).astype("float32"), rng.integers(0, 3, 64)
    kwargs = {"Adam": dict(learning_rate=0.01), "Adam amsgrad": dict(learning_rate=0.01, amsgrad=True),
              "SGD": dict(learning_rate=0.05, momentum=0.9),
              "RMSprop": dict(learning_rate=0.01, momentum=0.5, centered=True)}[make]
    make = make.split()[0]
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


@pytest.mark.parametrize("name, kwargs", [("SGD", dict(momentum=0.8, nesterov=True)), ("Adam", dict(beta_1=0.8)),
                                          ("AdamW", dict(weight_decay=0.01)), ("RMSprop", dict(rho=0.8, centered=True)),
                                          ("Adagrad", dict(initial_accumulator_value=0.2))])
def test_optimizer_configs_are_keras_s_both_ways(libs, name, kwargs):
    """``get_config`` has Keras's keys and values; each library's ``from_config`` reads the other's."""
    keras, face = libs
    theirs = getattr(keras.optimizers, name)(learning_rate=0.05, clipnorm=1.0, **kwargs)
    ours = getattr(face.optimizers, name)(learning_rate=0.05, clipnorm=1.0, **kwargs)
    mine, their_config = ours.get_config(), theirs.get_config()
    assert sorted(mine) == sorted(their_config)
    for key in set(their_config) - {"name"}:  # Keras numbers its names within a process (sgd, sgd_1, ...)
        expected = their_config[key]
        assert mine[key] == (pytest.approx(expected, rel=1e-6) if isinstance(expected, float) else expected), key
    again = getattr(keras.optimizers, name).from_config(mine).get_config()
    assert {k: again[k] for k in kwargs} == pytest.approx({k: their_config[k] for k in kwargs})
    back = getattr(face.optimizers, name).from_config(their_config).get_config()
    assert {k: back[k] for k in kwargs} == pytest.approx({k: mine[k] for k in kwargs})


def test_a_layer_config_from_keras_keeps_its_initializers(libs):
    """Keras's serialized initializers (``HeNormal``, ``Constant``) read with Keras's scales."""
    keras, face = libs
    made = keras.layers.Dense(4, kernel_initializer="he_normal", bias_initializer=keras.initializers.Constant(0.1))
    ours = face.layers.Dense.from_config(made.get_config())
    assert ours.weight_init.get_config() == face.initializers.HeNormal().get_config()
    ours.build((None, 3))
    np.testing.assert_array_equal(ours.get_weights()[1], np.full(4, 0.1, "float32"))
    axes = {"class_name": "HeNormal", "config": {"seed": 3, "input_axes": [0], "output_axes": [1, 2]}}
    theirs = keras.initializers.get(axes)
    ours = face.initializers.get(axes)
    assert ours.get_config() == theirs.get_config()
    drawn = [np.asarray(init((64, 4, 8))) for init in (theirs, ours)]
    assert drawn[1].std() == pytest.approx(drawn[0].std(), rel=0.05)


def test_every_initializer_reaches_keras_through_a_keras_file(libs, tmp_path):
    """Each of this face's initializers, and each of seqnet's that Keras has an equal of (seqnet's
    gain-scaled He and Xavier are Keras's VarianceScaling), is written into a ``.keras`` file as
    Keras's config, which Keras reads back as the same initializer."""
    import seqnet
    from seqnet import initializers as engine
    keras, face = libs
    made = [cls(3.0) if cls is face.initializers.Constant else cls() for cls in face.initializers.CLASSES]
    made += [engine.get(name, activation="relu") for name in engine.initializers.names()]
    for init in made:
        ours = face.initializers.to_keras(init)
        assert ours is not None, init
        model = seqnet.Sequential([seqnet.layers.Dense(4, weight_init=init)])
        model.build((5,))
        model.save(tmp_path / "m.keras")
        theirs = keras.models.load_model(tmp_path / "m.keras", compile=False).layers[0].kernel_initializer
        assert type(theirs).__name__ == type(ours).__name__, init
        # (Keras's Identity leaves its gain out of its config, but reads it)
        read = {key: theirs.get_config().get(key, getattr(theirs, key, None)) for key in ours.get_config()}
        assert read == pytest.approx(ours.get_config()), init


def test_load_weights_from_a_whole_model_file_and_names_keras_refuses(libs, tmp_path):
    """``load_weights("m.keras")`` takes a whole model's weights, from either library's file; a file
    name Keras cannot save to is refused by both."""
    keras, face = libs
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    made = {lib: lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="relu"), lib.layers.Dense(2)])
            for lib in libs}
    for lib, model in made.items():
        model.save(tmp_path / f"{lib.__name__}.keras")
        with pytest.raises(ValueError, match="Invalid filepath extension"):
            model.save(tmp_path / "model.txt")
    assert not (tmp_path / "model.txt").exists()
    for source in libs:
        for target in libs:
            fresh = target.Sequential([target.Input((4,)), target.layers.Dense(5, activation="relu"),
                                       target.layers.Dense(2)])
            fresh.load_weights(tmp_path / f"{source.__name__}.keras")
            np.testing.assert_allclose(fresh.predict(x, verbose=0), made[source].predict(x, verbose=0), rtol=1e-5)
