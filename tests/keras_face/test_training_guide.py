"""Keras's guide "Training & evaluation with the built-in methods", block by block, under Keras 3 and
under ``seqnet.keras``: the same code, weights copied, ``shuffle=False``; History, evaluate and
predict agree to float32 rounding."""
import numpy as np
import pytest

from tests.keras_face.conftest import copy_weights

rng = np.random.default_rng(0)
x_train = rng.random((256, 784)).astype("float32")
y_train = rng.integers(0, 10, 256)
x_val, y_val = x_train[-64:], y_train[-64:]
x_test, y_test = rng.random((64, 784)).astype("float32"), rng.integers(0, 10, 64)


def get_uncompiled_model(keras):
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(784,), name="digits"),
                             layers.Dense(64, activation="relu", name="dense_1"),
                             layers.Dense(64, activation="relu", name="dense_2"),
                             layers.Dense(10, activation="softmax", name="predictions")])


def close(ours, theirs, what, rtol=1e-4):
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64),
                               rtol=rtol, atol=rtol / 10, err_msg=what)


def run_both(libs, compile_args, fit_args):
    models, results = [get_uncompiled_model(keras) for keras in libs], []
    copy_weights(models[0], models[1])
    for keras, model in zip(libs, models):
        model.compile(**compile_args(keras))
        history = model.fit(x_train, y_train, shuffle=False, verbose=0, **fit_args)
        results.append((history.history, model.evaluate(x_test, y_test, batch_size=128, verbose=0, return_dict=True),
                        model.predict(x_test[:3], verbose=0)))
    (hk, ek, pk), (hs, es, ps) = results
    assert sorted(hk) == sorted(hs)
    for key in hk:
        close_metric(hs[key], hk[key], key, len(x_train))
    assert sorted(es) == sorted(ek)
    for key in ek:
        close_metric(es[key], ek[key], f"evaluate {key}", len(x_test))
    close(ps, pk, "predict", rtol=1e-3)
    return hs


def close_metric(ours, theirs, what, examples):
    """Losses to 1e-4; an accuracy to one example. Float32 rounding differs between the two
    libraries by ~1e-7, which now and then puts a ReLU input or a near-tie on the other side of
    zero: that moves one example's share of an update (~1e-4 in the outputs after it) or flips one
    prediction, never more."""
    if "accuracy" in what:
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1.01 / examples, err_msg=what)
    else:
        close(ours, theirs, what)


def test_the_first_end_to_end_example(libs):
    history = run_both(libs, lambda keras: dict(
        optimizer=keras.optimizers.RMSprop(), loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()]),
        dict(batch_size=64, epochs=2, validation_data=(x_val, y_val)))
    assert sorted(history) == ["loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy"]


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "sgd"])
def test_string_shortcuts(libs, optimizer):
    run_both(libs, lambda keras: dict(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                                      metrics=["sparse_categorical_accuracy"]),
             dict(batch_size=64, epochs=1))


def test_sample_and_class_weights(libs):
    weights = np.random.default_rng(5).uniform(0.5, 2.0, size=len(x_train)).astype("float32")
    run_both(libs, lambda keras: dict(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                                      weighted_metrics=["accuracy"]),
             dict(batch_size=64, epochs=1, sample_weight=weights))
    run_both(libs, lambda keras: dict(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                                      metrics=["accuracy"]),
             dict(batch_size=64, epochs=1, class_weight={i: 1.0 + (i == 5) for i in range(10)}))


def test_validation_split_and_callbacks(libs):
    run_both(libs, lambda keras: dict(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                                      loss=keras.losses.SparseCategoricalCrossentropy(),
                                      metrics=[keras.metrics.SparseCategoricalAccuracy()]),
             dict(batch_size=64, epochs=3, validation_split=0.2))


def test_losses_are_callables_with_keras_s_values(libs):
    keras, face = libs
    y_pred = rng.dirichlet(np.ones(4), size=6).astype("float32")
    labels = rng.integers(0, 4, 6)
    w = rng.random(6).astype("float32")
    for name, target in [("SparseCategoricalCrossentropy", labels), ("CategoricalCrossentropy", np.eye(4)[labels]),
                         ("MeanSquaredError", np.eye(4)[labels]), ("MeanAbsoluteError", np.eye(4)[labels])]:
        for kwargs in ({}, {"reduction": "sum"}, {"reduction": "none"}):
            theirs = getattr(keras.losses, name)(**kwargs)(target, y_pred, sample_weight=w)
            ours = getattr(face.losses, name)(**kwargs)(target, y_pred, sample_weight=w)
            close(ours, theirs, f"{name} {kwargs}")
    close(face.losses.sparse_categorical_crossentropy(labels, y_pred),
          keras.losses.sparse_categorical_crossentropy(labels, y_pred), "function")
    close(face.utils.to_categorical(labels), keras.utils.to_categorical(labels), "to_categorical")


SCHEDULES = [("ExponentialDecay", (0.1, 10, 0.5), {"staircase": True}), ("ExponentialDecay", (0.1, 10, 0.5), {}),
             ("CosineDecay", (0.1, 50), {"alpha": 0.1}), ("PiecewiseConstantDecay", ([10, 20], [0.1, 0.05, 0.01]), {}),
             ("InverseTimeDecay", (0.1, 10, 0.5), {}), ("PolynomialDecay", (0.1, 30), {"power": 2.0}),
             ("PolynomialDecay", (0.1, 30), {"cycle": True})]


