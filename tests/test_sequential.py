import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import seqnet
from seqnet import Sequential
from seqnet.callbacks import Callback, EarlyStopping
from seqnet.datasets import load_iris, standardize
from seqnet.layers import Dense, Dropout
from seqnet.optimizers import SGD

ROOT = Path(__file__).resolve().parents[1]


def iris_model(seed=0, hidden=15, dropout=0.0):
    layers = [Dense(hidden, activation="relu")]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(3, activation="softmax"))
    model = Sequential(layers, seed=seed)
    model.compile(optimizer=SGD(lr=0.05, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def iris():
    (X, y), (Xt, yt) = load_iris()
    X, Xt = standardize(X, Xt)
    return X, y, Xt, yt


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_iris_end_to_end(iris, seed):
    X, y, Xt, yt = iris
    model = iris_model(seed)
    history = model.fit(X, y, batch_size=25, epochs=100, validation_split=0.1, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 100 and history.epoch == list(range(100))
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    result = model.evaluate(Xt, yt, return_dict=True)
    assert result["accuracy"] >= 0.93
    probs = model.predict(Xt)
    assert probs.shape == (30, 3) and probs.dtype == np.float32
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_one_hot_and_int_labels_train_identically(iris):
    X, y, _, _ = iris
    a, b = iris_model(3), iris_model(3)
    a.fit(X, y, epochs=3, verbose=0)
    b.fit(X, np.eye(3)[y], epochs=3, verbose=0)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_same_seed_gives_bit_identical_weights(iris):
    X, y, _, _ = iris
    runs = []
    for seed in (7, 7, 8):
        model = iris_model(seed, dropout=0.2)
        model.fit(X, y, batch_size=16, epochs=5, validation_split=0.2, verbose=0)
        runs.append(model.get_weights())
    assert all(np.array_equal(u, v) for u, v in zip(runs[0], runs[1]))
    assert not all(np.array_equal(u, v) for u, v in zip(runs[0], runs[2]))


def test_float64_models_and_validation_data(iris):
    X, y, Xt, yt = iris
    model = Sequential([Dense(8, activation="tanh"), Dense(3, activation="softmax")], seed=0, dtype="float64")
    model.compile("adam", "cross_entropy", ["accuracy"])
    history = model.fit(X, y, epochs=2, validation_data=(Xt, yt), verbose=0)
    assert model.layers[0].parameters["W"].dtype == np.float64
    assert len(history.history["val_accuracy"]) == 2


def test_l2_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Sequential([Dense(1)], seed=0)
    model.compile(SGD(lr=0.1), "l2")
    model.fit(X, y, epochs=30, verbose=0)
    assert model.evaluate(X, y) < 1e-4


def test_summary_table(iris):
    model = iris_model()
    model.build((4,))
    out = []
    text = model.summary(print_fn=out.append)
    assert out == [text]
    assert "dense (Dense)" in text and "(None, 15)" in text and "dense_1 (Dense)" in text
    assert "Total params: 123" in text and "Trainable params: 123" in text


def test_get_set_weights_and_config_round_trip(iris):
    X, y, Xt, _ = iris
    model = iris_model(dropout=0.1)
    model.fit(X, y, epochs=2, verbose=0)
    clone = Sequential.from_config(model.get_config())
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    assert np.array_equal(clone.predict(Xt), model.predict(Xt))
    with pytest.raises(ValueError, match="weight arrays"):
        clone.set_weights(model.get_weights()[:-1])
    with pytest.raises(ValueError, match="shape"):
        clone.set_weights([w.T for w in model.get_weights()])


def test_progress_output(iris, capsys):
    X, y, _, _ = iris
    iris_model().fit(X, y, epochs=3, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/3") and "loss:" in lines[0]
    iris_model().fit(X, y, epochs=3, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_on_a_terminal(iris):
    from seqnet.callbacks import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    X, y, _, _ = iris
    stream = Terminal()
    model = iris_model()
    model.compile(SGD(lr=0.05), "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=1, verbose=0, validation_split=0.2,
              callbacks=[ProgressBar(1, epochs=1, steps=4, stream=stream)])
    text = stream.getvalue()
    assert "batch" in text and "\r" in text  # the bar ran while the epoch did
    assert "accuracy=" not in text  # the bar carries the running loss alone: it fits 80 columns
    last = text.replace("\r", "\n").strip().splitlines()[-1]  # then the epoch's full line, on its own
    assert last.startswith("Epoch 1/1 - ") and "val_loss" in last and "val_accuracy" in last


def test_no_bar_when_the_output_is_not_a_terminal(iris):
    from seqnet.callbacks import ProgressBar
    X, y, _, _ = iris
    stream = io.StringIO()
    model = iris_model()
    model.compile(SGD(lr=0.05), "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=2, verbose=0, validation_split=0.2,
              callbacks=[ProgressBar(1, epochs=2, steps=4, stream=stream)])
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and len(lines) == 2 and all("val_accuracy" in l for l in lines)


def test_callback_hooks_and_early_stopping(iris):
    X, y, _, _ = iris
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            calls.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(epoch)

        def on_train_end(self, logs=None):
            calls.append("end")

    model = iris_model()
    model.compile(SGD(lr=0.0), "cross_entropy")  # a frozen model never improves
    stopper = EarlyStopping(monitor="loss", patience=2, min_delta=1e-6)
    model.fit(X, y, epochs=20, verbose=0, callbacks=[Recorder(), stopper])
    assert calls == ["begin", 0, 1, 2, "end"]
    assert stopper.stopped_epoch == 2


def test_early_stopping_restores_best_weights(iris):
    X, y, _, _ = iris
    model = iris_model()
    snapshots = []

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    model.compile(SGD(lr=5.0), "cross_entropy")  # large steps: the loss jumps around
    stopper = EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    model.fit(X, y, epochs=30, verbose=0, callbacks=[Snap(), stopper])
    best = snapshots[stopper.best_epoch]
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), best))


def test_non_finite_loss_stops_with_epoch_and_batch(iris):
    X, y, _, _ = iris
    model = Sequential([Dense(3, activation="linear")], seed=0)
    model.compile(SGD(lr=1e30), "l2")
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch \d+"):
        with np.errstate(all="ignore"):
            model.fit(X * 1e10, np.eye(3)[y], epochs=2, verbose=0)


BAD_INPUTS = [
    (lambda m, X, y: m.predict(X[:, :3]), ValueError, "has 3 features, but Sequential 'sequential' is expecting 4"),
    (lambda m, X, y: m.fit(X, y[:-1], verbose=0), ValueError, "different lengths: 120 and 119"),
    (lambda m, X, y: m.fit(X, y + 1, verbose=0), ValueError, r"in 0\.\.2"),
    (lambda m, X, y: m.fit(X, np.eye(4)[y], verbose=0), ValueError, r"shape \(120, 4\) does not match"),
    (lambda m, X, y: m.fit(np.where(X > 1, np.nan, X), y, verbose=0), ValueError, "NaN or infinite"),
    (lambda m, X, y: m.fit(X.astype(str), y, verbose=0), TypeError, "numeric"),
    (lambda m, X, y: m.fit(X[:0], y[:0], verbose=0), ValueError, "empty"),
    (lambda m, X, y: m.fit(X, y, batch_size=0, verbose=0), ValueError, "batch_size"),
    (lambda m, X, y: m.fit(X, y, epochs=-1, verbose=0), ValueError, "epochs"),
    (lambda m, X, y: m.fit(X, y, validation_split=1.0, verbose=0), ValueError, "validation_split"),
    (lambda m, X, y: m.predict(X.reshape(120, 2, 2)), ValueError, r"expecting 4 features"),
    (lambda m, X, y: m.compile("sgd", "cross_entropy", ["f1"]), ValueError, "Known metric names"),
    (lambda m, X, y: m.compile("sgdd", "cross_entropy"), ValueError, "Known optimizer names"),
    (lambda m, X, y: m.compile("sgd", "crossentropyy"), ValueError, "Known loss names"),
]


@pytest.mark.parametrize("call, exc, message", BAD_INPUTS)
def test_bad_input(iris, call, exc, message):
    X, y, _, _ = iris
    model = iris_model()
    model.build((4,))
    with pytest.raises(exc, match=message):
        call(model, X, y)


def test_bad_usage():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=int)
    with pytest.raises(RuntimeError, match="compile"):
        Sequential([Dense(2)]).fit(X, y)
    with pytest.raises(ValueError, match="Received: n_out=0"):
        Dense(0)
    with pytest.raises(ValueError, match="lr"):
        SGD(lr=-1.0)
    with pytest.raises(ValueError, match="Flatten"):
        model = Sequential([Dense(2, activation="softmax")])
        model.compile()
        model.fit(np.zeros((4, 3, 2)), y)
    with pytest.raises(ValueError, match="already in the model"):
        Sequential([Dense(2, name="a"), Dense(2, name="a")])


def test_iris_example_runs(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "iris.py"), "--out", str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("test accuracy: ") and float(last.split()[-1]) >= 0.93
    assert (tmp_path / "iris" / "curves.png").stat().st_size > 10_000


def test_small_cnn_fits_a_synthetic_image_problem():
    from seqnet.layers import BatchNorm, Conv2D, Flatten, MaxPool2D
    rng = np.random.default_rng(0)
    # class = which quadrant of a 8x8 image holds a bright 3x3 blob
    X = rng.normal(scale=0.3, size=(64, 8, 8, 1)).astype(np.float32)
    y = np.arange(64) % 4
    for i, c in enumerate(y):
        r, s = (c // 2) * 4 + rng.integers(0, 2), (c % 2) * 4 + rng.integers(0, 2)
        X[i, r:r + 3, s:s + 3, 0] += 2.0
    model = Sequential([Conv2D(8, 3, activation="relu"), BatchNorm(), MaxPool2D(2), Conv2D(8, 3, activation="relu"),
                        MaxPool2D(2), Flatten(), Dense(4, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(X, y, batch_size=16, epochs=30, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert model.evaluate(X, y, return_dict=True)["accuracy"] == 1.0