@pytest.mark.parametrize("name, args, kwargs", SCHEDULES)
def test_learning_rate_schedules_give_keras_s_rates(libs, name, args, kwargs):
    keras, face = libs
    theirs, ours = (getattr(lib.optimizers.schedules, name)(*args, **kwargs) for lib in libs)
    np.testing.assert_allclose([ours(t) for t in range(80)], [float(theirs(t)) for t in range(80)], rtol=1e-6)


def test_a_schedule_as_learning_rate_trains_as_in_keras(libs):
    run_both(libs, lambda keras: dict(
        optimizer=keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(
            0.1, decay_steps=2, decay_rate=0.5), momentum=0.9),
        loss="sparse_categorical_crossentropy", metrics=["accuracy"]), dict(batch_size=64, epochs=2))


def test_rmsprop_steps_its_schedule_and_reports_the_rate_as_keras_does(libs):
    """The guide's ``RMSprop(learning_rate=ExponentialDecay(...))``: the rate follows the optimizer's
    step (``initial * rate ** (step / decay_steps)``) and ``optimizer.learning_rate`` is today's rate."""
    rng = np.random.default_rng(1)
    x, y = rng.random((64, 3)).astype("float32"), rng.integers(0, 2, 64)
    seen = []
    for keras in libs:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        model.set_weights([np.array([[0.1, -0.1]] * 3, "float32"), np.zeros(2, "float32")])
        schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
        model.compile(keras.optimizers.RMSprop(learning_rate=schedule), "sparse_categorical_crossentropy")
        steps = []
        for i in range(4):
            model.fit(x[16 * i:16 * i + 16], y[16 * i:16 * i + 16], batch_size=16, shuffle=False, verbose=0)
            steps.append((float(np.asarray(model.optimizer.learning_rate)), model.get_weights()[0].copy()))
        seen.append(steps)
    for (rate_k, w_k), (rate_s, w_s) in zip(*seen):
        assert rate_s == pytest.approx(rate_k, rel=1e-6)
        np.testing.assert_allclose(w_s, w_k, rtol=1e-5, atol=1e-6)


def test_checkpoints_are_numbered_by_epoch_as_in_keras(libs, tmp_path):
    """``ModelCheckpoint(filepath="mymodel_{epoch}.keras", save_best_only=True, monitor="val_loss")``."""
    written, models = [], [get_uncompiled_model(keras) for keras in libs]
    copy_weights(models[0], models[1])
    for keras, model in zip(libs, models):
        folder = tmp_path / keras.__name__
        folder.mkdir()
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        checkpoint = keras.callbacks.ModelCheckpoint(filepath=str(folder / "mymodel_{epoch}.keras"),
                                                     save_best_only=True, monitor="val_loss", verbose=0)
        model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=[checkpoint], shuffle=False,
                  validation_split=0.2, verbose=0)
        written.append(sorted(p.name for p in folder.iterdir()))
    assert written[1] == written[0] and written[0][0] == "mymodel_1.keras"


def test_a_py_dataset_feeds_fit_evaluate_and_predict(libs):
    def dataset(keras, batch_size=64):
        class Digits(keras.utils.PyDataset):
            def __init__(self, x, y, **kwargs):
                super().__init__(**kwargs)
                self.x, self.y = x, y

            def __len__(self):
                return -(-len(self.x) // batch_size)

            def __getitem__(self, i):
                part = slice(i * batch_size, (i + 1) * batch_size)
                return self.x[part], self.y[part]
        return Digits

    models, results = [get_uncompiled_model(keras) for keras in libs], []
    copy_weights(models[0], models[1])
    for keras, model in zip(libs, models):
        Digits = dataset(keras)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(Digits(x_train, y_train), epochs=2, verbose=0, shuffle=False)
        results.append((history.history["loss"], model.evaluate(Digits(x_test, y_test), verbose=0, return_dict=True),
                        model.predict(Digits(x_test, y_test), verbose=0)))
    (hk, ek, pk), (hs, es, ps) = results
    close(hs, hk, "loss")
    assert sorted(es) == sorted(ek)
    for key in ek:
        close_metric(es[key], ek[key], f"evaluate {key}", len(x_test))
    close(ps, pk, "predict", rtol=1e-3)


@pytest.mark.parametrize("regularizers", [dict(kernel_regularizer="l2"), dict(kernel_regularizer="l1"),
                                          dict(kernel_regularizer="l1l2", bias_regularizer="l2")])
def test_regularizers_add_to_the_loss_as_in_keras(libs, regularizers):
    def model(keras):
        layers = keras.layers
        kwargs = {k: (getattr(keras.regularizers, {"l2": "L2", "l1": "L1", "l1l2": "L1L2"}[v])(0.01)
                      if v != "l1l2" else keras.regularizers.L1L2(l1=0.01, l2=0.01)) for k, v in regularizers.items()}
        return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(32, activation="relu", **kwargs),
                                 layers.Dense(10, activation="softmax")])
    models = [model(keras) for keras in libs]
    copy_weights(models[0], models[1])
    results = []
    for keras, m in zip(libs, models):
        m.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
        history = m.fit(x_train, y_train, batch_size=64, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], m.evaluate(x_test, y_test, verbose=0)))
    close(results[1][0], results[0][0], "loss")
    close(results[1][1], results[0][1], "evaluate")
    again = type(models[1].layers[0]).from_config(models[1].layers[0].get_config())
    assert sorted(again.regularizers) == sorted(models[1].layers[0].regularizers)
